// Pure parsers for the small line-oriented configuration formats the posture probes read:
// shell-style KEY=value files (logind's run/systemd/{sessions,seats}/* files, ufw.conf,
// /etc/default/ufw, /etc/selinux/config, firewalld.conf) and INI files (dnf-automatic's
// automatic.conf). No I/O; malformed lines are skipped, never an error.
#ifndef BULWARK_AGENT_PROBES_POSTURE_KEY_VALUE_H_
#define BULWARK_AGENT_PROBES_POSTURE_KEY_VALUE_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace bulwark {

// KEY=value lines. Keys are [A-Za-z0-9_.-]+ (no spaces around '='; a leading "export " is
// accepted). Values may be quoted with ' or "; inside double quotes a backslash escapes the next
// character. An unquoted value ends at whitespace followed by '#'. Blank lines and '#' or ';'
// comments are ignored; a later assignment of a key overrides an earlier one.
std::map<std::string, std::string> ParseKeyValue(std::string_view text);

// INI: "[section]" headers and "key = value" (or "key: value") lines; '#' and ';' start comment
// lines. Keys are returned as "section.key" with both parts lower-cased and trimmed; values are
// trimmed. Lines before the first section use section "".
std::map<std::string, std::string> ParseIni(std::string_view text);

// "yes"/"true"/"on"/"1" -> true, "no"/"false"/"off"/"0" -> false (ASCII case-insensitive),
// anything else nullopt.
std::optional<bool> ParseBoolWord(std::string_view word);

}  // namespace bulwark

#endif  // BULWARK_AGENT_PROBES_POSTURE_KEY_VALUE_H_
