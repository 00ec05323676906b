#include "platform/windows/system/win_strings.h"

#include <windows.h>

#include <cstdio>

namespace bulwark {
namespace {

struct NamedCode {
  std::uint32_t code;
  const char* name;
};

constexpr NamedCode kNames[] = {
    {0x8004100Eu, "WBEM_E_INVALID_NAMESPACE"},
    {0x80041010u, "WBEM_E_INVALID_CLASS"},
    {0x80041002u, "WBEM_E_NOT_FOUND"},
    {0x80041003u, "WBEM_E_ACCESS_DENIED"},
    {0x80041001u, "WBEM_E_FAILED"},
    {0x80041008u, "WBEM_E_INVALID_PARAMETER"},
    {0x80041017u, "WBEM_E_INVALID_QUERY"},
    {0x80041018u, "WBEM_E_INVALID_QUERY_TYPE"},
    {0x8004100Cu, "WBEM_E_NOT_SUPPORTED"},
    {0x8004102Fu, "WBEM_E_INVALID_METHOD_PARAMETERS"},
    {0x8004102Eu, "WBEM_E_INVALID_METHOD"},
    {0x80041013u, "WBEM_E_PROVIDER_LOAD_FAILURE"},
    {0x80041032u, "WBEM_E_CALL_CANCELLED"},
    {0x80043001u, "WBEM_E_TIMED_OUT"},
    {0x80041006u, "WBEM_E_OUT_OF_MEMORY"},
    {0x80041009u, "WBEM_E_NOT_AVAILABLE"},
    {0x80040154u, "REGDB_E_CLASSNOTREG"},
    {0x80070005u, "E_ACCESSDENIED"},
    {0x80070057u, "E_INVALIDARG"},
    {0x80004001u, "E_NOTIMPL"},
    {0x80004002u, "E_NOINTERFACE"},
    {0x80004005u, "E_FAIL"},
    {0x8007000Eu, "E_OUTOFMEMORY"},
    {0x8001010Eu, "RPC_E_WRONG_THREAD"},
    {0x80010119u, "RPC_E_TOO_LATE"},
    {0x800706BAu, "RPC_S_SERVER_UNAVAILABLE"},
    {0x800706D9u, "EPT_S_NOT_REGISTERED"},
    {0x80010114u, "RPC_E_SERVER_UNAVAILABLE"},
    {0x800401F0u, "CO_E_NOTINITIALIZED"},
    {0x80070002u, "ERROR_FILE_NOT_FOUND"},
    {0x80070003u, "ERROR_PATH_NOT_FOUND"},
    {2u, "ERROR_FILE_NOT_FOUND"},
    {3u, "ERROR_PATH_NOT_FOUND"},
    {5u, "ERROR_ACCESS_DENIED"},
    {6u, "ERROR_INVALID_HANDLE"},
    {32u, "ERROR_SHARING_VIOLATION"},
    {87u, "ERROR_INVALID_PARAMETER"},
    {123u, "ERROR_INVALID_NAME"},
    {161u, "ERROR_BAD_PATHNAME"},
    {193u, "ERROR_BAD_EXE_FORMAT"},
    {234u, "ERROR_MORE_DATA"},
    {267u, "ERROR_DIRECTORY"},
    {1314u, "ERROR_PRIVILEGE_NOT_HELD"},
    {1332u, "ERROR_NONE_MAPPED"},
    {1376u, "ERROR_NO_SUCH_ALIAS"},
    {1630u, "ERROR_UNSUPPORTED_TYPE"},
    {4390u, "ERROR_NOT_A_REPARSE_POINT"},
    {2220u, "NERR_GroupNotFound"},
    {2221u, "NERR_UserNotFound"},
    {1008u, "ERROR_NO_TOKEN"},
    {7022u, "ERROR_CTX_WINSTATION_NOT_FOUND"},
};

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

bool IsNotFoundWin32(std::uint32_t error) {
  return error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND ||
         error == ERROR_NONE_MAPPED || error == 2220u || error == 2221u ||
         error == ERROR_NO_SUCH_ALIAS || error == ERROR_INVALID_NAME || error == ERROR_BAD_PATHNAME;
}

}  // namespace

std::string Hex32(std::uint32_t code) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", static_cast<unsigned>(code));
  return buf;
}

std::string_view SymbolicCodeName(std::uint32_t code) {
  for (const auto& entry : kNames) {
    if (entry.code == code) return entry.name;
  }
  return {};
}

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
  // HRESULT_FROM_WIN32 of a Win32 not-found error.
  if ((code & 0xFFFF0000u) == 0x80070000u && IsNotFoundWin32(code & 0xFFFFu)) {
    return NotFoundError(std::move(message));
  }
  return InternalError(std::move(message));
}

Status Win32ErrorToStatus(std::uint32_t error, std::string_view context) {
  std::string message = Describe(error, context);
  if (IsNotFoundWin32(error)) return NotFoundError(std::move(message));
  if (error == ERROR_ACCESS_DENIED || error == ERROR_PRIVILEGE_NOT_HELD) {
    return PermissionDeniedError(std::move(message));
  }
  if (error == ERROR_INVALID_PARAMETER || error == ERROR_UNSUPPORTED_TYPE) {
    return InvalidArgumentError(std::move(message));
  }
  if (error == ERROR_SHARING_VIOLATION) return UnavailableError(std::move(message));
  return InternalError(std::move(message));
}

}  // namespace bulwark
