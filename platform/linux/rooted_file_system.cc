#include "platform/linux/rooted_file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <deque>
#include <memory>

#include "agent/base/strings.h"

namespace bulwark {
namespace {

constexpr int kMaxSymlinks = 40;  // as the kernel's MAXSYMLINKS

// Whether this kernel (and seccomp policy) lets us use openat2; learned on first use.
std::atomic<bool> g_openat2_unavailable{false};

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

Result<std::string> ReadLinkAt(int dirfd, const char* name, std::string_view path) {
  char buf[4096];
  ssize_t n = ::readlinkat(dirfd, name, buf, sizeof buf);
  if (n < 0) return ErrnoToStatus(errno, std::string(path));
  if (static_cast<std::size_t>(n) >= sizeof buf) {
    return ResourceExhaustedError(std::string(path) + ": symlink target too long");
  }
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace

RootedFileSystem::RootFd& RootedFileSystem::RootFd::operator=(RootFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

RootedFileSystem::RootFd::~RootFd() {
  if (fd_ >= 0) ::close(fd_);
}

Result<RootedFileSystem> RootedFileSystem::Create(std::string root, Resolution resolution) {
  if (root.empty() || root[0] != '/') {
    return InvalidArgumentError("root must be an absolute path: '" + root + "'");
  }
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  struct stat st {};
  if (::stat(root.c_str(), &st) != 0) return ErrnoToStatus(errno, "root " + root);
  if (!S_ISDIR(st.st_mode)) return InvalidArgumentError("root is not a directory: " + root);
  const bool manual = resolution == Resolution::kManual;
  if (root == "/") return RootedFileSystem(std::string(), RootFd(), manual);
  int fd = ::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoToStatus(errno, "root " + root);
  return RootedFileSystem(root, RootFd(fd), manual);
}

bool RootedFileSystem::Manual() const {
  return manual_ || g_openat2_unavailable.load(std::memory_order_relaxed);
}

std::string RootedFileSystem::HostPath(std::string_view path) const {
  return prefix_ + std::string(path);
}

Result<int> RootedFileSystem::Open(std::string_view path, int flags) const {
  RETURN_IF_ERROR(RequireAbsolute(path));
  flags |= O_CLOEXEC;
  if (IsLiveRoot()) {
    int fd = ::open(std::string(path).c_str(), flags);
    if (fd < 0) return ErrnoToStatus(errno, std::string(path));
    return fd;
  }
  if (!Manual()) {
    std::string relative(path.substr(1));
    if (relative.empty()) relative = ".";
    struct open_how how {};
    how.flags = static_cast<__u64>(static_cast<unsigned int>(flags));
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    long fd = ::syscall(SYS_openat2, root_fd_.get(), relative.c_str(), &how, sizeof how);
    if (fd >= 0) return static_cast<int>(fd);
    // ENOSYS: kernel before 5.6; EPERM: a seccomp filter that does not know the call.
    if (errno != ENOSYS && errno != EPERM) return ErrnoToStatus(errno, std::string(path));
    g_openat2_unavailable.store(true, std::memory_order_relaxed);
  }
  ASSIGN_OR_RETURN(std::string host, ResolveManually(path, (flags & O_NOFOLLOW) == 0));
  int fd = ::open(host.c_str(), flags);
  if (fd < 0) return ErrnoToStatus(errno, std::string(path));
  return fd;
}

Result<std::string> RootedFileSystem::CanonicalizeManually(std::string_view path) const {
  std::deque<std::string> pending;
  for (auto c : Split(path, '/')) pending.emplace_back(c);
  std::string resolved;  // in-root path without trailing '/', "" meaning the root
  int links = 0;
  while (!pending.empty()) {
    std::string component = std::move(pending.front());
    pending.pop_front();
    if (component.empty() || component == ".") continue;
    if (component == "..") {
      auto slash = resolved.rfind('/');
      resolved.resize(slash == std::string::npos ? 0 : slash);
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
    ASSIGN_OR_RETURN(std::string target, ReadLinkAt(AT_FDCWD, host.c_str(), path));
    if (!target.empty() && target[0] == '/') resolved.clear();  // absolute: re-rooted
    auto parts = Split(target, '/');
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) pending.emplace_front(*it);
  }
  return resolved.empty() ? std::string("/") : resolved;
}

Result<std::string> RootedFileSystem::Canonicalize(std::string_view path) const {
  RETURN_IF_ERROR(RequireAbsolute(path));
  if (!IsLiveRoot() && Manual()) return CanonicalizeManually(path);
  // Let the kernel resolve, then ask it where the descriptor points.
  ASSIGN_OR_RETURN(int fd, Open(path, O_PATH));
  FdCloser closer{fd};
  std::string proc_link = "/proc/self/fd/" + std::to_string(fd);
  auto host = ReadLinkAt(AT_FDCWD, proc_link.c_str(), path);
  if (!host.ok()) return CanonicalizeManually(path);  // no /proc: walk it ourselves
  if (IsLiveRoot()) return *host;
  if (*host == prefix_) return std::string("/");
  if (!StartsWith(*host, prefix_ + "/")) return CanonicalizeManually(path);
  return host->substr(prefix_.size());
}

Result<std::string> RootedFileSystem::ResolveManually(std::string_view path,
                                                      bool follow_last) const {
  if (follow_last) {
    ASSIGN_OR_RETURN(std::string canonical, CanonicalizeManually(path));
    return HostPath(canonical);
  }
  std::string_view base = Basename(path);
  if (base.empty() || base == "." || base == "..") return ResolveManually(path, true);
  ASSIGN_OR_RETURN(std::string parent, CanonicalizeManually(Dirname(path)));
  if (parent == "/") parent.clear();
  return HostPath(parent + "/" + std::string(base));
}

Result<std::string> RootedFileSystem::ReadFile(std::string_view path, std::size_t max_bytes) const {
  return Read(path, max_bytes, /*head=*/false);
}

Result<std::string> RootedFileSystem::ReadFileHead(std::string_view path,
                                                   std::size_t max_bytes) const {
  return Read(path, max_bytes, /*head=*/true);
}

Result<std::string> RootedFileSystem::Read(std::string_view path, std::size_t max_bytes,
                                           bool head) const {
  // O_NONBLOCK: opening a FIFO planted in a hostile tree must not wait for a writer.
  ASSIGN_OR_RETURN(int raw_fd, Open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK));
  FdCloser fd{raw_fd};
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) return ErrnoToStatus(errno, std::string(path));
  if (S_ISDIR(st.st_mode)) return InvalidArgumentError(std::string(path) + ": is a directory");
  if (!S_ISREG(st.st_mode)) return InvalidArgumentError(std::string(path) + ": not a regular file");
  std::string data;
  char buf[16384];
  while (true) {
    // With `head`, never ask for more than is still wanted; otherwise read one byte past the
    // cap so an oversize file is detected.
    std::size_t want = sizeof buf;
    if (head) want = std::min(want, max_bytes - data.size());
    if (want == 0) break;
    ssize_t n = ::read(fd.fd, buf, want);
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
  ASSIGN_OR_RETURN(int fd, Open(path, O_RDONLY | O_DIRECTORY));
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::fdopendir(fd), ::closedir);
  if (!dir) {
    int err = errno;
    ::close(fd);
    return ErrnoToStatus(err, std::string(path));
  }
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
  ASSIGN_OR_RETURN(int fd, Open(path, O_PATH | O_NOFOLLOW));
  FdCloser closer{fd};
  return ReadLinkAt(fd, "", path);
}

Result<FileInfo> RootedFileSystem::Stat(std::string_view path, bool follow) const {
  ASSIGN_OR_RETURN(int fd, Open(path, O_PATH | (follow ? 0 : O_NOFOLLOW)));
  FdCloser closer{fd};
  struct stat st {};
  if (::fstatat(fd, "", &st, AT_EMPTY_PATH) != 0) return ErrnoToStatus(errno, std::string(path));
  FileInfo info;
  info.type = TypeOf(st.st_mode);
  info.size = static_cast<std::uint64_t>(st.st_size);
  info.mode = st.st_mode & 07777;
  info.uid = st.st_uid;
  info.gid = st.st_gid;
  return info;
}

}  // namespace bulwark
