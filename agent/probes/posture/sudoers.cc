#include "agent/probes/posture/sudoers.h"

#include <algorithm>
#include <array>
#include <optional>

#include "agent/base/strings.h"

namespace bulwark {
namespace {

constexpr std::size_t kExcerptBytes = 40;
// No real sudoers line comes near this; it bounds the memory a hostile line can cost.
constexpr std::size_t kMaxTokensPerLine = 1u << 16;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A short printable excerpt of hostile input for a warning message.
std::string Excerpt(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, kExcerptBytes)) {
    out.push_back(
        static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f ? c : '?');
  }
  if (text.size() > kExcerptBytes) out += "...";
  return out;
}

struct LogicalLine {
  std::size_t number = 0;
  std::string text;
};

// Joins backslash-continued physical lines; the backslash-newline becomes a space.
std::vector<LogicalLine> JoinContinuations(std::string_view text) {
  std::vector<LogicalLine> out;
  std::size_t number = 0;
  bool continuing = false;
  for (std::string_view line : SplitLines(text)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!continuing) out.push_back(LogicalLine{number, {}});
    std::size_t backslashes = 0;
    while (backslashes < line.size() && line[line.size() - 1 - backslashes] == '\\') ++backslashes;
    continuing = backslashes % 2 == 1;
    if (continuing) {
      out.back().text.append(line.substr(0, line.size() - 1));
      out.back().text.push_back(' ');
    } else {
      out.back().text.append(line);
    }
  }
  return out;
}

// Cuts a trailing comment: a '#' at the start of a word that is not "#<digits>" (a uid).
std::string_view StripComment(std::string_view line) {
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '\\') {
      ++i;
      continue;
    }
    if (c == '"') quoted = !quoted;
    if (quoted || c != '#') continue;
    const bool word_start = i == 0 || IsSpace(line[i - 1]) || line[i - 1] == ',' ||
                            line[i - 1] == '=' || line[i - 1] == ':' || line[i - 1] == '(';
    const bool uid = i + 1 < line.size() && IsDigit(line[i + 1]);
    if (word_start && !uid) return line.substr(0, i);
  }
  return line;
}

enum class TokKind { kWord, kEq, kComma, kColon, kLParen, kRParen, kBang, kEnd };

struct Token {
  TokKind kind = TokKind::kEnd;
  std::string text;
};

// Splits a comment-free logical line into tokens; nullopt on an unterminated quote or a line
// of more than kMaxTokensPerLine tokens.
std::optional<std::vector<Token>> Tokenize(std::string_view line) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < line.size()) {
    if (tokens.size() >= kMaxTokensPerLine) return std::nullopt;
    const char c = line[i];
    if (IsSpace(c)) {
      ++i;
      continue;
    }
    TokKind punct = TokKind::kWord;
    switch (c) {
      case '=':
        punct = TokKind::kEq;
        break;
      case ',':
        punct = TokKind::kComma;
        break;
      case ':':
        punct = TokKind::kColon;
        break;
      case '(':
        punct = TokKind::kLParen;
        break;
      case ')':
        punct = TokKind::kRParen;
        break;
      case '!':
        punct = TokKind::kBang;
        break;
      default:
        break;
    }
    if (punct != TokKind::kWord) {
      tokens.push_back(Token{punct, std::string(1, c)});
      ++i;
      continue;
    }
    std::string word;
    if (c == '"') {
      bool closed = false;
      for (++i; i < line.size(); ++i) {
        if (line[i] == '\\' && i + 1 < line.size()) {
          word.push_back(line[++i]);
        } else if (line[i] == '"') {
          closed = true;
          ++i;
          break;
        } else {
          word.push_back(line[i]);
        }
      }
      if (!closed) return std::nullopt;
      tokens.push_back(Token{TokKind::kWord, std::move(word)});
      continue;
    }
    // "%:group" keeps its colon.
    if (c == '%' && i + 1 < line.size() && line[i + 1] == ':') {
      word = "%:";
      i += 2;
    }
    while (i < line.size()) {
      const char d = line[i];
      if (IsSpace(d) || d == '=' || d == ',' || d == ':' || d == '(' || d == ')' || d == '"') break;
      if (d == '\\' && i + 1 < line.size()) {
        word.push_back(line[i + 1]);
        i += 2;
        continue;
      }
      word.push_back(d);
      ++i;
    }
    tokens.push_back(Token{TokKind::kWord, std::move(word)});
  }
  tokens.push_back(Token{TokKind::kEnd, {}});
  return tokens;
}

