#include "platform/windows/system/win_local_accounts.h"

// clang-format off
#include <windows.h>
#include <lm.h>
#include <ntsecapi.h>
#include <sddl.h>
#include <wtsapi32.h>
// clang-format on

#include <optional>
#include <utility>

#include "platform/windows/system/win_strings.h"

namespace bulwark {
namespace {

Status LastError(std::string_view context) {
  return Win32ErrorToStatus(static_cast<std::uint32_t>(::GetLastError()), context);
}

struct LocalFreer {
  void operator()(void* p) const { ::LocalFree(p); }
};
struct NetFreer {
  void operator()(void* p) const { ::NetApiBufferFree(p); }
};
struct WtsFreer {
  void operator()(void* p) const { ::WTSFreeMemory(p); }
};
struct HandleCloser {
  void operator()(HANDLE h) const { ::CloseHandle(h); }
};

Result<std::string> SidToString(PSID sid) {
  LPWSTR text = nullptr;
  if (!::ConvertSidToStringSidW(sid, &text)) return LastError("ConvertSidToStringSidW");
  std::unique_ptr<wchar_t, LocalFreer> owner(text);
  return WideToUtf8(text);
}

struct AccountName {
  std::wstring name;
  std::wstring domain;
  SID_NAME_USE use = SidTypeUnknown;
};

Result<AccountName> LookupSid(PSID sid, const std::string& what) {
  DWORD name_len = 0, domain_len = 0;
  SID_NAME_USE use = SidTypeUnknown;
  ::LookupAccountSidW(nullptr, sid, nullptr, &name_len, nullptr, &domain_len, &use);
  if (name_len == 0) return LastError("LookupAccountSidW(" + what + ")");
  std::wstring name(name_len, L'\0'), domain(domain_len + 1, L'\0');
  if (!::LookupAccountSidW(nullptr, sid, name.data(), &name_len, domain.data(), &domain_len,
                           &use)) {
    return LastError("LookupAccountSidW(" + what + ")");
  }
  name.resize(name_len);
  domain.resize(domain_len);
  return AccountName{std::move(name), std::move(domain), use};
}

std::wstring ComputerName() {
  wchar_t buffer[MAX_COMPUTERNAME_LENGTH + 1] = {};
  DWORD size = MAX_COMPUTERNAME_LENGTH + 1;
  if (!::GetComputerNameW(buffer, &size)) return {};
  return std::wstring(buffer, size);
}

bool EqualsIgnoreCase(const std::wstring& a, const std::wstring& b) {
  return ::CompareStringOrdinal(a.c_str(), static_cast<int>(a.size()), b.c_str(),
                                static_cast<int>(b.size()), TRUE) == CSTR_EQUAL;
}

LocalGroupMember::Kind KindOf(SID_NAME_USE use) {
  switch (use) {
    case SidTypeUser:
      return LocalGroupMember::Kind::kUser;
    case SidTypeGroup:
      return LocalGroupMember::Kind::kGroup;
    case SidTypeWellKnownGroup:
      return LocalGroupMember::Kind::kWellKnownGroup;
    case SidTypeAlias:
      return LocalGroupMember::Kind::kAlias;
    case SidTypeDeletedAccount:
      return LocalGroupMember::Kind::kDeletedAccount;
    default:
      return LocalGroupMember::Kind::kUnknown;
  }
}

// The SID of the machine's account domain followed by `rid`.
Result<std::vector<BYTE>> LocalAccountSid(std::uint32_t rid) {
  LSA_OBJECT_ATTRIBUTES attributes = {};
  LSA_HANDLE policy = nullptr;
  NTSTATUS status = ::LsaOpenPolicy(nullptr, &attributes, POLICY_VIEW_LOCAL_INFORMATION, &policy);
  if (status != 0) {
    return Win32ErrorToStatus(static_cast<std::uint32_t>(::LsaNtStatusToWinError(status)),
                              "LsaOpenPolicy");
  }
  PVOID info = nullptr;
  status = ::LsaQueryInformationPolicy(policy, PolicyAccountDomainInformation, &info);
  ::LsaClose(policy);
  if (status != 0) {
    return Win32ErrorToStatus(static_cast<std::uint32_t>(::LsaNtStatusToWinError(status)),
                              "LsaQueryInformationPolicy(PolicyAccountDomainInformation)");
  }
  PSID domain = static_cast<POLICY_ACCOUNT_DOMAIN_INFO*>(info)->DomainSid;
  const UCHAR count = *::GetSidSubAuthorityCount(domain);
  std::vector<BYTE> sid(::GetSidLengthRequired(static_cast<UCHAR>(count + 1)));
  PSID out = sid.data();
  if (!::InitializeSid(out, ::GetSidIdentifierAuthority(domain), static_cast<BYTE>(count + 1))) {
    ::LsaFreeMemory(info);
    return LastError("InitializeSid");
  }
  for (UCHAR i = 0; i < count; ++i)
    *::GetSidSubAuthority(out, i) = *::GetSidSubAuthority(domain, i);
  *::GetSidSubAuthority(out, count) = rid;
  ::LsaFreeMemory(info);
  return sid;
}

// Whether the token's groups hold S-1-5-32-544, enabled or deny-only.
Result<bool> TokenInAdministrators(HANDLE token) {
  DWORD size = 0;
  ::GetTokenInformation(token, TokenGroups, nullptr, 0, &size);
  if (size == 0) return LastError("GetTokenInformation(TokenGroups)");
  std::vector<BYTE> buffer(size);
  if (!::GetTokenInformation(token, TokenGroups, buffer.data(), size, &size)) {
    return LastError("GetTokenInformation(TokenGroups)");
  }
  BYTE admins[SECURITY_MAX_SID_SIZE];
  DWORD admins_size = sizeof admins;
  if (!::CreateWellKnownSid(WinBuiltinAdministratorsSid, nullptr, admins, &admins_size)) {
    return LastError("CreateWellKnownSid(S-1-5-32-544)");
  }
  const auto* groups = reinterpret_cast<const TOKEN_GROUPS*>(buffer.data());
  const SID_AND_ATTRIBUTES* entries = groups->Groups;
  for (DWORD i = 0; i < groups->GroupCount; ++i) {
    if (!::EqualSid(entries[i].Sid, admins)) continue;
    return (entries[i].Attributes & (SE_GROUP_ENABLED | SE_GROUP_USE_FOR_DENY_ONLY)) != 0;
  }
  return false;
}

Result<std::wstring> SessionString(DWORD session, WTS_INFO_CLASS info, const char* what) {
  LPWSTR text = nullptr;
  DWORD bytes = 0;
  if (!::WTSQuerySessionInformationW(WTS_CURRENT_SERVER_HANDLE, session, info, &text, &bytes)) {
    return LastError(std::string("WTSQuerySessionInformationW(") + what + ")");
  }
  std::unique_ptr<wchar_t, WtsFreer> owner(text);
  return std::wstring(text != nullptr ? text : L"");
}

}  // namespace

Result<std::vector<LocalGroupMember>> WinLocalAccounts::GroupMembers(
    const std::string& group_sid) const {
  std::wstring sid_text = Utf8ToWide(group_sid);
  PSID sid = nullptr;
  if (!::ConvertStringSidToSidW(sid_text.c_str(), &sid)) {
    return Win32ErrorToStatus(static_cast<std::uint32_t>(::GetLastError()),
                              "ConvertStringSidToSidW(" + group_sid + ")")
        .WithContext("local group");
  }
  std::unique_ptr<void, LocalFreer> sid_owner(sid);
  ASSIGN_OR_RETURN(AccountName group, LookupSid(sid, group_sid));
  const std::wstring computer = ComputerName();

  std::vector<LocalGroupMember> members;
  DWORD_PTR resume = 0;
  for (;;) {
    BYTE* buffer = nullptr;
    DWORD read = 0, total = 0;
    NET_API_STATUS rc = ::NetLocalGroupGetMembers(nullptr, group.name.c_str(), 2, &buffer,
                                                  MAX_PREFERRED_LENGTH, &read, &total, &resume);
    std::unique_ptr<BYTE, NetFreer> owner(buffer);
    if (rc != NERR_Success && rc != ERROR_MORE_DATA) {
      return Win32ErrorToStatus(
          static_cast<std::uint32_t>(rc),
          "NetLocalGroupGetMembers(" + group_sid + " '" + WideToUtf8(group.name) + "')");
    }
    const auto* entries = reinterpret_cast<const LOCALGROUP_MEMBERS_INFO_2*>(buffer);
    for (DWORD i = 0; i < read; ++i) {
      LocalGroupMember m;
      std::wstring display = entries[i].lgrmi2_domainandname != nullptr
                                 ? std::wstring(entries[i].lgrmi2_domainandname)
                                 : std::wstring();
      m.name = WideToUtf8(display);
      if (auto s = SidToString(entries[i].lgrmi2_sid); s.ok()) m.sid = *s;
      m.kind = KindOf(entries[i].lgrmi2_sidusage);
      const auto slash = display.find(L'\\');
      m.local = slash != std::wstring::npos && !computer.empty() &&
                EqualsIgnoreCase(display.substr(0, slash), computer);
      members.push_back(std::move(m));
    }
    if (rc != ERROR_MORE_DATA) break;
  }
  return members;
}

Result<bool> WinLocalAccounts::LocalAccountEnabled(std::uint32_t rid) const {
  ASSIGN_OR_RETURN(std::vector<BYTE> sid, LocalAccountSid(rid));
  ASSIGN_OR_RETURN(AccountName account, LookupSid(sid.data(), "rid " + std::to_string(rid)));
  BYTE* buffer = nullptr;
  NET_API_STATUS rc = ::NetUserGetInfo(nullptr, account.name.c_str(), 1, &buffer);
  std::unique_ptr<BYTE, NetFreer> owner(buffer);
  if (rc != NERR_Success) {
    return Win32ErrorToStatus(static_cast<std::uint32_t>(rc),
                              "NetUserGetInfo(" + WideToUtf8(account.name) + ")");
  }
  const auto* info = reinterpret_cast<const USER_INFO_1*>(buffer);
  return (info->usri1_flags & UF_ACCOUNTDISABLE) == 0;
}

Result<ConsoleSession> WinLocalAccounts::Console() const {
  ConsoleSession out;
  const DWORD session = ::WTSGetActiveConsoleSessionId();
  if (session == 0xFFFFFFFFu) return out;  // no session attached to the console
  out.session_id = static_cast<std::uint32_t>(session);
  ASSIGN_OR_RETURN(std::wstring user, SessionString(session, WTSUserName, "WTSUserName"));
  if (user.empty()) return out;  // nobody signed in
  ASSIGN_OR_RETURN(std::wstring domain, SessionString(session, WTSDomainName, "WTSDomainName"));
  const std::wstring qualified = domain.empty() ? user : domain + L"\\" + user;
  out.user = WideToUtf8(qualified);

  DWORD sid_size = 0, domain_len = 0;
  SID_NAME_USE use = SidTypeUnknown;
  ::LookupAccountNameW(nullptr, qualified.c_str(), nullptr, &sid_size, nullptr, &domain_len, &use);
  if (sid_size > 0) {
    std::vector<BYTE> sid(sid_size);
    std::wstring ref(domain_len + 1, L'\0');
    if (::LookupAccountNameW(nullptr, qualified.c_str(), sid.data(), &sid_size, ref.data(),
                             &domain_len, &use)) {
      if (auto text = SidToString(sid.data()); text.ok()) out.user_sid = *text;
    }
  }

  HANDLE token = nullptr;
  if (::WTSQueryUserToken(session, &token)) {  // LocalSystem only (SE_TCB_NAME)
    std::unique_ptr<void, HandleCloser> owner(token);
    if (auto in_admins = TokenInAdministrators(token); in_admins.ok()) {
      out.token_in_administrators = *in_admins;
    }
  }
  return out;
}

}  // namespace bulwark
