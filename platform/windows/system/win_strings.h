// UTF-8 <-> UTF-16 conversion and Win32/HRESULT -> Status mapping for the Windows seams.
// Every OS error leaves the seams as a Status whose message carries the code in hex:
//   "<context>: 0x8004100E (WBEM_E_INVALID_NAMESPACE)".
// Pure functions; safe for concurrent use. Windows only.
#ifndef BULWARK_PLATFORM_WINDOWS_SYSTEM_WIN_STRINGS_H_
#define BULWARK_PLATFORM_WINDOWS_SYSTEM_WIN_STRINGS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/base/status.h"
#include "agent/base/windows_util.h"

namespace bulwark {

// UTF-8 <-> UTF-16 (agent/base/windows_util.h): invalid sequences are replaced (U+FFFD),
// never an error, since paths and names come from the OS.
using win::Utf8ToWide;
using win::WideToUtf8;

// "0x8004100E" (eight upper-case hex digits).
std::string Hex32(std::uint32_t code);

// The symbolic name of an HRESULT or Win32 error code we know ("WBEM_E_INVALID_NAMESPACE",
// "ERROR_FILE_NOT_FOUND"); empty when unknown.
std::string_view SymbolicCodeName(std::uint32_t code);

// "<context>: 0x%08X (<name>)" (the parenthesis only when the name is known) with:
// WBEM_E_INVALID_NAMESPACE, WBEM_E_INVALID_CLASS, WBEM_E_NOT_FOUND, REGDB_E_CLASSNOTREG and the
// Win32 not-found errors (as HRESULT_FROM_WIN32 too) -> kNotFound; E_ACCESSDENIED,
// WBEM_E_ACCESS_DENIED -> kPermissionDenied; RPC_E_SERVER_UNAVAILABLE,
// RPC_S_SERVER_UNAVAILABLE (0x800706BA), 0x800706D9 (no endpoints: service stopped) ->
// kUnavailable; WBEM_E_INVALID_QUERY/WBEM_E_INVALID_PARAMETER/E_INVALIDARG -> kInvalidArgument;
// WBEM_E_TIMED_OUT -> kDeadlineExceeded; everything else kInternal.
Status HresultToStatus(std::int32_t hr, std::string_view context);

// The same for a Win32 error code (GetLastError, LSTATUS, NET_API_STATUS): ERROR_FILE_NOT_FOUND,
// ERROR_PATH_NOT_FOUND, ERROR_NONE_MAPPED, NERR_GroupNotFound, NERR_UserNotFound ->
// kNotFound; ERROR_ACCESS_DENIED/ERROR_PRIVILEGE_NOT_HELD -> kPermissionDenied; others kInternal.
Status Win32ErrorToStatus(std::uint32_t error, std::string_view context);

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_WINDOWS_SYSTEM_WIN_STRINGS_H_
