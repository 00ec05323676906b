#include "policy/jsonlogic/coercion.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <system_error>

namespace bulwark::jsonlogic {
namespace {

namespace json = boost::json;

// 2^53: the largest magnitude below which every integer is exactly representable.
constexpr double kMaxSafeInteger = 9007199254740992.0;

// ECMAScript WhiteSpace and LineTerminator code points beyond ASCII, UTF-8 encoded.
constexpr std::array<std::string_view, 19> kUnicodeSpaces = {
    "\xC2\xA0",      // U+00A0 no-break space
    "\xE1\x9A\x80",  // U+1680 ogham space mark
    "\xE2\x80\x80", "\xE2\x80\x81", "\xE2\x80\x82", "\xE2\x80\x83", "\xE2\x80\x84",
    "\xE2\x80\x85", "\xE2\x80\x86", "\xE2\x80\x87", "\xE2\x80\x88", "\xE2\x80\x89",
    "\xE2\x80\x8A",  // U+2000..U+200A
    "\xE2\x80\xA8",  // U+2028 line separator
    "\xE2\x80\xA9",  // U+2029 paragraph separator
    "\xE2\x80\xAF",  // U+202F narrow no-break space
    "\xE2\x81\x9F",  // U+205F medium mathematical space
    "\xE3\x80\x80",  // U+3000 ideographic space
    "\xEF\xBB\xBF",  // U+FEFF byte-order mark
};

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Length of the whitespace sequence at the start (front) or end (!front) of `s`, or 0.
std::size_t SpaceLength(std::string_view s, bool front) {
  if (s.empty()) return 0;
  if (IsAsciiSpace(front ? s.front() : s.back())) return 1;
  auto matches = [&](std::string_view space) {
    return front ? s.substr(0, space.size()) == space
                 : s.size() >= space.size() && s.substr(s.size() - space.size()) == space;
  };
  for (std::string_view space : kUnicodeSpaces) {
    if (matches(space)) return space.size();
  }
  return 0;
}

std::string_view TrimJsSpace(std::string_view s) {
  while (std::size_t n = SpaceLength(s, true)) s.remove_prefix(n);
  while (std::size_t n = SpaceLength(s, false)) s.remove_suffix(n);
  return s;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// 0x / 0o / 0b literals: no sign, at least one digit, every digit valid for the radix.
std::optional<double> ParseRadixInteger(std::string_view digits, int radix) {
  if (digits.empty()) return std::nullopt;
  double value = 0;
  for (char c : digits) {
    int d;
    if (IsDigit(c)) {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    if (d >= radix) return std::nullopt;
    value = value * radix + d;
  }
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

// StrUnsignedDecimalLiteral: digits [. digits] | . digits, then an optional exponent.
bool IsUnsignedDecimalLiteral(std::string_view s, bool* negative_exponent) {
  std::size_t i = 0;
  std::size_t mantissa_digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++mantissa_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++mantissa_digits;
  }
  if (mantissa_digits == 0) return false;
  *negative_exponent = false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      *negative_exponent = s[i] == '-';
      ++i;
    }
    std::size_t exponent_digits = 0;
    while (i < s.size() && IsDigit(s[i])) ++i, ++exponent_digits;
    if (exponent_digits == 0) return false;
  }
  return i == s.size();
}

std::string IntegerToString(const json::value& v) {
  return v.is_int64() ? std::to_string(v.get_int64()) : std::to_string(v.get_uint64());
}

bool AppendJsString(const json::value& v, std::size_t depth_left, std::size_t max_len,
                    std::string& out) {
  switch (v.kind()) {
    case json::kind::null:
      out += "null";
      break;
    case json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      break;
    case json::kind::int64:
    case json::kind::uint64:
      out += IntegerToString(v);
      break;
    case json::kind::double_:
      out += NumberToString(v.get_double());
      break;
    case json::kind::string:
      out.append(v.get_string().data(), v.get_string().size());
      break;
    case json::kind::object:
      out += "[object Object]";
      break;
    case json::kind::array: {
      if (depth_left == 0) return false;
      bool first = true;
      for (const json::value& element : v.get_array()) {
        if (!first) out += ',';
        first = false;
        // Array.prototype.join renders null (and undefined) elements as "".
        if (!element.is_null() && !AppendJsString(element, depth_left - 1, max_len, out)) {
          return false;
        }
        if (out.size() > max_len) return false;
      }
      break;
    }
  }
  return out.size() <= max_len;
}

bool IsContainer(const json::value& v) { return v.is_array() || v.is_object(); }

}  // namespace

std::optional<double> StringToNumber(std::string_view s) {
  s = TrimJsSpace(s);
  if (s.empty()) return 0.0;
  if (s.size() > 2 && s[0] == '0') {
    switch (s[1]) {
      case 'x':
      case 'X':
        return ParseRadixInteger(s.substr(2), 16);
      case 'o':
      case 'O':
        return ParseRadixInteger(s.substr(2), 8);
      case 'b':
      case 'B':
        return ParseRadixInteger(s.substr(2), 2);
      default:
        break;
    }
  }
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  // "Infinity" is a number in JavaScript but never a finite one; Bulwark treats it as NaN.
  bool negative_exponent = false;
  if (!IsUnsignedDecimalLiteral(s, &negative_exponent)) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec == std::errc::result_out_of_range) {
    // Underflow rounds to zero as in JavaScript; overflow would be Infinity.
    if (!negative_exponent) return std::nullopt;
    value = 0;
  } else if (ec != std::errc() || end != s.data() + s.size()) {
    return std::nullopt;
  }
  if (!std::isfinite(value)) return std::nullopt;
  return negative ? -value : value;
}

