#include "policy/bundle/keys.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <array>
#include <cstdint>
#include <cstring>

namespace bulwark::bundle {
namespace {

// DER prefixes of the only SPKI forms accepted.
constexpr unsigned char kEd25519SpkiPrefix[] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                                0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
constexpr std::size_t kEd25519SpkiSize = 44;
constexpr unsigned char kP256SpkiPrefix[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
                                             0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                             0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04};
constexpr std::size_t kP256SpkiSize = 91;

// Small-order Ed25519 points, compared with the sign bit (bit 255) cleared, as libsodium's
// ge25519_has_small_order does: 0 (order 4), 1 (order 1), the two order-8 points, p-1
// (order 2), and the non-canonical p and p+1.
constexpr std::array<std::array<std::uint8_t, 32>, 7> kSmallOrderPoints = {{
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
    {0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
    {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4,
     0x89, 0xf2, 0xef, 0x98, 0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6,
     0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},
    {0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b,
     0x76, 0x0d, 0x10, 0x67, 0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39,
     0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a},
    {0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
    {0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
    {0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
}};

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

bool HasPrefix(std::string_view der, const unsigned char* prefix, std::size_t n) {
  return der.size() >= n && std::memcmp(der.data(), prefix, n) == 0;
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// A context set up for verifying with `pkey` under `type`'s algorithm, or null on failure.
EVP_MD_CTX* NewVerifyContext(KeyType type, EVP_PKEY* pkey) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return nullptr;
  const EVP_MD* md = type == KeyType::kEd25519 ? nullptr : EVP_sha256();
  if (EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, pkey) != 1) {
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return nullptr;
  }
  return ctx;
}

// Reads one DER INTEGER at `*pos` that is positive, minimally encoded and at most 33 bytes.
bool ReadStrictPositiveInteger(std::string_view der, std::size_t* pos) {
  if (der.size() - *pos < 2 || static_cast<unsigned char>(der[*pos]) != 0x02) return false;
  const std::size_t len = static_cast<unsigned char>(der[*pos + 1]);
  if (len == 0 || len > 33 || der.size() - *pos - 2 < len) return false;
  const auto* v = Bytes(der) + *pos + 2;
  if ((v[0] & 0x80) != 0) return false;                                // negative
  if (v[0] == 0x00 && (len == 1 || (v[1] & 0x80) == 0)) return false;  // zero or not minimal
  *pos += 2 + len;
  return true;
}

}  // namespace

std::string_view KeyTypeName(KeyType type) {
  return type == KeyType::kEd25519 ? "ed25519" : "ecdsa-p256";
}

std::optional<KeyType> ParseKeyTypeName(std::string_view name) {
  if (name == "ed25519") return KeyType::kEd25519;
  if (name == "ecdsa-p256") return KeyType::kEcdsaP256;
  return std::nullopt;
}

std::string Sha256(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md, &md_len, EVP_sha256(), nullptr) != 1) {
    std::abort();  // SHA-256 cannot fail short of a broken libcrypto
  }
  return std::string(reinterpret_cast<const char*>(md), md_len);
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0f]);
  }
  return out;
}

std::string Sha256Hex(std::string_view bytes) { return HexEncode(Sha256(bytes)); }

std::string ComputeKeyId(std::string_view spki_der) { return Sha256Hex(spki_der); }

