#include "policy/bundle/schema_util.h"

#include <boost/json/string.hpp>

namespace bulwark::bundle {

bool IsIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  const auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(s.front())) return false;
  for (const char c : s) {
    if (!alnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

std::optional<std::uint64_t> NonNegativeInteger(const boost::json::value& v, bool* negative) {
  *negative = false;
  if (v.is_uint64()) return v.get_uint64();
  if (v.is_int64()) {
    if (v.get_int64() < 0) {
      *negative = true;
      return std::nullopt;
    }
    return static_cast<std::uint64_t>(v.get_int64());
  }
  return std::nullopt;
}

std::optional<std::uint64_t> SafePositiveInteger(const boost::json::value& v) {
  bool negative = false;
  std::optional<std::uint64_t> n = NonNegativeInteger(v, &negative);
  if (!n || *n < 1 || *n > kMaxSafeInteger) return std::nullopt;
  return n;
}

bool IsSpecVersionMajor1(std::string_view s) {
  if (s != "1" && s.substr(0, 2) != "1.") return false;
  // Every dot-separated part after the major is a non-empty run of digits.
  bool need_digit = false;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (s[i] == '.') {
      if (need_digit) return false;
      need_digit = true;
    } else if (s[i] >= '0' && s[i] <= '9') {
      need_digit = false;
    } else {
      return false;
    }
  }
  return !need_digit;
}

std::optional<SystemTime> Timestamp(const boost::json::value* v) {
  if (v == nullptr || !v->is_string()) return std::nullopt;
  const boost::json::string& s = v->get_string();
  Result<SystemTime> t = ParseRfc3339(std::string_view(s.data(), s.size()));
  if (!t.ok()) return std::nullopt;
  return *t;
}

}  // namespace bulwark::bundle
