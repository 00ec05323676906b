#include "agent/base/windows_util.h"

#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
// windows.h first: the headers below need its types.
#include <aclapi.h>
#include <knownfolders.h>
#include <sddl.h>
#include <shlobj.h>

#include <array>
#include <cstdio>
#include <memory>

namespace bulwark::win {

std::wstring Utf8ToWide(std::string_view utf8) {
  if (utf8.empty()) return {};
  const int size = static_cast<int>(utf8.size());
  const int n = ::MultiByteToWideChar(CP_UTF8, 0, utf8.data(), size, nullptr, 0);
  if (n <= 0) return {};
  std::wstring wide(static_cast<std::size_t>(n), L'\0');
  ::MultiByteToWideChar(CP_UTF8, 0, utf8.data(), size, wide.data(), n);
  return wide;
}

std::string WideToUtf8(std::wstring_view wide) {
  if (wide.empty()) return {};
  const int size = static_cast<int>(wide.size());
  const int n = ::WideCharToMultiByte(CP_UTF8, 0, wide.data(), size, nullptr, 0, nullptr, nullptr);
  if (n <= 0) return {};
  std::string utf8(static_cast<std::size_t>(n), '\0');
  ::WideCharToMultiByte(CP_UTF8, 0, wide.data(), size, utf8.data(), n, nullptr, nullptr);
  return utf8;
}

namespace {

struct NamedCode {
  std::uint32_t code;
  const char* name;
};

// Win32 errors and HRESULTs the agent meets, by name: stable across OS languages, unlike
// FormatMessage's text, so reasons read the same in every fleet.
constexpr NamedCode kCodeNames[] = {
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
    {33u, "ERROR_LOCK_VIOLATION"},
    {39u, "ERROR_HANDLE_DISK_FULL"},
    {80u, "ERROR_FILE_EXISTS"},
    {87u, "ERROR_INVALID_PARAMETER"},
    {112u, "ERROR_DISK_FULL"},
    {123u, "ERROR_INVALID_NAME"},
    {161u, "ERROR_BAD_PATHNAME"},
    {183u, "ERROR_ALREADY_EXISTS"},
    {193u, "ERROR_BAD_EXE_FORMAT"},
    {234u, "ERROR_MORE_DATA"},
    {267u, "ERROR_DIRECTORY"},
    {1008u, "ERROR_NO_TOKEN"},
    {1060u, "ERROR_SERVICE_DOES_NOT_EXIST"},
    {1073u, "ERROR_SERVICE_EXISTS"},
    {1314u, "ERROR_PRIVILEGE_NOT_HELD"},
    {1332u, "ERROR_NONE_MAPPED"},
    {1376u, "ERROR_NO_SUCH_ALIAS"},
    {1630u, "ERROR_UNSUPPORTED_TYPE"},
    {2220u, "NERR_GroupNotFound"},
    {2221u, "NERR_UserNotFound"},
    {4390u, "ERROR_NOT_A_REPARSE_POINT"},
    {7022u, "ERROR_CTX_WINSTATION_NOT_FOUND"},
};

// FormatMessage's text for `error` (the OS's language), trimmed; empty if it has none.
std::string SystemMessage(std::uint32_t error) {
  wchar_t* text = nullptr;
  const DWORD n = ::FormatMessageW(
      FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
      nullptr, error, 0, reinterpret_cast<wchar_t*>(&text), 0, nullptr);
  std::string utf8;
  if (n > 0 && text != nullptr) utf8 = WideToUtf8(std::wstring_view(text, n));
  if (text != nullptr) ::LocalFree(text);
  while (!utf8.empty() && (utf8.back() == '\n' || utf8.back() == '\r' || utf8.back() == ' ')) {
    utf8.pop_back();
  }
  return utf8;
}

}  // namespace

std::string Hex32(std::uint32_t code) {
  std::array<char, 16> hex{};
  std::snprintf(hex.data(), hex.size(), "0x%08X", static_cast<unsigned>(code));
  return hex.data();
}

std::string_view SymbolicCodeName(std::uint32_t code) {
  for (const NamedCode& entry : kCodeNames) {
    if (entry.code == code) return entry.name;
  }
  return {};
}

StatusCode Win32ErrorCode(std::uint32_t error) {
  switch (error) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_NAME:
    case ERROR_BAD_PATHNAME:
    case ERROR_SERVICE_DOES_NOT_EXIST:
    case ERROR_NONE_MAPPED:
    case ERROR_NO_SUCH_ALIAS:
    case 2220u:  // NERR_GroupNotFound
    case 2221u:  // NERR_UserNotFound
      return StatusCode::kNotFound;
    case ERROR_ACCESS_DENIED:
    case ERROR_PRIVILEGE_NOT_HELD:
      return StatusCode::kPermissionDenied;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS:
    case ERROR_SERVICE_EXISTS:
      return StatusCode::kAlreadyExists;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
      return StatusCode::kResourceExhausted;
    case ERROR_INVALID_PARAMETER:
    case ERROR_UNSUPPORTED_TYPE:
      return StatusCode::kInvalidArgument;
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
      return StatusCode::kUnavailable;
    default:
      return StatusCode::kInternal;
  }
}