bool IsKeyIdSyntax(std::string_view keyid) {
  if (keyid.size() != 64) return false;
  for (const char c : keyid) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsWeakEd25519Point(std::string_view point32) {
  if (point32.size() != 32) return true;
  const auto* p = Bytes(point32);
  for (const auto& bad : kSmallOrderPoints) {
    bool same = (p[31] & 0x7f) == bad[31];
    for (std::size_t i = 0; same && i < 31; ++i) same = p[i] == bad[i];
    if (same) return true;
  }
  // Non-canonical y (y >= p = 2^255 - 19): 0x7f ff .. ff with the low byte >= 0xed.
  if ((p[31] & 0x7f) != 0x7f) return false;
  for (std::size_t i = 1; i < 31; ++i) {
    if (p[i] != 0xff) return false;
  }
  return p[0] >= 0xed;
}

bool IsStrictDerEcdsaSignature(std::string_view der) {
  // SEQUENCE with a short-form length (a P-256 signature is at most 72 bytes).
  if (der.size() < 8 || static_cast<unsigned char>(der[0]) != 0x30) return false;
  const std::size_t len = static_cast<unsigned char>(der[1]);
  if (len >= 0x80 || len != der.size() - 2) return false;
  std::size_t pos = 2;
  if (!ReadStrictPositiveInteger(der, &pos)) return false;
  if (!ReadStrictPositiveInteger(der, &pos)) return false;
  return pos == der.size();
}

PublicKey::PublicKey(KeyType type, std::string spki_der, std::shared_ptr<evp_pkey_st> pkey)
    : type_(type),
      spki_der_(std::move(spki_der)),
      keyid_(ComputeKeyId(spki_der_)),
      pkey_(std::move(pkey)),
      verify_template_(NewVerifyContext(type_, pkey_.get()), EVP_MD_CTX_free) {}

Result<PublicKey> PublicKey::FromSpki(KeyType type, std::string_view spki_der) {
  if (type == KeyType::kEd25519) {
    if (spki_der.size() != kEd25519SpkiSize ||
        !HasPrefix(spki_der, kEd25519SpkiPrefix, sizeof kEd25519SpkiPrefix)) {
      return InvalidArgumentError("not a canonical 44-byte Ed25519 SubjectPublicKeyInfo");
    }
    if (IsWeakEd25519Point(spki_der.substr(sizeof kEd25519SpkiPrefix))) {
      return InvalidArgumentError("Ed25519 public key is a small-order or non-canonical point");
    }
  } else {
    if (spki_der.size() != kP256SpkiSize ||
        !HasPrefix(spki_der, kP256SpkiPrefix, sizeof kP256SpkiPrefix)) {
      return InvalidArgumentError(
          "not a canonical 91-byte uncompressed named-curve P-256 SubjectPublicKeyInfo");
    }
  }
  const unsigned char* p = Bytes(spki_der);
  EVP_PKEY* raw = d2i_PUBKEY(nullptr, &p, static_cast<long>(spki_der.size()));
  if (raw == nullptr) {
    ERR_clear_error();  // leave no stale errors for the next OpenSSL user on this thread
    return InvalidArgumentError("SubjectPublicKeyInfo rejected by OpenSSL");
  }
  std::shared_ptr<evp_pkey_st> pkey(raw, EVP_PKEY_free);
  if (p != Bytes(spki_der) + spki_der.size()) {
    return InvalidArgumentError("trailing bytes after SubjectPublicKeyInfo");
  }
  const int id = EVP_PKEY_get_base_id(raw);
  if ((type == KeyType::kEd25519 && id != EVP_PKEY_ED25519) ||
      (type == KeyType::kEcdsaP256 && id != EVP_PKEY_EC)) {
    return InvalidArgumentError("key algorithm does not match keytype");
  }
  // Re-encoding must give the same bytes: the input was already canonical.
  unsigned char* out = nullptr;
  const int out_len = i2d_PUBKEY(raw, &out);
  const bool same = out_len > 0 && static_cast<std::size_t>(out_len) == spki_der.size() &&
                    std::memcmp(out, spki_der.data(), spki_der.size()) == 0;
  OPENSSL_free(out);
  if (!same) return InvalidArgumentError("SubjectPublicKeyInfo is not in canonical form");
  return PublicKey(type, std::string(spki_der), std::move(pkey));
}

bool PublicKey::Verify(std::string_view message, std::string_view signature) const {
  if (type_ == KeyType::kEd25519) {
    if (signature.size() != 64) return false;
  } else if (!IsStrictDerEcdsaSignature(signature)) {
    return false;
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx;
  if (verify_template_) {
    ctx.reset(EVP_MD_CTX_new());
    if (ctx && EVP_MD_CTX_copy_ex(ctx.get(), verify_template_.get()) != 1) {
      ERR_clear_error();
      ctx.reset();
    }
  }
  if (!ctx) ctx.reset(NewVerifyContext(type_, pkey_.get()));
  if (!ctx) {
    ERR_clear_error();
    return false;
  }
  const bool ok = EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(message),
                                   message.size()) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

}  // namespace bulwark::bundle