std::optional<double> ToNumber(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return 0.0;
    case json::kind::bool_:
      return v.get_bool() ? 1.0 : 0.0;
    case json::kind::int64:
    case json::kind::uint64:
      return NumberAsDouble(v);
    case json::kind::double_:
      if (!std::isfinite(v.get_double())) return std::nullopt;
      return v.get_double();
    case json::kind::string:
      return StringToNumber(std::string_view(v.get_string().data(), v.get_string().size()));
    case json::kind::array:
    case json::kind::object:
      return std::nullopt;
  }
  return std::nullopt;
}

double NumberAsDouble(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return v.get_double();
}

json::value NumberToJson(double d) {
  if (std::trunc(d) == d && std::fabs(d) <= kMaxSafeInteger) {
    return json::value(static_cast<std::int64_t>(d));
  }
  return json::value(d);
}

std::string NumberToString(double d) {
  if (std::isnan(d)) return "NaN";
  if (d == 0) return "0";  // also -0, as in JavaScript
  if (std::isinf(d)) return d < 0 ? "-Infinity" : "Infinity";
  std::string out;
  if (d < 0) {
    out += '-';
    d = -d;
  }
  // Shortest round-trip digits, as ECMAScript requires: "d[.ddd]e[+-]x".
  std::array<char, 64> buf{};
  auto [end, ec] =
      std::to_chars(buf.data(), buf.data() + buf.size(), d, std::chars_format::scientific);
  if (ec != std::errc()) return "NaN";  // cannot happen with 64 bytes
  std::string_view sci(buf.data(), static_cast<std::size_t>(end - buf.data()));
  std::size_t e = sci.find('e');
  std::string digits(1, sci[0]);
  if (sci.size() > 1 && sci[1] == '.') digits.append(sci.substr(2, e - 2));
  std::string_view exp_text = sci.substr(e + 1);
  if (!exp_text.empty() && exp_text[0] == '+') exp_text.remove_prefix(1);
  int exponent = 0;
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);

  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;  // position of the decimal point relative to the digits
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, 0, static_cast<std::size_t>(n));
    out += '.';
    out.append(digits, static_cast<std::size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += 'e';
    out += n - 1 >= 0 ? '+' : '-';
    out += std::to_string(std::abs(n - 1));
  }
  return out;
}

