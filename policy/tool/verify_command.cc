// bulwark-policy verify: one agent update cycle (SIGNED-BUNDLES.md) without an agent.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>

#include "policy/bundle/dsse.h"
#include "policy/bundle/strict_base64.h"
#include "policy/bundle/trust_root.h"
#include "policy/bundle/verifier.h"
#include "policy/jsonlogic/jsonlogic.h"
#include "policy/tool/policy_cli.h"

namespace bulwark::policy_tool {
namespace po = boost::program_options;
namespace {

constexpr char kCommand[] = "verify";

constexpr char kUsage[] =
    "Usage: bulwark-policy verify --trust-root ROOT.json [--root-update FILE]...\n"
    "                             [--state STATE.json] [--now TIME]\n"
    "                             [--org ID] [--policy-id ID] [--platform linux|windows]\n"
    "                             BUNDLE.json\n"
    "Run one agent update cycle: walk the newer trust roots, verify the bundle, and print\n"
    "{\"outcome\":\"accept\"|\"noop\"|\"reject\"|\"blocked\",\"code\":\"E_...\"|null,"
    "\"root_version\":N,\n"
    " \"root_error\":\"E_...\"|null,\"version\":N|null}\n"
    "\n"
    "  --trust-root ROOT.json  the root the agent trusts (must carry its own threshold)\n"
    "  --root-update FILE      a newer root, served as trust/<N+1>.root.json, then N+2, ...\n"
    "                          in the order given (repeatable)\n"
    "  --state STATE.json      rollback state {\"highest\":{ID:[epoch,version,\"sha256\"]},\n"
    "                          \"last_trusted_time\":TIME}; read, and rewritten atomically on\n"
    "                          accept (a missing file is the state of a fresh agent)\n"
    "  --now TIME              the system time, YYYY-MM-DDTHH:MM:SSZ (default: now)\n"
    "  --org ID                the agent's org (default: the trust root's org_id)\n"
    "  --policy-id ID          the agent's policy stream (default: the bundle's policy_id)\n"
    "  --platform P            linux (default) or windows\n"
    "  -h, --help              display this help and exit\n"
    "\n"
    "Exit status: 0 accept or noop, 1 reject, blocked or error. The reason of a reject or\n"
    "block is also printed on stderr.\n";

// Serves the --root-update files in order, whatever version the walk asks for: the verifier
// itself checks that each claims the version it was fetched as (E_ROOT_VERSION).
class SequentialRootSource : public bundle::RootSource {
 public:
  struct Root {
    std::string path;
    std::string bytes;
  };
  explicit SequentialRootSource(std::vector<Root> roots) : roots_(std::move(roots)) {}
  Result<std::string> FetchRoot(std::uint64_t version) override {
    if (next_ >= roots_.size()) return NotFoundError("root v" + std::to_string(version));
    served_["trust/" + std::to_string(version) + ".root.json"] = roots_[next_].path;
    return roots_[next_++].bytes;
  }
  // `detail` with the agent's name of a served root ("trust/2.root.json: ...") replaced by
  // the file given on the command line, so the user sees which file failed.
  std::string NameFiles(std::string detail) const {
    for (const auto& [name, path] : served_) {
      if (detail.rfind(name + ":", 0) == 0) {
        detail.replace(0, name.size(), path + " (served as " + name + ")");
      }
    }
    return detail;
  }

