// One HTTPS POST for `bulwark-policy publish`: a thin wrapper over the agent's libcurl client
// (agent/net/https_client.h), so the repository has one HTTPS client. TLS 1.2 or newer,
// certificate and host name verified (against --ca-file or the system store), no redirects,
// no other scheme, proxies from the environment.
//
// REQUIRES: curl_global_init() was called once by main() before any thread uses this.
// Thread-safety: each call uses its own client (easy handle); calls may run concurrently.
#ifndef BULWARK_POLICY_TOOL_HTTPS_POST_H_
#define BULWARK_POLICY_TOOL_HTTPS_POST_H_

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "agent/base/status.h"

namespace bulwark::policy_tool {

struct HttpsPostRequest {
  std::string url;           // must start with https://
  std::string bearer_token;  // sent as "Authorization: Bearer <token>"
  std::string content_type = "application/json";
  std::string body;
  std::optional<std::string> ca_file;  // PEM bundle of trusted CAs; system store when unset
  std::chrono::seconds timeout{60};
  std::size_t max_response_bytes = 1024 * 1024;
};

struct HttpsResponse {
  long status = 0;
  std::string body;
};

// Sends the request and returns the server's answer, whatever its HTTP status. Errors (the
// CURLcode converted once, here): kInvalidArgument for a non-https URL, kUnavailable when the
// server cannot be reached (refused, DNS, reset), kPermissionDenied for TLS verification
// failures, kDeadlineExceeded on timeout, kResourceExhausted for an oversized response,
// kInternal otherwise (see net::HttpsClient::Send). Messages start with "<url>: ". The token
// never appears in an error message.
Result<HttpsResponse> HttpsPost(const HttpsPostRequest& request);

}  // namespace bulwark::policy_tool

#endif  // BULWARK_POLICY_TOOL_HTTPS_POST_H_
