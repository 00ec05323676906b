// Durable file writes shared by the agent, the collector and bulwark-policy.
//
// WriteFileAtomic: the file at `path` is either left as it was or holds exactly `contents`
// with exactly `mode`, even across a crash or power cut: a temporary file in the same
// directory (created 0600, so a secret is never readable by others even briefly) is written,
// fsync'd, given `mode`, renamed over `path`, and the directory is fsync'd.
// CreateFileExclusive: the same, but refuses an existing file or symlink (kAlreadyExists).
//
// CreatePrivateDirectory: creates `dir` and missing parents and makes `dir` private to the
// service's principals: mode 0700 on POSIX; on Windows a PROTECTED DACL granting full control
// to SYSTEM (S-1-5-18) and Administrators (S-1-5-32-544) only, also put on every parent it
// creates. An existing `dir` gets the same again (a weaker ACL or mode is replaced).
//
// Windows (file_util_win.cc): the temporary file is flushed (FlushFileBuffers) and moved over
// `path` with MoveFileExW(REPLACE_EXISTING | WRITE_THROUGH). `mode` has no exact equivalent: a
// mode granting nothing to group and others (0600, 0700, 0400) gives the file the protected
// SYSTEM + Administrators DACL before any byte is written (the file stays unshared until
// closed); any other mode keeps the DACL inherited from the directory.
//
// CheckOnlyAdminsCanWrite: what the agent trusts from disk (its configuration, the installer's
// trust anchor) must not be changeable by an unprivileged user, or that user steers the
// service (another collector, another policy signer). POSIX: owned by root or by the caller,
// and not writable by group or others. Windows: owned by LocalSystem, Administrators,
// TrustedInstaller or the caller, and no allow entry grants write, delete or permission
// changes to anyone else (a null DACL fails). kPermissionDenied names the file and who.
//
// Errors: the errno (Win32 error) of the failing step as a Status naming `path` (ENOSPC is
// kResourceExhausted). Thread-safety: reentrant.
#ifndef BULWARK_AGENT_BASE_FILE_UTIL_H_
#define BULWARK_AGENT_BASE_FILE_UTIL_H_

#include <string>
#include <string_view>

#include "agent/base/status.h"

namespace bulwark {

Status WriteFileAtomic(const std::string& path, std::string_view contents, unsigned mode);
Status CreateFileExclusive(const std::string& path, std::string_view contents, unsigned mode);
Status CreatePrivateDirectory(const std::string& dir);
Status CheckOnlyAdminsCanWrite(const std::string& path);

}  // namespace bulwark

#endif  // BULWARK_AGENT_BASE_FILE_UTIL_H_
