// FileSystem: the read side of the OS seam for host files.
//
// Every path handed to a FileSystem is absolute *inside the audited root* ("/proc/self/mountinfo"),
// never a host path. The Linux implementation is RootedFileSystem(root): `--root DIR` and the
// fixture tests use the same code path as a live run with root "/". Symlinks are resolved
// inside the root, so an absolute link target or ".." can never escape it.
//
// Thread-safety: implementations are safe for concurrent use by several threads.
// Errors: kNotFound (missing), kPermissionDenied (EACCES/EPERM), kResourceExhausted (file larger
// than the caller's cap, symlink loop), kInvalidArgument (relative path), others via errno.
#ifndef BULWARK_AGENT_SYS_FILE_SYSTEM_H_
#define BULWARK_AGENT_SYS_FILE_SYSTEM_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"

namespace bulwark {

enum class FileType { kRegular, kDirectory, kSymlink, kBlockDevice, kCharDevice, kOther };

struct FileInfo {
  FileType type = FileType::kOther;
  std::uint64_t size = 0;
  std::uint32_t mode = 0;  // permission bits (07777)
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
};

class FileSystem {
 public:
  // Reads never return more than this unless asked; the kernel files we read are far smaller.
  static constexpr std::size_t kDefaultMaxBytes = 4u << 20;

  virtual ~FileSystem() = default;

  // Reads the whole file. A file longer than `max_bytes` is kResourceExhausted, so a hostile
  // or runaway file cannot exhaust memory.
  virtual Result<std::string> ReadFile(std::string_view path,
                                       std::size_t max_bytes = kDefaultMaxBytes) const = 0;

  // Reads at most `max_bytes` from the start of a regular file; a longer file is not an error
  // (for headers of large files, e.g. antivirus signature databases).
  virtual Result<std::string> ReadFileHead(std::string_view path, std::size_t max_bytes) const = 0;

  // Names of the entries of a directory (not "." or ".."), sorted.
  virtual Result<std::vector<std::string>> ListDirectory(std::string_view path) const = 0;

  // The raw target of a symlink.
  virtual Result<std::string> ReadLink(std::string_view path) const = 0;

  // The canonical in-root path of `path`, every symlink resolved inside the root
  // (like systemd's chase() with a root). Missing final components are kNotFound.
  virtual Result<std::string> Canonicalize(std::string_view path) const = 0;

  // stat() following symlinks (inside the root) when `follow` is true, lstat() otherwise.
  virtual Result<FileInfo> Stat(std::string_view path, bool follow = true) const = 0;

  // The path of `path` on the real host, for libraries that must open files themselves
  // (libcryptsetup). Purely lexical: "/dev/sda" under root "/tmp/r" is "/tmp/r/dev/sda".
  virtual std::string HostPath(std::string_view path) const = 0;

  // True when the root is the live system ("/"), so live-only sources (running processes,
  // commands that query the kernel) describe the audited system.
  virtual bool IsLiveRoot() const = 0;

  // Convenience: true when Stat(path) succeeds.
  bool Exists(std::string_view path) const { return Stat(path).ok(); }
};

}  // namespace bulwark

#endif  // BULWARK_AGENT_SYS_FILE_SYSTEM_H_