std::optional<std::string> ToJsString(const json::value& v, std::size_t max_depth,
                                      std::size_t max_len) {
  std::string out;
  if (!AppendJsString(v, max_depth, max_len, out)) return std::nullopt;
  return out;
}

std::partial_ordering CompareNumbers(const json::value& a, const json::value& b) {
  if (a.is_double() || b.is_double()) return NumberAsDouble(a) <=> NumberAsDouble(b);
  if (a.is_int64() && b.is_int64()) return a.get_int64() <=> b.get_int64();
  if (a.is_uint64() && b.is_uint64()) return a.get_uint64() <=> b.get_uint64();
  // One int64 and one uint64: a negative int64 is below every uint64.
  if (a.is_int64()) {
    if (a.get_int64() < 0) return std::partial_ordering::less;
    return static_cast<std::uint64_t>(a.get_int64()) <=> b.get_uint64();
  }
  if (b.get_int64() < 0) return std::partial_ordering::greater;
  return a.get_uint64() <=> static_cast<std::uint64_t>(b.get_int64());
}

std::optional<int> CompareLoose(const json::value& a, const json::value& b) {
  if (a.is_string() && b.is_string()) {
    int c = a.get_string().compare(b.get_string());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (IsContainer(a) || IsContainer(b)) return std::nullopt;
  std::partial_ordering order = std::partial_ordering::unordered;
  if (a.is_number() && b.is_number()) {
    order = CompareNumbers(a, b);
  } else {
    std::optional<double> x = ToNumber(a);
    std::optional<double> y = ToNumber(b);
    if (!x || !y) return std::nullopt;
    order = *x <=> *y;
  }
  if (order == std::partial_ordering::unordered) return std::nullopt;
  if (order == std::partial_ordering::less) return -1;
  if (order == std::partial_ordering::greater) return 1;
  return 0;
}

std::optional<bool> LooseEquals(const json::value& a, const json::value& b) {
  if (a.is_null() && b.is_null()) return true;
  if (a.is_string() && b.is_string()) return a.get_string() == b.get_string();
  if (a.is_bool() && b.is_bool()) return a.get_bool() == b.get_bool();
  if (a.is_null() || b.is_null()) {
    const json::value& other = a.is_null() ? b : a;
    if (other.is_string() || IsContainer(other)) return false;
  }
  std::optional<int> order = CompareLoose(a, b);
  if (!order) return std::nullopt;
  return *order == 0;
}

std::optional<bool> StrictEquals(const json::value& a, const json::value& b,
                                 std::size_t max_depth) {
  if (a.is_number() && b.is_number()) return CompareNumbers(a, b) == 0;
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case json::kind::null:
      return true;
    case json::kind::bool_:
      return a.get_bool() == b.get_bool();
    case json::kind::string:
      return a.get_string() == b.get_string();
    case json::kind::array: {
      if (max_depth == 0) return std::nullopt;
      const json::array& x = a.get_array();
      const json::array& y = b.get_array();
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i) {
        std::optional<bool> eq = StrictEquals(x[i], y[i], max_depth - 1);
        if (!eq || !*eq) return eq;
      }
      return true;
    }
    case json::kind::object: {
      if (max_depth == 0) return std::nullopt;
      const json::object& x = a.get_object();
      const json::object& y = b.get_object();
      if (x.size() != y.size()) return false;
      for (const auto& member : x) {
        const json::value* other = y.if_contains(member.key());
        if (other == nullptr) return false;
        std::optional<bool> eq = StrictEquals(member.value(), *other, max_depth - 1);
        if (!eq || !*eq) return eq;
      }
      return true;
    }
    default:
      return false;  // numbers are handled above
  }
}

}  // namespace bulwark::jsonlogic
