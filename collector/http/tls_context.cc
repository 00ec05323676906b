#include "collector/http/tls_context.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <utility>

#include "collector/http/openssl_ptr.h"

namespace bulwark::collector {
namespace {

// Certificate chains and keys are small; anything bigger is not what the operator meant.
constexpr std::size_t kMaxPemFileBytes = 1024 * 1024;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// Reads `path` whole. `what` ("certificate file", "private key file") prefixes errors.
Result<std::string> ReadPemFile(const std::string& path, std::string_view what) {
  const std::string context = std::string(what) + " " + path;
  if (path.empty()) return InvalidArgumentError(std::string(what) + " not set");
  // Every file problem is the operator's to fix: kInvalidArgument, as HttpsServer::Create
  // promises, with the errno text naming the cause.
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) return InvalidArgumentError(ErrnoToStatus(errno, context).message());
  std::string data;
  char chunk[4096];
  std::size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof chunk, f.get())) > 0) {
    data.append(chunk, n);
    if (data.size() > kMaxPemFileBytes) return InvalidArgumentError(context + ": file too large");
  }
  if (std::ferror(f.get()) != 0) {
    return InvalidArgumentError(ErrnoToStatus(errno, context).message());
  }
  return data;
}

std::unique_ptr<BIO, BioDeleter> MemoryBio(const std::string& data) {
  // kMaxPemFileBytes keeps the size within int.
  return std::unique_ptr<BIO, BioDeleter>(
      BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

// Never prompt on a terminal for a passphrase: encrypted keys are simply refused.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) { return 0; }

std::string WithOpenSslDetail(std::string message) {
  const std::string detail = DrainOpenSslErrors();
  if (!detail.empty()) message += ": " + detail;
  return message;
}

Status LoadCertificateChain(SSL_CTX* ctx, const std::string& cert_file) {
  ASSIGN_OR_RETURN(const std::string pem, ReadPemFile(cert_file, "certificate file"));
  auto bio = MemoryBio(pem);
  if (!bio) return InternalError("BIO_new_mem_buf failed");
  std::unique_ptr<X509, X509Deleter> leaf(
      PEM_read_bio_X509_AUX(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!leaf) {
    return InvalidArgumentError(
        WithOpenSslDetail("certificate file " + cert_file + " holds no PEM certificate"));
  }
  if (SSL_CTX_use_certificate(ctx, leaf.get()) != 1) {
    return InvalidArgumentError(WithOpenSslDetail("certificate in " + cert_file + " was rejected"));
  }
  SSL_CTX_clear_chain_certs(ctx);
  while (true) {
    std::unique_ptr<X509, X509Deleter> ca(
        PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr));
    if (!ca) break;
    if (SSL_CTX_add0_chain_cert(ctx, ca.get()) != 1) {
      return InvalidArgumentError(
          WithOpenSslDetail("chain certificate in " + cert_file + " was rejected"));
    }
    ca.release();  // owned by ctx now
  }
  // The loop ends with "no start line" at the end of the file; anything else is malformed.
  const unsigned long err = ERR_peek_last_error();
  if (err != 0 &&
      !(ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE)) {
    return InvalidArgumentError(
        WithOpenSslDetail("certificate file " + cert_file + " has a malformed chain certificate"));
  }
  ERR_clear_error();
  return Status::Ok();
}

Status LoadPrivateKey(SSL_CTX* ctx, const std::string& key_file, const std::string& cert_file) {
  ASSIGN_OR_RETURN(const std::string pem, ReadPemFile(key_file, "private key file"));
  auto bio = MemoryBio(pem);
  if (!bio) return InternalError("BIO_new_mem_buf failed");
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!key) {
    return InvalidArgumentError(WithOpenSslDetail("private key file " + key_file +
                                                  " holds no unencrypted PEM private key"));
  }
  X509* leaf = SSL_CTX_get0_certificate(ctx);
  if (leaf == nullptr || X509_check_private_key(leaf, key.get()) != 1) {
    ERR_clear_error();
    return InvalidArgumentError("private key in " + key_file +
                                " does not match the certificate in " + cert_file);
  }
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    return InvalidArgumentError(WithOpenSslDetail("private key in " + key_file + " was rejected"));
  }
  return Status::Ok();
}

}  // namespace

void SslCtxDeleter::operator()(ssl_ctx_st* ctx) const { SSL_CTX_free(ctx); }

std::string DrainOpenSslErrors() {
  std::string out;
  unsigned long err = 0;
  while ((err = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(err, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

Result<SslCtxPtr> CreateServerTlsContext(const std::string& cert_file,
                                         const std::string& key_file) {
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return InternalError(WithOpenSslDetail("SSL_CTX_new failed"));
  SSL_CTX* c = ctx.get();

  if (SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION) != 1) {
    return InternalError(WithOpenSslDetail("cannot set TLS protocol versions"));
  }
  // Server preference: our AEAD order wins over whatever order the client lists.
  SSL_CTX_set_options(
      c, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Idle keep-alive connections should not pin 32 KB of record buffers each.
  SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_set_cipher_list(c, kTls12CipherList) != 1) {
    return InternalError(WithOpenSslDetail("cannot set the TLS 1.2 cipher list"));
  }
  if (SSL_CTX_set_ciphersuites(
          c, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256") != 1) {
    return InternalError(WithOpenSslDetail("cannot set the TLS 1.3 cipher suites"));
  }
  // ECDH group selection is automatic in OpenSSL 3 (SSL_CTX_set_ecdh_auto is a no-op); we only
  // fix the groups offered, strongest-common first.
  if (SSL_CTX_set1_groups_list(c, "X25519:P-256:P-384") != 1) {
    return InternalError(WithOpenSslDetail("cannot set the ECDHE groups"));
  }

  RETURN_IF_ERROR(LoadCertificateChain(c, cert_file));
  RETURN_IF_ERROR(LoadPrivateKey(c, key_file, cert_file));
  return ctx;
}

}  // namespace bulwark::collector
