#include "agent/probes/posture/key_value.h"

#include "agent/base/strings.h"

namespace bulwark {
namespace {

bool IsKeyChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

// Decodes the value part of KEY=value; nullopt for an unterminated quote.
std::optional<std::string> DecodeValue(std::string_view raw) {
  std::string value;
  if (!raw.empty() && (raw[0] == '"' || raw[0] == '\'')) {
    const char quote = raw[0];
    for (std::size_t i = 1; i < raw.size(); ++i) {
      char c = raw[i];
      if (c == quote) return value;  // anything after the closing quote is ignored
      if (quote == '"' && c == '\\' && i + 1 < raw.size()) c = raw[++i];
      value.push_back(c);
    }
    return std::nullopt;
  }
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == ' ' || c == '\t') {
      std::string_view rest = TrimWhitespace(raw.substr(i));
      if (rest.empty() || rest[0] == '#') break;
    }
    value.push_back(c);
  }
  return std::string(TrimWhitespace(value));
}

}  // namespace

std::map<std::string, std::string> ParseKeyValue(std::string_view text) {
  std::map<std::string, std::string> out;
  for (std::string_view line : SplitLines(text)) {
    line = TrimWhitespace(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (StartsWith(line, "export ")) line = TrimWhitespace(line.substr(7));
    const auto eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    const std::string_view key = line.substr(0, eq);
    bool valid = true;
    for (char c : key) valid = valid && IsKeyChar(c);
    if (!valid) continue;
    auto value = DecodeValue(line.substr(eq + 1));
    if (!value) continue;
    out[std::string(key)] = std::move(*value);
  }
  return out;
}

std::map<std::string, std::string> ParseIni(std::string_view text) {
  std::map<std::string, std::string> out;
  std::string section;
  for (std::string_view line : SplitLines(text)) {
    line = TrimWhitespace(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      const auto close = line.find(']');
      if (close == std::string_view::npos) continue;
      section = AsciiLower(TrimWhitespace(line.substr(1, close - 1)));
      continue;
    }
    const auto sep = line.find_first_of("=:");
    if (sep == std::string_view::npos || sep == 0) continue;
    const std::string key = AsciiLower(TrimWhitespace(line.substr(0, sep)));
    if (key.empty()) continue;
    out[section + "." + key] = std::string(TrimWhitespace(line.substr(sep + 1)));
  }
  return out;
}

std::optional<bool> ParseBoolWord(std::string_view word) {
  const std::string w = AsciiLower(TrimWhitespace(word));
  if (w == "yes" || w == "true" || w == "on" || w == "1") return true;
  if (w == "no" || w == "false" || w == "off" || w == "0") return false;
  return std::nullopt;
}

}  // namespace bulwark
