// CommandRunner: runs an external program by argv, never through a shell.
//
// Probes that must ask a tool (nft, gsettings) do it through this seam, so tests inject a fake
// with recorded output. The real implementation execs argv[0] directly with a clean
// environment, closes stdin, captures stdout and stderr up to a cap, and kills the child when
// the timeout expires.
//
// Thread-safety: implementations are safe for concurrent use.
// Errors: kNotFound (program missing), kDeadlineExceeded (timeout; child killed),
// kResourceExhausted (output over the cap; child killed), kPermissionDenied, kInternal.
// A program that runs and exits non-zero is *not* an error: see CommandResult::exit_code.
#ifndef BULWARK_AGENT_SYS_COMMAND_RUNNER_H_
#define BULWARK_AGENT_SYS_COMMAND_RUNNER_H_

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/status.h"

namespace bulwark {

struct CommandOptions {
  std::chrono::milliseconds timeout{5000};
  std::size_t max_output_bytes = 4u << 20;  // per stream
  // Extra environment entries ("NAME=value"); the child otherwise gets only PATH and LANG=C.
  std::vector<std::string> environment;
  // When set, the child switches to this uid/gid before exec (needs privilege).
  std::optional<unsigned> run_as_uid;
  std::optional<unsigned> run_as_gid;
};

struct CommandResult {
  int exit_code = 0;  // 128+N when killed by signal N
  std::string stdout_data;
  std::string stderr_data;
};

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  // REQUIRES: !argv.empty() and argv[0] is an absolute path or a bare program name looked up
  // in a fixed PATH (/usr/sbin:/usr/bin:/sbin:/bin).
  virtual Result<CommandResult> Run(const std::vector<std::string>& argv,
                                    const CommandOptions& options = {}) = 0;
};

}  // namespace bulwark

#endif  // BULWARK_AGENT_SYS_COMMAND_RUNNER_H_
