// HTTPS requests with libcurl for the agent (and bulwark-policy): TLS 1.2 or newer, the
// server's certificate and host name verified against a CA file or the system store, an
// optional SPKI pin, an optional client certificate, proxies from options or the usual
// environment variables (https_proxy, no_proxy), connect and total timeouts, no redirects,
// https:// only, and a hard cap on the response body (Content-Length is not trusted).
//
// REQUIRES: curl_global_init() was called once by main() before any thread uses this.
// Thread-safety: an HttpsClient may be used from one thread at a time (it keeps one easy
// handle so connections are reused); separate instances may run concurrently.
#ifndef BULWARK_AGENT_NET_HTTPS_CLIENT_H_
#define BULWARK_AGENT_NET_HTTPS_CLIENT_H_

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/base/status.h"

namespace bulwark::net {

struct TlsOptions {
  std::string ca_file;      // PEM bundle of trusted CAs; empty: the system store
  std::string pinned_spki;  // "sha256//BASE64[;sha256//...]" (curl's syntax); empty: no pin
  std::string client_cert;  // PEM client certificate (optional)
  std::string client_key;   // its PEM private key (required with client_cert)
  // "" = take https_proxy/HTTPS_PROXY/no_proxy from the environment (curl's default);
  // "none" = never use a proxy; otherwise a proxy URL.
  std::string proxy;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds total_timeout{60000};
};

struct HttpRequest {
  std::string method = "GET";  // GET, POST, HEAD
  std::string path;            // appended to the base URL, e.g. "/api/v1/policy"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::size_t max_response_bytes = 1024 * 1024;
};

struct HttpResponse {
  long status = 0;
  std::string body;
  // Response headers by lower-case name (last value wins).
  std::map<std::string, std::string> headers;
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class HttpsClient {
 public:
  // `base_url`: "https://host[:port]" (a trailing "/" is dropped). kInvalidArgument for any
  // other scheme, user information, a query or fragment in the URL, a client certificate
  // without key (or a key without certificate), or a timeout that is not positive. The files
  // are only named here; libcurl loads them when it opens a connection (create a new client
  // after renewing them).
  static Result<std::unique_ptr<HttpsClient>> Create(std::string base_url, TlsOptions options);
  virtual ~HttpsClient() = default;

  // Sends the request and returns the server's answer whatever its HTTP status. Errors (the
  // CURLcode converted once, here): kUnavailable when the server cannot be reached (refused,
  // DNS, reset, proxy), kPermissionDenied for TLS verification or pin failures,
  // kDeadlineExceeded on timeout, kResourceExhausted for a body over max_response_bytes,
  // kInvalidArgument for a method other than GET/POST/HEAD, a path not starting with "/", a
  // header with CR/LF or a client certificate/key that cannot be loaded, kInternal
  // otherwise. Messages start with "<base_url><path>: ". Credentials in headers never appear
  // in an error message.
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

// "sha256//BASE64" of the SubjectPublicKeyInfo of the first certificate in `pem` (what an
// admin puts in the agent's pin setting). kInvalidArgument when `pem` holds no certificate.
Result<std::string> SpkiPinOfPem(const std::string& pem);

}  // namespace bulwark::net

#endif  // BULWARK_AGENT_NET_HTTPS_CLIENT_H_
