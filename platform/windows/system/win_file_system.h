// LiveWindowsFileSystem: the FileSystem seam over the live Windows file system (no root: the
// audited system is the running one). Paths are UTF-8, absolute Windows paths ("C:\\Windows",
// "C:/Windows", "\\\\server\\share\\x"); a relative path is kInvalidArgument. HostPath() is
// the identity and IsLiveRoot() is true.
//
//   ReadFile/ReadFileHead  CreateFileW (share read/write/delete) + ReadFile.
//   ListDirectory          FindFirstFileExW; names sorted (byte order of the UTF-8).
//   ReadLink               the target of a symbolic link; anything else (including a
//                          junction) is kInvalidArgument, as readlink(2)'s EINVAL on Linux.
//   Canonicalize           GetFinalPathNameByHandleW without the "\\\\?\\" prefix; missing
//                          -> kNotFound.
//   Stat                   type and size; mode 0555/0444 for read-only entries and 0755/0644
//                          otherwise (Windows has ACLs, not permission bits); uid/gid 0.
//
// Errors carry the Win32 code in hex: ERROR_FILE_NOT_FOUND/ERROR_PATH_NOT_FOUND -> kNotFound,
// ERROR_ACCESS_DENIED -> kPermissionDenied, ERROR_SHARING_VIOLATION -> kUnavailable.
// Thread-safety: stateless; safe for concurrent use. Verified under Wine 8.0 only.
#ifndef BULWARK_PLATFORM_WINDOWS_SYSTEM_WIN_FILE_SYSTEM_H_
#define BULWARK_PLATFORM_WINDOWS_SYSTEM_WIN_FILE_SYSTEM_H_

#include <string>
#include <string_view>
#include <vector>

#include "agent/sys/file_system.h"

namespace bulwark {

class LiveWindowsFileSystem final : public FileSystem {
 public:
  Result<std::string> ReadFile(std::string_view path,
                               std::size_t max_bytes = kDefaultMaxBytes) const override;
  Result<std::string> ReadFileHead(std::string_view path, std::size_t max_bytes) const override;
  Result<std::vector<std::string>> ListDirectory(std::string_view path) const override;
  Result<std::string> ReadLink(std::string_view path) const override;
  Result<std::string> Canonicalize(std::string_view path) const override;
  Result<FileInfo> Stat(std::string_view path, bool follow = true) const override;
  std::string HostPath(std::string_view path) const override { return std::string(path); }
  bool IsLiveRoot() const override { return true; }
};

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_WINDOWS_SYSTEM_WIN_FILE_SYSTEM_H_
