#include "policy/tool/https_post.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <string_view>
#include <utility>

#include "agent/base/strings.h"
#include "agent/net/https_client.h"

namespace bulwark::policy_tool {

Result<HttpsResponse> HttpsPost(const HttpsPostRequest& request) {
  if (!StartsWith(AsciiLower(request.url), "https://")) {
    return InvalidArgumentError(request.url + ": only https:// URLs are allowed");
  }
  // Split "https://host[:port]/path" into the client's base URL and the request path.
  const std::size_t slash = request.url.find('/', 8);
  const std::string base = slash == std::string::npos ? request.url : request.url.substr(0, slash);
  net::TlsOptions options;
  if (request.ca_file) options.ca_file = *request.ca_file;
  options.total_timeout = request.timeout;
  options.connect_timeout =
      std::min<std::chrono::milliseconds>(std::chrono::seconds(30), request.timeout);
  ASSIGN_OR_RETURN(std::unique_ptr<net::HttpsClient> client,
                   net::HttpsClient::Create(base, std::move(options)));

  net::HttpRequest post;
  post.method = "POST";
  post.path = slash == std::string::npos ? std::string() : request.url.substr(slash);
  post.headers = {{"Content-Type", request.content_type},
                  {"Authorization", "Bearer " + request.bearer_token}};
  post.body = request.body;
  post.max_response_bytes = request.max_response_bytes;
  ASSIGN_OR_RETURN(net::HttpResponse answer, client->Send(post));
  HttpsResponse response;
  response.status = answer.status;
  response.body = std::move(answer.body);
  return response;
}

}  // namespace bulwark::policy_tool
