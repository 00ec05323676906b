#include "collector/service/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "agent/base/strings.h"
#include "collector/api/credentials.h"

namespace bulwark::collector {
namespace {

constexpr std::size_t kMinSecretLength = 16;

Status WriteNewSecret(const std::string& path, const std::string& secret) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoToStatus(errno, "cannot create '" + tmp + "'");
  const std::string line = secret + "\n";
  const ssize_t written = ::write(fd, line.data(), line.size());
  const int write_errno = errno;
  if (::fsync(fd) != 0 || written != static_cast<ssize_t>(line.size())) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return ErrnoToStatus(write_errno != 0 ? write_errno : EIO, "cannot write '" + tmp + "'");
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    return ErrnoToStatus(e, "cannot rename '" + tmp + "' to '" + path + "'");
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> LoadOrCreateSecret(const std::string& path, bool create) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT || !create) return ErrnoToStatus(errno, "cannot read '" + path + "'");
    ASSIGN_OR_RETURN(auto secret, NewDeviceSecret());
    RETURN_IF_ERROR(WriteNewSecret(path, secret.secret));
    return secret.secret;
  }
  if ((st.st_mode & 077) != 0) {
    return Status(StatusCode::kPermissionDenied,
                  "'" + path + "' is readable by other users; run: chmod 600 " + path);
  }
  std::ifstream in(path);
  if (!in) return ErrnoToStatus(errno, "cannot read '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  const std::string secret(TrimWhitespace(text.str()));
  if (secret.size() < kMinSecretLength) {
    return Status(StatusCode::kInvalidArgument,
                  "the secret in '" + path + "' is shorter than 16 characters");
  }
  return secret;
}

}  // namespace bulwark::collector
