#include "agent/probes/swaps.h"

#include <limits>

#include "agent/base/strings.h"

namespace bulwark {

SwapsParseResult ParseSwaps(std::string_view text) {
  SwapsParseResult result;
  auto lines = SplitLines(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto fields = SplitWhitespace(lines[i]);
    if (fields.empty()) continue;
    if (i == 0 && fields[0] == "Filename") continue;
    if (fields.size() != 5 || fields[0].empty() || fields[0][0] != '/') {
      result.malformed_lines.push_back(i + 1);
      continue;
    }
    auto size = ParseUint64(fields[2]);
    auto used = ParseUint64(fields[3]);
    std::string_view prio_text = fields[4];
    bool negative = !prio_text.empty() && prio_text[0] == '-';
    if (negative) prio_text.remove_prefix(1);
    auto prio = ParseUint64(prio_text);
    if (!size || !used || !prio ||
        *prio > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) {
      result.malformed_lines.push_back(i + 1);
      continue;
    }
    SwapEntry e;
    e.path = UnescapeOctal(fields[0]);
    e.type = std::string(fields[1]);
    e.size_kib = *size;
    e.used_kib = *used;
    e.priority = negative ? -static_cast<std::int64_t>(*prio) : static_cast<std::int64_t>(*prio);
    result.entries.push_back(std::move(e));
  }
  return result;
}

}  // namespace bulwark
