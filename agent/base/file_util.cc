#include "agent/base/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

namespace bulwark {
namespace {

Status WriteAll(int fd, std::string_view contents, const std::string& path) {
  while (!contents.empty()) {
    const ssize_t n = ::write(fd, contents.data(), contents.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoToStatus(errno, path);
    }
    contents.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status();
}

// Writes, sets the mode, fsyncs and closes `fd` (always closed).
Status FinishFile(int fd, std::string_view contents, unsigned mode, const std::string& path) {
  Status s = WriteAll(fd, contents, path);
  // The umask can only narrow the creation mode; fchmod makes it exactly `mode`.
  if (s.ok() && ::fchmod(fd, static_cast<mode_t>(mode)) != 0) s = ErrnoToStatus(errno, path);
  if (s.ok() && ::fsync(fd) != 0) s = ErrnoToStatus(errno, path);
  if (::close(fd) != 0 && s.ok()) s = ErrnoToStatus(errno, path);
  return s;
}

// Makes a rename or creation in `dir` durable.
Status SyncDirectory(const std::string& dir, const std::string& path) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoToStatus(errno, path);
  Status s;
  if (::fsync(fd) != 0) s = ErrnoToStatus(errno, path);
  ::close(fd);
  return s;
}

std::string DirectoryOf(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

}  // namespace

Status WriteFileAtomic(const std::string& path, std::string_view contents, unsigned mode) {
  const std::string dir = DirectoryOf(path);
  std::string tmpl = (std::filesystem::path(dir) /
                      ("." + std::filesystem::path(path).filename().string() + ".tmp.XXXXXX"))
                         .string();
  // mkstemp creates the file 0600, so a secret is never readable by others, not even briefly.
  const int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) return ErrnoToStatus(errno, path);
  Status s = FinishFile(fd, contents, mode, path);
  if (s.ok() && ::rename(tmpl.c_str(), path.c_str()) != 0) s = ErrnoToStatus(errno, path);
  if (!s.ok()) {
    ::unlink(tmpl.c_str());
    return s;
  }
  return SyncDirectory(dir, path);
}

Status CreateFileExclusive(const std::string& path, std::string_view contents, unsigned mode) {
  // O_EXCL also refuses a dangling symlink, so nobody can redirect the file elsewhere.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                        static_cast<mode_t>(mode & 0600));
  if (fd < 0) return ErrnoToStatus(errno, path);
  Status s = FinishFile(fd, contents, mode, path);
  if (!s.ok()) {
    ::unlink(path.c_str());
    return s;
  }
  return SyncDirectory(DirectoryOf(path), path);
}

}  // namespace bulwark
