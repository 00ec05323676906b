// Pure parsers for the mandatory-access-control state the kernel exposes in securityfs and
// sysfs. No I/O.
//   sys/kernel/security/lsm                  "lockdown,capability,landlock,yama,apparmor"
//   sys/kernel/security/apparmor/profiles    "/usr/bin/man (enforce)\nfirefox (unconfined)\n"
//   sys/fs/selinux/enforce                   "1" (enforcing) or "0" (permissive)
#ifndef BULWARK_AGENT_PROBES_POSTURE_MAC_H_
#define BULWARK_AGENT_PROBES_POSTURE_MAC_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bulwark {

// The comma-separated list of active LSMs.
std::vector<std::string> ParseLsmList(std::string_view text);

struct AppArmorProfileCounts {
  std::size_t enforce = 0;
  std::size_t complain = 0;
  std::size_t kill = 0;
  std::size_t unconfined = 0;
  std::size_t other = 0;  // prompt, user, or a mode this parser does not know
  std::size_t total() const { return enforce + complain + kill + unconfined + other; }
};

// One profile per line, its mode in the last parentheses. Lines without a mode are "other".
AppArmorProfileCounts ParseAppArmorProfiles(std::string_view text);

// The MAC mode of AppArmor given its profiles: "enforcing" when any profile enforces (or
// kills), "complain" when profiles exist but only complain, "disabled" when none is loaded.
std::string AppArmorMode(const AppArmorProfileCounts& counts);

// sys/fs/selinux/enforce: "1" -> "enforcing", "0" -> "permissive", else nullopt.
std::optional<std::string> SelinuxEnforceMode(std::string_view text);

// The SELINUX= value of /etc/selinux/config, lower-cased ("enforcing", "permissive",
// "disabled"); nullopt when absent or unknown.
std::optional<std::string> SelinuxConfigMode(std::string_view config_text);

}  // namespace bulwark

#endif  // BULWARK_AGENT_PROBES_POSTURE_MAC_H_
