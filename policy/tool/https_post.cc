#include "policy/tool/https_post.h"

#include <curl/curl.h>

#include <memory>

#include "agent/base/strings.h"

namespace bulwark::policy_tool {
namespace {

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

struct Sink {
  std::string data;
  std::size_t cap = 0;
  bool overflow = false;
};

std::size_t Collect(char* ptr, std::size_t size, std::size_t nmemb, void* userdata) {
  auto* sink = static_cast<Sink*>(userdata);
  const std::size_t n = size * nmemb;
  if (sink->data.size() + n > sink->cap) {
    sink->overflow = true;
    return 0;  // makes curl fail with CURLE_WRITE_ERROR
  }
  sink->data.append(ptr, n);
  return n;
}

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
      return UnavailableError(message);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR:
      return PermissionDeniedError(message);
    case CURLE_OPERATION_TIMEDOUT:
      return DeadlineExceededError(message);
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return InvalidArgumentError(message);
    default:
      return InternalError(message);
  }
}

}  // namespace

Result<HttpsResponse> HttpsPost(const HttpsPostRequest& request) {
  if (!StartsWith(AsciiLower(request.url), "https://")) {
    return InvalidArgumentError(request.url + ": only https:// URLs are allowed");
  }
  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl) return InternalError("curl_easy_init failed");
  CURL* h = curl.get();

  std::unique_ptr<curl_slist, SlistDeleter> headers;
  for (const std::string& line :
       {"Content-Type: " + request.content_type, "Authorization: Bearer " + request.bearer_token,
        std::string("Expect:")}) {
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (next == nullptr) return InternalError("curl_slist_append failed");
    headers.release();
    headers.reset(next);
  }

  Sink sink;
  sink.cap = request.max_response_bytes;
  char error[CURL_ERROR_SIZE] = {};
  const long timeout = static_cast<long>(request.timeout.count());
  bool ok = curl_easy_setopt(h, CURLOPT_URL, request.url.c_str()) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https") == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get()) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_POST, 1L) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data()) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                             static_cast<curl_off_t>(request.body.size())) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Collect) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink) == CURLE_OK &&
            curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error) == CURLE_OK;
  if (ok && request.ca_file) {
    ok = curl_easy_setopt(h, CURLOPT_CAINFO, request.ca_file->c_str()) == CURLE_OK;
  }
  if (!ok) return InternalError("cannot configure libcurl (HTTPS and TLS 1.2 support needed)");

  const CURLcode rc = curl_easy_perform(h);
  if (sink.overflow) {
    return ResourceExhaustedError(request.url + ": response larger than " +
                                  std::to_string(request.max_response_bytes) + " bytes");
  }
  if (rc != CURLE_OK) return CurlError(rc, error, request.url);
  HttpsResponse response;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  response.body = std::move(sink.data);
  return response;
}

}  // namespace bulwark::policy_tool