bool IsAliasName(std::string_view s) {
  if (s.empty() || !(s[0] >= 'A' && s[0] <= 'Z')) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_'; });
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit);
}

SudoersItem ClassifyMember(std::string word, bool negated) {
  SudoersItem item;
  item.negated = negated;
  std::string_view w = word;
  if (w == "ALL") {
    item.kind = SudoersItemKind::kAll;
    item.value = "ALL";
  } else if (StartsWith(w, "%#") && AllDigits(w.substr(2))) {
    item.kind = SudoersItemKind::kGroupId;
    item.value = std::string(w.substr(2));
  } else if (StartsWith(w, "%:")) {
    item.kind = SudoersItemKind::kNonUnixGroup;
    item.value = std::string(w.substr(2));
  } else if (StartsWith(w, "%")) {
    item.kind = SudoersItemKind::kGroup;
    item.value = std::string(w.substr(1));
  } else if (StartsWith(w, "#") && AllDigits(w.substr(1))) {
    item.kind = SudoersItemKind::kId;
    item.value = std::string(w.substr(1));
  } else if (StartsWith(w, "+")) {
    item.kind = SudoersItemKind::kNetgroup;
    item.value = std::string(w.substr(1));
  } else if (IsAliasName(w)) {
    item.kind = SudoersItemKind::kAlias;
    item.value = std::move(word);
  } else {
    item.kind = SudoersItemKind::kName;
    item.value = std::move(word);
  }
  return item;
}

constexpr std::array<std::string_view, 16> kTags = {
    "NOPASSWD",   "PASSWD",       "NOEXEC",    "EXEC",       "SETENV", "NOSETENV",
    "LOG_INPUT",  "NOLOG_INPUT",  "MAIL",      "NOMAIL",     "FOLLOW", "NOFOLLOW",
    "LOG_OUTPUT", "NOLOG_OUTPUT", "INTERCEPT", "NOINTERCEPT"};
constexpr std::array<std::string_view, 10> kOptions = {
    "CWD",       "CHROOT",   "ROLE",  "TYPE",       "TIMEOUT",
    "NOTBEFORE", "NOTAFTER", "PRIVS", "LIMITPRIVS", "APPARMOR_PROFILE"};
constexpr std::array<std::string_view, 4> kDigests = {"sha224", "sha256", "sha384", "sha512"};

template <std::size_t N>
bool OneOf(const std::array<std::string_view, N>& set, std::string_view s) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

// Recursive-descent parser over the tokens of one logical line.
class LineParser {
 public:
  explicit LineParser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  // User_List Host_List '=' Cmnd_Spec_List (':' Host_List '=' Cmnd_Spec_List)*
  bool ParseUserSpec(SudoersUserSpec& spec) {
    if (!ParseMemberList(spec.users)) return Fail("expected a user list");
    while (true) {
      std::vector<SudoersItem> hosts;
      if (!ParseMemberList(hosts)) return Fail("expected a host list");
      if (!Accept(TokKind::kEq)) return Fail("expected '=' after the host list");
      if (!ParseCmndSpecList(hosts, spec.commands)) return false;
      if (Accept(TokKind::kColon)) continue;
      if (Peek().kind == TokKind::kEnd) return true;
      return Fail("unexpected '" + Excerpt(Peek().text) + "' after a command");
    }
  }

