#include "platform/linux/linux_system.h"

#include "platform/linux/posix_command_runner.h"
#include "platform/linux/rooted_file_system.h"

namespace bulwark {
namespace {

class LinuxSystem final : public System {
 public:
  explicit LinuxSystem(RootedFileSystem fs) : fs_(std::move(fs)) {}
  const FileSystem& file_system() const override { return fs_; }
  CommandRunner& command_runner() const override { return runner_; }
  const Clock& clock() const override { return clock_; }

 private:
  RootedFileSystem fs_;
  mutable PosixCommandRunner runner_;  // stateless; mutable only to satisfy the interface
  SystemClock clock_;
};

}  // namespace

Result<std::unique_ptr<System>> NewDefaultSystem(const std::string& root) {
  ASSIGN_OR_RETURN(RootedFileSystem fs, RootedFileSystem::Create(root));
  return std::unique_ptr<System>(std::make_unique<LinuxSystem>(std::move(fs)));
}

}  // namespace bulwark
