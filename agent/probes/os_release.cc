#include "agent/probes/os_release.h"

#include "agent/base/strings.h"

namespace bulwark {

std::map<std::string, std::string> ParseOsRelease(std::string_view text) {
  std::map<std::string, std::string> out;
  for (std::string_view line : SplitLines(text)) {
    line = TrimWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    auto eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    std::string_view key = line.substr(0, eq);
    bool valid_key = true;
    for (char c : key) {
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) valid_key = false;
    }
    if (!valid_key) continue;
    std::string_view raw = line.substr(eq + 1);
    std::string value;
    if (!raw.empty() && (raw[0] == '"' || raw[0] == '\'')) {
      char quote = raw[0];
      if (raw.size() < 2 || raw.back() != quote) continue;  // unterminated quote
      raw = raw.substr(1, raw.size() - 2);
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (quote == '"' && raw[i] == '\\' && i + 1 < raw.size()) ++i;
        value.push_back(raw[i]);
      }
    } else {
      value = std::string(raw);
    }
    out[std::string(key)] = std::move(value);
  }
  return out;
}

}  // namespace bulwark
