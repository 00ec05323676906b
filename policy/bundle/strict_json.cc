#include "policy/bundle/strict_json.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <system_error>
#include <utility>

namespace bulwark::bundle {
namespace {

constexpr std::size_t kDepthCeiling = 256;

class Parser {
 public:
  Parser(std::string_view text, const StrictJsonOptions& options)
      : text_(text),
        max_depth_(std::min(options.max_depth, kDepthCeiling)),
        max_string_(options.max_string_bytes),
        integers_only_(options.integers_only) {}

  Expected<boost::json::value, JsonError> Run() {
    if (text_.size() >= 3 && static_cast<unsigned char>(text_[0]) == 0xEF &&
        static_cast<unsigned char>(text_[1]) == 0xBB &&
        static_cast<unsigned char>(text_[2]) == 0xBF) {
      return Fail(JsonErrorKind::kEncoding, "byte-order mark");
    }
    SkipWhitespace();
    std::optional<boost::json::value> v = ParseValue(0);
    if (!v) return std::move(*error_);
    SkipWhitespace();
    if (pos_ != text_.size()) return Fail(JsonErrorKind::kSyntax, "trailing data after the value");
    return std::move(*v);
  }

 private:
  JsonError Fail(JsonErrorKind kind, std::string message) {
    if (!error_) error_ = JsonError{kind, pos_, std::move(message)};
    return *error_;
  }
  // Records the first error and returns nullopt, for use inside the recursive descent.
  std::nullopt_t Error(JsonErrorKind kind, std::string message) {
    Fail(kind, std::move(message));
    return std::nullopt;
  }

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return text_[pos_]; }

  void SkipWhitespace() {
    while (!AtEnd()) {
      const char c = Peek();
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      ++pos_;
    }
  }

  std::optional<boost::json::value> ParseValue(std::size_t depth) {
    if (AtEnd()) return Error(JsonErrorKind::kSyntax, "unexpected end of input");
    switch (Peek()) {
      case '{':
        return ParseObject(depth + 1);
      case '[':
        return ParseArray(depth + 1);
      case '"': {
        std::optional<std::string> s = ParseString();
        if (!s) return std::nullopt;
        return boost::json::value(boost::json::string(*s));
      }
      case 't':
        return ParseLiteral("true", boost::json::value(true));
      case 'f':
        return ParseLiteral("false", boost::json::value(false));
      case 'n':
        return ParseLiteral("null", boost::json::value(nullptr));
      default:
        if (Peek() == '-' || (Peek() >= '0' && Peek() <= '9')) return ParseNumber();
        if (static_cast<unsigned char>(Peek()) >= 0x80) {
          return Error(JsonErrorKind::kEncoding, "non-ASCII byte outside a string");
        }
        return Error(JsonErrorKind::kSyntax, std::string("unexpected character '") + Peek() + "'");
    }
  }

  std::optional<boost::json::value> ParseLiteral(std::string_view word, boost::json::value v) {
    if (text_.substr(pos_, word.size()) != word) {
      return Error(JsonErrorKind::kSyntax, "invalid literal");
    }
    pos_ += word.size();
    return v;
  }

  std::optional<boost::json::value> ParseObject(std::size_t depth) {
    // The depth check happens before anything inside the container is read.
    if (depth > max_depth_) {
      return Error(JsonErrorKind::kDepth, "nesting deeper than " + std::to_string(max_depth_));
    }
    ++pos_;  // '{'
    boost::json::object obj;
    SkipWhitespace();
    if (!AtEnd() && Peek() == '}') {
      ++pos_;
      return boost::json::value(std::move(obj));
    }
    while (true) {
      SkipWhitespace();
      if (AtEnd() || Peek() != '"') return Error(JsonErrorKind::kSyntax, "expected a member name");
      const std::size_t key_pos = pos_;
      std::optional<std::string> key = ParseString();
      if (!key) return std::nullopt;
      if (obj.contains(*key)) {
        pos_ = key_pos;
        return Error(JsonErrorKind::kDuplicateKey, "duplicate member name '" + *key + "'");
      }
      SkipWhitespace();
      if (AtEnd() || Peek() != ':') return Error(JsonErrorKind::kSyntax, "expected ':'");
      ++pos_;
      SkipWhitespace();
      std::optional<boost::json::value> member = ParseValue(depth);
      if (!member) return std::nullopt;
      obj.emplace(*key, std::move(*member));
      SkipWhitespace();
      if (AtEnd()) return Error(JsonErrorKind::kSyntax, "unterminated object");
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() == '}') {
        ++pos_;
        return boost::json::value(std::move(obj));
      }
      return Error(JsonErrorKind::kSyntax, "expected ',' or '}'");
    }
  }

