#include "platform/windows/system/win_strings.h"

#include <windows.h>

namespace bulwark {
namespace {

std::string Describe(std::uint32_t code, std::string_view context) {
  std::string message(context);
  message += ": " + Hex32(code);
  if (auto name = SymbolicCodeName(code); !name.empty()) {
    message += " (";
    message += name;
    message += ")";
  }
  return message;
}

}  // namespace

Status HresultToStatus(std::int32_t hr, std::string_view context) {
  const auto code = static_cast<std::uint32_t>(hr);
  std::string message = Describe(code, context);
  switch (code) {
    case 0x8004100Eu:  // WBEM_E_INVALID_NAMESPACE
    case 0x80041010u:  // WBEM_E_INVALID_CLASS
    case 0x80041002u:  // WBEM_E_NOT_FOUND
    case 0x80040154u:  // REGDB_E_CLASSNOTREG
    case 0x8004102Eu:  // WBEM_E_INVALID_METHOD
      return NotFoundError(std::move(message));
    case 0x80070005u:  // E_ACCESSDENIED
    case 0x80041003u:  // WBEM_E_ACCESS_DENIED
      return PermissionDeniedError(std::move(message));
    case 0x80010114u:  // RPC_E_SERVER_UNAVAILABLE
    case 0x800706BAu:  // HRESULT_FROM_WIN32(RPC_S_SERVER_UNAVAILABLE)
    case 0x800706D9u:  // HRESULT_FROM_WIN32(EPT_S_NOT_REGISTERED): the service is stopped
      return UnavailableError(std::move(message));
    case 0x80041017u:  // WBEM_E_INVALID_QUERY
    case 0x80041018u:  // WBEM_E_INVALID_QUERY_TYPE
    case 0x80041008u:  // WBEM_E_INVALID_PARAMETER
    case 0x8004102Fu:  // WBEM_E_INVALID_METHOD_PARAMETERS
    case 0x80070057u:  // E_INVALIDARG
      return InvalidArgumentError(std::move(message));
    case 0x80043001u:  // WBEM_E_TIMED_OUT
      return DeadlineExceededError(std::move(message));
    default:
      break;
  }
  // HRESULT_FROM_WIN32: what its Win32 code means.
  if ((code & 0xFFFF0000u) == 0x80070000u) {
    return Status(win::Win32ErrorCode(code & 0xFFFFu), std::move(message));
  }
  return InternalError(std::move(message));
}

}  // namespace bulwark
