#include "agent/probes/mountinfo.h"

#include <limits>
#include <optional>

#include "agent/base/strings.h"

namespace bulwark {
namespace {

std::optional<std::uint32_t> ParseU32(std::string_view s) {
  auto v = ParseUint64(s);
  if (!v || *v > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
  return static_cast<std::uint32_t>(*v);
}

std::optional<MountInfoEntry> ParseLine(std::string_view line) {
  // mountinfo separates fields with single spaces; be lenient and accept any whitespace.
  auto fields = SplitWhitespace(line);
  // Minimum: 6 fixed fields, the "-" separator, then fstype and source (super options may be
  // missing on very old kernels).
  if (fields.size() < 9) return std::nullopt;
  std::size_t sep = 6;
  while (sep < fields.size() && fields[sep] != "-") ++sep;
  if (sep >= fields.size() || fields.size() < sep + 3) return std::nullopt;

  MountInfoEntry e;
  auto id = ParseUint64(fields[0]);
  auto parent = ParseUint64(fields[1]);
  if (!id || !parent) return std::nullopt;
  e.mount_id = *id;
  e.parent_id = *parent;
  auto colon = fields[2].find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto major = ParseU32(fields[2].substr(0, colon));
  auto minor = ParseU32(fields[2].substr(colon + 1));
  if (!major || !minor) return std::nullopt;
  e.major = *major;
  e.minor = *minor;
  if (fields[3].empty() || fields[3][0] != '/') return std::nullopt;
  if (fields[4].empty() || fields[4][0] != '/') return std::nullopt;
  e.root = UnescapeOctal(fields[3]);
  e.mount_point = UnescapeOctal(fields[4]);
  e.options = std::string(fields[5]);
  e.fstype = UnescapeOctal(fields[sep + 1]);
  e.source = UnescapeOctal(fields[sep + 2]);
  if (fields.size() > sep + 3) e.super_options = std::string(fields[sep + 3]);
  return e;
}

}  // namespace

MountInfoParseResult ParseMountInfo(std::string_view text) {
  MountInfoParseResult result;
  auto lines = SplitLines(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = TrimWhitespace(lines[i]);
    if (line.empty()) continue;
    if (auto entry = ParseLine(line)) {
      result.entries.push_back(std::move(*entry));
    } else {
      result.malformed_lines.push_back(i + 1);
    }
  }
  return result;
}

}  // namespace bulwark
