#include "collector/api/credentials.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <array>
#include <cctype>

#include "policy/bundle/keys.h"

namespace bulwark::collector {
namespace {

constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kMaxDeviceIdLength = 64;

bool IsUrlSafe(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
}

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

Result<DeviceSecret> NewDeviceSecret() {
  std::array<unsigned char, kSecretBytes> raw{};
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) {
    return Status(StatusCode::kInternal, "the random number generator failed");
  }
  const std::string secret =
      bundle::HexEncode(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
  OPENSSL_cleanse(raw.data(), raw.size());
  DeviceSecret out;
  out.hash = HashSecret(secret);
  out.secret = secret;
  return out;
}

std::string FormatDeviceCredential(std::string_view device_id, std::string_view secret) {
  std::string token(device_id);
  token.push_back('.');
  token.append(secret);
  return token;
}

std::string HashSecret(std::string_view secret) { return bundle::Sha256Hex(secret); }

std::optional<PresentedCredential> ParseDeviceCredential(std::string_view token) {
  const std::size_t dot = token.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot > kMaxDeviceIdLength) return std::nullopt;
  const std::string_view id = token.substr(0, dot);
  const std::string_view secret = token.substr(dot + 1);
  if (secret.size() != 2 * kSecretBytes || !IsLowerHex(secret)) return std::nullopt;
  for (char c : id) {
    if (!IsUrlSafe(c)) return std::nullopt;
  }
  return PresentedCredential{std::string(id), std::string(secret)};
}

std::string_view BearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    // The scheme is case-insensitive (RFC 9110 §11.1).
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i]))) {
      return {};
    }
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

bool DigestEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.empty()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<std::string> RandomIdentifier(std::string_view prefix) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  constexpr std::size_t kChars = 26;  // 130 bits
  std::array<unsigned char, kChars> raw{};
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) {
    return Status(StatusCode::kInternal, "the random number generator failed");
  }
  std::string id(prefix);
  for (unsigned char b : raw) id.push_back(kAlphabet[b & 31U]);
  return id;
}

}  // namespace bulwark::collector
