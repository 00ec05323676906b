#include "agent/probes/posture/sshd_config.h"

#include "agent/base/strings.h"

namespace bulwark {
namespace {

// Splits arguments on whitespace with double quotes; nullopt on an unterminated quote.
std::optional<std::vector<std::string>> SplitQuoted(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i >= s.size()) break;
    std::string arg;
    if (s[i] == '"') {
      const auto end = s.find('"', i + 1);
      if (end == std::string_view::npos) return std::nullopt;
      arg = std::string(s.substr(i + 1, end - i - 1));
      i = end + 1;
    } else {
      while (i < s.size() && s[i] != ' ' && s[i] != '\t') arg.push_back(s[i++]);
    }
    out.push_back(std::move(arg));
  }
  return out;
}

// Matches one '[...]' set at pattern[p] against c; advances p past the set. nullopt when the
// set is unterminated (the '[' is then literal).
std::optional<bool> MatchSet(std::string_view pattern, std::size_t& p, char c) {
  std::size_t i = p + 1;
  bool negate = false;
  if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) {
    negate = true;
    ++i;
  }
  bool matched = false;
  bool first = true;
  for (; i < pattern.size(); ++i) {
    if (pattern[i] == ']' && !first) {
      p = i + 1;
      return matched != negate;
    }
    first = false;
    if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
      if (c >= pattern[i] && c <= pattern[i + 2]) matched = true;
      i += 2;
    } else if (pattern[i] == c) {
      matched = true;
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<SshdDirective> ParseSshdConfig(std::string_view text) {
  std::vector<SshdDirective> out;
  std::size_t number = 0;
  for (std::string_view line : SplitLines(text)) {
    ++number;
    line = TrimWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::size_t end = 0;
    while (end < line.size() && line[end] != ' ' && line[end] != '\t' && line[end] != '=') ++end;
    SshdDirective d;
    d.keyword = AsciiLower(line.substr(0, end));
    d.line = number;
    std::string_view rest = TrimWhitespace(line.substr(end));
    if (!rest.empty() && rest[0] == '=') rest = TrimWhitespace(rest.substr(1));
    auto args = SplitQuoted(rest);
    if (!args || d.keyword.empty()) continue;
    d.args = std::move(*args);
    out.push_back(std::move(d));
  }
  return out;
}

SshdEffective ComputeSshdEffective(const std::vector<SshdSourcedDirective>& directives,
                                   const std::map<std::string, std::string>& defaults) {
  SshdEffective out;
  for (const auto& sd : directives) {
    const SshdDirective& d = sd.directive;
    if (d.keyword == "match") {
      ++out.match_blocks;
      continue;
    }
    if (d.keyword == "include") continue;
    if (sd.in_match) {
      out.overridden_in_match.insert(d.keyword);
      continue;
    }
    if (out.values.count(d.keyword) > 0 || d.args.empty()) continue;
    std::string value = d.args[0];
    const std::string lower = AsciiLower(value);
    if (lower == "yes" || lower == "no" || lower == "prohibit-password" ||
        lower == "without-password" || lower == "forced-commands-only") {
      value = lower;
    }
    out.values[d.keyword] = SshdValue{value, sd.file + ":" + std::to_string(d.line)};
  }
  for (const auto& [keyword, value] : defaults) {
    if (out.values.count(keyword) == 0) out.values[keyword] = SshdValue{value, "default"};
  }
  return out;
}

const std::map<std::string, std::string>& SshdDefaults() {
  static const auto* const kDefaults = new std::map<std::string, std::string>{
      {"permitrootlogin", "prohibit-password"},
      {"passwordauthentication", "yes"},
      {"kbdinteractiveauthentication", "yes"},
      {"pubkeyauthentication", "yes"},
      {"permitemptypasswords", "no"},
      {"usepam", "no"},
      {"x11forwarding", "no"},
  };
  return *kDefaults;
}

bool GlobMatch(std::string_view pattern, std::string_view name) {
  if (!name.empty() && name[0] == '.' && (pattern.empty() || pattern[0] != '.')) return false;
  std::size_t p = 0, n = 0;
  std::size_t star_p = std::string_view::npos, star_n = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star_p = p++;
      star_n = n;
      continue;
    }
    if (p < pattern.size()) {
      if (pattern[p] == '?') {
        ++p;
        ++n;
        continue;
      }
      if (pattern[p] == '[') {
        std::size_t q = p;
        auto set = MatchSet(pattern, q, name[n]);
        if (set.has_value()) {
          if (*set) {
            p = q;
            ++n;
            continue;
          }
        } else if (name[n] == '[') {
          ++p;
          ++n;
          continue;
        }
      } else if (pattern[p] == name[n]) {
        ++p;
        ++n;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p + 1;
    n = ++star_n;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace bulwark
