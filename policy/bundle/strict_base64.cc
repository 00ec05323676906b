#include "policy/bundle/strict_base64.h"

#include <cstdint>

namespace bulwark::bundle {
namespace {

constexpr std::string_view kStandardChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlSafeChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

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

  bool saw_standard = false;
  bool saw_url = false;
  std::string out;
  out.reserve(data_len / 4 * 3 + 2);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < data_len; ++i) {
    const char c = text[i];
    std::uint32_t v;
    if (c >= 'A' && c <= 'Z') {
      v = static_cast<std::uint32_t>(c - 'A');
    } else if (c >= 'a' && c <= 'z') {
      v = static_cast<std::uint32_t>(c - 'a' + 26);
    } else if (c >= '0' && c <= '9') {
      v = static_cast<std::uint32_t>(c - '0' + 52);
    } else if (c == '+' || c == '/') {
      saw_standard = true;
      v = c == '+' ? 62 : 63;
    } else if (c == '-' || c == '_') {
      saw_url = true;
      v = c == '-' ? 62 : 63;
    } else if (c == '=') {
      return Bad("misplaced padding", i);
    } else {
      return Bad("character outside the alphabet", i);
    }
    if (saw_standard && saw_url) return Bad("standard and URL-safe alphabets mixed", i);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
      acc &= (1u << bits) - 1;  // keep only the bits not yet emitted
    }
  }
  // Leftover bits (2 with "==", 4 with "=") must be zero for a canonical encoding.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    return Bad("non-zero padding bits", data_len - 1);
  }
  if (alphabet != nullptr)
    *alphabet = saw_url ? Base64Alphabet::kUrlSafe : Base64Alphabet::kStandard;
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
