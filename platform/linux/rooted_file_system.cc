#include "platform/linux/rooted_file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <memory>

#include "agent/base/strings.h"

namespace bulwark {
namespace {

constexpr int kMaxSymlinks = 40;  // as the kernel's MAXSYMLINKS

struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

Status RequireAbsolute(std::string_view path) {
  if (path.empty() || path[0] != '/') {
    return InvalidArgumentError("path must be absolute inside the root: '" + std::string(path) +
                                "'");
  }
  return Status::Ok();
}

FileType TypeOf(mode_t mode) {
  if (S_ISREG(mode)) return FileType::kRegular;
  if (S_ISDIR(mode)) return FileType::kDirectory;
  if (S_ISLNK(mode)) return FileType::kSymlink;
  if (S_ISBLK(mode)) return FileType::kBlockDevice;
  if (S_ISCHR(mode)) return FileType::kCharDevice;
  return FileType::kOther;
}

std::string_view Dirname(std::string_view path) {
  auto slash = path.rfind('/');
  if (slash == 0 || slash == std::string_view::npos) return "/";
  return path.substr(0, slash);
}

std::string_view Basename(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

Result<RootedFileSystem> RootedFileSystem::Create(std::string root) {
  if (root.empty() || root[0] != '/') {
    return InvalidArgumentError("root must be an absolute path: '" + root + "'");
  }
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  struct stat st {};
  if (::stat(root.c_str(), &st) != 0) return ErrnoToStatus(errno, "root " + root);
  if (!S_ISDIR(st.st_mode)) return InvalidArgumentError("root is not a directory: " + root);
  return RootedFileSystem(root == "/" ? std::string() : root);
}

std::string RootedFileSystem::HostPath(std::string_view path) const {
  return prefix_ + std::string(path);
}

Result<std::string> RootedFileSystem::Canonicalize(std::string_view path) const {
  RETURN_IF_ERROR(RequireAbsolute(path));
  std::deque<std::string> pending;
  for (auto c : Split(path, '/')) pending.emplace_back(c);
  std::string resolved;  // in-root path without trailing '/', "" meaning the root
  int links = 0;
  while (!pending.empty()) {
    std::string component = std::move(pending.front());
    pending.pop_front();
    if (component.empty() || component == ".") continue;
    if (component == "..") {
      resolved.resize(resolved.rfind('/') == std::string::npos ? 0 : resolved.rfind('/'));
      continue;
    }
    std::string candidate = resolved + "/" + component;
    std::string host = prefix_ + candidate;
    struct stat st {};
    if (::lstat(host.c_str(), &st) != 0) return ErrnoToStatus(errno, std::string(path));
    if (!S_ISLNK(st.st_mode)) {
      resolved = std::move(candidate);
      continue;
    }
    if (++links > kMaxSymlinks) {
      return ResourceExhaustedError(std::string(path) + ": too many levels of symbolic links");
    }
    char buf[4096];
    ssize_t n = ::readlink(host.c_str(), buf, sizeof buf);
    if (n < 0) return ErrnoToStatus(errno, std::string(path));
    if (static_cast<std::size_t>(n) >= sizeof buf) {
      return ResourceExhaustedError(std::string(path) + ": symlink target too long");
    }
    std::string_view target(buf, static_cast<std::size_t>(n));
    if (!target.empty() && target[0] == '/') resolved.clear();  // absolute: re-rooted
    auto parts = Split(target, '/');
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) pending.emplace_front(*it);
  }
  return resolved.empty() ? std::string("/") : resolved;
}

Result<std::string> RootedFileSystem::Resolve(std::string_view path, bool follow_last) const {
  RETURN_IF_ERROR(RequireAbsolute(path));
  if (IsLiveRoot()) return std::string(path);
  if (follow_last) {
    ASSIGN_OR_RETURN(std::string canonical, Canonicalize(path));
    return HostPath(canonical);
  }
  std::string_view base = Basename(path);
  if (base.empty() || base == "." || base == "..") return Resolve(path, true);
  ASSIGN_OR_RETURN(std::string parent, Canonicalize(Dirname(path)));
  if (parent == "/") parent.clear();
  return HostPath(parent + "/" + std::string(base));
}

Result<std::string> RootedFileSystem::ReadFile(std::string_view path, std::size_t max_bytes) const {
  ASSIGN_OR_RETURN(std::string host, Resolve(path, true));
  // O_NONBLOCK: opening a FIFO planted in a hostile tree must not wait for a writer.
  FdCloser fd{::open(host.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)};
  if (fd.fd < 0) return ErrnoToStatus(errno, std::string(path));
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) return ErrnoToStatus(errno, std::string(path));
  if (S_ISDIR(st.st_mode)) return InvalidArgumentError(std::string(path) + ": is a directory");
  if (!S_ISREG(st.st_mode)) return InvalidArgumentError(std::string(path) + ": not a regular file");
  std::string data;
  char buf[16384];
  while (true) {
    ssize_t n = ::read(fd.fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoToStatus(errno, std::string(path));
    }
    if (n == 0) break;
    if (data.size() + static_cast<std::size_t>(n) > max_bytes) {
      return ResourceExhaustedError(std::string(path) + ": larger than " +
                                    std::to_string(max_bytes) + " bytes");
    }
    data.append(buf, static_cast<std::size_t>(n));
  }
  return data;
}

Result<std::vector<std::string>> RootedFileSystem::ListDirectory(std::string_view path) const {
  ASSIGN_OR_RETURN(std::string host, Resolve(path, true));
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(host.c_str()), ::closedir);
  if (!dir) return ErrnoToStatus(errno, std::string(path));
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent* entry = ::readdir(dir.get())) {
    std::string_view name(entry->d_name);
    if (name != "." && name != "..") names.emplace_back(name);
  }
  if (errno != 0) return ErrnoToStatus(errno, std::string(path));
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::string> RootedFileSystem::ReadLink(std::string_view path) const {
  ASSIGN_OR_RETURN(std::string host, Resolve(path, false));
  char buf[4096];
  ssize_t n = ::readlink(host.c_str(), buf, sizeof buf);
  if (n < 0) return ErrnoToStatus(errno, std::string(path));
  if (static_cast<std::size_t>(n) >= sizeof buf) {
    return ResourceExhaustedError(std::string(path) + ": symlink target too long");
  }
  return std::string(buf, static_cast<std::size_t>(n));
}

Result<FileInfo> RootedFileSystem::Stat(std::string_view path, bool follow) const {
  ASSIGN_OR_RETURN(std::string host, Resolve(path, follow));
  struct stat st {};
  int rc = follow ? ::stat(host.c_str(), &st) : ::lstat(host.c_str(), &st);
  if (rc != 0) return ErrnoToStatus(errno, std::string(path));
  FileInfo info;
  info.type = TypeOf(st.st_mode);
  info.size = static_cast<std::uint64_t>(st.st_size);
  info.mode = st.st_mode & 07777;
  info.uid = st.st_uid;
  info.gid = st.st_gid;
  return info;
}

}  // namespace bulwark
