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

Status Win32ErrorToStatus(unsigned long error, std::string_view context) {
  std::array<char, 16> hex{};
  std::snprintf(hex.data(), hex.size(), "0x%08lX", error);
  std::string message(context);
  message += ": ";
  message += hex.data();
  wchar_t* text = nullptr;
  const DWORD n = ::FormatMessageW(
      FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
      nullptr, error, 0, reinterpret_cast<wchar_t*>(&text), 0, nullptr);
  if (n > 0 && text != nullptr) {
    std::string utf8 = WideToUtf8(std::wstring_view(text, n));
    while (!utf8.empty() && (utf8.back() == '\n' || utf8.back() == '\r' || utf8.back() == ' ')) {
      utf8.pop_back();
    }
    if (!utf8.empty()) message += " (" + utf8 + ")";
  }
  if (text != nullptr) ::LocalFree(text);
  StatusCode code = StatusCode::kInternal;
  switch (error) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_SERVICE_DOES_NOT_EXIST:
      code = StatusCode::kNotFound;
      break;
    case ERROR_ACCESS_DENIED:
    case ERROR_PRIVILEGE_NOT_HELD:
      code = StatusCode::kPermissionDenied;
      break;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS:
    case ERROR_SERVICE_EXISTS:
      code = StatusCode::kAlreadyExists;
      break;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
      code = StatusCode::kResourceExhausted;
      break;
    case ERROR_INVALID_PARAMETER:
    case ERROR_INVALID_NAME:
      code = StatusCode::kInvalidArgument;
      break;
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
      code = StatusCode::kUnavailable;
      break;
    default:
      break;
  }
  return Status(code, std::move(message));
}

namespace {

Result<std::string> KnownFolder(const KNOWNFOLDERID& id, std::string_view name) {
  wchar_t* path = nullptr;
  const HRESULT hr = ::SHGetKnownFolderPath(id, KF_FLAG_DEFAULT, nullptr, &path);
  if (FAILED(hr) || path == nullptr) {
    if (path != nullptr) ::CoTaskMemFree(path);
    return Win32ErrorToStatus(static_cast<unsigned long>(hr),
                              "SHGetKnownFolderPath(" + std::string(name) + ")");
  }
  std::string utf8 = WideToUtf8(path);
  ::CoTaskMemFree(path);
  while (utf8.size() > 3 && (utf8.back() == '\\' || utf8.back() == '/')) utf8.pop_back();
  return utf8;
}

// The two SIDs and the ACL granting them full control, in one block.
struct PrivateAcl {
  std::array<unsigned char, SECURITY_MAX_SID_SIZE> system_sid{};
  std::array<unsigned char, SECURITY_MAX_SID_SIZE> admins_sid{};
  alignas(DWORD) std::array<unsigned char, 256> acl{};

