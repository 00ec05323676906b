// Windows side of the OS seams. WindowsSystem implements System (FileSystem rooted at a
// directory or the live %SystemDrive%, CommandRunner over CreateProcessW without cmd.exe,
// Clock) and adds the Windows-only seams the probes need. NewDefaultWindowsSystem() on Windows
// builds it. The seams are platform-neutral so the probes' mapping logic compiles and is tested
// on every platform; the real implementations come with the Windows agent.
//
// Every seam reports OS errors as a Status whose message carries the Win32/HRESULT code in hex.
// kNotFound: the key, class, group or COM class is absent; kPermissionDenied: access denied.
// Thread-safety: implementations are safe for concurrent use; fakes are not.
#ifndef BULWARK_PLATFORM_WINDOWS_WINDOWS_SYSTEM_H_
#define BULWARK_PLATFORM_WINDOWS_WINDOWS_SYSTEM_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/sys/system.h"
#include "platform/windows/wmi_client.h"

namespace bulwark {

// Registry reads (policy values: UAC, screen lock, automatic updates).
// kNotFound for a missing key or value; kPermissionDenied for access denied.
class Registry {
 public:
  virtual ~Registry() = default;
  // hive: "HKLM" | "HKU\\<SID>"; returns REG_DWORD values.
  virtual Result<std::uint32_t> ReadDword(const std::string& hive, const std::string& key,
                                          const std::string& value) const = 0;
  virtual Result<std::string> ReadString(const std::string& hive, const std::string& key,
                                         const std::string& value) const = 0;
};

// Windows Defender Firewall, the effective (active store) policy as INetFwPolicy2 reports it.
// Values are the raw COM values so that their mapping (and unknown values) stays in the probe.
enum class FirewallProfile { kDomain, kPrivate, kPublic };

struct FirewallProfileState {
  bool enabled = false;               // get_FirewallEnabled(profile)
  std::int64_t default_inbound = 0;   // get_DefaultInboundAction: NET_FW_ACTION_BLOCK 0, ALLOW 1
  std::int64_t default_outbound = 1;  // get_DefaultOutboundAction: same values
};

class FirewallPolicy {
 public:
  virtual ~FirewallPolicy() = default;
  // The state of one profile; an error (e.g. the MpsSvc service stopped:
  // kUnavailable "0x800706D9") leaves only that profile unknown.
  virtual Result<FirewallProfileState> Profile(FirewallProfile profile) const = 0;
  // get_CurrentProfileTypes: NET_FW_PROFILE2_DOMAIN 1 | PRIVATE 2 | PUBLIC 4.
  virtual Result<std::uint32_t> CurrentProfileTypes() const = 0;
};

// Local accounts and groups (NetLocalGroupGetMembers level 2, NetUserGetInfo, WTS).
struct LocalGroupMember {
  // SID_NAME_USE of the member as LookupAccountSid reports it.
  enum class Kind { kUser, kGroup, kWellKnownGroup, kAlias, kDeletedAccount, kUnknown };
  std::string name;  // "DOMAIN\\name" as Windows displays it (lgrmi2_domainandname)
  std::string sid;   // "S-1-5-21-...-1105"
  Kind kind = Kind::kUnknown;
  bool local = false;  // the account is defined on this machine (its domain is the computer)
};

struct ConsoleSession {
  std::optional<std::uint32_t> session_id;  // nullopt: no session attached to the console
  std::string user;                         // "DOMAIN\\user"; empty when nobody is signed in
  std::string user_sid;                     // empty when nobody is signed in
  // The user's logon token holds S-1-5-32-544 (TokenGroups of WTSQueryUserToken, enabled or
  // deny-only under UAC), which resolves nested domain groups as the DC did at logon;
  // nullopt when the token could not be read or nobody is signed in.
  std::optional<bool> token_in_administrators;
};

class LocalAccounts {
 public:
  virtual ~LocalAccounts() = default;
  // Direct members of the local group with this SID (e.g. "S-1-5-32-544"), in the order
  // Windows returns them. Groups are not expanded. kNotFound when no such group exists.
  virtual Result<std::vector<LocalGroupMember>> GroupMembers(
      const std::string& group_sid) const = 0;
  // Whether the local account with this relative id (500 Administrator, 501 Guest) is enabled,
  // whatever it has been renamed to. kNotFound when there is no such account.
  virtual Result<bool> LocalAccountEnabled(std::uint32_t rid) const = 0;
  // The session attached to the physical console (WTSGetActiveConsoleSessionId).
  virtual Result<ConsoleSession> Console() const = 0;
};

class WindowsSystem : public System {
 public:
  virtual WmiClient& wmi() const = 0;
  virtual const Registry& registry() const = 0;
  virtual const FirewallPolicy& firewall() const = 0;
  virtual const LocalAccounts& accounts() const = 0;
};

// The live Windows system.
Result<std::unique_ptr<WindowsSystem>> NewDefaultWindowsSystem();

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_WINDOWS_WINDOWS_SYSTEM_H_
