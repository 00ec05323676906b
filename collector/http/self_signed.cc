// GenerateSelfSignedCertificate and CertificateSha256 (declared in https_server.h), with the
// OpenSSL 3 EVP/X509 APIs. No Beast here, so this file stays cheap to compile.
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/file_util.h"
#include "collector/http/https_server.h"
#include "collector/http/openssl_ptr.h"
#include "collector/http/tls_context.h"

namespace bulwark::collector {
namespace {

// Ten years: long enough for a lab collector, short enough to be a certificate.
constexpr int kMaxDays = 3650;

struct GeneralNamesDeleter {
  void operator()(GENERAL_NAMES* n) const { GENERAL_NAMES_free(n); }
};
struct BnDeleter {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct ExtDeleter {
  void operator()(X509_EXTENSION* e) const { X509_EXTENSION_free(e); }
};

Status OpenSslError(std::string message) {
  const std::string detail = DrainOpenSslErrors();
  if (!detail.empty()) message += ": " + detail;
  return InternalError(std::move(message));
}

// A DNS name we are willing to put in a SAN: LDH labels separated by dots, optionally a
// leading "*." wildcard label.
bool IsDnsName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  if (name.substr(0, 2) == "*.") name.remove_prefix(2);
  std::size_t label = 0;
  for (const char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || ++label > 63) return false;
  }
  return label > 0;
}

Status AddName(GENERAL_NAMES* names, int type, ASN1_STRING* value) {
  GENERAL_NAME* gn = GENERAL_NAME_new();
  if (gn == nullptr) {
    ASN1_STRING_free(value);
    return OpenSslError("GENERAL_NAME_new failed");
  }
  GENERAL_NAME_set0_value(gn, type, value);
  if (sk_GENERAL_NAME_push(names, gn) == 0) {
    GENERAL_NAME_free(gn);
    return OpenSslError("sk_GENERAL_NAME_push failed");
  }
  return Status::Ok();
}

Result<std::unique_ptr<GENERAL_NAMES, GeneralNamesDeleter>> BuildSubjectAltNames(
    const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses) {
  std::unique_ptr<GENERAL_NAMES, GeneralNamesDeleter> names(sk_GENERAL_NAME_new_null());
  if (!names) return OpenSslError("sk_GENERAL_NAME_new_null failed");
  for (const std::string& dns : dns_names) {
    if (!IsDnsName(dns)) return InvalidArgumentError("not a valid DNS name: '" + dns + "'");
    ASN1_IA5STRING* value = ASN1_IA5STRING_new();
    if (value == nullptr || ASN1_STRING_set(value, dns.data(), static_cast<int>(dns.size())) != 1) {
      ASN1_IA5STRING_free(value);
      return OpenSslError("ASN1_STRING_set failed");
    }
    RETURN_IF_ERROR(AddName(names.get(), GEN_DNS, value));
  }
  for (const std::string& ip : ip_addresses) {
    ASN1_OCTET_STRING* value = a2i_IPADDRESS(ip.c_str());
    if (value == nullptr) {
      ERR_clear_error();
      return InvalidArgumentError("not a valid IP address: '" + ip + "'");
    }
    RETURN_IF_ERROR(AddName(names.get(), GEN_IPADD, value));
  }
  return names;
}

Status AddConfExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  std::unique_ptr<X509_EXTENSION, ExtDeleter> ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return OpenSslError(std::string("cannot add certificate extension ") + OBJ_nid2sn(nid));
  }
  return Status::Ok();
}

