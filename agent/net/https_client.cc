#include "agent/net/https_client.h"

#include <curl/curl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <cctype>
#include <string_view>

#include "agent/base/strings.h"

namespace bulwark::net {
namespace {

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

// What the callbacks collect during one transfer.
struct Transfer {
  std::string body;
  std::size_t cap = 0;
  bool overflow = false;
  std::map<std::string, std::string> headers;
};

std::size_t OnBody(char* ptr, std::size_t size, std::size_t nmemb, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  const std::size_t n = size * nmemb;
  if (n > t->cap - t->body.size()) {
    t->overflow = true;
    return 0;  // curl then fails the transfer with CURLE_WRITE_ERROR
  }
  t->body.append(ptr, n);
  return n;
}

std::size_t OnHeader(char* ptr, std::size_t size, std::size_t nmemb, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  const std::size_t n = size * nmemb;
  const std::string_view line(ptr, n);
  // A new status line (after "100 Continue" or a proxy's CONNECT answer) starts a new header
  // block: only the final response's headers are kept.
  if (StartsWith(line, "HTTP/")) {
    t->headers.clear();
    return n;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return n;
  t->headers[AsciiLower(TrimWhitespace(line.substr(0, colon)))] =
      std::string(TrimWhitespace(line.substr(colon + 1)));
  return n;
}

// The one place a CURLcode becomes a Status. `detail` is curl's error buffer, which names
// hosts and certificates but never request headers.
Status CurlError(CURLcode code, const char* detail, const std::string& url) {
  std::string message = url + ": " + curl_easy_strerror(code);
  if (detail != nullptr && detail[0] != '\0') message += " (" + std::string(detail) + ")";
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_PROXY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return UnavailableError(message);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return PermissionDeniedError(message);
    case CURLE_SSL_CERTPROBLEM:
      return InvalidArgumentError(message);
    case CURLE_OPERATION_TIMEDOUT:
      return DeadlineExceededError(message);
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return InvalidArgumentError(message);
    default:
      return InternalError(message);
  }
}

bool HasControlChars(std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t') return true;
    if (u == 0x7f) return true;
  }
  return false;
}

class CurlHttpsClient final : public HttpsClient {
 public:
  CurlHttpsClient(std::string base_url, TlsOptions options, std::unique_ptr<CURL, EasyDeleter> h)
      : base_url_(std::move(base_url)), options_(std::move(options)), curl_(std::move(h)) {}

  Result<HttpResponse> Send(const HttpRequest& request) override;

 private:
  Status Configure(const HttpRequest& request, const std::string& url, curl_slist* headers,
                   Transfer* transfer, char* error_buffer);

