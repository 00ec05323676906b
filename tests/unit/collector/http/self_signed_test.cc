#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "collector/http/https_server.h"
#include "tests/testing/temp_dir.h"

namespace bulwark::collector {
namespace {

using ::bulwark::testing::TempDir;

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

X509Ptr ReadCertificate(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return nullptr;
  X509Ptr cert(PEM_read_X509(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  return cert;
}

// The subjectAltName entries as "DNS:name" / "IP:address".
std::set<std::string> SubjectAltNames(X509* cert) {
  std::set<std::string> out;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS) {
      const ASN1_STRING* s = name->d.dNSName;
      out.insert("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                      static_cast<std::size_t>(ASN1_STRING_length(s))));
    } else if (name->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = name->d.iPAddress;
      const unsigned char* b = ASN1_STRING_get0_data(ip);
      if (ASN1_STRING_length(ip) == 4) {
        out.insert("IP:" + std::to_string(b[0]) + "." + std::to_string(b[1]) + "." +
                   std::to_string(b[2]) + "." + std::to_string(b[3]));
      } else {
        out.insert("IP:<" + std::to_string(ASN1_STRING_length(ip)) + " bytes>");
      }
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

TEST(SelfSignedCertificateTest, WritesSansAndPrivateKeyReadableByOwnerOnly) {
  TempDir dir;
  const std::string cert_file = dir.Join("cert.pem");
  const std::string key_file = dir.Join("key.pem");
  ASSERT_TRUE(GenerateSelfSignedCertificate(cert_file, key_file, {"localhost", "collector.lan"},
                                            {"127.0.0.1", "::1"}, 30)
                  .ok());

  struct stat st {};
  ASSERT_EQ(::stat(key_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(::stat(cert_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);

  X509Ptr cert = ReadCertificate(cert_file);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(SubjectAltNames(cert.get()),
            (std::set<std::string>{"DNS:localhost", "DNS:collector.lan", "IP:127.0.0.1",
                                   "IP:<16 bytes>"}));
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);
  EXPECT_NE(X509_check_host(cert.get(), "example.com", 0, 0, nullptr), 1);

  // ECDSA P-256, self-signed, valid now and for about 30 days.
  EVP_PKEY* pub = X509_get0_pubkey(cert.get());
  ASSERT_NE(pub, nullptr);
  EXPECT_EQ(EVP_PKEY_get_base_id(pub), EVP_PKEY_EC);
  EXPECT_EQ(EVP_PKEY_get_bits(pub), 256);
  EXPECT_EQ(X509_verify(cert.get(), pub), 1);
  EXPECT_LT(X509_cmp_current_time(X509_get0_notBefore(cert.get())), 0);
  int days = 0;
  int seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(cert.get())), 1);
  EXPECT_TRUE(days == 29 || days == 30) << days;

  // The key file holds the private key of this certificate.
  std::FILE* f = std::fopen(key_file.c_str(), "rb");
  ASSERT_NE(f, nullptr);
  EVP_PKEY* key = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(X509_check_private_key(cert.get(), key), 1);
  EVP_PKEY_free(key);
}

TEST(SelfSignedCertificateTest, ReplacesExistingFilesAndLeavesNoTemporaries) {
  TempDir dir;
  dir.WriteFile("cert.pem", "old", 0644);
  dir.WriteFile("key.pem", "old", 0644);
  ASSERT_TRUE(
      GenerateSelfSignedCertificate(dir.Join("cert.pem"), dir.Join("key.pem"), {"localhost"}, {}, 1)
          .ok());
  struct stat st {};
  ASSERT_EQ(::stat(dir.Join("key.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_NE(ReadCertificate(dir.Join("cert.pem")), nullptr);
  int entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    ++entries;
    EXPECT_TRUE(entry.path().filename() == "cert.pem" || entry.path().filename() == "key.pem")
        << entry.path();
  }
  EXPECT_EQ(entries, 2);
}

TEST(SelfSignedCertificateTest, RejectsBadNamesAndValidity) {
  TempDir dir;
  const std::string cert = dir.Join("c.pem");
  const std::string key = dir.Join("k.pem");
  EXPECT_EQ(GenerateSelfSignedCertificate(cert, key, {"bad name"}, {}, 1).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(GenerateSelfSignedCertificate(cert, key, {"a,IP:1.2.3.4"}, {}, 1).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(GenerateSelfSignedCertificate(cert, key, {}, {"300.1.1.1"}, 1).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(GenerateSelfSignedCertificate(cert, key, {}, {}, 1).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(GenerateSelfSignedCertificate(cert, key, {"localhost"}, {}, 0).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(GenerateSelfSignedCertificate(cert, cert, {"localhost"}, {}, 1).code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(cert));
  EXPECT_FALSE(std::filesystem::exists(key));
}

TEST(SelfSignedCertificateTest, ReportsUnwritableDirectory) {
  TempDir dir;
  const Status s = GenerateSelfSignedCertificate(dir.Join("missing/c.pem"),
                                                 dir.Join("missing/k.pem"), {"localhost"}, {}, 1);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
}

TEST(CertificateSha256Test, IsTheDigestOfTheDerCertificate) {
  TempDir dir;
  ASSERT_TRUE(GenerateSelfSignedCertificate(dir.Join("c.pem"), dir.Join("k.pem"), {"localhost"},
                                            {"127.0.0.1"}, 1)
                  .ok());
  X509Ptr cert = ReadCertificate(dir.Join("c.pem"));
  ASSERT_NE(cert, nullptr);
  unsigned char* der = nullptr;
  const int der_len = i2d_X509(cert.get(), &der);
  ASSERT_GT(der_len, 0);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  ASSERT_EQ(EVP_Digest(der, static_cast<std::size_t>(der_len), md, &md_len, EVP_sha256(), nullptr),
            1);
  OPENSSL_free(der);
  std::string expected;
  for (unsigned int i = 0; i < md_len; ++i) {
    char hex[3];
    std::snprintf(hex, sizeof hex, "%02x", md[i]);
    expected += hex;
  }

  const Result<std::string> digest = CertificateSha256(dir.Join("c.pem"));
  ASSERT_TRUE(digest.ok()) << digest.status().ToString();
  EXPECT_EQ(*digest, expected);
  EXPECT_EQ(digest->size(), 64u);
}

TEST(CertificateSha256Test, ReportsMissingAndNonCertificateFiles) {
  TempDir dir;
  EXPECT_EQ(CertificateSha256(dir.Join("none.pem")).status().code(), StatusCode::kNotFound);
  dir.WriteFile("junk.pem", "not a certificate\n");
  const Result<std::string> junk = CertificateSha256(dir.Join("junk.pem"));
  EXPECT_EQ(junk.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(junk.status().message().find("junk.pem"), std::string::npos);
}

}  // namespace
}  // namespace bulwark::collector