Result<std::string> BioContents(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  if (len < 0 || (len > 0 && data == nullptr)) return InternalError("BIO_get_mem_data failed");
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace

Status GenerateSelfSignedCertificate(const std::string& cert_file, const std::string& key_file,
                                     const std::vector<std::string>& dns_names,
                                     const std::vector<std::string>& ip_addresses, int days) {
  if (cert_file.empty() || key_file.empty()) {
    return InvalidArgumentError("certificate and key file names are required");
  }
  if (cert_file == key_file) {
    return InvalidArgumentError("certificate and key must be different files");
  }
  if (days < 1 || days > kMaxDays) {
    return InvalidArgumentError("validity must be 1.." + std::to_string(kMaxDays) + " days");
  }
  if (dns_names.empty() && ip_addresses.empty()) {
    return InvalidArgumentError("at least one DNS name or IP address is required");
  }
  ERR_clear_error();
  ASSIGN_OR_RETURN(auto names, BuildSubjectAltNames(dns_names, ip_addresses));

  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(EVP_EC_gen("P-256"));
  if (!key) return OpenSslError("cannot generate a P-256 key");

  std::unique_ptr<X509, X509Deleter> cert(X509_new());
  if (!cert) return OpenSslError("X509_new failed");
  X509* x = cert.get();
  if (X509_set_version(x, X509_VERSION_3) != 1) return OpenSslError("X509_set_version failed");

  // A random positive 127-bit serial (RFC 5280: at most 20 octets, unique per issuer).
  std::unique_ptr<BIGNUM, BnDeleter> serial(BN_new());
  if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(x)) == nullptr) {
    return OpenSslError("cannot set the serial number");
  }
  // Backdated a little so a client whose clock is slightly behind still accepts it.
  if (X509_gmtime_adj(X509_getm_notBefore(x), -5 * 60) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(x), static_cast<long>(days) * 24 * 60 * 60) == nullptr) {
    return OpenSslError("cannot set the validity period");
  }
  const std::string common_name = !dns_names.empty() ? dns_names.front() : ip_addresses.front();
  X509_NAME* subject = X509_get_subject_name(x);
  if (X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>("Bulwark"), -1, -1,
                                 0) != 1 ||
      X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                 -1, 0) != 1 ||
      X509_set_issuer_name(x, subject) != 1) {
    return OpenSslError("cannot set the subject name");
  }
  if (X509_set_pubkey(x, key.get()) != 1) return OpenSslError("X509_set_pubkey failed");

  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, x, x, nullptr, nullptr, 0);
  RETURN_IF_ERROR(AddConfExtension(x, &v3, NID_basic_constraints, "critical,CA:FALSE"));
  RETURN_IF_ERROR(AddConfExtension(x, &v3, NID_key_usage, "critical,digitalSignature"));
  RETURN_IF_ERROR(AddConfExtension(x, &v3, NID_ext_key_usage, "serverAuth"));
  RETURN_IF_ERROR(AddConfExtension(x, &v3, NID_subject_key_identifier, "hash"));
  if (X509_add1_ext_i2d(x, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return OpenSslError("cannot add the subjectAltName extension");
  }
  if (X509_sign(x, key.get(), EVP_sha256()) <= 0) return OpenSslError("X509_sign failed");

  std::unique_ptr<BIO, BioDeleter> key_bio(BIO_new(BIO_s_mem()));
  std::unique_ptr<BIO, BioDeleter> cert_bio(BIO_new(BIO_s_mem()));
  if (!key_bio || !cert_bio ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1 ||
      PEM_write_bio_X509(cert_bio.get(), x) != 1) {
    return OpenSslError("cannot encode the certificate or key as PEM");
  }
  ASSIGN_OR_RETURN(const std::string key_pem, BioContents(key_bio.get()));
  ASSIGN_OR_RETURN(const std::string cert_pem, BioContents(cert_bio.get()));
  // The key goes first: a certificate without its key on disk would be useless.
  RETURN_IF_ERROR(WriteFileAtomic(key_file, key_pem, 0600));
  return WriteFileAtomic(cert_file, cert_pem, 0644);
}

Result<std::string> CertificateSha256(const std::string& cert_file) {
  ERR_clear_error();
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_file(cert_file.c_str(), "rb"));
  if (!bio) {
    const int saved = errno;
    ERR_clear_error();
    return ErrnoToStatus(saved != 0 ? saved : ENOENT, "certificate file " + cert_file);
  }
  std::unique_ptr<X509, X509Deleter> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    ERR_clear_error();
    return InvalidArgumentError("certificate file " + cert_file + " holds no PEM certificate");
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (X509_digest(cert.get(), EVP_sha256(), md, &md_len) != 1) {
    return OpenSslError("X509_digest failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(md_len * 2);
  for (unsigned int i = 0; i < md_len; ++i) {
    hex.push_back(kHex[md[i] >> 4]);
    hex.push_back(kHex[md[i] & 0x0f]);
  }
  return hex;
}

}  // namespace bulwark::collector