Status Win32ErrorToStatus(std::uint32_t error, std::string_view context) {
  std::string message(context);
  message += ": " + Hex32(error);
  std::string what(SymbolicCodeName(error));
  if (what.empty()) what = SystemMessage(error);
  if (!what.empty()) message += " (" + what + ")";
  return Status(Win32ErrorCode(error), std::move(message));
}

namespace {

Result<std::string> KnownFolder(const KNOWNFOLDERID& id, std::string_view name) {
  wchar_t* path = nullptr;
  const HRESULT hr = ::SHGetKnownFolderPath(id, KF_FLAG_DEFAULT, nullptr, &path);
  if (FAILED(hr) || path == nullptr) {
    if (path != nullptr) ::CoTaskMemFree(path);
    return Win32ErrorToStatus(static_cast<std::uint32_t>(hr),
                              "SHGetKnownFolderPath(" + std::string(name) + ")");
  }
  std::string utf8 = WideToUtf8(path);
  ::CoTaskMemFree(path);
  while (utf8.size() > 3 && (utf8.back() == '\\' || utf8.back() == '/')) utf8.pop_back();
  return utf8;
}

// The private DACLs ApplyPrivateDacl writes: full control for LocalSystem and
// Administrators only, inherited by a directory's children.
constexpr wchar_t kPrivateDirectorySddl[] = L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)";
constexpr wchar_t kPrivateFileSddl[] = L"D:P(A;;FA;;;SY)(A;;FA;;;BA)";

const wchar_t* PrivateSddl(bool directory) {
  return directory ? kPrivateDirectorySddl : kPrivateFileSddl;
}

// A security descriptor parsed from SDDL (freed with LocalFree) and its parts.
struct ParsedSddl {
  std::unique_ptr<void, decltype(&::LocalFree)> sd{nullptr, &::LocalFree};
  PACL dacl = nullptr;
  PSID owner = nullptr;  // null when the SDDL names no owner
};

Result<ParsedSddl> ParseSddl(const wchar_t* sddl) {
  PSECURITY_DESCRIPTOR raw = nullptr;
  if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &raw,
                                                              nullptr)) {
    return Win32ErrorToStatus(::GetLastError(),
                              "ConvertStringSecurityDescriptorToSecurityDescriptorW");
  }
  ParsedSddl parsed;
  parsed.sd.reset(raw);
  BOOL present = FALSE;
  BOOL defaulted = FALSE;
  if (!::GetSecurityDescriptorDacl(raw, &present, &parsed.dacl, &defaulted) ||
      !::GetSecurityDescriptorOwner(raw, &parsed.owner, &defaulted)) {
    return Win32ErrorToStatus(::GetLastError(), "GetSecurityDescriptorDacl");
  }
  return parsed;
}

// Replaces the DACL of `path` with the protected one of `sddl`, then makes the SDDL's owner
// (if it names one) the owner. A refused owner change is returned after the DACL is in place.
Status ApplySddl(const std::string& path, const wchar_t* sddl) {
  ASSIGN_OR_RETURN(ParsedSddl parsed, ParseSddl(sddl));
  std::wstring wide = Utf8ToWide(path);
  DWORD err = ::SetNamedSecurityInfoW(
      wide.data(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
      nullptr, nullptr, parsed.dacl, nullptr);
  if (err != ERROR_SUCCESS) return Win32ErrorToStatus(err, path + ": SetNamedSecurityInfoW (DACL)");
  if (parsed.owner == nullptr) return Status();
  err = ::SetNamedSecurityInfoW(wide.data(), SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION,
                                parsed.owner, nullptr, nullptr, nullptr);
  if (err != ERROR_SUCCESS)
    return Win32ErrorToStatus(err, path + ": SetNamedSecurityInfoW (owner)");
  return Status();
}

using SidBuffer = std::array<unsigned char, SECURITY_MAX_SID_SIZE>;

Status WellKnownSid(WELL_KNOWN_SID_TYPE type, const char* name, SidBuffer& out) {
  DWORD size = static_cast<DWORD>(out.size());
  if (!::CreateWellKnownSid(type, nullptr, out.data(), &size)) {
    return Win32ErrorToStatus(::GetLastError(), std::string("CreateWellKnownSid(") + name + ")");
  }
  return Status();
}

}  // namespace

