#include "agent/service/agent_cli.h"

#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/program_options.hpp>
#include <filesystem>

#include "agent/facts/facts_json.h"
#include "agent/service/facts_table.h"
#include "agent/service/service_commands.h"
#include "policy/bundle/dsse.h"
#include "policy/bundle/strict_base64.h"
#include "policy/bundle/trust_root.h"
#include "policy/bundle/verifier.h"
#include "policy/engine/engine.h"
#include "policy/jsonlogic/jsonlogic.h"

namespace bulwark {
namespace po = boost::program_options;
namespace {

constexpr char kProgram[] = "bulwark-agent";

constexpr char kUsage[] =
    "Usage: bulwark-agent COMMAND [OPTION]...\n"
    "Collect workstation security posture facts and check them against a signed policy.\n"
    "\n"
    "Commands:\n"
    "  facts [--root DIR] [--json]   print the posture facts of this machine (or of DIR)\n"
    "  check --bundle FILE --trust-root FILE [--root DIR] [--json]\n"
    "                                verify a signed policy bundle and check this machine\n"
    "                                against it (exit 0 compliant, 2 not compliant, 1 error)\n"
    "  run [--config FILE] [--once]  the service: policy, scans, queued uploads\n"
    "  enroll --server URL --enroll-secret-file FILE [--ca-file FILE] [--pin sha256//B64]\n"
    "                                enrol this machine with the collector\n"
    "  preseed --server URL --enroll-secret SECRET [...]\n"
    "                                let the service enrol itself when it starts (installers)\n"
    "  status [--json]               the last scan, and how to fix what failed (any user)\n"
    "  queue stats|flush             the report queue; flush uploads now\n"
    "\n"
    "Options:\n"
    "  -h, --help      display this help and exit\n"
    "      --version   output version information and exit\n"
    "\n"
    "Run 'bulwark-agent COMMAND --help' for the options of one command.\n";

constexpr char kFactsUsage[] =
    "Usage: bulwark-agent facts [--root DIR] [--json]\n"
    "Print the posture facts of this machine: host and OS identity, disk encryption, local\n"
    "administrators, endpoint protection (antivirus, firewall, MAC) and hardening.\n"
    "\n"
    "  --root DIR   read every host file (etc/, proc/, sys/, dev/, ...) under DIR instead of /\n"
    "  --json       print one bulwark.facts/1 JSON document instead of a table\n"
    "  -h, --help   display this help and exit\n"
    "\n"
    "Unknown facts are shown as 'unknown' (null in JSON) with the reason; run as root to read\n"
    "LUKS headers.\n";

int UsageError(std::ostream& err, const std::string& message) {
  err << kProgram << ": " << message << " (try '" << kProgram << " --help')\n";
  return 1;
}

// Parses `args` against `desc`; positional arguments are rejected.
bool Parse(const std::vector<std::string>& args, const po::options_description& desc,
           po::variables_map& vm, std::ostream& err, int* exit_code) {
  try {
    po::parsed_options parsed =
        po::command_line_parser(args)
            .options(desc)
            .style(po::command_line_style::unix_style ^ po::command_line_style::allow_guessing)
            .run();
    // Every argument of our commands is an option: a stray word is a mistake, never ignored.
    for (const auto& option : parsed.options) {
      if (option.string_key.empty() || option.position_key >= 0) {
        std::string word = option.original_tokens.empty() ? "" : option.original_tokens.front();
        *exit_code = UsageError(err, "unexpected argument '" + word + "'");
        return false;
      }
    }
    po::store(parsed, vm);
    po::notify(vm);
    return true;
  } catch (const po::error& e) {
    *exit_code = UsageError(err, e.what());
    return false;
  }
}

constexpr char kCheckUsage[] =
    "Usage: bulwark-agent check --bundle FILE --trust-root FILE [--root DIR] [--json]\n"
    "Verify a signed policy bundle against a trust root, collect this machine's facts and\n"
    "evaluate every check of the policy.\n"
    "\n"
    "  --bundle FILE       the signed policy bundle (DSSE envelope)\n"
    "  --trust-root FILE   the trust root that must have signed it\n"
    "  --root DIR          read host files under DIR instead of /\n"
    "  --json              print the bulwark.report/1 document instead of a table\n"
    "  -h, --help          display this help and exit\n"
    "\n"
    "Exit status: 0 every applicable check passed, 2 at least one check failed or could not\n"
    "be decided, 1 error (bad arguments, bundle rejected).\n";

// Reads a file named on the command line (relative to the working directory). A file over
// `max_bytes` comes back as max_bytes + 1 bytes so the verifier names the limit (E_SIZE).
Result<std::string> ReadArgumentFile(const System& host, const std::string& path,
                                     std::size_t max_bytes) {
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  if (ec) return InvalidArgumentError(path + ": " + ec.message());
  auto data = host.file_system().ReadFile(absolute.lexically_normal().string(), max_bytes);
  if (!data.ok() && data.status().code() == StatusCode::kResourceExhausted) {
    return std::string(max_bytes + 1, ' ');
  }
  return data;
}

int RunCheck(const std::vector<std::string>& args, const AgentPlatform& platform, std::ostream& out,
             std::ostream& err) {
  po::options_description desc;
  desc.add_options()("bundle", po::value<std::string>(), "bundle")(
      "trust-root", po::value<std::string>(), "trust root")(
      "root", po::value<std::string>()->default_value("/"), "root directory")(
      "json", po::bool_switch(), "JSON output")("help,h", po::bool_switch(), "help");
  po::variables_map vm;
  int code = 0;
  if (!Parse(args, desc, vm, err, &code)) return code;
  if (vm["help"].as<bool>()) {
    out << kCheckUsage;
    return 0;
  }
  if (!vm.count("bundle")) return UsageError(err, "check needs --bundle FILE");
  if (!vm.count("trust-root")) return UsageError(err, "check needs --trust-root FILE");

  auto host = platform.MakeSystem("/");
  if (!host.ok()) {
    err << kProgram << ": " << host.status().message() << "\n";
    return 1;
  }
  auto root_bytes =
      ReadArgumentFile(**host, vm["trust-root"].as<std::string>(), bundle::kMaxRootEnvelopeBytes);
  if (!root_bytes.ok()) {
    err << kProgram << ": cannot read trust root: " << root_bytes.status().message() << "\n";
    return 1;
  }
  auto trusted = bundle::LoadTrustedRoot(*root_bytes);
  if (!trusted.ok()) {
    err << kProgram << ": trust root rejected: " << trusted.error().ToString() << "\n";
    return 1;
  }
  auto envelope =
      ReadArgumentFile(**host, vm["bundle"].as<std::string>(), bundle::kMaxPolicyEnvelopeBytes);
  if (!envelope.ok()) {
    err << kProgram << ": cannot read bundle: " << envelope.status().message() << "\n";
    return 1;
  }
  auto system = platform.MakeSystem(vm["root"].as<std::string>());
  if (!system.ok()) {
    err << kProgram << ": " << system.status().message() << "\n";
    return 1;
  }

  bundle::AgentIdentity identity{trusted->org_id, bundle::ClaimedPolicyId(*envelope),
                                 platform.os_family()};
  bundle::VerifierOptions options;
  options.operator_validator = [](const boost::json::value& c) {
    return jsonlogic::ValidateRule(c);
  };
  const SystemTime now = bundle::EffectiveNow((*system)->clock().Now(), {});
  auto verified = bundle::VerifyPolicyBundle(*trusted, bundle::PolicyState{}, identity, now,
                                             *envelope, options);
  if (!verified.ok()) {
    err << kProgram << ": bundle rejected: " << verified.error().ToString() << "\n";
    return 1;
  }
  const bundle::VerifiedPolicy& policy = verified->policy;

  FactsDocument facts = CollectFacts(platform, **system);
  boost::json::value facts_json = FactsToJson(facts);
  auto results = policy::EvaluateChecks(policy.payload.document, facts_json, facts.collected_at);
  const bool compliant = policy::IsCompliant(results);
  if (vm["json"].as<bool>()) {
    policy::PolicyRef ref{policy.payload.policy_id, policy.payload.epoch, policy.payload.version,
                          policy.sha256};
    out << boost::json::serialize(policy::BuildReport(ref, results, facts_json)) << "\n";
  } else {
    out << "Policy " << policy.payload.policy_id << " version " << policy.payload.version
        << " (epoch " << policy.payload.epoch << ", org " << policy.payload.org_id << ") on "
        << facts.host.hostname.value_or("this machine") << "\n\n"
        << policy::RenderResultsTable(results) << "\n"
        << (compliant ? "Compliant.\n" : "Not compliant.\n");
  }
  out.flush();
  if (!out) {
    err << kProgram << ": cannot write output\n";
    return 1;
  }
  return compliant ? 0 : 2;
}

int RunFacts(const std::vector<std::string>& args, const AgentPlatform& platform, std::ostream& out,
             std::ostream& err) {
  po::options_description desc;
  desc.add_options()("root", po::value<std::string>()->default_value("/"), "root directory")(
      "json", po::bool_switch(), "JSON output")("help,h", po::bool_switch(), "help");
  po::variables_map vm;
  int code = 0;
  if (!Parse(args, desc, vm, err, &code)) return code;
  if (vm["help"].as<bool>()) {
    out << kFactsUsage;
    return 0;
  }
  const std::string root = vm["root"].as<std::string>();
  auto system = platform.MakeSystem(root);
  if (!system.ok()) {
    err << kProgram << ": " << system.status().message() << "\n";
    return 1;
  }
  FactsDocument facts = CollectFacts(platform, **system);

  if (vm["json"].as<bool>()) {
    out << SerializeFacts(facts) << "\n";
  } else {
    out << RenderFactsTable(facts);
  }
  out.flush();
  if (!out) {
    err << kProgram << ": cannot write output\n";
    return 1;
  }
  return 0;
}

}  // namespace

FactsDocument CollectFacts(const AgentPlatform& platform, const System& system) {
  ProbeRegistry registry;
  platform.RegisterProbes(system, registry);
  FactsDocument facts;
  facts.collected_at = system.clock().Now();
  facts.os.family = platform.os_family();
  registry.CollectAll(facts);
  for (const auto& e : facts.probe_errors) spdlog::warn("probe {} failed: {}", e.probe, e.reason);
  return facts;
}

int RunAgentCli(const std::vector<std::string>& args, const AgentPlatform& platform,
                std::ostream& out, std::ostream& err) {
  if (args.empty()) return UsageError(err, "missing command");
  const std::string& command = args[0];
  if (command == "--help" || command == "-h") {
    out << kUsage;
    return 0;
  }
  if (command == "--version") {
    out << kProgram << " " << BULWARK_VERSION << "\n"
        << "License Apache-2.0: <https://www.apache.org/licenses/LICENSE-2.0>.\n"
        << "This is free software: you are free to change and redistribute it.\n";
    return 0;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "facts") return RunFacts(rest, platform, out, err);
  if (command == "check") return RunCheck(rest, platform, out, err);
  if (command == "run") return RunServiceCommand(rest, platform, out, err);
  if (command == "enroll") return RunEnrollCommand(rest, platform, out, err);
  if (command == "preseed") return RunPreseedCommand(rest, platform, out, err);
  if (command == "status") return RunStatusCommand(rest, platform, out, err);
  if (command == "queue") return RunQueueCommand(rest, platform, out, err);
  if (!command.empty() && command[0] == '-') {
    return UsageError(err, "unrecognised option '" + command + "'");
  }
  return UsageError(err, "unknown command '" + command + "'");
}

}  // namespace bulwark
