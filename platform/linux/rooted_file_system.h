// RootedFileSystem: the Linux FileSystem, reading every path under a root directory.
//
// With root "/" it reads the live host and lets the kernel resolve paths. With any other root
// (a mounted image, a container root, a test fixture) every symlink is resolved inside the
// root: an absolute target is re-rooted and ".." stops at the root, so a hostile tree can never
// make the agent read outside it. The kernel does this with openat2(RESOLVE_IN_ROOT) (Linux
// 5.6+); where that is unavailable, RootedFileSystem walks the path itself with lstat/readlink.
// Only regular files are read (never FIFOs or devices, which could block or never end), and never
// more than the caller's cap.
//
// Thread-safety: immutable after construction; safe for concurrent use.
#ifndef BULWARK_PLATFORM_LINUX_ROOTED_FILE_SYSTEM_H_
#define BULWARK_PLATFORM_LINUX_ROOTED_FILE_SYSTEM_H_

#include <string>
#include <utility>

#include "agent/sys/file_system.h"

namespace bulwark {

class RootedFileSystem final : public FileSystem {
 public:
  enum class Resolution {
    kKernel,  // openat2(RESOLVE_IN_ROOT) when the kernel has it, else kManual
    kManual,  // always walk paths in user space (the fallback; selectable so tests cover it)
  };

  // `root` must be an absolute path to an existing directory ("/" for the live system);
  // Create() checks that and normalises trailing slashes.
  static Result<RootedFileSystem> Create(std::string root,
                                         Resolution resolution = Resolution::kKernel);

  Result<std::string> ReadFile(std::string_view path,
                               std::size_t max_bytes = kDefaultMaxBytes) const override;
  Result<std::string> ReadFileHead(std::string_view path, std::size_t max_bytes) const override;
  Result<std::vector<std::string>> ListDirectory(std::string_view path) const override;
  Result<std::string> ReadLink(std::string_view path) const override;
  Result<std::string> Canonicalize(std::string_view path) const override;
  Result<FileInfo> Stat(std::string_view path, bool follow = true) const override;
  std::string HostPath(std::string_view path) const override;
  bool IsLiveRoot() const override { return prefix_.empty(); }

 private:
  // Owns the root directory descriptor; movable, not copyable.
  class RootFd {
   public:
    explicit RootFd(int fd = -1) : fd_(fd) {}
    RootFd(RootFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    RootFd& operator=(RootFd&& other) noexcept;
    RootFd(const RootFd&) = delete;
    RootFd& operator=(const RootFd&) = delete;
    ~RootFd();
    int get() const { return fd_; }

   private:
    int fd_;
  };

  RootedFileSystem(std::string prefix, RootFd root_fd, bool manual)
      : prefix_(std::move(prefix)), root_fd_(std::move(root_fd)), manual_(manual) {}
  // True when paths must be walked in user space (requested, or openat2 unavailable).
  bool Manual() const;

  // Opens `path` inside the root with open(2) `flags` (O_CLOEXEC added); returns the fd, which
  // the caller closes. O_NOFOLLOW leaves a final symlink unresolved (with O_PATH: the link).
  Result<int> Open(std::string_view path, int flags) const;
  // The manual resolution used when openat2 is unavailable: the host path to open.
  Result<std::string> ResolveManually(std::string_view path, bool follow_last) const;
  // Reads a regular file; past `max_bytes` it fails (kResourceExhausted) or, with `head`,
  // stops there.
  Result<std::string> Read(std::string_view path, std::size_t max_bytes, bool head) const;
  // Canonicalize() by walking components with lstat/readlink.
  Result<std::string> CanonicalizeManually(std::string_view path) const;

  std::string prefix_;  // root without trailing '/'; empty for the live root
  RootFd root_fd_;      // O_PATH descriptor of the root; -1 for the live root
  bool manual_;         // Resolution::kManual was requested
};

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_LINUX_ROOTED_FILE_SYSTEM_H_
