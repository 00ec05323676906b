// bulwark-policy publish against a tiny HTTPS server the test runs on 127.0.0.1 (port 0) with a
// self-signed certificate made here: the route chosen by payloadType, the Bearer token, the
// exact body, --ca-file trust, HTTP errors and an unreachable server.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "agent/base/strings.h"
#include "tests/testing/temp_dir.h"
#include "tests/unit/policy/tool/cli_harness.h"

namespace bulwark::policy_tool {
namespace {

using testing::kConformanceDir;
using testing::RunCli;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string BioString(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

// A self-signed P-256 certificate for IP 127.0.0.1, valid for an hour.
struct TestCertificate {
  std::string cert_pem;
  std::string key_pem;
};

TestCertificate MakeCertificate() {
  TestCertificate out;
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  X509* cert = X509_new();
  if (key == nullptr || cert == nullptr) return out;
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("bulwark test collector"), -1,
                             -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1"},
                                   std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(cert, key, EVP_sha256());
  BIO* cert_bio = BIO_new(BIO_s_mem());
  BIO* key_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(cert_bio, cert);
  PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  out.cert_pem = BioString(cert_bio);
  out.key_pem = BioString(key_bio);
  BIO_free(cert_bio);
  BIO_free(key_bio);
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

// One request as the server saw it.
struct SeenRequest {
  std::string request_line;
  std::vector<std::string> headers;
  std::string body;
};

// Serves HTTPS (TLS 1.2+) on 127.0.0.1:0 in a thread: reads one request per connection and
// answers with a fixed status and body. Connections whose handshake fails are counted only.
class TinyHttpsServer {
 public:
  TinyHttpsServer(const TestCertificate& cert, int status, std::string body)
      : status_(status), body_(std::move(body)) {
    ctx_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    BIO* cb = BIO_new_mem_buf(cert.cert_pem.data(), static_cast<int>(cert.cert_pem.size()));
    BIO* kb = BIO_new_mem_buf(cert.key_pem.data(), static_cast<int>(cert.key_pem.size()));
    X509* x = PEM_read_bio_X509(cb, nullptr, nullptr, nullptr);
    EVP_PKEY* k = PEM_read_bio_PrivateKey(kb, nullptr, nullptr, nullptr);
    ok_ = x != nullptr && k != nullptr && SSL_CTX_use_certificate(ctx_, x) == 1 &&
          SSL_CTX_use_PrivateKey(ctx_, k) == 1;
    X509_free(x);
    EVP_PKEY_free(k);
    BIO_free(cb);
    BIO_free(kb);

    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    ok_ = ok_ && listen_fd_ >= 0 &&
          ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
          ::listen(listen_fd_, 8) == 0 &&
          ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
    port_ = ntohs(addr.sin_port);
    if (ok_) thread_ = std::thread([this] { Serve(); });
  }

  ~TinyHttpsServer() {
    ::shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
    if (thread_.joinable()) thread_.join();
    ::close(listen_fd_);
    SSL_CTX_free(ctx_);
  }

  bool ok() const { return ok_; }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  std::vector<SeenRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void Serve() {
    for (;;) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      timeval tv{10, 0};  // a stuck client cannot hang the test
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      SSL* ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, fd);
      if (SSL_accept(ssl) == 1) HandleOne(ssl);
      ERR_clear_error();
      SSL_free(ssl);
      ::close(fd);
    }
  }

  void HandleOne(SSL* ssl) {
    std::string data;
    char buf[4096];
    std::size_t header_end = std::string::npos;
    std::size_t content_length = 0;
    for (;;) {
      if (header_end == std::string::npos) {
        header_end = data.find("\r\n\r\n");
        if (header_end != std::string::npos) {
          const std::string head = AsciiLower(data.substr(0, header_end));
          const std::size_t cl = head.find("\r\ncontent-length:");
          if (cl != std::string::npos) {
            content_length = std::stoul(head.substr(cl + 17));
          }
        }
      }
      if (header_end != std::string::npos && data.size() >= header_end + 4 + content_length) break;
      const int n = SSL_read(ssl, buf, sizeof buf);
      if (n <= 0) return;
      data.append(buf, static_cast<std::size_t>(n));
      if (data.size() > 4 * 1024 * 1024) return;
    }
    SeenRequest seen;
    std::vector<std::string_view> lines = Split(std::string_view(data).substr(0, header_end), '\n');
    for (std::size_t i = 0; i < lines.size(); ++i) {
      std::string line(TrimWhitespace(lines[i]));
      if (i == 0)
        seen.request_line = line;
      else
        seen.headers.push_back(line);
    }
    seen.body = data.substr(header_end + 4, content_length);
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(std::move(seen));
    }
    const std::string response = "HTTP/1.1 " + std::to_string(status_) +
                                 " Status\r\nContent-Type: application/json\r\nContent-Length: " +
                                 std::to_string(body_.size()) + "\r\nConnection: close\r\n\r\n" +
                                 body_;
    SSL_write(ssl, response.data(), static_cast<int>(response.size()));
    SSL_shutdown(ssl);
  }