 private:
  std::vector<Root> roots_;
  std::size_t next_ = 0;
  std::map<std::string, std::string> served_;
};

Result<bundle::PolicyState> ReadState(const std::string& path) {
  Result<std::string> bytes = ReadWholeFile(path, 16 * 1024 * 1024);
  if (!bytes.ok() && bytes.status().code() == StatusCode::kNotFound) return bundle::PolicyState{};
  if (!bytes.ok()) return bytes.status();
  boost::system::error_code ec;
  boost::json::value json = boost::json::parse(*bytes, ec);
  if (ec) return InvalidArgumentError(path + ": bad JSON: " + ec.message());
  Result<bundle::PolicyState> state = bundle::PolicyStateFromJson(json);
  if (!state.ok()) return InvalidArgumentError(path + ": " + state.status().message());
  return state;
}

}  // namespace

int RunVerify(const std::vector<std::string>& args, const CliContext& ctx) {
  po::options_description desc;
  desc.add_options()("trust-root", po::value<std::string>(), "")(
      "root-update", po::value<std::vector<std::string>>()->composing(), "")(
      "state", po::value<std::string>(), "")("now", po::value<std::string>(), "")(
      "org", po::value<std::string>(), "")("policy-id", po::value<std::string>(), "")(
      "platform", po::value<std::string>()->default_value("linux"), "")("help,h", po::bool_switch(),
                                                                        "");
  po::variables_map vm;
  std::vector<std::string> files;
  int code = 0;
  if (!ParseArgs(args, desc, vm, &files, ctx, kCommand, &code)) return code;
  if (vm["help"].as<bool>()) {
    ctx.out << kUsage;
    return 0;
  }
  if (files.size() != 1) return UsageError(ctx, kCommand, "verify needs exactly one BUNDLE.json");
  if (!vm.count("trust-root")) return UsageError(ctx, kCommand, "verify needs --trust-root FILE");
  const std::string platform = vm["platform"].as<std::string>();
  if (platform != "linux" && platform != "windows") {
    return UsageError(ctx, kCommand, "--platform must be linux or windows");
  }
  SystemTime now = ctx.now();
  if (vm.count("now")) {
    Result<SystemTime> t = ParseTimeArgument("now", vm["now"].as<std::string>(), now);
    if (!t.ok()) return UsageError(ctx, kCommand, t.status().message());
    now = *t;
  }

  const std::string root_path = vm["trust-root"].as<std::string>();
  Result<std::string> root_bytes = ReadFilePrefix(root_path, bundle::kMaxRootEnvelopeBytes);
  if (!root_bytes.ok()) return Fail(ctx, kCommand, root_bytes.status().message());
  bundle::Checked<bundle::TrustRoot> trusted = bundle::LoadTrustedRoot(*root_bytes);
  if (!trusted.ok()) {
    return Fail(ctx, kCommand, root_path + ": trust root rejected: " + trusted.error().ToString());
  }
  std::vector<SequentialRootSource::Root> updates;
  if (vm.count("root-update")) {
    for (const std::string& path : vm["root-update"].as<std::vector<std::string>>()) {
      // Read one byte past the cap so the verifier itself names an oversized root (E_SIZE).
      Result<std::string> bytes = ReadFilePrefix(path, bundle::kMaxRootEnvelopeBytes);
      if (!bytes.ok()) return Fail(ctx, kCommand, bytes.status().message());
      updates.push_back({path, std::move(bytes).value()});
    }
  }
  Result<std::string> envelope = ReadFilePrefix(files[0], bundle::kMaxPolicyEnvelopeBytes);
  if (!envelope.ok()) return Fail(ctx, kCommand, envelope.status().message());
  bundle::PolicyState state;
  const std::string state_path = vm.count("state") ? vm["state"].as<std::string>() : "";
  if (!state_path.empty()) {
    Result<bundle::PolicyState> read = ReadState(state_path);
    if (!read.ok()) return Fail(ctx, kCommand, read.status().message());
    state = std::move(read).value();
  }

  const bundle::AgentIdentity agent{vm.count("org") ? vm["org"].as<std::string>() : trusted->org_id,
                                    vm.count("policy-id") ? vm["policy-id"].as<std::string>()
                                                          : bundle::ClaimedPolicyId(*envelope),
                                    platform};
  bundle::VerifierOptions options;
  options.operator_validator = [](const boost::json::value& c) {
    return jsonlogic::ValidateRule(c);
  };
  SequentialRootSource roots(std::move(updates));
  const bundle::CycleResult result =
      bundle::RunUpdateCycle(*trusted, state, agent, now, roots, *envelope, options);

  if (result.outcome == bundle::CycleOutcome::kAccept && !state_path.empty()) {
    const std::string json = boost::json::serialize(bundle::PolicyStateToJson(result.state));
    if (Status s = WriteFileAtomic(state_path, json + "\n", 0644); !s.ok()) {
      return Fail(ctx, kCommand, "cannot write the state: " + s.message());
    }
  }
  ctx.out << bundle::CycleResultJsonLine(result) << "\n";
  ctx.out.flush();
  if (result.rejection) {
    const bool blocked = result.outcome == bundle::CycleOutcome::kBlocked;
    bundle::Rejection r = *result.rejection;
    r.detail = roots.NameFiles(r.detail);
    Fail(ctx, kCommand, (blocked ? "root update failed: " : "bundle rejected: ") + r.ToString());
  }
  const bool ok = result.outcome == bundle::CycleOutcome::kAccept ||
                  result.outcome == bundle::CycleOutcome::kNoop;
  return ok ? 0 : 1;
}

}  // namespace bulwark::policy_tool