  const std::string base_url_;
  const TlsOptions options_;
  std::unique_ptr<CURL, EasyDeleter> curl_;  // kept across requests: its connection is reused
};

Status CurlHttpsClient::Configure(const HttpRequest& request, const std::string& url,
                                  curl_slist* headers, Transfer* transfer, char* error_buffer) {
  CURL* h = curl_.get();
  bool ok = true;
  // Each setopt below is checked: a libcurl built without one of these features must not
  // silently send the request with weaker settings.
  auto set = [&](CURLoption option, auto value) {
    if (ok) ok = curl_easy_setopt(h, option, value) == CURLE_OK;
  };
  set(CURLOPT_ERRORBUFFER, error_buffer);
  set(CURLOPT_URL, url.c_str());
  set(CURLOPT_PROTOCOLS_STR, "https");
  set(CURLOPT_REDIR_PROTOCOLS_STR, "https");
  set(CURLOPT_FOLLOWLOCATION, 0L);
  set(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  set(CURLOPT_SSL_VERIFYPEER, 1L);
  set(CURLOPT_SSL_VERIFYHOST, 2L);
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
  if (!options_.ca_file.empty()) set(CURLOPT_CAINFO, options_.ca_file.c_str());
  if (!options_.pinned_spki.empty()) set(CURLOPT_PINNEDPUBLICKEY, options_.pinned_spki.c_str());
  if (!options_.client_cert.empty()) {
    set(CURLOPT_SSLCERT, options_.client_cert.c_str());
    set(CURLOPT_SSLCERTTYPE, "PEM");
    set(CURLOPT_SSLKEY, options_.client_key.c_str());
    set(CURLOPT_SSLKEYTYPE, "PEM");
  }
  if (options_.proxy == "none") {
    set(CURLOPT_PROXY, "");
    set(CURLOPT_NOPROXY, "*");
  } else if (!options_.proxy.empty()) {
    set(CURLOPT_PROXY, options_.proxy.c_str());
  }
  set(CURLOPT_HTTPHEADER, headers);
  set(CURLOPT_HEADERFUNCTION, &OnHeader);
  set(CURLOPT_HEADERDATA, static_cast<void*>(transfer));
  set(CURLOPT_WRITEFUNCTION, &OnBody);
  set(CURLOPT_WRITEDATA, static_cast<void*>(transfer));
  if (request.method == "GET") {
    set(CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    set(CURLOPT_NOBODY, 1L);
  } else {  // POST (checked by Send)
    set(CURLOPT_POST, 1L);
    set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    set(CURLOPT_POSTFIELDS, request.body.data());
  }
  if (!ok) return InternalError("cannot configure libcurl (HTTPS and TLS 1.2 support needed)");
  return Status();
}

Result<HttpResponse> CurlHttpsClient::Send(const HttpRequest& request) {
  const std::string url = base_url_ + request.path;
  if (request.method != "GET" && request.method != "POST" && request.method != "HEAD") {
    return InvalidArgumentError(url + ": unsupported method '" + request.method + "'");
  }
  if (!request.path.empty() && request.path.front() != '/') {
    return InvalidArgumentError(url + ": the path must start with '/'");
  }
  if (HasControlChars(request.path) || request.path.find(' ') != std::string::npos) {
    return InvalidArgumentError(base_url_ + ": the path holds spaces or control characters");
  }

  SlistPtr headers;
  auto add = [&headers](const std::string& line) {
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (next == nullptr) return false;
    (void)headers.release();  // `next` is the same list, grown
    headers.reset(next);
    return true;
  };
  for (const auto& [name, value] : request.headers) {
    // Values are not echoed: they may be credentials.
    if (name.empty() || HasControlChars(name) || name.find(':') != std::string::npos ||
        name.find(' ') != std::string::npos || HasControlChars(value)) {
      return InvalidArgumentError(url + ": header '" + (HasControlChars(name) ? "?" : name) +
                                  "' has an invalid name or value");
    }
    if (!add(name + ": " + value)) return InternalError("curl_slist_append failed");
  }
  // No "Expect: 100-continue" round trip (it costs up to a second on larger POSTs).
  if (!add("Expect:")) return InternalError("curl_slist_append failed");

  Transfer transfer;
  transfer.cap = request.max_response_bytes;
  char error[CURL_ERROR_SIZE] = {};
  // Reset drops the previous request's options but keeps the connection cache, so the next
  // request to the same collector reuses the TLS connection.
  curl_easy_reset(curl_.get());
  RETURN_IF_ERROR(Configure(request, url, headers.get(), &transfer, error));

  const CURLcode rc = curl_easy_perform(curl_.get());
  if (transfer.overflow) {
    return ResourceExhaustedError(url + ": response larger than " +
                                  std::to_string(request.max_response_bytes) + " bytes");
  }
  if (rc != CURLE_OK) return CurlError(rc, error, url);
  HttpResponse response;
  if (curl_easy_getinfo(curl_.get(), CURLINFO_RESPONSE_CODE, &response.status) != CURLE_OK) {
    return InternalError(url + ": no HTTP status");
  }
  response.body = std::move(transfer.body);
  response.headers = std::move(transfer.headers);
  return response;
}

// "sha256//" + 44 base64 characters (32 bytes, one '=' of padding), ';'-separated.
bool IsSpkiPinList(std::string_view pins) {
  constexpr std::string_view kPrefix = "sha256//";
  while (true) {
    const std::string_view pin = pins.substr(0, pins.find(';'));
    if (pin.size() != kPrefix.size() + 44 || pin.substr(0, kPrefix.size()) != kPrefix ||
        pin.back() != '=') {
      return false;
    }
    for (char c : pin.substr(kPrefix.size(), 43)) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/') return false;
    }
    if (pin.size() == pins.size()) return true;
    pins.remove_prefix(pin.size() + 1);
  }
}

}  // namespace

Result<std::unique_ptr<HttpsClient>> HttpsClient::Create(std::string base_url, TlsOptions options) {
  if (!StartsWith(AsciiLower(base_url), "https://")) {
    return InvalidArgumentError("'" + base_url + "': only https:// URLs are allowed");
  }
  while (!base_url.empty() && base_url.back() == '/') base_url.pop_back();
  const std::string_view rest = std::string_view(base_url).substr(8);
  const std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.empty()) return InvalidArgumentError("'" + base_url + "': no host");
  if (authority.find('@') != std::string_view::npos) {
    // Not echoed: user information is a credential.
    return InvalidArgumentError("the base URL must not hold user information");
  }
  if (HasControlChars(base_url) || base_url.find(' ') != std::string::npos ||
      base_url.find('?') != std::string::npos || base_url.find('#') != std::string::npos) {
    return InvalidArgumentError("'" + base_url + "': not a plain https://host[:port] URL");
  }
  if (!options.pinned_spki.empty() && !IsSpkiPinList(options.pinned_spki)) {
    // curl would take a malformed pin for a file name and fail every connection later.
    return InvalidArgumentError("'" + options.pinned_spki +
                                "': a pin is sha256// and the base64 of 32 bytes "
                                "(several joined by ';')");
  }
  if (!options.client_cert.empty() && options.client_key.empty()) {
    return InvalidArgumentError("a client certificate needs its private key (client_key)");
  }
  if (options.client_cert.empty() && !options.client_key.empty()) {
    return InvalidArgumentError("a client key was given without its certificate (client_cert)");
  }
  if (options.connect_timeout.count() <= 0 || options.total_timeout.count() <= 0) {
    return InvalidArgumentError("connect and total timeouts must be positive");
  }
  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl) return InternalError("curl_easy_init failed");
  return std::unique_ptr<HttpsClient>(
      new CurlHttpsClient(std::move(base_url), std::move(options), std::move(curl)));
}

Result<std::string> SpkiPinOfPem(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) return InternalError("BIO_new_mem_buf failed");
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!cert) return InvalidArgumentError("no PEM certificate found");
  unsigned char* der = nullptr;
  const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert.get()), &der);
  if (len <= 0 || der == nullptr) return InvalidArgumentError("certificate has no public key");
  unsigned char digest[SHA256_DIGEST_LENGTH];
  const bool hashed =
      EVP_Digest(der, static_cast<std::size_t>(len), digest, nullptr, EVP_sha256(), nullptr) == 1;
  OPENSSL_free(der);
  if (!hashed) return InternalError("SHA-256 failed");
  unsigned char b64[64] = {};  // 4 * ceil(32 / 3) = 44 characters and a NUL
  const int n = EVP_EncodeBlock(b64, digest, SHA256_DIGEST_LENGTH);
  if (n <= 0) return InternalError("base64 encoding failed");
  return "sha256//" + std::string(reinterpret_cast<const char*>(b64), static_cast<std::size_t>(n));
}

}  // namespace bulwark::net