  int status_;
  std::string body_;
  SSL_CTX* ctx_ = nullptr;
  int listen_fd_ = -1;
  int port_ = 0;
  bool ok_ = false;
  std::thread thread_;
  std::mutex mu_;
  std::vector<SeenRequest> requests_;
};

class PublishTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cert_ = MakeCertificate();
    ASSERT_FALSE(cert_.cert_pem.empty());
    dir_.WriteFile("ca.pem", cert_.cert_pem);
    dir_.WriteFile("token", "s3cret-admin-token\n", 0600);
  }
  std::vector<std::string> Args(const std::string& url, const std::string& file) const {
    return {"publish",   "--server",          url, "--admin-token-file", dir_.Join("token"),
            "--ca-file", dir_.Join("ca.pem"), file};
  }
  bool HasHeader(const SeenRequest& r, const std::string& header) const {
    for (const std::string& h : r.headers) {
      if (h == header) return true;
    }
    return false;
  }

  TestCertificate cert_;
  bulwark::testing::TempDir dir_;
};

TEST_F(PublishTest, PostsABundleToThePolicyRouteWithTheBearerToken) {
  TinyHttpsServer server(cert_, 201, "{\"stored\":\"baseline\",\"version\":11}");
  ASSERT_TRUE(server.ok());
  const std::string bundle = kConformanceDir + "envelopes/A01_valid_2of3.json";
  const testing::CliRun run = RunCli(Args(server.url() + "/", bundle));
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, "{\"stored\":\"baseline\",\"version\":11}\n");
  const std::vector<SeenRequest> seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].request_line, "POST /api/v1/policy HTTP/1.1");
  EXPECT_TRUE(HasHeader(seen[0], "Authorization: Bearer s3cret-admin-token"));
  EXPECT_TRUE(HasHeader(seen[0], "Content-Type: application/json"));
  EXPECT_EQ(seen[0].body, ReadFile(bundle));
}

TEST_F(PublishTest, PostsATrustRootToTheTrustRootRoute) {
  TinyHttpsServer server(cert_, 200, "{\"root_version\":1}");
  ASSERT_TRUE(server.ok());
  const testing::CliRun run = RunCli(Args(server.url(), kConformanceDir + "roots/1.root.json"));
  EXPECT_EQ(run.code, 0) << run.err;
  const std::vector<SeenRequest> seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].request_line, "POST /api/v1/trust-root HTTP/1.1");
  EXPECT_EQ(seen[0].body, ReadFile(kConformanceDir + "roots/1.root.json"));
}

TEST_F(PublishTest, HttpErrorsAreOneLineWithStatusAndBody) {
  TinyHttpsServer server(cert_, 401, "{\"error\":\"bad admin token\"}");
  ASSERT_TRUE(server.ok());
  const testing::CliRun run =
      RunCli(Args(server.url(), kConformanceDir + "envelopes/A01_valid_2of3.json"));
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err, "bulwark-policy: publish: " + server.url() +
                         "/api/v1/policy answered HTTP 401: {\"error\":\"bad admin token\"}\n");
  EXPECT_EQ(run.err.find("s3cret"), std::string::npos);
}

TEST_F(PublishTest, AnUntrustedCertificateIsRefusedBeforeAnythingIsSent) {
  TinyHttpsServer server(cert_, 200, "{}");
  ASSERT_TRUE(server.ok());
  const testing::CliRun run =
      RunCli({"publish", "--server", server.url(), "--admin-token-file", dir_.Join("token"),
              kConformanceDir + "envelopes/A01_valid_2of3.json"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err.rfind("bulwark-policy: publish: " + server.url() + "/api/v1/policy: ", 0), 0u)
      << run.err;
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(PublishTest, AnUnreachableServerIsNamed) {
  // A port that was just free: bind, read its number, close.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  const std::string url = "https://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  const testing::CliRun run = RunCli(Args(url, kConformanceDir + "envelopes/A01_valid_2of3.json"));
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("onnect"), std::string::npos) << run.err;  // "Couldn't connect ..."
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
}

TEST_F(PublishTest, RefusesInputsThatAreNotPublishable) {
  const std::string url = "https://127.0.0.1:9";  // never contacted
  testing::CliRun run =
      RunCli(Args(url, kConformanceDir + "envelopes/C05_signed_huge_version.json"));
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("bundle payload rejected: E_SCHEMA"), std::string::npos) << run.err;
  run = RunCli(Args(url, kConformanceDir + "roots/2.only-old-keys.json"));
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("trust root not publishable: E_ROOT_SIG_NEW"), std::string::npos)
      << run.err;
  run = RunCli(Args(url, kConformanceDir + "envelopes/B08_not_json.json"));
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("not a DSSE envelope"), std::string::npos) << run.err;
  dir_.WriteFile("empty-token", " \n");
  run = RunCli({"publish", "--server", url, "--admin-token-file", dir_.Join("empty-token"),
                kConformanceDir + "roots/1.root.json"});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("the admin token file is empty"), std::string::npos) << run.err;
  run = RunCli({"publish", "--server", url, "--admin-token-file", dir_.Join("no-token"),
                kConformanceDir + "roots/1.root.json"});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("no-token: No such file or directory"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace bulwark::policy_tool