Result<std::string> ProgramDataDirectory() {
  return KnownFolder(FOLDERID_ProgramData, "ProgramData");
}

Result<std::string> ProgramFilesDirectory() {
  return KnownFolder(FOLDERID_ProgramFiles, "ProgramFiles");
}

Status ApplyPrivateDacl(const std::string& path) {
  const DWORD attributes = ::GetFileAttributesW(Utf8ToWide(path).c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) {
    return Win32ErrorToStatus(::GetLastError(), path + ": GetFileAttributesW");
  }
  return ApplySddl(path, PrivateSddl((attributes & FILE_ATTRIBUTE_DIRECTORY) != 0));
}

Status ApplyPrivateDaclToHandle(void* handle, bool directory, const std::string& path) {
  ASSIGN_OR_RETURN(ParsedSddl parsed, ParseSddl(PrivateSddl(directory)));
  const DWORD err = ::SetSecurityInfo(
      handle, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
      nullptr, nullptr, parsed.dacl, nullptr);
  if (err != ERROR_SUCCESS) return Win32ErrorToStatus(err, path + ": SetSecurityInfo");
  return Status();
}

Result<std::string> PrivateDaclSddl(bool directory) {
  // Parsed and printed back: the text is what Windows makes of the SDDL, not the constant.
  ASSIGN_OR_RETURN(ParsedSddl parsed, ParseSddl(PrivateSddl(directory)));
  wchar_t* text = nullptr;
  if (!::ConvertSecurityDescriptorToStringSecurityDescriptorW(
          parsed.sd.get(), SDDL_REVISION_1, DACL_SECURITY_INFORMATION, &text, nullptr)) {
    return Win32ErrorToStatus(::GetLastError(),
                              "ConvertSecurityDescriptorToStringSecurityDescriptorW");
  }
  std::string sddl = WideToUtf8(text);
  ::LocalFree(text);
  return sddl;
}

Result<bool> HasPrivateDacl(const std::string& path) {
  std::wstring wide = Utf8ToWide(path);
  PACL dacl = nullptr;
  PSECURITY_DESCRIPTOR sd = nullptr;
  const DWORD err = ::GetNamedSecurityInfoW(wide.c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION,
                                            nullptr, nullptr, &dacl, nullptr, &sd);
  if (err != ERROR_SUCCESS) return Win32ErrorToStatus(err, path + ": GetNamedSecurityInfoW");
  std::unique_ptr<void, decltype(&::LocalFree)> owner(sd, &::LocalFree);
  SECURITY_DESCRIPTOR_CONTROL control = 0;
  DWORD revision = 0;
  if (!::GetSecurityDescriptorControl(sd, &control, &revision)) {
    return Win32ErrorToStatus(::GetLastError(), path + ": GetSecurityDescriptorControl");
  }
  // A null DACL grants everyone everything.
  if ((control & SE_DACL_PROTECTED) == 0 || dacl == nullptr) return false;
  SidBuffer system_sid{};
  SidBuffer admins_sid{};
  RETURN_IF_ERROR(WellKnownSid(WinLocalSystemSid, "S-1-5-18", system_sid));
  RETURN_IF_ERROR(WellKnownSid(WinBuiltinAdministratorsSid, "S-1-5-32-544", admins_sid));
  bool system = false;
  bool admins = false;
  for (DWORD i = 0; i < dacl->AceCount; ++i) {
    void* ace = nullptr;
    if (!::GetAce(dacl, i, &ace)) return Win32ErrorToStatus(::GetLastError(), path + ": GetAce");
    const auto* header = static_cast<const ACE_HEADER*>(ace);
    if (header->AceType != ACCESS_ALLOWED_ACE_TYPE) return false;
    auto* allowed = static_cast<ACCESS_ALLOWED_ACE*>(ace);
    PSID sid = &allowed->SidStart;
    if (::EqualSid(sid, system_sid.data())) {
      system = true;
    } else if (::EqualSid(sid, admins_sid.data())) {
      admins = true;
    } else {
      return false;
    }
  }
  return system && admins;
}