  std::optional<boost::json::value> ParseArray(std::size_t depth) {
    if (depth > max_depth_) {
      return Error(JsonErrorKind::kDepth, "nesting deeper than " + std::to_string(max_depth_));
    }
    ++pos_;  // '['
    boost::json::array arr;
    SkipWhitespace();
    if (!AtEnd() && Peek() == ']') {
      ++pos_;
      return boost::json::value(std::move(arr));
    }
    while (true) {
      SkipWhitespace();
      std::optional<boost::json::value> element = ParseValue(depth);
      if (!element) return std::nullopt;
      arr.push_back(std::move(*element));
      SkipWhitespace();
      if (AtEnd()) return Error(JsonErrorKind::kSyntax, "unterminated array");
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() == ']') {
        ++pos_;
        return boost::json::value(std::move(arr));
      }
      return Error(JsonErrorKind::kSyntax, "expected ',' or ']'");
    }
  }

  static int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // Reads the 4 hex digits after "\u"; pos_ is at the first digit.
  std::optional<std::uint32_t> ReadHex4() {
    if (text_.size() - pos_ < 4) return std::nullopt;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const int h = HexValue(text_[pos_ + static_cast<std::size_t>(i)]);
      if (h < 0) return std::nullopt;
      v = (v << 4) | static_cast<std::uint32_t>(h);
    }
    pos_ += 4;
    return v;
  }

  static void AppendUtf8(std::uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // Length of the well-formed UTF-8 sequence starting at pos_ (RFC 3629 table 3-7), or 0.
  std::size_t Utf8SequenceLength() const {
    const auto byte = [&](std::size_t i) -> unsigned {
      return pos_ + i < text_.size() ? static_cast<unsigned char>(text_[pos_ + i]) : 0x100u;
    };
    const auto in = [](unsigned b, unsigned lo, unsigned hi) { return b >= lo && b <= hi; };
    const unsigned b0 = byte(0);
    if (in(b0, 0xC2, 0xDF)) return in(byte(1), 0x80, 0xBF) ? 2 : 0;
    if (b0 == 0xE0) return in(byte(1), 0xA0, 0xBF) && in(byte(2), 0x80, 0xBF) ? 3 : 0;
    if (in(b0, 0xE1, 0xEC) || in(b0, 0xEE, 0xEF)) {
      return in(byte(1), 0x80, 0xBF) && in(byte(2), 0x80, 0xBF) ? 3 : 0;
    }
    if (b0 == 0xED) return in(byte(1), 0x80, 0x9F) && in(byte(2), 0x80, 0xBF) ? 3 : 0;
    if (b0 == 0xF0) {
      return in(byte(1), 0x90, 0xBF) && in(byte(2), 0x80, 0xBF) && in(byte(3), 0x80, 0xBF) ? 4 : 0;
    }
    if (in(b0, 0xF1, 0xF3)) {
      return in(byte(1), 0x80, 0xBF) && in(byte(2), 0x80, 0xBF) && in(byte(3), 0x80, 0xBF) ? 4 : 0;
    }
    if (b0 == 0xF4) {
      return in(byte(1), 0x80, 0x8F) && in(byte(2), 0x80, 0xBF) && in(byte(3), 0x80, 0xBF) ? 4 : 0;
    }
    return 0;  // 0x80-0xC1 (continuation or overlong lead), 0xF5-0xFF
  }

  std::optional<std::string> ParseString() {
    ++pos_;  // opening quote
    std::string out;
    while (true) {
      if (AtEnd()) {
        Fail(JsonErrorKind::kSyntax, "unterminated string");
        return std::nullopt;
      }
      if (max_string_ != 0 && out.size() > max_string_) {
        Fail(JsonErrorKind::kStringTooLong,
             "string longer than " + std::to_string(max_string_) + " bytes");
        return std::nullopt;
      }
      const unsigned char c = static_cast<unsigned char>(Peek());
      if (c == '"') {
        ++pos_;
        break;
      }
      if (c < 0x20) {
        Fail(JsonErrorKind::kEncoding, "unescaped control character in a string");
        return std::nullopt;
      }
      if (c == '\\') {
        if (!ParseEscape(&out)) return std::nullopt;
        continue;
      }
      if (c < 0x80) {
        // Copy the whole run of plain ASCII at once: payloads are mostly one long base64 string.
        const std::size_t start = pos_;
        while (pos_ < text_.size()) {
          const unsigned char d = static_cast<unsigned char>(text_[pos_]);
          if (d == '"' || d == '\\' || d < 0x20 || d >= 0x80) break;
          ++pos_;
        }
        out.append(text_.substr(start, pos_ - start));
        continue;
      }
      const std::size_t n = Utf8SequenceLength();
      if (n == 0) {
        Fail(JsonErrorKind::kEncoding, "invalid UTF-8");
        return std::nullopt;
      }
      out.append(text_.substr(pos_, n));
      pos_ += n;
    }
    if (max_string_ != 0 && out.size() > max_string_) {
      Fail(JsonErrorKind::kStringTooLong,
           "string longer than " + std::to_string(max_string_) + " bytes");
      return std::nullopt;
    }
    return out;
  }

  bool ParseEscape(std::string* out) {
    ++pos_;  // backslash
    if (AtEnd()) {
      Fail(JsonErrorKind::kSyntax, "unterminated escape");
      return false;
    }
    const char e = Peek();
    ++pos_;
    switch (e) {
      case '"':
        out->push_back('"');
        return true;
      case '\\':
        out->push_back('\\');
        return true;
      case '/':
        out->push_back('/');
        return true;
      case 'b':
        out->push_back('\b');
        return true;
      case 'f':
        out->push_back('\f');
        return true;
      case 'n':
        out->push_back('\n');
        return true;
      case 'r':
        out->push_back('\r');
        return true;
      case 't':
        out->push_back('\t');
        return true;
      case 'u':
        break;
      default:
        --pos_;
        Fail(JsonErrorKind::kSyntax, "invalid escape");
        return false;
    }
    std::optional<std::uint32_t> unit = ReadHex4();
    if (!unit) {
      Fail(JsonErrorKind::kSyntax, "invalid \\u escape");
      return false;
    }
    std::uint32_t cp = *unit;
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
      Fail(JsonErrorKind::kEncoding, "unpaired low surrogate escape");
      return false;
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (text_.substr(pos_, 2) != "\\u") {
        Fail(JsonErrorKind::kEncoding, "unpaired high surrogate escape");
        return false;
      }
      pos_ += 2;
      std::optional<std::uint32_t> low = ReadHex4();
      if (!low || *low < 0xDC00 || *low > 0xDFFF) {
        Fail(JsonErrorKind::kEncoding, "high surrogate not followed by a low surrogate");
        return false;
      }
      cp = 0x10000 + ((cp - 0xD800) << 10) + (*low - 0xDC00);
    }
    AppendUtf8(cp, out);
    return true;
  }

  std::optional<boost::json::value> ParseNumber() {
    const std::size_t start = pos_;
    const auto digits = [&] {
      const std::size_t from = pos_;
      while (!AtEnd() && Peek() >= '0' && Peek() <= '9') ++pos_;
      return pos_ - from;
    };
    const bool negative = Peek() == '-';
    if (negative) ++pos_;
    if (AtEnd()) return Error(JsonErrorKind::kSyntax, "truncated number");
    if (Peek() == '0') {
      ++pos_;
      if (!AtEnd() && Peek() >= '0' && Peek() <= '9') {
        return Error(JsonErrorKind::kSyntax, "leading zero in a number");
      }
    } else if (digits() == 0) {
      return Error(JsonErrorKind::kSyntax, "invalid number");
    }
    bool integral = true;
    if (!AtEnd() && Peek() == '.') {
      integral = false;
      ++pos_;
      if (digits() == 0) return Error(JsonErrorKind::kSyntax, "digit expected after '.'");
    }
    if (!AtEnd() && (Peek() == 'e' || Peek() == 'E')) {
      integral = false;
      ++pos_;
      if (!AtEnd() && (Peek() == '+' || Peek() == '-')) ++pos_;
      if (digits() == 0) return Error(JsonErrorKind::kSyntax, "digit expected in exponent");
    }
    const std::string_view token = text_.substr(start, pos_ - start);
    if (!integral && integers_only_) {
      pos_ = start;
      return Error(JsonErrorKind::kNotInteger,
                   "number '" + std::string(token) + "' is not an integer");
    }
    const char* first = token.data();
    const char* last = token.data() + token.size();
    if (integral) {
      if (negative) {
        std::int64_t i = 0;
        auto [ptr, ec] = std::from_chars(first, last, i);
        if (ec == std::errc() && ptr == last) return boost::json::value(i);
      } else {
        std::uint64_t u = 0;
        auto [ptr, ec] = std::from_chars(first, last, u);
        if (ec == std::errc() && ptr == last) {
          if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return boost::json::value(static_cast<std::int64_t>(u));
          }
          return boost::json::value(u);
        }
      }
      // Too large for 64 bits: keep the magnitude as a double for the schema to reject.
    }
    double d = 0;
    auto [ptr, ec] = std::from_chars(first, last, d);
    if (ec != std::errc() || ptr != last) {
      pos_ = start;
      return Error(JsonErrorKind::kSyntax, "number '" + std::string(token) + "' out of range");
    }
    return boost::json::value(d);
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t max_depth_;
  std::size_t max_string_;
  bool integers_only_;
  std::optional<JsonError> error_;
};

}  // namespace

std::string JsonError::ToString() const { return message + " at byte " + std::to_string(offset); }

Expected<boost::json::value, JsonError> ParseStrictJson(std::string_view text,
                                                        const StrictJsonOptions& options) {
  return Parser(text, options).Run();
}

Rejection JsonErrorToRejection(const JsonError& error, Reason parse_reason) {
  switch (error.kind) {
    case JsonErrorKind::kDuplicateKey:
      return Reject(Reason::kDuplicateKey, error.ToString());
    case JsonErrorKind::kDepth:
      return Reject(Reason::kDepth, error.ToString());
    default:
      return Reject(parse_reason, error.ToString());
  }
}

}  // namespace bulwark::bundle