  PSID system() { return system_sid.data(); }
  PSID admins() { return admins_sid.data(); }
  PACL get() { return reinterpret_cast<PACL>(acl.data()); }
};

Status BuildPrivateAcl(PrivateAcl& out, bool inheritable) {
  DWORD size = SECURITY_MAX_SID_SIZE;
  if (!::CreateWellKnownSid(WinLocalSystemSid, nullptr, out.system(), &size)) {
    return Win32ErrorToStatus(::GetLastError(), "CreateWellKnownSid(S-1-5-18)");
  }
  size = SECURITY_MAX_SID_SIZE;
  if (!::CreateWellKnownSid(WinBuiltinAdministratorsSid, nullptr, out.admins(), &size)) {
    return Win32ErrorToStatus(::GetLastError(), "CreateWellKnownSid(S-1-5-32-544)");
  }
  if (!::InitializeAcl(out.get(), static_cast<DWORD>(out.acl.size()), ACL_REVISION)) {
    return Win32ErrorToStatus(::GetLastError(), "InitializeAcl");
  }
  const DWORD flags = inheritable ? (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE) : 0;
  for (PSID sid : {out.system(), out.admins()}) {
    if (!::AddAccessAllowedAceEx(out.get(), ACL_REVISION, flags, FILE_ALL_ACCESS, sid)) {
      return Win32ErrorToStatus(::GetLastError(), "AddAccessAllowedAceEx");
    }
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
  std::wstring wide = Utf8ToWide(path);
  const DWORD attributes = ::GetFileAttributesW(wide.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) {
    return Win32ErrorToStatus(::GetLastError(), path + ": GetFileAttributesW");
  }
  PrivateAcl acl;
  RETURN_IF_ERROR(BuildPrivateAcl(acl, (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0));
  const DWORD err = ::SetNamedSecurityInfoW(
      wide.data(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
      nullptr, nullptr, acl.get(), nullptr);
  if (err != ERROR_SUCCESS) return Win32ErrorToStatus(err, path + ": SetNamedSecurityInfoW");
  return Status();
}

Status ApplyPrivateDaclToHandle(void* handle, bool directory, const std::string& path) {
  PrivateAcl acl;
  RETURN_IF_ERROR(BuildPrivateAcl(acl, directory));
  const DWORD err = ::SetSecurityInfo(
      handle, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
      nullptr, nullptr, acl.get(), nullptr);
  if (err != ERROR_SUCCESS) return Win32ErrorToStatus(err, path + ": SetSecurityInfo");
  return Status();
}

Result<std::string> PrivateDaclSddl(bool directory) {
  PrivateAcl acl;
  RETURN_IF_ERROR(BuildPrivateAcl(acl, directory));
  SECURITY_DESCRIPTOR sd{};
  if (!::InitializeSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION) ||
      !::SetSecurityDescriptorDacl(&sd, TRUE, acl.get(), FALSE) ||
      !::SetSecurityDescriptorControl(&sd, SE_DACL_PROTECTED, SE_DACL_PROTECTED)) {
    return Win32ErrorToStatus(::GetLastError(), "building the private security descriptor");
  }
  wchar_t* text = nullptr;
  if (!::ConvertSecurityDescriptorToStringSecurityDescriptorW(
          &sd, SDDL_REVISION_1, DACL_SECURITY_INFORMATION, &text, nullptr)) {
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
  PrivateAcl expected;
  RETURN_IF_ERROR(BuildPrivateAcl(expected, false));
  bool system = false;
  bool admins = false;
  for (DWORD i = 0; i < dacl->AceCount; ++i) {
    void* ace = nullptr;
    if (!::GetAce(dacl, i, &ace)) return Win32ErrorToStatus(::GetLastError(), path + ": GetAce");
    const auto* header = static_cast<const ACE_HEADER*>(ace);
    if (header->AceType != ACCESS_ALLOWED_ACE_TYPE) return false;
    auto* allowed = static_cast<ACCESS_ALLOWED_ACE*>(ace);
    PSID sid = &allowed->SidStart;
    if (::EqualSid(sid, expected.system())) {
      system = true;
    } else if (::EqualSid(sid, expected.admins())) {
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
  PrivateAcl wellknown;
  RETURN_IF_ERROR(BuildPrivateAcl(wellknown, false));
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
    return ::EqualSid(sid, wellknown.system()) || ::EqualSid(sid, wellknown.admins()) ||
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
  PSECURITY_DESCRIPTOR sd = nullptr;
  if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(
          (std::wstring(L"O:BA") + kDataDirectorySddl).c_str(), SDDL_REVISION_1, &sd, nullptr)) {
    return Win32ErrorToStatus(::GetLastError(),
                              "ConvertStringSecurityDescriptorToSecurityDescriptorW");
  }
  std::unique_ptr<void, decltype(&::LocalFree)> sd_owner(sd, &::LocalFree);
  BOOL present = FALSE;
  BOOL defaulted = FALSE;
  PACL dacl = nullptr;
  PSID owner = nullptr;
  if (!::GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted) ||
      !::GetSecurityDescriptorOwner(sd, &owner, &defaulted)) {
    return Win32ErrorToStatus(::GetLastError(), "GetSecurityDescriptorDacl");
  }
  DWORD err =
      ::SetNamedSecurityInfoW(const_cast<wchar_t*>(wide.c_str()), SE_FILE_OBJECT,
                              DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                              nullptr, nullptr, dacl, nullptr);
  if (err != ERROR_SUCCESS) return Win32ErrorToStatus(err, dir + ": SetNamedSecurityInfoW (DACL)");
  err = ::SetNamedSecurityInfoW(const_cast<wchar_t*>(wide.c_str()), SE_FILE_OBJECT,
                                OWNER_SECURITY_INFORMATION, owner, nullptr, nullptr, nullptr);
  if (err != ERROR_SUCCESS) {
    return Win32ErrorToStatus(err, dir + ": SetNamedSecurityInfoW (owner Administrators)");
  }
  return Status();
}

}  // namespace bulwark::win