  // NAME '=' items (':' NAME '=' items)*
  bool ParseAliases(SudoersAliasType type, std::vector<SudoersAlias>& out) {
    while (true) {
      if (Peek().kind != TokKind::kWord || !IsAliasName(Peek().text)) {
        return Fail("expected an upper-case alias name");
      }
      SudoersAlias alias{type, Next().text, {}};
      if (!Accept(TokKind::kEq)) return Fail("expected '=' after alias " + Excerpt(alias.name));
      if (type == SudoersAliasType::kCmnd) {
        do {
          SudoersItem item;
          if (!ParseCommand(item)) return false;
          alias.items.push_back(std::move(item));
        } while (Accept(TokKind::kComma));
      } else if (!ParseMemberList(alias.items)) {
        return Fail("expected members of alias " + Excerpt(alias.name));
      }
      out.push_back(std::move(alias));
      if (Accept(TokKind::kColon)) continue;
      if (Peek().kind == TokKind::kEnd) return true;
      return Fail("unexpected '" + Excerpt(Peek().text) + "' in alias definition");
    }
  }

  const std::string& error() const { return error_; }

 private:
  const Token& Peek(std::size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& Next() {
    const Token& t = Peek();
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool Accept(TokKind kind) {
    if (Peek().kind != kind) return false;
    Next();
    return true;
  }
  bool Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }

  // item (',' item)*, item = '!'* WORD
  bool ParseMemberList(std::vector<SudoersItem>& out) {
    do {
      bool negated = false;
      while (Accept(TokKind::kBang)) negated = !negated;
      if (Peek().kind != TokKind::kWord) return false;
      out.push_back(ClassifyMember(Next().text, negated));
    } while (Accept(TokKind::kComma));
    return true;
  }

  // '(' [users] [':' [groups]] ')'
  bool ParseRunas(SudoersCommandSpec& state) {
    state.runas_given = true;
    state.runas_users.clear();
    state.runas_groups.clear();
    if (Peek().kind == TokKind::kWord || Peek().kind == TokKind::kBang) {
      if (!ParseMemberList(state.runas_users)) return Fail("bad runas user list");
    }
    if (Accept(TokKind::kColon)) {
      if (Peek().kind == TokKind::kWord || Peek().kind == TokKind::kBang) {
        if (!ParseMemberList(state.runas_groups)) return Fail("bad runas group list");
      }
    }
    if (!Accept(TokKind::kRParen)) return Fail("expected ')' closing the runas list");
    return true;
  }

  // '!'* (ALL | ALIAS | command words...) up to ',' ':' or the end of the line.
  bool ParseCommand(SudoersItem& item) {
    bool negated = false;
    while (Accept(TokKind::kBang)) negated = !negated;
    // Digest specs ("sha256:BASE64") precede the command; base64 may end in '='.
    while (Peek().kind == TokKind::kWord && OneOf(kDigests, Peek().text) &&
           Peek(1).kind == TokKind::kColon) {
      Next();
      Next();
      if (Peek().kind == TokKind::kWord) Next();
      while (Accept(TokKind::kEq)) {
      }
      Accept(TokKind::kComma);  // "sha256:a,sha512:b /bin/ls"
    }
    if (Peek().kind != TokKind::kWord) return Fail("expected a command");
    const auto ends = [](TokKind k) {
      return k == TokKind::kComma || k == TokKind::kColon || k == TokKind::kEnd;
    };
    std::string first = Next().text;
    if (ends(Peek().kind) && (first == "ALL" || IsAliasName(first))) {
      item = ClassifyMember(std::move(first), negated);
      return true;
    }
    item.kind = SudoersItemKind::kCommand;
    item.negated = negated;
    item.value = std::move(first);
    while (!ends(Peek().kind)) {
      const Token& t = Next();
      if (t.kind == TokKind::kWord) item.value.push_back(' ');
      item.value += t.text;
    }
    return true;
  }

  bool ParseCmndSpecList(const std::vector<SudoersItem>& hosts,
                         std::vector<SudoersCommandSpec>& out) {
    SudoersCommandSpec state;
    state.hosts = hosts;
    while (true) {
      if (Accept(TokKind::kLParen) && !ParseRunas(state)) return false;
      while (Peek().kind == TokKind::kWord) {
        const std::string& word = Peek().text;
        if (OneOf(kOptions, word) && Peek(1).kind == TokKind::kEq) {
          Next();
          Next();
          if (Peek().kind != TokKind::kWord) return Fail("expected a value after " + word + "=");
          Next();
        } else if (OneOf(kTags, word) && Peek(1).kind == TokKind::kColon) {
          if (word == "NOPASSWD") state.nopasswd = true;
          if (word == "PASSWD") state.nopasswd = false;
          Next();
          Next();
        } else {
          break;
        }
      }
      SudoersCommandSpec spec = state;
      if (!ParseCommand(spec.command)) return false;
      out.push_back(std::move(spec));
      if (!Accept(TokKind::kComma)) return true;
    }
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  std::string error_;
};

// "#include path" and friends; nullopt when `line` is not an include directive.
std::optional<SudoersInclude> ParseIncludeDirective(std::string_view line) {
  std::size_t word_end = 0;
  while (word_end < line.size() && !IsSpace(line[word_end])) ++word_end;
  const std::string_view keyword = line.substr(0, word_end);
  SudoersInclude include;
  if (keyword == "#include" || keyword == "@include") {
    include.directory = false;
  } else if (keyword == "#includedir" || keyword == "@includedir") {
    include.directory = true;
  } else {
    return std::nullopt;
  }
  std::string_view rest = TrimWhitespace(line.substr(word_end));
  if (!rest.empty() && rest[0] == '"') {
    for (std::size_t i = 1; i < rest.size() && rest[i] != '"'; ++i) {
      if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
      include.path.push_back(rest[i]);
    }
  } else {
    for (std::size_t i = 0; i < rest.size() && !IsSpace(rest[i]); ++i) {
      if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
      include.path.push_back(rest[i]);
    }
  }
  return include;
}

// "Defaults[:@>!]binding settings,..."; nullopt when `line` is not a Defaults line.
std::optional<SudoersDefaults> ParseDefaultsLine(std::string_view line) {
  constexpr std::string_view kKeyword = "Defaults";
  if (!StartsWith(line, kKeyword)) return std::nullopt;
  std::string_view rest = line.substr(kKeyword.size());
  SudoersDefaults defaults;
  if (!rest.empty() && (rest[0] == ':' || rest[0] == '@' || rest[0] == '>' || rest[0] == '!')) {
    defaults.binding = rest[0];
    rest.remove_prefix(1);
    std::size_t end = 0;
    // The binding list may be "alice, bob" only when separated without spaces; sudo allows
    // spaces after commas, so consume "word, word" runs.
    while (end < rest.size()) {
      if (IsSpace(rest[end])) {
        std::size_t j = end;
        while (j < rest.size() && IsSpace(rest[j])) ++j;
        if (end > 0 && rest[end - 1] == ',') {
          end = j;
          continue;
        }
        break;
      }
      ++end;
    }
    for (std::string_view target : Split(rest.substr(0, end), ',')) {
      target = TrimWhitespace(target);
      if (!target.empty()) defaults.targets.emplace_back(target);
    }
    rest = rest.substr(end);
  } else if (!rest.empty() && !IsSpace(rest[0])) {
    return std::nullopt;  // "DefaultsFoo": not a Defaults line
  }
  for (std::string_view setting : Split(rest, ',')) {
    setting = TrimWhitespace(setting);
    if (!setting.empty()) defaults.settings.emplace_back(setting);
  }
  return defaults;
}

std::optional<SudoersAliasType> AliasKeyword(std::string_view word) {
  if (word == "User_Alias") return SudoersAliasType::kUser;
  if (word == "Runas_Alias") return SudoersAliasType::kRunas;
  if (word == "Host_Alias") return SudoersAliasType::kHost;
  if (word == "Cmnd_Alias" || word == "Cmd_Alias") return SudoersAliasType::kCmnd;
  return std::nullopt;
}

}  // namespace

SudoersFile ParseSudoers(std::string_view text) {
  SudoersFile file;
  for (LogicalLine& logical : JoinContinuations(text)) {
    std::string_view line = TrimWhitespace(logical.text);
    if (line.empty()) continue;
    if (auto include = ParseIncludeDirective(line)) {
      if (include->path.empty()) {
        file.warnings.push_back({logical.number, "include directive without a path"});
      } else {
        file.entries.push_back({logical.number, std::move(*include)});
      }
      continue;
    }
    line = TrimWhitespace(StripComment(line));
    if (line.empty()) continue;
    if (auto defaults = ParseDefaultsLine(line)) {
      file.entries.push_back({logical.number, std::move(*defaults)});
      continue;
    }
    auto tokens = Tokenize(line);
    if (!tokens) {
      file.warnings.push_back(
          {logical.number, "unterminated quote or too many tokens: " + Excerpt(line)});
      continue;
    }
    std::optional<SudoersAliasType> alias_type;
    if ((*tokens)[0].kind == TokKind::kWord) alias_type = AliasKeyword((*tokens)[0].text);
    if (alias_type) {
      tokens->erase(tokens->begin());
      LineParser parser(std::move(*tokens));
      std::vector<SudoersAlias> aliases;
      if (!parser.ParseAliases(*alias_type, aliases)) {
        file.warnings.push_back({logical.number, parser.error() + ": " + Excerpt(line)});
        continue;
      }
      for (auto& alias : aliases) file.entries.push_back({logical.number, std::move(alias)});
      continue;
    }
    LineParser parser(std::move(*tokens));
    SudoersUserSpec spec;
    if (!parser.ParseUserSpec(spec)) {
      file.warnings.push_back({logical.number, parser.error() + ": " + Excerpt(line)});
      continue;
    }
    file.entries.push_back({logical.number, std::move(spec)});
  }
  return file;
}

std::string ResolveSudoersIncludePath(std::string_view path, std::string_view short_hostname,
                                      std::string_view including_file) {
  std::string expanded;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && i + 1 < path.size() && path[i + 1] == 'h') {
      if (short_hostname.empty()) return {};
      expanded += short_hostname;
      ++i;
    } else if (path[i] == '%' && i + 1 < path.size() && path[i + 1] == '%') {
      expanded.push_back('%');
      ++i;
    } else {
      expanded.push_back(path[i]);
    }
  }
  if (!expanded.empty() && expanded[0] == '/') return expanded;
  const auto slash = including_file.rfind('/');
  std::string dir = slash == std::string_view::npos ? std::string("/")
                                                    : std::string(including_file.substr(0, slash));
  if (dir.empty() || dir.back() != '/') dir.push_back('/');
  return dir + expanded;
}

bool SudoersIncludeDirAccepts(std::string_view file_name) {
  return !file_name.empty() && file_name.back() != '~' &&
         file_name.find('.') == std::string_view::npos;
}

SudoersItem ClassifySudoersMember(std::string_view word) {
  bool negated = false;
  while (!word.empty() && word[0] == '!') {
    negated = !negated;
    word.remove_prefix(1);
  }
  return ClassifyMember(std::string(word), negated);
}

std::string SudoersItemToString(const SudoersItem& item) {
  std::string out = item.negated ? "!" : "";
  switch (item.kind) {
    case SudoersItemKind::kGroup:
      out += "%";
      break;
    case SudoersItemKind::kGroupId:
      out += "%#";
      break;
    case SudoersItemKind::kNonUnixGroup:
      out += "%:";
      break;
    case SudoersItemKind::kId:
      out += "#";
      break;
    case SudoersItemKind::kNetgroup:
      out += "+";
      break;
    default:
      break;
  }
  return out + item.value;
}

}  // namespace bulwark
