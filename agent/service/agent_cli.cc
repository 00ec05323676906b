#include "agent/service/agent_cli.h"

#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>
#include <boost/program_options.hpp>

#include "agent/facts/facts_json.h"
#include "agent/service/facts_table.h"

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
    "\n"
    "Options:\n"
    "  -h, --help      display this help and exit\n"
    "      --version   output version information and exit\n"
    "\n"
    "Run 'bulwark-agent COMMAND --help' for the options of one command.\n";

constexpr char kFactsUsage[] =
    "Usage: bulwark-agent facts [--root DIR] [--json]\n"
    "Print the posture facts of this machine: disk encryption, OS and host identity.\n"
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
  ProbeRegistry registry;
  platform.RegisterProbes(**system, registry);

  FactsDocument facts;
  facts.collected_at = (*system)->clock().Now();
  facts.os.family = platform.os_family();
  registry.CollectAll(facts);
  for (const auto& e : facts.probe_errors) spdlog::warn("probe {} failed: {}", e.probe, e.reason);

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
  if (!command.empty() && command[0] == '-') {
    return UsageError(err, "unrecognised option '" + command + "'");
  }
  return UsageError(err, "unknown command '" + command + "'");
}

}  // namespace bulwark
