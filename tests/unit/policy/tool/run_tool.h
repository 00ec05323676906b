// Runs a built binary (bulwark-policy, bulwark-agent) as a child process, the way a user would,
// and captures its exit status, stdout and stderr. Test-only.
#ifndef BULWARK_TESTS_UNIT_POLICY_TOOL_RUN_TOOL_H_
#define BULWARK_TESTS_UNIT_POLICY_TOOL_RUN_TOOL_H_

#include <string>
#include <vector>

namespace bulwark::policy_tool::testing {

struct ToolRun {
  int exit_code = -1;  // -1 when the child did not exit normally
  std::string out;
  std::string err;
};

// Spawns `binary` with `args` (no shell), stdout and stderr captured through files under
// `scratch_dir`, stdin from /dev/null; waits for it.
ToolRun RunTool(const std::string& binary, const std::vector<std::string>& args,
                const std::string& scratch_dir);

// The whole contents of `path` ("" when unreadable).
std::string ReadFileOrEmpty(const std::string& path);

// Path of the bulwark-policy binary of this build tree.
std::string PolicyToolBinary();

}  // namespace bulwark::policy_tool::testing

#endif  // BULWARK_TESTS_UNIT_POLICY_TOOL_RUN_TOOL_H_
