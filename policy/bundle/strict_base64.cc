#include "policy/bundle/strict_base64.h"

#include <array>
#include <cstdint>

namespace bulwark::bundle {
namespace {

constexpr std::string_view kStandardChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlSafeChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::uint8_t kStandardOnly = 0x40;
constexpr std::uint8_t kUrlOnly = 0x80;
constexpr std::uint8_t kReject = 0xFF;

Status Bad(std::string_view why, std::size_t offset) {
  return InvalidArgumentError("base64: " + std::string(why) + " at offset " +
                              std::to_string(offset));
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
  const std::size_t data_len = text.size() - pad;

  // One table lookup per character: the 6-bit value plus which alphabet the character
  // belongs to only (kStandardOnly for '+' '/', kUrlOnly for '-' '_'); '=' and every other
  // byte are kReject.
  static const std::array<std::uint8_t, 256> kTable = [] {
    std::array<std::uint8_t, 256> t{};
    t.fill(kReject);
    for (std::size_t i = 0; i < 62; ++i)
      t[static_cast<unsigned char>(kStandardChars[i])] = static_cast<std::uint8_t>(i);
    t['+'] = 62 | kStandardOnly;
    t['/'] = 63 | kStandardOnly;
    t['-'] = 62 | kUrlOnly;
    t['_'] = 63 | kUrlOnly;
    return t;
  }();

  std::string out(data_len / 4 * 3 + 2, '\0');
  std::size_t written = 0;
  std::uint8_t seen = 0;  // union of alphabet flags
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < data_len; ++i) {
    const std::uint8_t e = kTable[static_cast<unsigned char>(text[i])];
    if (e == kReject) {
      return Bad(text[i] == '=' ? "misplaced padding" : "character outside the alphabet", i);
    }
    seen |= e;
    if ((seen & (kStandardOnly | kUrlOnly)) == (kStandardOnly | kUrlOnly)) {
      return Bad("standard and URL-safe alphabets mixed", i);
    }
    acc = (acc << 6) | (e & 0x3Fu);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[written++] = static_cast<char>((acc >> bits) & 0xFF);
      acc &= (1u << bits) - 1;  // keep only the bits not yet emitted
    }
  }
  // Leftover bits (2 with "==", 4 with "=") must be zero for a canonical encoding.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    return Bad("non-zero padding bits", data_len - 1);
  }
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
