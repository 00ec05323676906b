#include "policy/bundle/signer.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>

#include "policy/bundle/dsse.h"

namespace bulwark::bundle {
namespace {

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct CtxDeleter {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

Result<std::string> SpkiOf(EVP_PKEY* pkey) {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(pkey, &der);
  if (len <= 0) {
    ERR_clear_error();
    return InternalError("cannot encode the public key");
  }
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

Result<KeyType> TypeOf(EVP_PKEY* pkey) {
  const int id = EVP_PKEY_get_base_id(pkey);
  if (id == EVP_PKEY_ED25519) return KeyType::kEd25519;
  if (id == EVP_PKEY_EC) {
    char group[64] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_group_name(pkey, group, sizeof group, &len) == 1 &&
        std::strcmp(group, "prime256v1") == 0) {
      return KeyType::kEcdsaP256;
    }
  }
  ERR_clear_error();
  return InvalidArgumentError("private key is neither Ed25519 nor ECDSA P-256");
}

}  // namespace

PrivateKey::PrivateKey(KeyType type, std::shared_ptr<evp_pkey_st> pkey, std::string spki_der)
    : type_(type), pkey_(std::move(pkey)), spki_der_(std::move(spki_der)) {}

Result<PrivateKey> PrivateKey::Generate(KeyType type) {
  EVP_PKEY* raw = type == KeyType::kEd25519 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                                            : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (raw == nullptr) {
    ERR_clear_error();
    return InternalError("key generation failed");
  }
  std::shared_ptr<evp_pkey_st> pkey(raw, EVP_PKEY_free);
  if (type == KeyType::kEcdsaP256) {
    // Uncompressed points are the only canonical SPKI form (keys.h).
    if (EVP_PKEY_set_utf8_string_param(raw, "point-format", "uncompressed") != 1) {
      ERR_clear_error();
    }
  }
  ASSIGN_OR_RETURN(std::string spki, SpkiOf(raw));
  return PrivateKey(type, std::move(pkey), std::move(spki));
}

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return InternalError("BIO_new_mem_buf failed");
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (raw == nullptr) {
    ERR_clear_error();
    return InvalidArgumentError("not an unencrypted PEM private key");
  }
  std::shared_ptr<evp_pkey_st> pkey(raw, EVP_PKEY_free);
  ASSIGN_OR_RETURN(KeyType type, TypeOf(raw));
  ASSIGN_OR_RETURN(std::string spki, SpkiOf(raw));
  return PrivateKey(type, std::move(pkey), std::move(spki));
}

std::string PrivateKey::ToPkcs8Pem() const {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr,
                                            nullptr) != 1) {
    std::abort();  // writing to a memory BIO only fails when out of memory
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

Result<std::string> PrivateKey::Sign(std::string_view message) const {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx) return InternalError("EVP_MD_CTX_new failed");
  const EVP_MD* md = type_ == KeyType::kEd25519 ? nullptr : EVP_sha256();
  const auto* msg = reinterpret_cast<const unsigned char*>(message.data());
  std::size_t sig_len = 0;
  if (EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, pkey_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &sig_len, msg, message.size()) != 1) {
    ERR_clear_error();
    return InternalError("signing failed");
  }
  std::string sig(sig_len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &sig_len, msg,
                     message.size()) != 1) {
    ERR_clear_error();
    return InternalError("signing failed");
  }
  sig.resize(sig_len);
  return sig;
}

Result<std::string> SignEnvelope(std::string_view payload_type, std::string_view body,
                                 const std::vector<const PrivateKey*>& keys) {
  const std::string pae = PreAuthEncoding(payload_type, body);
  std::vector<EnvelopeSignature> sigs;
  for (const PrivateKey* key : keys) {
    ASSIGN_OR_RETURN(std::string sig, key->Sign(pae));
    sigs.push_back(EnvelopeSignature{key->keyid(), std::move(sig)});
  }
  return SerializeEnvelope(payload_type, body, sigs);
}

}  // namespace bulwark::bundle
