#include "agent/probes/posture/updates.h"

#include "agent/base/strings.h"

namespace bulwark {
namespace {

enum class AptTok { kWord, kString, kOpen, kClose, kSemi, kClear, kEnd };

struct AptToken {
  AptTok kind = AptTok::kEnd;
  std::string text;
};

class AptLexer {
 public:
  explicit AptLexer(std::string_view text) : text_(text) {}

  AptToken Next() {
    while (i_ < text_.size()) {
      const char c = text_[i_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++i_;
      } else if (text_.substr(i_, 2) == "//") {
        SkipLine();
      } else if (text_.substr(i_, 2) == "/*") {
        const auto end = text_.find("*/", i_ + 2);
        i_ = end == std::string_view::npos ? text_.size() : end + 2;
      } else if (c == '#') {
        if (text_.substr(i_, 6) == "#clear") {
          i_ += 6;
          return {AptTok::kClear, {}};
        }
        SkipLine();  // other directives (#include) and comments
      } else {
        break;
      }
    }
    if (i_ >= text_.size()) return {AptTok::kEnd, {}};
    const char c = text_[i_];
    if (c == '{') return Single(AptTok::kOpen);
    if (c == '}') return Single(AptTok::kClose);
    if (c == ';') return Single(AptTok::kSemi);
    if (c == '"') {
      const auto end = text_.find('"', i_ + 1);
      const std::size_t stop = end == std::string_view::npos ? text_.size() : end;
      AptToken t{AptTok::kString, std::string(text_.substr(i_ + 1, stop - i_ - 1))};
      i_ = stop == text_.size() ? stop : stop + 1;
      return t;
    }
    const std::size_t start = i_;
    while (i_ < text_.size()) {
      const char d = text_[i_];
      if (d == ' ' || d == '\t' || d == '\r' || d == '\n' || d == '{' || d == '}' || d == ';' ||
          d == '"') {
        break;
      }
      if (text_.substr(i_, 2) == "//" || text_.substr(i_, 2) == "/*") break;
      ++i_;
    }
    return {AptTok::kWord, std::string(text_.substr(start, i_ - start))};
  }

 private:
  AptToken Single(AptTok kind) {
    ++i_;
    return {kind, {}};
  }
  void SkipLine() {
    const auto nl = text_.find('\n', i_);
    i_ = nl == std::string_view::npos ? text_.size() : nl + 1;
  }

  std::string_view text_;
  std::size_t i_ = 0;
};

std::string Scoped(const std::vector<std::string>& scope, std::string_view name) {
  std::string key;
  for (const auto& s : scope) key += s + "::";
  key += AsciiLower(name);
  return key;
}

}  // namespace

void MergeAptConfig(std::string_view text, AptConfig& config) {
  AptLexer lexer(text);
  std::vector<std::string> scope;
  AptToken t = lexer.Next();
  // Every iteration consumes at least one token, so hostile input ends in linear time.
  while (t.kind != AptTok::kEnd) {
    switch (t.kind) {
      case AptTok::kClose:
        if (!scope.empty()) scope.pop_back();
        t = lexer.Next();
        if (t.kind == AptTok::kSemi) t = lexer.Next();
        break;
      case AptTok::kSemi:
        t = lexer.Next();
        break;
      case AptTok::kString: {  // a list item of the enclosing scope
        if (!scope.empty()) {
          std::string key = Scoped({scope.begin(), scope.end() - 1}, scope.back());
          config[key].push_back(t.text);
        }
        t = lexer.Next();
        break;
      }
      case AptTok::kClear: {
        t = lexer.Next();
        if (t.kind != AptTok::kWord) break;
        std::string key = Scoped(scope, t.text);
        while (!key.empty() && key.back() == ':') key.pop_back();
        for (auto it = config.begin(); it != config.end();) {
          if (it->first == key || StartsWith(it->first, key + "::")) {
            it = config.erase(it);
          } else {
            ++it;
          }
        }
        t = lexer.Next();
        break;
      }
      case AptTok::kWord: {
        std::string name = t.text;
        t = lexer.Next();
        if (t.kind == AptTok::kOpen) {
          while (!name.empty() && name.back() == ':') name.pop_back();
          scope.push_back(AsciiLower(name));
          t = lexer.Next();
          break;
        }
        if (t.kind == AptTok::kString || t.kind == AptTok::kWord) {
          const bool list = EndsWith(name, "::");
          while (!name.empty() && name.back() == ':') name.pop_back();
          std::string key = Scoped(scope, name);
          if (list) {
            config[key].push_back(t.text);
          } else {
            config[key] = {t.text};
          }
          t = lexer.Next();
        }
        break;
      }
      case AptTok::kOpen:
      case AptTok::kEnd:
        t = lexer.Next();
        break;
    }
  }
}

std::optional<std::string> AptConfigValue(const AptConfig& config, std::string_view key) {
  auto it = config.find(AsciiLower(key));
  if (it == config.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

bool AptPeriodicEnabled(std::string_view value) {
  value = TrimWhitespace(value);
  return !value.empty() && value != "0";
}

UpdateNotifierCounts ParseUpdatesAvailable(std::string_view text) {
  UpdateNotifierCounts out;
  for (std::string_view line : SplitLines(text)) {
    auto words = SplitWhitespace(line);
    if (words.size() < 3) continue;
    auto number = ParseUint64(words[0]);
    if (!number) continue;
    const std::string lower = AsciiLower(line);
    if (lower.find("can be applied immediately") != std::string::npos ||
        lower.find("packages can be updated") != std::string::npos ||
        lower.find("updates can be installed immediately") != std::string::npos) {
      out.total = number;
    } else if (lower.find("esm") != std::string::npos &&
               lower.find("security update") != std::string::npos) {
      out.esm_security = out.esm_security.value_or(0) + *number;
    } else if (lower.find("security update") != std::string::npos) {
      out.security = number;
    }
  }
  if (out.total && !out.security) out.security = 0;  // the line is omitted when there are none
  return out;
}

}  // namespace bulwark
