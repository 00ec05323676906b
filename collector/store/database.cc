#include "collector/store/database.h"

#include <charconv>
#include <cstring>

namespace bulwark::collector::sql {

const std::string& Row::Text(std::size_t i) const {
  static const std::string* const kEmpty = new std::string();
  const std::optional<std::string>& column = columns_.at(i);
  return column.has_value() ? *column : *kEmpty;
}

std::optional<std::int64_t> Row::OptInt(std::size_t i) const {
  const std::optional<std::string>& column = columns_.at(i);
  if (!column.has_value() || column->empty()) return std::nullopt;
  std::int64_t value = 0;
  const char* end = column->data() + column->size();
  auto [ptr, ec] = std::from_chars(column->data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

Status CheckText(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const unsigned char* end = p + text.size();
  while (p < end) {
    // Fast path: eight ASCII bytes without NUL at a time.
    if (end - p >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p, sizeof(word));
      constexpr std::uint64_t kLow = 0x0101010101010101ULL;
      constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
      // No byte has its top bit set, and no byte is zero.
      if ((word & kHigh) == 0 && ((word - kLow) & ~word & kHigh) == 0) {
        p += 8;
        continue;
      }
    }
    unsigned char c = *p;
    if (c == 0) return InvalidArgumentError("text contains a NUL byte");
    if (c < 0x80) {
      ++p;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t code = 0;
    std::uint32_t min = 0;
    if ((c & 0xE0) == 0xC0) {
      length = 2;
      code = c & 0x1Fu;
      min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3;
      code = c & 0x0Fu;
      min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4;
      code = c & 0x07u;
      min = 0x10000;
    } else {
      return InvalidArgumentError("text is not valid UTF-8");
    }
    if (static_cast<std::size_t>(end - p) < length) {
      return InvalidArgumentError("text is not valid UTF-8");
    }
    for (std::size_t k = 1; k < length; ++k) {
      if ((p[k] & 0xC0) != 0x80) return InvalidArgumentError("text is not valid UTF-8");
      code = (code << 6) | (p[k] & 0x3Fu);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return InvalidArgumentError("text is not valid UTF-8");
    }
    p += length;
  }
  return Status();
}

std::optional<std::size_t> ParsePlaceholder(std::string_view name) {
  if (name.size() < 2 || name.front() != '$' || name[1] == '0') return std::nullopt;
  std::size_t value = 0;
  const char* end = name.data() + name.size();
  auto [ptr, ec] = std::from_chars(name.data() + 1, end, value);
  if (ec != std::errc() || ptr != end || value == 0) return std::nullopt;
  return value;
}

}  // namespace bulwark::collector::sql
