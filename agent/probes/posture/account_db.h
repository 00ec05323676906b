// Pure parsers for the local account databases passwd(5) and group(5). No I/O.
//
//   alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash
//   sudo:x:27:alice,bob
//
// Lines that are malformed (wrong field count, non-numeric or out-of-range ids, empty names)
// and NIS compat entries ("+", "-", "+@netgroup") are skipped and their 1-based line numbers
// reported; parsing never fails.
#ifndef BULWARK_AGENT_PROBES_POSTURE_ACCOUNT_DB_H_
#define BULWARK_AGENT_PROBES_POSTURE_ACCOUNT_DB_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bulwark {

struct PasswdEntry {
  std::string name;
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;  // primary group
  std::string home;
  std::string shell;
};

struct GroupEntry {
  std::string name;
  std::uint32_t gid = 0;
  std::vector<std::string> members;  // supplementary members, as listed
};

struct PasswdParseResult {
  std::vector<PasswdEntry> entries;
  std::vector<std::size_t> malformed_lines;
};

struct GroupParseResult {
  std::vector<GroupEntry> entries;
  std::vector<std::size_t> malformed_lines;
};

PasswdParseResult ParsePasswd(std::string_view text);
GroupParseResult ParseGroup(std::string_view text);

}  // namespace bulwark

#endif  // BULWARK_AGENT_PROBES_POSTURE_ACCOUNT_DB_H_
