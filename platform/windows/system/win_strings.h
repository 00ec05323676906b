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

// UTF-8 <-> UTF-16, Win32 error codes as Status, and the codes' names and hex form, from
// agent/base/windows_util.h (one mapping for the agent and its seams): invalid UTF-8/16 is
// replaced (U+FFFD), never an error, since paths and names come from the OS.
using win::Hex32;
using win::SymbolicCodeName;
using win::Utf8ToWide;
using win::WideToUtf8;
using win::Win32ErrorToStatus;

// "<context>: 0x%08X (<name>)" (the parenthesis only when the name is known) with:
// WBEM_E_INVALID_NAMESPACE, WBEM_E_INVALID_CLASS, WBEM_E_NOT_FOUND, WBEM_E_INVALID_METHOD,
// REGDB_E_CLASSNOTREG -> kNotFound; E_ACCESSDENIED, WBEM_E_ACCESS_DENIED -> kPermissionDenied;
// RPC_E_SERVER_UNAVAILABLE, RPC_S_SERVER_UNAVAILABLE (0x800706BA), 0x800706D9 (no endpoints:
// service stopped) -> kUnavailable; WBEM_E_INVALID_QUERY/WBEM_E_INVALID_PARAMETER/E_INVALIDARG
// -> kInvalidArgument; WBEM_E_TIMED_OUT -> kDeadlineExceeded; any other HRESULT_FROM_WIN32 as
// win::Win32ErrorCode maps its Win32 code; everything else kInternal.
Status HresultToStatus(std::int32_t hr, std::string_view context);

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_WINDOWS_SYSTEM_WIN_STRINGS_H_
