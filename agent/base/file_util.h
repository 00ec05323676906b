// Durable file writes shared by the agent, the collector and bulwark-policy.
//
// WriteFileAtomic: the file at `path` is either left as it was or holds exactly `contents`
// with exactly `mode`, even across a crash or power cut: a temporary file in the same
// directory (created 0600, so a secret is never readable by others even briefly) is written,
// fsync'd, given `mode`, renamed over `path`, and the directory is fsync'd.
// CreateFileExclusive: the same, but refuses an existing file or symlink (kAlreadyExists).
//
// Errors: the errno of the failing step as a Status naming `path` (ENOSPC is
// kResourceExhausted). Thread-safety: reentrant. POSIX only for now.
#ifndef BULWARK_AGENT_BASE_FILE_UTIL_H_
#define BULWARK_AGENT_BASE_FILE_UTIL_H_

#include <string>
#include <string_view>

#include "agent/base/status.h"

namespace bulwark {

Status WriteFileAtomic(const std::string& path, std::string_view contents, unsigned mode);
Status CreateFileExclusive(const std::string& path, std::string_view contents, unsigned mode);

}  // namespace bulwark

#endif  // BULWARK_AGENT_BASE_FILE_UTIL_H_
