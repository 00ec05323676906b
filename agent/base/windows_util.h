// Win32 helpers shared by the Windows builds of agent/base and agent/service: UTF-8 <-> UTF-16
// at the API seam, Win32 error codes as Status, the known folders, and the protected DACL the
// agent puts on its private files and directories. Windows only (compiled when WIN32).
//
// Thread-safety: every function is reentrant. Errors carry the Win32 code in hex, e.g.
// "C:\\x: CreateFileW: 0x00000005 (ERROR_ACCESS_DENIED)".
#ifndef BULWARK_AGENT_BASE_WINDOWS_UTIL_H_
#define BULWARK_AGENT_BASE_WINDOWS_UTIL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/base/status.h"

namespace bulwark::win {

// UTF-8 -> UTF-16 and back. Invalid sequences become U+FFFD; never fails.
std::wstring Utf8ToWide(std::string_view utf8);
std::string WideToUtf8(std::wstring_view wide);

// "0x8004100E": eight upper-case hex digits.
std::string Hex32(std::uint32_t code);

// The symbolic name of a Win32 error or HRESULT the agent meets ("ERROR_ACCESS_DENIED",
// "WBEM_E_INVALID_NAMESPACE"); empty when unknown.
std::string_view SymbolicCodeName(std::uint32_t code);

// What a Win32 error code means to a caller:
//   kNotFound: ERROR_FILE_NOT_FOUND, PATH_NOT_FOUND, INVALID_NAME, BAD_PATHNAME,
//     SERVICE_DOES_NOT_EXIST, NONE_MAPPED, NO_SUCH_ALIAS, NERR_GroupNotFound, NERR_UserNotFound;
//   kPermissionDenied: ACCESS_DENIED, PRIVILEGE_NOT_HELD;
//   kAlreadyExists: FILE_EXISTS, ALREADY_EXISTS, SERVICE_EXISTS;
//   kResourceExhausted: DISK_FULL, HANDLE_DISK_FULL;
//   kInvalidArgument: INVALID_PARAMETER, UNSUPPORTED_TYPE;
//   kUnavailable: SHARING_VIOLATION, LOCK_VIOLATION (another process holds the file);
//   anything else kInternal.
StatusCode Win32ErrorCode(std::uint32_t error);

// A Win32 error code (GetLastError, LSTATUS, NET_API_STATUS) as a Status with the code above:
// "<context>: 0x%08X (<name>)", the symbolic name when known, else the system's message text
// (in the OS's language), else no parenthesis. The one mapping for the agent and its probes.
Status Win32ErrorToStatus(std::uint32_t error, std::string_view context);

// %ProgramData% (FOLDERID_ProgramData) and %ProgramFiles% (FOLDERID_ProgramFiles) in UTF-8,
// without a trailing backslash.
Result<std::string> ProgramDataDirectory();
Result<std::string> ProgramFilesDirectory();

// Replaces the DACL of the file or directory at `path` with a PROTECTED one (no inherited
// entries) granting full control to LocalSystem (S-1-5-18) and BUILTIN\Administrators
// (S-1-5-32-544) only, inherited by children of a directory. By SID, never by name.
Status ApplyPrivateDacl(const std::string& path);
// The same through an open HANDLE (opened with WRITE_DAC); `path` only names errors.
Status ApplyPrivateDaclToHandle(void* handle, bool directory, const std::string& path);

// The DACL ApplyPrivateDacl writes, as SDDL (e.g. "D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)" for a
// directory): for tests and diagnostics, and for checking on Wine, whose file system keeps no
// DACLs (it maps them to Unix mode bits only).
Result<std::string> PrivateDaclSddl(bool directory);

// True when the DACL of `path` is protected and grants access only to S-1-5-18 and
// S-1-5-32-544 (each at least once, nobody else, no deny entries). kNotFound if absent.
Result<bool> HasPrivateDacl(const std::string& path);

// The DACL of the agent's data folder (%ProgramData%\Bulwark: agent.conf, status.json, and
// the private state and logs folders below): protected, full control for SYSTEM and
// Administrators, read and execute for BUILTIN\Users (status.json and agent.conf are meant to
// be read), inherited by children. Users may no longer create files there, as they can in
// %ProgramData% by default.
inline constexpr wchar_t kDataDirectorySddl[] =
    L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)";

// Creates `dir` if missing, puts kDataDirectorySddl on it and makes Administrators its owner
// (a folder a user created before the install would otherwise stay theirs, and an owner may
// rewrite any DACL). The DACL must succeed; a refused owner change is returned as the error
// after the DACL is in place.
Status ProtectDataDirectory(const std::string& dir);

// CheckOnlyAdminsCanWrite (agent/base/file_util.h) on Windows: the owner of `path` is
// S-1-5-18, S-1-5-32-544, TrustedInstaller or this process's user, and every allow entry that
// grants write, append, delete, WRITE_DAC or WRITE_OWNER (or GENERIC_WRITE/ALL) names one of
// them (inherit-only entries are templates for children and do not apply).
Status CheckOnlyAdminsCanWrite(const std::string& path);

}  // namespace bulwark::win

#endif  // BULWARK_AGENT_BASE_WINDOWS_UTIL_H_
