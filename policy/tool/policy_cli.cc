#include "policy/tool/policy_cli.h"

namespace bulwark::policy_tool {
namespace {

constexpr char kUsage[] =
    "Usage: bulwark-policy COMMAND [OPTION]... [FILE]...\n"
    "Create keys and trust roots, lint, test, sign, publish and verify Bulwark policy bundles.\n"
    "\n"
    "Commands:\n"
    "  keygen  --out PREFIX [--algorithm ed25519|ecdsa-p256]\n"
    "                          make a key pair: PREFIX.key (0600) and PREFIX.pub\n"
    "  root    init|sign|rotate ...\n"
    "                          build, sign and rotate the organisation's trust root\n"
    "  sign    --key FILE [--key FILE]... POLICY.json\n"
    "                          lint a policy and write it as a signed bundle (DSSE)\n"
    "  lint    POLICY.json     check the schema and every condition, without signing\n"
    "  eval    --rule FILE --data FILE\n"
    "                          print the result of one JSON Logic rule\n"
    "  test    POLICY.json --facts FACTS.json\n"
    "                          evaluate every check against a facts document\n"
    "  publish --server URL --admin-token-file FILE [--ca-file FILE] BUNDLE.json|ROOT.json\n"
    "                          upload a bundle or a trust root to the collector\n"
    "  verify  --trust-root ROOT.json [--root-update FILE]... BUNDLE.json\n"
    "                          run one agent update cycle and print its outcome\n"
    "\n"
    "Options:\n"
    "  -h, --help      display this help and exit\n"
    "      --version   output version information and exit\n"
    "\n"
    "Run 'bulwark-policy COMMAND --help' for the options of one command.\n";

}  // namespace

int RunPolicyCli(const std::vector<std::string>& args, const CliContext& ctx) {
  if (args.empty()) return UsageError(ctx, "", "missing command");
  const std::string& command = args[0];
  if (command == "--help" || command == "-h") {
    ctx.out << kUsage;
    return 0;
  }
  if (command == "--version") {
    ctx.out << kProgram << " " << BULWARK_VERSION << "\n"
            << "License Apache-2.0: <https://www.apache.org/licenses/LICENSE-2.0>.\n"
            << "This is free software: you are free to change and redistribute it.\n";
    return 0;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "keygen") return RunKeygen(rest, ctx);
  if (command == "root") return RunRoot(rest, ctx);
  if (command == "sign") return RunSign(rest, ctx);
  if (command == "lint") return RunLint(rest, ctx);
  if (command == "eval") return RunEval(rest, ctx);
  if (command == "test") return RunTest(rest, ctx);
  if (command == "publish") return RunPublish(rest, ctx);
  if (command == "verify") return RunVerify(rest, ctx);
  if (!command.empty() && command[0] == '-') {
    return UsageError(ctx, "", "unrecognised option '" + command + "'");
  }
  return UsageError(ctx, "", "unknown command '" + command + "'");
}

}  // namespace bulwark::policy_tool
