// The collector's server-side TLS configuration as a plain OpenSSL SSL_CTX (private to
// collector/http; https_server.cc hands it to Asio).
//
// Policy: TLS 1.2 minimum, TLS 1.3 maximum (and therefore preferred); TLS 1.2 limited to ECDHE
// key exchange with AEAD ciphers (AES-GCM, ChaCha20-Poly1305), server cipher preference, no
// compression, no renegotiation. Session-ticket keys are the random per-SSL_CTX keys OpenSSL
// makes, so tickets never survive a restart.
#ifndef BULWARK_COLLECTOR_HTTP_TLS_CONTEXT_H_
#define BULWARK_COLLECTOR_HTTP_TLS_CONTEXT_H_

#include <memory>
#include <string>

#include "agent/base/status.h"

struct ssl_ctx_st;

namespace bulwark::collector {

struct SslCtxDeleter {
  void operator()(ssl_ctx_st* ctx) const;
};
using SslCtxPtr = std::unique_ptr<ssl_ctx_st, SslCtxDeleter>;

// The OpenSSL TLS 1.2 cipher list the server accepts (ECDHE + AEAD only).
inline constexpr const char* kTls12CipherList =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// Builds a server SSL_CTX with the certificate chain in `cert_file` (PEM, leaf first) and the
// unencrypted PEM private key in `key_file`. kInvalidArgument, naming the offending file, when
// a file cannot be read, holds no usable certificate or key, or the key does not match the
// leaf certificate; kInternal if OpenSSL itself fails.
Result<SslCtxPtr> CreateServerTlsContext(const std::string& cert_file, const std::string& key_file);

// Text of the OpenSSL errors queued on this thread ("" when none), then clears the queue.
std::string DrainOpenSslErrors();

}  // namespace bulwark::collector

#endif  // BULWARK_COLLECTOR_HTTP_TLS_CONTEXT_H_
