#include "collector/service/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "agent/base/file_util.h"
#include "agent/base/strings.h"
#include "collector/api/credentials.h"

namespace bulwark::collector {
namespace {

constexpr std::size_t kMinSecretLength = 16;

}  // namespace

Result<std::string> LoadOrCreateSecret(const std::string& path, bool create) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT || !create) return ErrnoToStatus(errno, "cannot read '" + path + "'");
    ASSIGN_OR_RETURN(auto secret, NewDeviceSecret());
    RETURN_IF_ERROR(WriteFileAtomic(path, secret.secret + "\n", 0600));
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