namespace {

std::string SidText(PSID sid) {
  wchar_t* text = nullptr;
  if (!::ConvertSidToStringSidW(sid, &text)) return "an unreadable SID";
  std::string out = WideToUtf8(text);
  ::LocalFree(text);
  return out;
}

}  // namespace

Status CheckOnlyAdminsCanWrite(const std::string& path) {
  const std::wstring wide = Utf8ToWide(path);
  PSID owner = nullptr;
  PACL dacl = nullptr;
  PSECURITY_DESCRIPTOR sd = nullptr;
  const DWORD err = ::GetNamedSecurityInfoW(wide.c_str(), SE_FILE_OBJECT,
                                            OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                                            &owner, nullptr, &dacl, nullptr, &sd);
  if (err != ERROR_SUCCESS) return Win32ErrorToStatus(err, path + ": GetNamedSecurityInfoW");
  std::unique_ptr<void, decltype(&::LocalFree)> sd_owner(sd, &::LocalFree);

  // Trusted: LocalSystem, Administrators, TrustedInstaller and whoever runs this process.
  SidBuffer system_sid{};
  SidBuffer admins_sid{};
  RETURN_IF_ERROR(WellKnownSid(WinLocalSystemSid, "S-1-5-18", system_sid));
  RETURN_IF_ERROR(WellKnownSid(WinBuiltinAdministratorsSid, "S-1-5-32-544", admins_sid));
  PSID installer = nullptr;
  if (!::ConvertStringSidToSidW(L"S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464",
                                &installer)) {
    return Win32ErrorToStatus(::GetLastError(), "ConvertStringSidToSidW(TrustedInstaller)");
  }
  std::unique_ptr<void, decltype(&::LocalFree)> installer_owner(installer, &::LocalFree);
  std::array<unsigned char, 256> user_buffer{};
  PSID self = nullptr;
  HANDLE token = nullptr;
  if (::OpenProcessToken(::GetCurrentProcess(), TOKEN_QUERY, &token)) {
    DWORD size = 0;
    if (::GetTokenInformation(token, TokenUser, user_buffer.data(),
                              static_cast<DWORD>(user_buffer.size()), &size)) {
      self = reinterpret_cast<TOKEN_USER*>(user_buffer.data())->User.Sid;
    }
    ::CloseHandle(token);
  }
  auto trusted = [&](PSID sid) {
    return ::EqualSid(sid, system_sid.data()) || ::EqualSid(sid, admins_sid.data()) ||
           ::EqualSid(sid, installer) || (self != nullptr && ::EqualSid(sid, self));
  };

  if (owner == nullptr || !trusted(owner)) {
    return Status(StatusCode::kPermissionDenied,
                  path + " is owned by " + (owner ? SidText(owner) : "nobody") +
                      ", not SYSTEM or Administrators: refusing a file another user controls");
  }
  if (dacl == nullptr) {
    return Status(StatusCode::kPermissionDenied,
                  path + " has a null DACL (everyone may write it): refusing it");
  }
  constexpr ACCESS_MASK kWrite = FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA |
                                 FILE_WRITE_ATTRIBUTES | DELETE | WRITE_DAC | WRITE_OWNER |
                                 GENERIC_WRITE | GENERIC_ALL;
  for (DWORD i = 0; i < dacl->AceCount; ++i) {
    void* ace = nullptr;
    if (!::GetAce(dacl, i, &ace)) return Win32ErrorToStatus(::GetLastError(), path + ": GetAce");
    const auto* header = static_cast<const ACE_HEADER*>(ace);
    if (header->AceType != ACCESS_ALLOWED_ACE_TYPE || (header->AceFlags & INHERIT_ONLY_ACE) != 0) {
      continue;
    }
    auto* allowed = static_cast<ACCESS_ALLOWED_ACE*>(ace);
    PSID sid = &allowed->SidStart;
    if ((allowed->Mask & kWrite) != 0 && !trusted(sid)) {
      return Status(StatusCode::kPermissionDenied,
                    path + " is writable by " + SidText(sid) +
                        ": refusing it until only SYSTEM and Administrators can change it");
    }
  }
  return Status();
}

Status ProtectDataDirectory(const std::string& dir) {
  const std::wstring wide = Utf8ToWide(dir);
  if (!::CreateDirectoryW(wide.c_str(), nullptr) && ::GetLastError() != ERROR_ALREADY_EXISTS) {
    return Win32ErrorToStatus(::GetLastError(), dir + ": CreateDirectoryW");
  }
  return ApplySddl(dir, (std::wstring(L"O:BA") + kDataDirectorySddl).c_str());
}

}  // namespace bulwark::win
