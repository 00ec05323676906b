#include "policy/bundle/strict_json.h"

#include <algorithm>
#include <array>
#include <bit>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value_stack.hpp>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>
#include <list>
#include <optional>
#include <set>
#include <system_error>
#include <utility>
#include <vector>

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#endif

namespace bulwark::bundle {
namespace {

constexpr std::size_t kDepthCeiling = 256;

// Objects with up to this many members find duplicates by a linear scan of the names seen so
// far; bigger ones switch to an ordered set, so a 100 000-member object costs O(n log n), not
// O(n^2), and no hash function can be attacked with colliding names.
constexpr std::size_t kLinearNameScan = 16;

// Bytes that end a run of plain string content: the closing quote, an escape, a control
// character (an error) and the lead of a multi-byte UTF-8 sequence (validated on its own).
constexpr std::array<bool, 256> kStringSpecial = [] {
  std::array<bool, 256> t{};
  for (std::size_t c = 0; c < 256; ++c) t[c] = c == '"' || c == '\\' || c < 0x20 || c >= 0x80;
  return t;
}();

// The first index at or after `pos` whose byte is kStringSpecial, or text.size(). Sixteen
// bytes at a time with SSE2 where the target has it (every x86-64 CPU; as signed bytes, "below
// 0x20" also catches 0x80-0xFF). The rest (everything on other targets, the last < 16 bytes on
// x86-64) eight at a time (SWAR: a byte is flagged if it equals '"' or '\\', is below 0x20 or
// has its top bit set; borrows only carry towards higher bytes, so the lowest flagged byte of
// a word is always a true hit), then byte by byte to the exact position, whatever the
// endianness.
std::size_t SkipPlainStringBytes(std::string_view text, std::size_t pos) {
  const char* data = text.data();
  const std::size_t size = text.size();
#if defined(__SSE2__) || defined(_M_X64)
  const __m128i quote16 = _mm_set1_epi8('"');
  const __m128i backslash16 = _mm_set1_epi8('\\');
  const __m128i space16 = _mm_set1_epi8(0x20);
  while (size - pos >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + pos));
    const __m128i hits =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote16), _mm_cmpeq_epi8(v, backslash16)),
                     _mm_cmplt_epi8(v, space16));
    const int mask = _mm_movemask_epi8(hits);  // bit i <-> byte pos + i
    if (mask != 0) {
      return pos + static_cast<std::size_t>(std::countr_zero(static_cast<unsigned>(mask)));
    }
    pos += 16;
  }
#endif
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  while (size - pos >= 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, data + pos, sizeof w);
    const std::uint64_t quote = w ^ (kOnes * '"');
    const std::uint64_t backslash = w ^ (kOnes * '\\');
    const std::uint64_t hits = ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) |
                               ((w - kOnes * 0x20) & ~w) | w;
    if ((hits & kHigh) != 0) break;
    pos += 8;
  }
  while (pos < size && !kStringSpecial[static_cast<unsigned char>(data[pos])]) ++pos;
  return pos;
}

// One recursive-descent pass that enforces every strict rule and builds the boost::json value
// at the same time, through boost::json::value_stack (the builder Boost's own parser uses):
// containers are allocated once at their final size and strings without escapes are copied
// exactly once, straight from the input.
class Parser {
 public:
  Parser(std::string_view text, const StrictJsonOptions& options)
      : text_(text),
        max_depth_(std::min(options.max_depth, kDepthCeiling)),
        max_string_(options.max_string_bytes),
        integers_only_(options.integers_only),
        stack_(boost::json::storage_ptr(), stack_buffer_, sizeof stack_buffer_) {}

