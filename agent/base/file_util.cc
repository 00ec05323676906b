#include "agent/base/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <string>

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

Status CreatePrivateDirectory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return Status(StatusCode::kPermissionDenied, "cannot create " + dir + ": " + ec.message());
  if (::chmod(dir.c_str(), 0700) != 0) return ErrnoToStatus(errno, dir);
  return Status();
}

Status CheckOnlyAdminsCanWrite(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return ErrnoToStatus(errno, path);
  if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
    return Status(StatusCode::kPermissionDenied,
                  path + " is owned by uid " + std::to_string(st.st_uid) +
                      ", not root: refusing a file another user controls");
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status(StatusCode::kPermissionDenied, path + " is writable by group or others (mode " +
                                                     mode +
                                                     "): refusing it until 'chmod go-w' is run");
  }
  return Status();
}

}  // namespace bulwark
