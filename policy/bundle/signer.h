// Private keys for the signing side (bulwark-policy keygen/sign/root, and tests that build
// signed fixtures). Signatures are exactly what PublicKey::Verify accepts: Ed25519 raw 64
// bytes over the message (PureEdDSA), ECDSA P-256 strict DER over SHA-256(message).
//
// Thread-safety: PrivateKey is immutable after construction; Sign may be called concurrently.
#ifndef BULWARK_POLICY_BUNDLE_SIGNER_H_
#define BULWARK_POLICY_BUNDLE_SIGNER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "policy/bundle/keys.h"

namespace bulwark::bundle {

class PrivateKey {
 public:
  // A fresh key from the OpenSSL default RNG. Errors: kInternal.
  static Result<PrivateKey> Generate(KeyType type);

  // Parses a PKCS#8 PEM ("BEGIN PRIVATE KEY", unencrypted) or a SEC1 "EC PRIVATE KEY" PEM.
  // Errors: kInvalidArgument for anything else or a key that is not Ed25519 / P-256.
  static Result<PrivateKey> FromPem(std::string_view pem);

  KeyType type() const { return type_; }

  // Unencrypted PKCS#8 PEM. The caller owns protecting it (file mode 0600).
  std::string ToPkcs8Pem() const;

  // DER SubjectPublicKeyInfo of the matching public key (canonical form), and its keyid.
  const std::string& spki_der() const { return spki_der_; }
  std::string keyid() const { return ComputeKeyId(spki_der_); }

  // Signs `message`. Errors: kInternal.
  Result<std::string> Sign(std::string_view message) const;

 private:
  PrivateKey(KeyType type, std::shared_ptr<evp_pkey_st> pkey, std::string spki_der);

  KeyType type_;
  std::shared_ptr<evp_pkey_st> pkey_;
  std::string spki_der_;
};

// Builds a DSSE envelope (standard base64, compact JSON) whose signatures are each key's
// signature over PAE(payload_type, body), in order, each with its keyid hint.
// Errors: the first signing failure.
Result<std::string> SignEnvelope(std::string_view payload_type, std::string_view body,
                                 const std::vector<const PrivateKey*>& keys);

}  // namespace bulwark::bundle

#endif  // BULWARK_POLICY_BUNDLE_SIGNER_H_
