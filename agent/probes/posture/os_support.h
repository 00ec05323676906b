// Whether the installed operating system release still receives security updates, from
// os-release(5) and a built-in table of end-of-support dates. Pure; the caller passes the
// current time.
//
// Order of evidence: the os-release SUPPORT_END field (systemd's standard, set by Fedora and
// others) when present and well-formed; else the built-in table (kOsSupportTable in
// os_support.cc, reviewed at every release): Debian (end of LTS), Ubuntu LTS and interim
// releases (end of standard support), RHEL and its rebuilds (end of maintenance support).
// Releases without a VERSION_ID (Debian testing/sid, Arch, ...) are unknown.
#ifndef BULWARK_AGENT_PROBES_POSTURE_OS_SUPPORT_H_
#define BULWARK_AGENT_PROBES_POSTURE_OS_SUPPORT_H_

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace bulwark {

struct OsSupportStatus {
  std::optional<bool> supported;           // null when unknown
  std::optional<std::string> support_end;  // "YYYY-MM-DD": the last supported day
  std::optional<std::string> source;       // "os-release" or "builtin"
  std::optional<std::string> reason;       // why supported is null
};

// `os_release` as returned by ParseOsRelease.
OsSupportStatus EvaluateOsSupport(const std::map<std::string, std::string>& os_release,
                                  std::chrono::system_clock::time_point now);

// The built-in end-of-support date for an os-release ID and VERSION_ID, trying the full
// VERSION_ID then its major part ("9.4" -> "9"); nullopt when not in the table.
std::optional<std::string_view> BuiltinSupportEnd(std::string_view id, std::string_view version_id);

}  // namespace bulwark

#endif  // BULWARK_AGENT_PROBES_POSTURE_OS_SUPPORT_H_
