// WinLocalAccounts: the LocalAccounts seam over the Win32 account APIs.
//
//   GroupMembers(sid)        LookupAccountSidW(sid) gives the group's (localized) name, then
//                            NetLocalGroupGetMembers level 2 on that name; never a literal
//                            name. `local`: the member's domain is this computer's NetBIOS
//                            name.
//   LocalAccountEnabled(rid) the account domain SID (LsaQueryInformationPolicy
//                            PolicyAccountDomainInformation) + rid -> LookupAccountSidW ->
//                            NetUserGetInfo level 1, !UF_ACCOUNTDISABLE.
//   Console()                WTSGetActiveConsoleSessionId, WTSQuerySessionInformationW
//                            (WTSUserName, WTSDomainName), LookupAccountNameW for the SID, and
//                            WTSQueryUserToken + TokenGroups for S-1-5-32-544 (enabled or
//                            deny-only). WTSQueryUserToken needs SE_TCB_NAME (the agent running
//                            as LocalSystem); otherwise token_in_administrators is nullopt.
//
// Errors carry the Win32/NTSTATUS-derived code in hex: ERROR_NONE_MAPPED (no such SID),
// NERR_GroupNotFound, NERR_UserNotFound -> kNotFound; access denied -> kPermissionDenied.
//
// Thread-safety: stateless; safe for concurrent use.
// Verified under Wine 8.0 only: Wine's netapi32 lists the current user as the one member of
// Administrators, its WTS functions describe the current process's session, and its
// WTSQueryUserToken does not enforce SE_TCB_NAME. Domain members, nested domain groups,
// renamed/disabled built-in accounts and a real console session need a real Windows machine.
#ifndef BULWARK_PLATFORM_WINDOWS_SYSTEM_WIN_LOCAL_ACCOUNTS_H_
#define BULWARK_PLATFORM_WINDOWS_SYSTEM_WIN_LOCAL_ACCOUNTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "platform/windows/windows_system.h"

namespace bulwark {

class WinLocalAccounts final : public LocalAccounts {
 public:
  Result<std::vector<LocalGroupMember>> GroupMembers(const std::string& group_sid) const override;
  Result<bool> LocalAccountEnabled(std::uint32_t rid) const override;
  Result<ConsoleSession> Console() const override;
};

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_WINDOWS_SYSTEM_WIN_LOCAL_ACCOUNTS_H_
