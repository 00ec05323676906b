// PosixCommandRunner: the Linux CommandRunner. fork + execve of argv, never a shell; stdin is
// /dev/null, the environment is PATH and LANG=C plus CommandOptions::environment, all other
// descriptors are closed by O_CLOEXEC. Output over the cap or a timeout kills the child.
//
// Thread-safety: stateless; safe for concurrent use.
#ifndef BULWARK_PLATFORM_LINUX_POSIX_COMMAND_RUNNER_H_
#define BULWARK_PLATFORM_LINUX_POSIX_COMMAND_RUNNER_H_

#include "agent/sys/command_runner.h"

namespace bulwark {

class PosixCommandRunner final : public CommandRunner {
 public:
  Result<CommandResult> Run(const std::vector<std::string>& argv,
                            const CommandOptions& options = {}) override;
};

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_LINUX_POSIX_COMMAND_RUNNER_H_
