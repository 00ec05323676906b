// The bulwark-policy command line (SPEC.md §5): offline tooling for policy authors — keys,
// trust roots, signing, linting, testing, publishing and verifying signed policy bundles.
//
//   bulwark-policy keygen|root|sign|lint|eval|test|publish|verify ...  (docs/bulwark-policy.md)
//
// Output goes to ctx.out (documents, JSON lines, tables) and ctx.err (one-line errors
// "bulwark-policy: ..." and status notes). Exit codes: 0 success (verify: accept/noop; test:
// compliant), 1 error (bad arguments, unreadable input, rejected bundle), 2 `test` found failing
// checks (oscap convention).
//
// Thread-safety: one invocation at a time per CliContext; no global state except libcurl's
// global init, which main() performs (publish).
#ifndef BULWARK_POLICY_TOOL_POLICY_CLI_H_
#define BULWARK_POLICY_TOOL_POLICY_CLI_H_

#include <string>
#include <vector>

#include "policy/tool/cli_common.h"

namespace bulwark::policy_tool {

// Runs one invocation. `args` excludes the program name.
int RunPolicyCli(const std::vector<std::string>& args, const CliContext& ctx);

// The subcommands; `args` excludes the subcommand word.
int RunKeygen(const std::vector<std::string>& args, const CliContext& ctx);
int RunRoot(const std::vector<std::string>& args, const CliContext& ctx);
int RunSign(const std::vector<std::string>& args, const CliContext& ctx);
int RunLint(const std::vector<std::string>& args, const CliContext& ctx);
int RunEval(const std::vector<std::string>& args, const CliContext& ctx);
int RunTest(const std::vector<std::string>& args, const CliContext& ctx);
int RunPublish(const std::vector<std::string>& args, const CliContext& ctx);
int RunVerify(const std::vector<std::string>& args, const CliContext& ctx);

}  // namespace bulwark::policy_tool

#endif  // BULWARK_POLICY_TOOL_POLICY_CLI_H_