  Expected<boost::json::value, JsonError> Run() {
    if (text_.size() >= 3 && static_cast<unsigned char>(text_[0]) == 0xEF &&
        static_cast<unsigned char>(text_[1]) == 0xBB &&
        static_cast<unsigned char>(text_[2]) == 0xBF) {
      Fail(JsonErrorKind::kEncoding, "byte-order mark");
      return std::move(*error_);
    }
    stack_.reset();  // default memory resource: the document outlives the parser
    SkipWhitespace();
    if (!ParseValue(0)) return std::move(*error_);
    SkipWhitespace();
    if (pos_ != text_.size()) {
      Fail(JsonErrorKind::kSyntax, "trailing data after the value");
      return std::move(*error_);
    }
    return stack_.release();
  }

 private:
  // Records the first error; always returns false so callers can `return Fail(...)`.
  bool Fail(JsonErrorKind kind, std::string message) {
    if (!error_) error_ = JsonError{kind, pos_, std::move(message)};
    return false;
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

  // Parses one value at pos_ and pushes it onto stack_.
  bool ParseValue(std::size_t depth) {
    if (AtEnd()) return Fail(JsonErrorKind::kSyntax, "unexpected end of input");
    const char c = Peek();
    switch (c) {
      case '{':
        return ParseObject(depth + 1);
      case '[':
        return ParseArray(depth + 1);
      case '"': {
        std::optional<std::string_view> s = ParseString();
        if (!s) return false;
        stack_.push_string(*s);
        return true;
      }
      case 't':
        if (!ParseLiteral("true")) return false;
        stack_.push_bool(true);
        return true;
      case 'f':
        if (!ParseLiteral("false")) return false;
        stack_.push_bool(false);
        return true;
      case 'n':
        if (!ParseLiteral("null")) return false;
        stack_.push_null();
        return true;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber();
        if (static_cast<unsigned char>(c) >= 0x80) {
          return Fail(JsonErrorKind::kEncoding, "non-ASCII byte outside a string");
        }
        return Fail(JsonErrorKind::kSyntax, std::string("unexpected character '") + c + "'");
    }
  }

  bool ParseLiteral(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) {
      return Fail(JsonErrorKind::kSyntax, "invalid literal");
    }
    pos_ += word.size();
    return true;
  }

  bool DepthExceeded() {
    return Fail(JsonErrorKind::kDepth, "nesting deeper than " + std::to_string(max_depth_));
  }

