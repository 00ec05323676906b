#include "agent/probes/posture/account_db.h"

#include <limits>
#include <optional>

#include "agent/base/strings.h"

namespace bulwark {
namespace {

std::optional<std::uint32_t> ParseId(std::string_view s) {
  auto v = ParseUint64(s);
  if (!v || *v > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
  return static_cast<std::uint32_t>(*v);
}

bool IsCompatEntry(std::string_view line) {
  return !line.empty() && (line[0] == '+' || line[0] == '-');
}

}  // namespace

PasswdParseResult ParsePasswd(std::string_view text) {
  PasswdParseResult out;
  std::size_t number = 0;
  for (std::string_view line : SplitLines(text)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (TrimWhitespace(line).empty() || line[0] == '#') continue;
    auto fields = Split(line, ':');
    auto uid = fields.size() == 7 ? ParseId(fields[2]) : std::nullopt;
    auto gid = fields.size() == 7 ? ParseId(fields[3]) : std::nullopt;
    if (IsCompatEntry(line) || !uid || !gid || fields[0].empty()) {
      out.malformed_lines.push_back(number);
      continue;
    }
    out.entries.push_back(PasswdEntry{std::string(fields[0]), *uid, *gid, std::string(fields[5]),
                                      std::string(fields[6])});
  }
  return out;
}

GroupParseResult ParseGroup(std::string_view text) {
  GroupParseResult out;
  std::size_t number = 0;
  for (std::string_view line : SplitLines(text)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (TrimWhitespace(line).empty() || line[0] == '#') continue;
    auto fields = Split(line, ':');
    auto gid = fields.size() == 4 ? ParseId(fields[2]) : std::nullopt;
    if (IsCompatEntry(line) || !gid || fields[0].empty()) {
      out.malformed_lines.push_back(number);
      continue;
    }
    GroupEntry group{std::string(fields[0]), *gid, {}};
    for (std::string_view member : Split(fields[3], ',')) {
      member = TrimWhitespace(member);
      if (!member.empty()) group.members.emplace_back(member);
    }
    out.entries.push_back(std::move(group));
  }
  return out;
}

}  // namespace bulwark
