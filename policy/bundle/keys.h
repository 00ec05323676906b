// Public keys of trust roots and the signature check of DSSE (OpenSSL 3 EVP underneath).
//
// Two algorithms: Ed25519 (RFC 8032, for file-based and offline keys) and ECDSA over P-256
// with SHA-256 (for PIV cards, HSMs, cloud KMS). A key is identified by its keyid, the
// lowercase hex SHA-256 of its DER SubjectPublicKeyInfo.
//
// Only the canonical SPKI is accepted, so that one key has exactly one keyid (go-tuf #733:
// the same P-256 key in compressed and uncompressed form must not count twice):
//   * Ed25519: exactly 44 bytes, 302a300506032b6570032100 || 32-byte point; the point must be
//     a canonical encoding (y < p) and not one of the 8 small-order points (either sign) —
//     a low-order public key "verifies" signatures on messages its holder never signed.
//   * P-256: exactly 91 bytes, the named-curve (prime256v1) header || 04 || X || Y, a point on
//     the curve.
// ECDSA signatures must be strict DER (no BER length forms, no padding, no trailing bytes);
// Ed25519 signatures are exactly 64 raw bytes.
//
// Thread-safety: PublicKey is immutable after construction and may be shared across threads
// (each Verify call uses its own EVP context, copied from one initialised at construction;
// the copy only reads the original).
#ifndef BULWARK_POLICY_BUNDLE_KEYS_H_
#define BULWARK_POLICY_BUNDLE_KEYS_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "agent/base/status.h"

struct evp_pkey_st;    // OpenSSL's EVP_PKEY; OpenSSL stays a private dependency.
struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace bulwark::bundle {

enum class KeyType { kEd25519, kEcdsaP256 };

// The trust-root spelling: "ed25519", "ecdsa-p256".
std::string_view KeyTypeName(KeyType type);
std::optional<KeyType> ParseKeyTypeName(std::string_view name);

// SHA-256 of `bytes`: raw 32 bytes, and lowercase hex.
std::string Sha256(std::string_view bytes);
std::string Sha256Hex(std::string_view bytes);

// Lowercase hex of arbitrary bytes.
std::string HexEncode(std::string_view bytes);

// The keyid of a DER SPKI: Sha256Hex(spki_der).
std::string ComputeKeyId(std::string_view spki_der);

// True for a 64-character lowercase hex string (the only keyid spelling).
bool IsKeyIdSyntax(std::string_view keyid);

class PublicKey {
 public:
  // Parses a DER SPKI that must be the canonical encoding of a `type` key (see above).
  // Errors: kInvalidArgument naming the rule that failed.
  static Result<PublicKey> FromSpki(KeyType type, std::string_view spki_der);

  KeyType type() const { return type_; }
  const std::string& spki_der() const { return spki_der_; }
  const std::string& keyid() const { return keyid_; }

  // True iff `signature` is a valid signature of `message` under this key with this key's
  // algorithm (EVP_DigestVerify returned exactly 1). Malformed signatures are false.
  bool Verify(std::string_view message, std::string_view signature) const;

 private:
  PublicKey(KeyType type, std::string spki_der, std::shared_ptr<evp_pkey_st> pkey);

  KeyType type_;
  std::string spki_der_;
  std::string keyid_;
  std::shared_ptr<evp_pkey_st> pkey_;
  // A verification context already initialised for pkey_ (null if that failed; Verify then
  // initialises its own). OpenSSL 3.0's EVP_DigestVerifyInit costs microseconds per call
  // (provider and name look-ups); copying a ready context costs well under one.
  std::shared_ptr<evp_md_ctx_st> verify_template_;
};

// True if the 32-byte Ed25519 point is a small-order point or a non-canonical encoding (y >= p).
// Exposed for tests.
bool IsWeakEd25519Point(std::string_view point32);

// True if `der` is a strict DER ECDSA-Sig-Value (SEQUENCE of two positive minimal INTEGERs,
// nothing trailing). Exposed for tests.
bool IsStrictDerEcdsaSignature(std::string_view der);

}  // namespace bulwark::bundle

#endif  // BULWARK_POLICY_BUNDLE_KEYS_H_