  bool ParseObject(std::size_t depth) {
    // The depth check happens before anything inside the container is read.
    if (depth > max_depth_) return DepthExceeded();
    ++pos_;  // '{'
    SkipWhitespace();
    if (!AtEnd() && Peek() == '}') {
      ++pos_;
      stack_.push_object(0);
      return true;
    }
    // Member names of this object are names_[first_name, names_.size()); `big` indexes them
    // once there are more than kLinearNameScan.
    const std::size_t first_name = names_.size();
    std::set<std::string_view> big;
    std::size_t members = 0;
    while (true) {
      SkipWhitespace();
      if (AtEnd() || Peek() != '"') return Fail(JsonErrorKind::kSyntax, "expected a member name");
      const std::size_t key_pos = pos_;
      std::optional<std::string_view> key = ParseString();
      if (!key) return false;
      if (IsDuplicateName(*key, first_name, &big)) {
        pos_ = key_pos;
        return Fail(JsonErrorKind::kDuplicateKey,
                    "duplicate member name '" + std::string(*key) + "'");
      }
      RememberName(*key, &big);
      stack_.push_key(*key);
      SkipWhitespace();
      if (AtEnd() || Peek() != ':') return Fail(JsonErrorKind::kSyntax, "expected ':'");
      ++pos_;
      SkipWhitespace();
      if (!ParseValue(depth)) return false;
      ++members;
      SkipWhitespace();
      if (AtEnd()) return Fail(JsonErrorKind::kSyntax, "unterminated object");
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() == '}') {
        ++pos_;
        names_.resize(first_name);
        stack_.push_object(members);
        return true;
      }
      return Fail(JsonErrorKind::kSyntax, "expected ',' or '}'");
    }
  }

  bool IsDuplicateName(std::string_view key, std::size_t first_name,
                       std::set<std::string_view>* big) const {
    const std::size_t count = names_.size() - first_name;
    if (count < kLinearNameScan) {
      for (std::size_t i = first_name; i < names_.size(); ++i) {
        if (names_[i] == key) return true;
      }
      return false;
    }
    if (big->empty()) {
      big->insert(names_.begin() + static_cast<std::ptrdiff_t>(first_name), names_.end());
    }
    return big->contains(key);
  }

  // Records a name of the current object. Names without escapes are views of the input;
  // unescaped ones (in scratch_, which the next string overwrites) get a stable copy.
  void RememberName(std::string_view key, std::set<std::string_view>* big) {
    std::string_view stable = key;
    if (last_string_unescaped_) stable = unescaped_names_.emplace_back(key);
    names_.push_back(stable);
    if (!big->empty()) big->insert(stable);
  }

  bool ParseArray(std::size_t depth) {
    if (depth > max_depth_) return DepthExceeded();
    ++pos_;  // '['
    SkipWhitespace();
    if (!AtEnd() && Peek() == ']') {
      ++pos_;
      stack_.push_array(0);
      return true;
    }
    std::size_t elements = 0;
    while (true) {
      SkipWhitespace();
      if (!ParseValue(depth)) return false;
      ++elements;
      SkipWhitespace();
      if (AtEnd()) return Fail(JsonErrorKind::kSyntax, "unterminated array");
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() == ']') {
        ++pos_;
        stack_.push_array(elements);
        return true;
      }
      return Fail(JsonErrorKind::kSyntax, "expected ',' or ']'");
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

  // Parses the string whose opening quote is at pos_ and returns its decoded bytes: a view of
  // the input when the string holds no escape (the common case: nothing is copied), else a
  // view of scratch_, valid until the next call. Sets last_string_unescaped_ accordingly.
  std::optional<std::string_view> ParseString() {
    ++pos_;  // opening quote
    const std::size_t start = pos_;
    bool unescaped = false;  // the decoded bytes are being built in scratch_
    while (true) {
      if (AtEnd()) {
        Fail(JsonErrorKind::kSyntax, "unterminated string");
        return std::nullopt;
      }
      const std::size_t decoded = unescaped ? scratch_.size() : pos_ - start;
      if (max_string_ != 0 && decoded > max_string_) {
        Fail(JsonErrorKind::kStringTooLong,
             "string longer than " + std::to_string(max_string_) + " bytes");
        return std::nullopt;
      }
      const unsigned char c = static_cast<unsigned char>(Peek());
      if (!kStringSpecial[c]) {
        // A run of plain ASCII: payloads are mostly long runs (one long base64 string).
        const std::size_t run_end = SkipPlainStringBytes(text_, pos_);
        if (unescaped) scratch_.append(text_.data() + pos_, run_end - pos_);
        pos_ = run_end;
        continue;
      }
      if (c == '"') {
        ++pos_;
        last_string_unescaped_ = unescaped;
        if (unescaped) return std::string_view(scratch_);
        return text_.substr(start, decoded);
      }
      if (c < 0x20) {
        Fail(JsonErrorKind::kEncoding, "unescaped control character in a string");
        return std::nullopt;
      }
      if (c == '\\') {
        if (!unescaped) {
          scratch_.assign(text_.data() + start, pos_ - start);
          unescaped = true;
        }
        if (!ParseEscape(&scratch_)) return std::nullopt;
        continue;
      }
      const std::size_t n = Utf8SequenceLength();  // c >= 0x80
      if (n == 0) {
        Fail(JsonErrorKind::kEncoding, "invalid UTF-8");
        return std::nullopt;
      }
      if (unescaped) scratch_.append(text_.data() + pos_, n);
      pos_ += n;
    }
  }

  bool ParseEscape(std::string* out) {
    ++pos_;  // backslash
    if (AtEnd()) return Fail(JsonErrorKind::kSyntax, "unterminated escape");
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
        return Fail(JsonErrorKind::kSyntax, "invalid escape");
    }
    std::optional<std::uint32_t> unit = ReadHex4();
    if (!unit) return Fail(JsonErrorKind::kSyntax, "invalid \\u escape");
    std::uint32_t cp = *unit;
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
      return Fail(JsonErrorKind::kEncoding, "unpaired low surrogate escape");
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (text_.substr(pos_, 2) != "\\u") {
        return Fail(JsonErrorKind::kEncoding, "unpaired high surrogate escape");
      }
      pos_ += 2;
      std::optional<std::uint32_t> low = ReadHex4();
      if (!low || *low < 0xDC00 || *low > 0xDFFF) {
        return Fail(JsonErrorKind::kEncoding, "high surrogate not followed by a low surrogate");
      }
      cp = 0x10000 + ((cp - 0xD800) << 10) + (*low - 0xDC00);
    }
    AppendUtf8(cp, out);
    return true;
  }

  bool ParseNumber() {
    const std::size_t start = pos_;
    const auto digits = [&] {
      const std::size_t from = pos_;
      while (!AtEnd() && Peek() >= '0' && Peek() <= '9') ++pos_;
      return pos_ - from;
    };
    const bool negative = Peek() == '-';
    if (negative) ++pos_;
    if (AtEnd()) return Fail(JsonErrorKind::kSyntax, "truncated number");
    if (Peek() == '0') {
      ++pos_;
      if (!AtEnd() && Peek() >= '0' && Peek() <= '9') {
        return Fail(JsonErrorKind::kSyntax, "leading zero in a number");
      }
    } else if (digits() == 0) {
      return Fail(JsonErrorKind::kSyntax, "invalid number");
    }
    bool integral = true;
    if (!AtEnd() && Peek() == '.') {
      integral = false;
      ++pos_;
      if (digits() == 0) return Fail(JsonErrorKind::kSyntax, "digit expected after '.'");
    }
    if (!AtEnd() && (Peek() == 'e' || Peek() == 'E')) {
      integral = false;
      ++pos_;
      if (!AtEnd() && (Peek() == '+' || Peek() == '-')) ++pos_;
      if (digits() == 0) return Fail(JsonErrorKind::kSyntax, "digit expected in exponent");
    }
    const std::string_view token = text_.substr(start, pos_ - start);
    if (!integral && integers_only_) {
      pos_ = start;
      return Fail(JsonErrorKind::kNotInteger,
                  "number '" + std::string(token) + "' is not an integer");
    }
    const char* first = token.data();
    const char* last = token.data() + token.size();
    if (integral) {
      if (negative) {
        std::int64_t i = 0;
        auto [ptr, ec] = std::from_chars(first, last, i);
        if (ec == std::errc() && ptr == last) {
          stack_.push_int64(i);
          return true;
        }
      } else {
        std::uint64_t u = 0;
        auto [ptr, ec] = std::from_chars(first, last, u);
        if (ec == std::errc() && ptr == last) {
          if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            stack_.push_int64(static_cast<std::int64_t>(u));
          } else {
            stack_.push_uint64(u);
          }
          return true;
        }
      }
      // Too large for 64 bits: keep the magnitude as a double for the schema to reject.
    }
    double d = 0;
    auto [ptr, ec] = std::from_chars(first, last, d);
    if (ec != std::errc() || ptr != last) {
      pos_ = start;
      return Fail(JsonErrorKind::kSyntax, "number '" + std::string(token) + "' out of range");
    }
    stack_.push_double(d);
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t max_depth_;
  std::size_t max_string_;
  bool integers_only_;
  std::optional<JsonError> error_;

  // Decoded bytes of the current string when it holds escapes.
  std::string scratch_;
  bool last_string_unescaped_ = false;
  // Member names of every object being parsed (outermost first), for duplicate detection.
  std::vector<std::string_view> names_;
  std::list<std::string> unescaped_names_;  // stable storage for names that had escapes

  // The value builder; its first 256 slots live in this buffer, not on the heap.
  alignas(boost::json::value) unsigned char stack_buffer_[256 * sizeof(boost::json::value)];
  boost::json::value_stack stack_;
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
