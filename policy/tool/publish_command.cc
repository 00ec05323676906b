// bulwark-policy publish: upload a signed bundle or a trust root to the collector's admin API.
#include "agent/base/strings.h"
#include "policy/bundle/dsse.h"
#include "policy/bundle/policy_payload.h"
#include "policy/bundle/strict_base64.h"
#include "policy/bundle/trust_root.h"
#include "policy/tool/https_post.h"
#include "policy/tool/policy_cli.h"

namespace bulwark::policy_tool {
namespace po = boost::program_options;
namespace {

constexpr char kCommand[] = "publish";

constexpr char kUsage[] =
    "Usage: bulwark-policy publish --server URL --admin-token-file FILE [--ca-file FILE]\n"
    "                              [--timeout SECONDS] BUNDLE.json|ROOT.json\n"
    "Upload a signed policy bundle (POST URL/api/v1/policy) or a trust root (POST\n"
    "URL/api/v1/trust-root), chosen by the envelope's payloadType, and print the answer.\n"
    "\n"
    "  --server URL             the collector, https://HOST[:PORT]\n"
    "  --admin-token-file FILE  file holding the admin token (sent as a Bearer token)\n"
    "  --ca-file FILE           PEM CA certificate(s) to trust instead of the system store\n"
    "                           (e.g. the collector's self-signed certificate)\n"
    "  --timeout SECONDS        give up after this long (default 60)\n"
    "  -h, --help               display this help and exit\n"
    "\n"
    "Only HTTPS with TLS 1.2 or newer is used; redirects are not followed. A bundle whose\n"
    "payload is malformed, or a root not signed by its own root threshold, is not sent.\n"
    "Exit status: 0 the server accepted it (HTTP 2xx), 1 otherwise.\n";

// The admin API route for an envelope, after a local sanity check of its contents.
Result<std::string> RouteFor(std::string_view bytes) {
  bundle::Checked<bundle::Envelope> env =
      bundle::ParseEnvelope(bytes, bundle::kMaxPolicyEnvelopeBytes);
  if (!env.ok()) return InvalidArgumentError("not a DSSE envelope: " + env.error().ToString());
  if (env->payload_type == bundle::kTrustRootPayloadType) {
    bundle::Checked<bundle::TrustRoot> root = bundle::LoadTrustedRoot(bytes);
    if (!root.ok()) {
      return InvalidArgumentError("trust root not publishable: " + root.error().ToString());
    }
    return std::string("/api/v1/trust-root");
  }
  if (env->payload_type == bundle::kPolicyPayloadType) {
    Result<std::string> body = bundle::DecodeStrictBase64(env->payload_base64);
    if (!body.ok()) return InvalidArgumentError("E_BASE64: payload: " + body.status().message());
    bundle::Checked<bundle::PolicyPayload> payload = bundle::ParsePolicyPayload(*body);
    if (!payload.ok()) {
      return InvalidArgumentError("bundle payload rejected: " + payload.error().ToString());
    }
    return std::string("/api/v1/policy");
  }
  return InvalidArgumentError("payloadType '" + env->payload_type +
                              "' is neither a policy bundle nor a trust root");
}

}  // namespace

int RunPublish(const std::vector<std::string>& args, const CliContext& ctx) {
  po::options_description desc;
  desc.add_options()("server", po::value<std::string>(), "")(
      "admin-token-file", po::value<std::string>(), "")("ca-file", po::value<std::string>(), "")(
      "timeout", po::value<long>()->default_value(60), "")("help,h", po::bool_switch(), "");
  po::variables_map vm;
  std::vector<std::string> files;
  int code = 0;
  if (!ParseArgs(args, desc, vm, &files, ctx, kCommand, &code)) return code;
  if (vm["help"].as<bool>()) {
    ctx.out << kUsage;
    return 0;
  }
  if (files.size() != 1) {
    return UsageError(ctx, kCommand, "publish needs exactly one BUNDLE.json or ROOT.json");
  }
  if (!vm.count("server")) return UsageError(ctx, kCommand, "publish needs --server URL");
  if (!vm.count("admin-token-file")) {
    return UsageError(ctx, kCommand, "publish needs --admin-token-file FILE");
  }
  const long timeout = vm["timeout"].as<long>();
  if (timeout < 1 || timeout > 3600) {
    return UsageError(ctx, kCommand, "--timeout must be 1..3600 seconds");
  }
  std::string server = vm["server"].as<std::string>();
  if (!StartsWith(AsciiLower(server), "https://")) {
    return UsageError(ctx, kCommand, "--server must be an https:// URL");
  }
  while (!server.empty() && server.back() == '/') server.pop_back();

  Result<std::string> bytes = ReadWholeFile(files[0], bundle::kMaxPolicyEnvelopeBytes);
  if (!bytes.ok()) return Fail(ctx, kCommand, bytes.status().message());
  Result<std::string> route = RouteFor(*bytes);
  if (!route.ok()) return Fail(ctx, kCommand, files[0] + ": " + route.status().message());

  const std::string token_path = vm["admin-token-file"].as<std::string>();
  Result<std::string> token_text = ReadWholeFile(token_path, 4096);
  if (!token_text.ok()) return Fail(ctx, kCommand, token_text.status().message());
  const std::string token(TrimWhitespace(*token_text));
  if (token.empty()) return Fail(ctx, kCommand, token_path + ": the admin token file is empty");
  for (char c : token) {
    if (static_cast<unsigned char>(c) < 0x21 || c == 0x7f) {
      return Fail(ctx, kCommand,
                  token_path +
                      ": the admin token holds whitespace or control "
                      "characters");
    }
  }

  HttpsPostRequest request;
  request.url = server + *route;
  request.bearer_token = token;
  request.body = std::move(bytes).value();
  request.timeout = std::chrono::seconds(timeout);
  if (vm.count("ca-file")) request.ca_file = vm["ca-file"].as<std::string>();
  Result<HttpsResponse> response = HttpsPost(request);
  if (!response.ok()) return Fail(ctx, kCommand, response.status().message());
  if (response->status < 200 || response->status > 299) {
    std::string body(TrimWhitespace(response->body));
    if (const std::size_t nl = body.find('\n'); nl != std::string::npos) body.resize(nl);
    if (body.size() > 200) body = body.substr(0, 200) + "...";
    return Fail(ctx, kCommand,
                request.url + " answered HTTP " + std::to_string(response->status) +
                    (body.empty() ? "" : ": " + body));
  }
  ctx.out << response->body;
  if (!response->body.empty() && response->body.back() != '\n') ctx.out << "\n";
  ctx.out.flush();
  return 0;
}

}  // namespace bulwark::policy_tool
