#include "collector/http/tls_context.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <cstdio>
#include <set>
#include <string>

#include "collector/http/https_server.h"
#include "tests/testing/temp_dir.h"

namespace bulwark::collector {
namespace {

using ::bulwark::testing::TempDir;

class TlsContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(GenerateSelfSignedCertificate(dir_.Join("a.crt"), dir_.Join("a.key"), {"localhost"},
                                              {"127.0.0.1"}, 1)
                    .ok());
    ASSERT_TRUE(GenerateSelfSignedCertificate(dir_.Join("b.crt"), dir_.Join("b.key"), {"localhost"},
                                              {"127.0.0.1"}, 1)
                    .ok());
  }
  TempDir dir_;
};

TEST_F(TlsContextTest, AppliesTheProtocolAndCipherPolicy) {
  Result<SslCtxPtr> ctx = CreateServerTlsContext(dir_.Join("a.crt"), dir_.Join("a.key"));
  ASSERT_TRUE(ctx.ok()) << ctx.status().ToString();
  SSL_CTX* c = ctx->get();
  EXPECT_EQ(SSL_CTX_get_min_proto_version(c), TLS1_2_VERSION);
  EXPECT_EQ(SSL_CTX_get_max_proto_version(c), TLS1_3_VERSION);
  const std::uint64_t options = SSL_CTX_get_options(c);
  EXPECT_NE(options & SSL_OP_NO_COMPRESSION, 0u);
  EXPECT_NE(options & SSL_OP_NO_RENEGOTIATION, 0u);
  EXPECT_NE(options & SSL_OP_CIPHER_SERVER_PREFERENCE, 0u);

  // Every suite enabled for TLS 1.2 is ECDHE with an AEAD cipher; TLS 1.3 suites are AEAD.
  SSL* ssl = SSL_new(c);
  ASSERT_NE(ssl, nullptr);
  STACK_OF(SSL_CIPHER)* ciphers = SSL_get1_supported_ciphers(ssl);
  ASSERT_NE(ciphers, nullptr);
  std::set<std::string> tls12;
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* cipher = sk_SSL_CIPHER_value(ciphers, i);
    EXPECT_TRUE(SSL_CIPHER_is_aead(cipher)) << SSL_CIPHER_get_name(cipher);
    const int kx = SSL_CIPHER_get_kx_nid(cipher);
    if (kx == NID_kx_any) continue;  // a TLS 1.3 suite: key exchange negotiated separately
    EXPECT_EQ(kx, NID_kx_ecdhe) << SSL_CIPHER_get_name(cipher);
    tls12.insert(SSL_CIPHER_get_name(cipher));
  }
  EXPECT_EQ(tls12, (std::set<std::string>{
                       "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
                       "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
                       "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305"}));
  sk_SSL_CIPHER_free(ciphers);
  SSL_free(ssl);
}

TEST_F(TlsContextTest, MismatchedKeyNamesBothFiles) {
  Result<SslCtxPtr> ctx = CreateServerTlsContext(dir_.Join("a.crt"), dir_.Join("b.key"));
  ASSERT_FALSE(ctx.ok());
  EXPECT_EQ(ctx.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ctx.status().message(), "private key in " + dir_.Join("b.key") +
                                        " does not match the certificate in " + dir_.Join("a.crt"));
}

TEST_F(TlsContextTest, HttpsServerCreateReportsTheMismatch) {
  HttpsServerOptions options;
  options.listen_port = 0;
  options.cert_file = dir_.Join("b.crt");
  options.key_file = dir_.Join("a.key");
  auto server = HttpsServer::Create(options, [](const HttpRequest&) { return HttpResponse(); });
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(server.status().message().find("does not match"), std::string::npos);
  EXPECT_NE(server.status().message().find(dir_.Join("a.key")), std::string::npos);
}

TEST_F(TlsContextTest, MissingFilesAreNamed) {
  Result<SslCtxPtr> no_cert = CreateServerTlsContext(dir_.Join("none.crt"), dir_.Join("a.key"));
  EXPECT_EQ(no_cert.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_cert.status().message().find("No such file"), std::string::npos);
  EXPECT_NE(no_cert.status().message().find(dir_.Join("none.crt")), std::string::npos);

  Result<SslCtxPtr> no_key = CreateServerTlsContext(dir_.Join("a.crt"), dir_.Join("none.key"));
  EXPECT_EQ(no_key.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_key.status().message().find(dir_.Join("none.key")), std::string::npos);
}

TEST_F(TlsContextTest, GarbageFilesAreRejectedWithTheirName) {
  dir_.WriteFile("junk.pem",
                 "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");
  Result<SslCtxPtr> bad_cert = CreateServerTlsContext(dir_.Join("junk.pem"), dir_.Join("a.key"));
  EXPECT_EQ(bad_cert.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_cert.status().message().find(dir_.Join("junk.pem")), std::string::npos);

  // A certificate where the key should be.
  Result<SslCtxPtr> bad_key = CreateServerTlsContext(dir_.Join("a.crt"), dir_.Join("a.crt"));
  EXPECT_EQ(bad_key.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_key.status().message().find("private key file " + dir_.Join("a.crt")),
            std::string::npos);
}

TEST_F(TlsContextTest, EncryptedKeyIsRefusedWithoutPrompting) {
  // Re-encrypt a.key with a passphrase: the server must fail, not ask on a terminal.
  std::FILE* in = std::fopen(dir_.Join("a.key").c_str(), "rb");
  ASSERT_NE(in, nullptr);
  EVP_PKEY* key = PEM_read_PrivateKey(in, nullptr, nullptr, nullptr);
  std::fclose(in);
  ASSERT_NE(key, nullptr);
  std::FILE* out = std::fopen(dir_.Join("enc.key").c_str(), "wb");
  ASSERT_NE(out, nullptr);
  char pass[] = "secret";
  EXPECT_EQ(PEM_write_PrivateKey(out, key, EVP_aes_256_cbc(), nullptr, 0, nullptr, pass), 1);
  std::fclose(out);
  EVP_PKEY_free(key);

  Result<SslCtxPtr> ctx = CreateServerTlsContext(dir_.Join("a.crt"), dir_.Join("enc.key"));
  EXPECT_EQ(ctx.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(ctx.status().message().find(dir_.Join("enc.key")), std::string::npos);
}

TEST_F(TlsContextTest, LoadsAChainFileWithIntermediates) {
  // Leaf first, then another certificate standing in for an intermediate.
  std::string chain;
  for (const char* name : {"a.crt", "b.crt"}) {
    std::FILE* f = std::fopen(dir_.Join(name).c_str(), "rb");
    ASSERT_NE(f, nullptr);
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) chain.append(buf, n);
    std::fclose(f);
  }
  dir_.WriteFile("chain.pem", chain);
  Result<SslCtxPtr> ctx = CreateServerTlsContext(dir_.Join("chain.pem"), dir_.Join("a.key"));
  ASSERT_TRUE(ctx.ok()) << ctx.status().ToString();
  STACK_OF(X509)* extra = nullptr;
  ASSERT_EQ(SSL_CTX_get0_chain_certs(ctx->get(), &extra), 1);
  ASSERT_NE(extra, nullptr);
  EXPECT_EQ(sk_X509_num(extra), 1);
}

}  // namespace
}  // namespace bulwark::collector
