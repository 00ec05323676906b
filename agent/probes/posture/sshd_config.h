// Pure parser for sshd_config(5) and the "Match-less" effective values of the keywords a posture
// policy asks about. No I/O: Include directives are returned as directives; the probe
// (platform/linux/posture/hardening_probes.h) expands them through the FileSystem seam, with
// GlobMatch for their wildcards, and passes the flattened list to ComputeSshdEffective.
//
// sshd semantics honoured: keywords are case-insensitive; "Keyword value" or "Keyword=value";
// arguments may be double-quoted; '#' starts a comment line; for each keyword the first value
// obtained wins; a Match block lasts until the next Match or the end of the file it is in.
// Values set inside Match blocks apply only to matching connections: they are not effective
// values but are reported as overrides.
#ifndef BULWARK_AGENT_PROBES_POSTURE_SSHD_CONFIG_H_
#define BULWARK_AGENT_PROBES_POSTURE_SSHD_CONFIG_H_

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace bulwark {

struct SshdDirective {
  std::string keyword;  // lower-cased
  std::vector<std::string> args;
  std::size_t line = 0;
};

// Skips blank and comment lines and lines with an unterminated quote.
std::vector<SshdDirective> ParseSshdConfig(std::string_view text);

// A directive after include expansion, with where it came from and whether a Match applies.
struct SshdSourcedDirective {
  SshdDirective directive;
  std::string file;
  bool in_match = false;
};

struct SshdValue {
  std::string value;   // first argument as written (lower-cased for yes/no style keywords)
  std::string source;  // "<file>:<line>", or "default"
};

struct SshdEffective {
  std::map<std::string, SshdValue> values;    // keyword (lower-case) -> effective value
  std::set<std::string> overridden_in_match;  // keywords also set inside a Match block
  std::size_t match_blocks = 0;
};

// First-wins effective values outside Match blocks for every keyword seen, then the OpenSSH
// defaults for the keywords in `defaults` that were not set.
SshdEffective ComputeSshdEffective(const std::vector<SshdSourcedDirective>& directives,
                                   const std::map<std::string, std::string>& defaults);

// The compiled-in defaults of OpenSSH >= 8.7 for the keywords the ssh hardening facts report:
// permitrootlogin prohibit-password, passwordauthentication yes, kbdinteractiveauthentication
// yes, pubkeyauthentication yes, permitemptypasswords no, usepam no, x11forwarding no.
const std::map<std::string, std::string>& SshdDefaults();

// fnmatch(3)-style matching of one path component: '*', '?', '[set]' / '[!set]'; a leading '.'
// is not matched by wildcards. Linear-time for '*' (no backtracking blow-up).
bool GlobMatch(std::string_view pattern, std::string_view name);

}  // namespace bulwark

#endif  // BULWARK_AGENT_PROBES_POSTURE_SSHD_CONFIG_H_
