// Pure parsers for the update-related configuration the hardening probes report: APT's
// configuration language (unattended-upgrades), dnf-automatic's settings, and the cached
// update counts Ubuntu's update-notifier writes. No I/O.
#ifndef BULWARK_AGENT_PROBES_POSTURE_UPDATES_H_
#define BULWARK_AGENT_PROBES_POSTURE_UPDATES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bulwark {

// APT configuration, flattened: lower-cased "scope::name" keys to their values. A scalar
// assignment replaces the key's values; list items ("Name { "a"; "b"; };" or "Name:: "a";")
// are appended; "#clear Name;" erases Name and everything under it. Comments ("//", "/* */",
// and '#' lines other than #clear/#include) are skipped. Later files override earlier ones, so
// the caller merges the files of apt.conf.d in lexical order into one map.
using AptConfig = std::map<std::string, std::vector<std::string>>;
void MergeAptConfig(std::string_view text, AptConfig& config);

// The single value of `key` (last assignment), or nullopt.
std::optional<std::string> AptConfigValue(const AptConfig& config, std::string_view key);

// An APT::Periodic interval ("1", "7", "always", "0") enables the job unless it is "0" or empty.
bool AptPeriodicEnabled(std::string_view value);

// Counts from var/lib/update-notifier/updates-available, in either of the formats
//   "12 updates can be applied immediately.\n5 of these updates are standard security updates."
//   "12 packages can be updated.\n5 updates are security updates."
// plus Ubuntu Pro's "3 additional security updates can be applied with ESM Apps.".
struct UpdateNotifierCounts {
  std::optional<std::uint64_t> total;
  std::optional<std::uint64_t> security;
  std::optional<std::uint64_t> esm_security;  // available only with Ubuntu Pro
};

UpdateNotifierCounts ParseUpdatesAvailable(std::string_view text);

}  // namespace bulwark

#endif  // BULWARK_AGENT_PROBES_POSTURE_UPDATES_H_
