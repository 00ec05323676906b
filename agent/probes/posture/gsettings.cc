#include "agent/probes/posture/gsettings.h"

#include "agent/base/strings.h"

namespace bulwark {

std::map<std::string, std::string> ParseGsettingsList(std::string_view text) {
  std::map<std::string, std::string> out;
  for (std::string_view line : SplitLines(text)) {
    line = TrimWhitespace(line);
    const auto first = line.find(' ');
    if (first == std::string_view::npos) continue;
    const auto second = line.find(' ', first + 1);
    if (second == std::string_view::npos) continue;
    std::string key(line.substr(0, second));
    out[std::move(key)] = std::string(TrimWhitespace(line.substr(second + 1)));
  }
  return out;
}

std::optional<bool> GVariantBool(std::string_view text) {
  text = TrimWhitespace(text);
  if (text == "true") return true;
  if (text == "false") return false;
  return std::nullopt;
}

std::optional<std::uint64_t> GVariantUint(std::string_view text) {
  text = TrimWhitespace(text);
  for (std::string_view prefix : {"uint32 ", "uint64 ", "int32 ", "int64 ", "uint16 ", "int16 "}) {
    if (StartsWith(text, prefix)) {
      text = TrimWhitespace(text.substr(prefix.size()));
      break;
    }
  }
  return ParseUint64(text);
}

}  // namespace bulwark
