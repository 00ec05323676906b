// RootedFileSystem: the Linux FileSystem, reading every path under a root directory.
//
// With root "/" it reads the live host and lets the kernel resolve paths. With any other root
// (a mounted image, a container root, a test fixture) it resolves each symlink itself, inside
// the root: an absolute target is re-rooted and ".." stops at the root, so a hostile tree can
// never make the agent read outside it. Only regular files are read (never FIFOs or devices,
// which could block or never end), and never more than the caller's cap.
//
// Thread-safety: immutable after construction; safe for concurrent use.
#ifndef BULWARK_PLATFORM_LINUX_ROOTED_FILE_SYSTEM_H_
#define BULWARK_PLATFORM_LINUX_ROOTED_FILE_SYSTEM_H_

#include <string>

#include "agent/sys/file_system.h"

namespace bulwark {

class RootedFileSystem final : public FileSystem {
 public:
  // `root` must be an absolute path to an existing directory ("/" for the live system);
  // Create() checks that and normalises trailing slashes.
  static Result<RootedFileSystem> Create(std::string root);

  Result<std::string> ReadFile(std::string_view path,
                               std::size_t max_bytes = kDefaultMaxBytes) const override;
  Result<std::vector<std::string>> ListDirectory(std::string_view path) const override;
  Result<std::string> ReadLink(std::string_view path) const override;
  Result<std::string> Canonicalize(std::string_view path) const override;
  Result<FileInfo> Stat(std::string_view path, bool follow = true) const override;
  std::string HostPath(std::string_view path) const override;
  bool IsLiveRoot() const override { return prefix_.empty(); }

 private:
  explicit RootedFileSystem(std::string prefix) : prefix_(std::move(prefix)) {}
  // The host path to open for `path`: resolved inside the root unless live.
  Result<std::string> Resolve(std::string_view path, bool follow_last) const;

  std::string prefix_;  // root without trailing '/'; empty for the live root
};

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_LINUX_ROOTED_FILE_SYSTEM_H_
