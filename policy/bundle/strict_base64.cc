#include "policy/bundle/strict_base64.h"

#include <array>
#include <cstdint>
#include <cstdlib>

namespace bulwark::bundle {
namespace {

constexpr std::string_view kStandardChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlSafeChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::uint8_t kStandardOnly = 0x40;
constexpr std::uint8_t kUrlOnly = 0x80;
constexpr std::uint8_t kReject = 0xFF;
// kReject has both alphabet flags set, so OR-ing the entries of a whole string tells at once
// whether it held a bad character or mixed the alphabets.
constexpr std::uint8_t kBothAlphabets = kStandardOnly | kUrlOnly;

// One entry per byte: the 6-bit value plus which alphabet the character belongs to only
// (kStandardOnly for '+' '/', kUrlOnly for '-' '_'); '=' and every other byte are kReject.
constexpr std::array<std::uint8_t, 256> kTable = [] {
  std::array<std::uint8_t, 256> t{};
  t.fill(kReject);
  for (std::size_t i = 0; i < 62; ++i) {
    t[static_cast<unsigned char>(kStandardChars[i])] = static_cast<std::uint8_t>(i);
  }
  t['+'] = 62 | kStandardOnly;
  t['/'] = 63 | kStandardOnly;
  t['-'] = 62 | kUrlOnly;
  t['_'] = 63 | kUrlOnly;
  return t;
}();

// The same table four times over, for the four positions of a group: the 6-bit value already
// shifted into place (18, 12, 6, 0) and the alphabet flags in the top byte, so that a group
// decodes with four look-ups and three ORs, and OR-ing the groups collects the flags.
constexpr std::uint32_t kFlagShift = 24;
using ShiftedTable = std::array<std::uint32_t, 256>;
constexpr std::array<ShiftedTable, 4> kShifted = [] {
  std::array<ShiftedTable, 4> t{};
  for (std::size_t pos = 0; pos < 4; ++pos) {
    for (std::size_t c = 0; c < 256; ++c) {
      const std::uint32_t e = kTable[c];
      t[pos][c] = ((e & 0x3Fu) << (18 - 6 * pos)) | ((e & kBothAlphabets) << kFlagShift);
    }
  }
  return t;
}();

Status Bad(std::string_view why, std::size_t offset) {
  return InvalidArgumentError("base64: " + std::string(why) + " at offset " +
                              std::to_string(offset));
}

// The first bad or alphabet-mixing character of text[0, data_len), one symbol at a time.
// Only called once the fast loop has seen that there is one.
Status FirstBadCharacter(std::string_view text, std::size_t data_len) {
  std::uint8_t seen = 0;
  for (std::size_t i = 0; i < data_len; ++i) {
    const std::uint8_t e = kTable[static_cast<unsigned char>(text[i])];
    if (e == kReject) {
      return Bad(text[i] == '=' ? "misplaced padding" : "character outside the alphabet", i);
    }
    seen |= e;
    if ((seen & kBothAlphabets) == kBothAlphabets) {
      return Bad("standard and URL-safe alphabets mixed", i);
    }
  }
  std::abort();  // the caller saw a bad character in this range
}

}  // namespace

Result<std::string> DecodeStrictBase64(std::string_view text, Base64Alphabet* alphabet) {
  if (text.size() % 4 != 0)
    return Bad("length not a multiple of 4 (padding required)", text.size());
  // Padding: at most two '=' and only at the very end.
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++pad;
  if (pad == 1 && text.back() != '=') return Bad("misplaced padding", text.size() - 2);
  const std::size_t data_len = text.size() - pad;  // == 0, 2 or 3 (mod 4)

  // Whole groups of four symbols first, without a branch per symbol: the table entries are
  // OR-ed together and checked once at the end (a bad symbol only costs the wasted work).
  std::string out(data_len / 4 * 3 + 2, '\0');
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  char* o = out.data();
  std::uint32_t group_flags = 0;
  const std::size_t groups = data_len / 4;
  for (std::size_t g = 0; g < groups; ++g, in += 4, o += 3) {
    const std::uint32_t n =
        kShifted[0][in[0]] | kShifted[1][in[1]] | kShifted[2][in[2]] | kShifted[3][in[3]];
    group_flags |= n;
    o[0] = static_cast<char>((n >> 16) & 0xFF);
    o[1] = static_cast<char>((n >> 8) & 0xFF);
    o[2] = static_cast<char>(n & 0xFF);
  }
  auto seen = static_cast<std::uint8_t>(group_flags >> kFlagShift);
  // The 2 or 3 symbols before the padding.
  std::size_t written = groups * 3;
  const std::size_t rest = data_len % 4;
  if (rest != 0) {
    std::uint32_t acc = 0;
    for (std::size_t i = 0; i < rest; ++i) {
      const std::uint8_t e = kTable[in[i]];
      seen |= e;
      acc = (acc << 6) | (e & 0x3Fu);
    }
    if ((seen & kBothAlphabets) != kBothAlphabets) {
      // 12 bits -> 1 byte + 4 unused bits ("=="), 18 bits -> 2 bytes + 2 unused bits ("=").
      const int unused = rest == 2 ? 4 : 2;
      if ((acc & ((1u << unused) - 1)) != 0) return Bad("non-zero padding bits", data_len - 1);
      acc >>= unused;
      if (rest == 3) out[written++] = static_cast<char>((acc >> 8) & 0xFF);
      out[written++] = static_cast<char>(acc & 0xFF);
    }
  }
  if ((seen & kBothAlphabets) == kBothAlphabets) return FirstBadCharacter(text, data_len);
  if (alphabet != nullptr) {
    *alphabet = (seen & kUrlOnly) != 0 ? Base64Alphabet::kUrlSafe : Base64Alphabet::kStandard;
  }
  out.resize(written);
  return out;
}

std::string EncodeBase64(std::string_view bytes, Base64Alphabet alphabet) {
  const std::string_view chars =
      alphabet == Base64Alphabet::kStandard ? kStandardChars : kUrlSafeChars;
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t n =
        (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16) |
        (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8) |
        static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 2]));
    out.push_back(chars[(n >> 18) & 63]);
    out.push_back(chars[(n >> 12) & 63]);
    out.push_back(chars[(n >> 6) & 63]);
    out.push_back(chars[n & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    out.push_back(chars[(n >> 18) & 63]);
    out.push_back(chars[(n >> 12) & 63]);
    out += "==";
  } else if (rest == 2) {
    const std::uint32_t n =
        (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16) |
        (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8);
    out.push_back(chars[(n >> 18) & 63]);
    out.push_back(chars[(n >> 12) & 63]);
    out.push_back(chars[(n >> 6) & 63]);
    out.push_back('=');
  }
  return out;
}

}  // namespace bulwark::bundle
