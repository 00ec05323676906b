// HttpsClient against the collector's real TLS server (bulwark_https) on 127.0.0.1, port 0,
// with self-signed certificates made by the test: methods, headers, trust (CA file, pin, host
// name), the response cap, unreachable and slow servers, proxies and credential hygiene; a
// tiny OpenSSL server that requests a client certificate checks the one presented. Slow
// handlers block on a future the test releases; nothing sleeps.
#include "agent/net/https_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <future>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "collector/http/https_server.h"
#include "tests/testing/temp_dir.h"

namespace bulwark::net {
namespace {

using ::bulwark::collector::HttpsServer;
using ::bulwark::collector::HttpsServerOptions;
using ::bulwark::testing::TempDir;
using ServerRequest = ::bulwark::collector::HttpRequest;
using ServerResponse = ::bulwark::collector::HttpResponse;

constexpr char kToken[] = "tok-5ecret-do-not-log";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A loopback port nobody listens on: bound, read, closed.
int ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ADD_FAILURE() << "cannot bind a loopback port";
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Sets an environment variable for the scope, restoring the previous value afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value == nullptr) {
      ::unsetenv(name);
    } else {
      ::setenv(name, value, 1);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// The collector's server never asks for a client certificate, so this one-connection TLS
// server (plain OpenSSL, 127.0.0.1:0) does: it requests one, accepts whatever is presented,
// reads one request, answers 200 and remembers the certificate (PEM, "" when none). Every
// socket call is bounded by a 10 s timeout, so a broken client cannot hang the test.
class ClientCertProbe {
 public:
  ClientCertProbe(const std::string& cert_file, const std::string& key_file) {
    ctx_ = SSL_CTX_new(TLS_server_method());
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ok_ = ctx_ != nullptr && listen_fd_ >= 0 &&
          SSL_CTX_use_certificate_chain_file(ctx_, cert_file.c_str()) == 1 &&
          SSL_CTX_use_PrivateKey_file(ctx_, key_file.c_str(), SSL_FILETYPE_PEM) == 1 &&
          ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
          ::listen(listen_fd_, 1) == 0 &&
          ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
    if (!ok_) return;
    port_ = ntohs(addr.sin_port);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
    thread_ = std::thread([this] { ServeOne(); });
  }
  ~ClientCertProbe() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    ::close(listen_fd_);
    SSL_CTX_free(ctx_);
  }
  bool ok() const { return ok_; }
  int port() const { return port_; }
  // Valid after the client's request completed.
  std::string PeerCertificatePem() {
    std::lock_guard lock(mu_);
    return peer_pem_;
  }

 private:
  void ServeOne() {
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    SSL* ssl = SSL_new(ctx_);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
      if (X509* peer = SSL_get1_peer_certificate(ssl)) {
        BIO* bio = BIO_new(BIO_s_mem());
        PEM_write_bio_X509(bio, peer);
        char* data = nullptr;
        const long n = BIO_get_mem_data(bio, &data);
        std::lock_guard lock(mu_);
        peer_pem_.assign(data, static_cast<std::size_t>(n));
        BIO_free(bio);
        X509_free(peer);
      }
      std::string request;
      char buffer[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const int n = SSL_read(ssl, buffer, sizeof buffer);
        if (n <= 0) break;
        request.append(buffer, static_cast<std::size_t>(n));
      }
      const std::string response =
          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
      SSL_write(ssl, response.data(), static_cast<int>(response.size()));
      SSL_shutdown(ssl);
    }
    SSL_free(ssl);
    ::close(fd);
  }

  SSL_CTX* ctx_ = nullptr;
  int listen_fd_ = -1;
  int port_ = 0;
  bool ok_ = false;
  std::mutex mu_;
  std::string peer_pem_;
  std::thread thread_;
};

class HttpsClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_EQ(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
    dir_ = new TempDir;
    // The collector's certificate (trusted through the CA file), a stranger's, and one whose
    // names do not include 127.0.0.1.
    ASSERT_TRUE(collector::GenerateSelfSignedCertificate(Path("cert.pem"), Path("cert-key.pem"),
                                                         {"localhost"}, {"127.0.0.1"}, 1)
                    .ok());
    ASSERT_TRUE(collector::GenerateSelfSignedCertificate(Path("other.pem"), Path("other-key.pem"),
                                                         {"localhost"}, {"127.0.0.1"}, 1)
                    .ok());
    ASSERT_TRUE(collector::GenerateSelfSignedCertificate(Path("named.pem"), Path("named-key.pem"),
                                                         {"collector.example"}, {}, 1)
                    .ok());
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
    curl_global_cleanup();
  }
  static std::string Path(const std::string& name) { return dir_->Join(name); }

  // Starts the collector's server with `cert` (a file prefix: "cert", "other", "named").
  void StartServer(collector::HttpHandler handler, const std::string& cert = "cert") {
    HttpsServerOptions options;
    options.listen_port = 0;
    options.cert_file = Path(cert + ".pem");
    options.key_file = Path(cert + "-key.pem");
    options.threads = 2;
    options.drain_timeout = std::chrono::milliseconds(2000);
    auto server = HttpsServer::Create(options, std::move(handler));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    server_->Start();
  }
  std::string BaseUrl() const { return "https://127.0.0.1:" + std::to_string(server_->port()); }

  static TlsOptions Trusting(const std::string& ca = "cert") {
    TlsOptions options;
    options.ca_file = Path(ca + ".pem");
    options.proxy = "none";
    return options;
  }

  std::unique_ptr<HttpsClient> Client(TlsOptions options) {
    auto client = HttpsClient::Create(BaseUrl(), std::move(options));
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(client).value() : nullptr;
  }

  static HttpRequest WithToken(HttpRequest request) {
    request.headers.emplace_back("Authorization", std::string("Bearer ") + kToken);
    return request;
  }

  void TearDown() override { server_.reset(); }

  static TempDir* dir_;
  std::unique_ptr<HttpsServer> server_;
};

TempDir* HttpsClientTest::dir_ = nullptr;

// Records every request and answers "<method> <target>\n<body>" with an X-Echo header.
struct Recorder {
  std::mutex mu;
  std::vector<ServerRequest> seen;
  collector::HttpHandler Handler() {
    return [this](const ServerRequest& request) {
      std::lock_guard lock(mu);
      seen.push_back(request);
      ServerResponse response;
      response.content_type = "text/plain";
      response.body = request.method + " " + request.target + "\n" + request.body;
      response.headers.emplace_back("X-Echo", std::string(request.Header("x-test")));
      return response;
    };
  }
  std::vector<ServerRequest> Seen() {
    std::lock_guard lock(mu);
    return seen;
  }
};

TEST(HttpsClientCreateTest, RefusesHttpAndOtherSchemes) {
  for (const std::string url : {"http://127.0.0.1:1", "ftp://127.0.0.1", "127.0.0.1:443", ""}) {
    auto client = HttpsClient::Create(url, TlsOptions());
    ASSERT_FALSE(client.ok()) << url;
    EXPECT_EQ(client.status().code(), StatusCode::kInvalidArgument) << url;
  }
  EXPECT_TRUE(HttpsClient::Create("HTTPS://collector.example:8443/", TlsOptions()).ok());
}

TEST(HttpsClientCreateTest, RefusesUserInfoWithoutEchoingIt) {
  auto client = HttpsClient::Create("https://admin:hunter2@127.0.0.1", TlsOptions());
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client.status().message().find("hunter2"), std::string::npos);
}

TEST(HttpsClientCreateTest, RefusesAMalformedPinAtOnce) {
  TlsOptions options;
  const std::string good = "sha256//" + std::string(43, 'A') + "=";
  for (const std::string& pin : {good, good + ";" + good}) {
    options.pinned_spki = pin;
    EXPECT_TRUE(HttpsClient::Create("https://127.0.0.1", options).ok()) << pin;
  }
  for (const std::string& pin :
       {std::string("md5//abc"), std::string("sha256//short="), std::string("/etc/pin.pem"),
        "sha256//" + std::string(43, '!') + "=", good + ";", good + ";x"}) {
    options.pinned_spki = pin;
    auto client = HttpsClient::Create("https://127.0.0.1", options);
    ASSERT_FALSE(client.ok()) << pin;
    EXPECT_EQ(client.status().code(), StatusCode::kInvalidArgument) << pin;
    EXPECT_NE(client.status().message().find("a pin is sha256//"), std::string::npos);
  }
}

TEST(HttpsClientCreateTest, RefusesAClientCertificateWithoutKeyAndViceVersa) {
  TlsOptions options;
  options.client_cert = "/etc/bulwark/agent.pem";
  EXPECT_EQ(HttpsClient::Create("https://127.0.0.1", options).status().code(),
            StatusCode::kInvalidArgument);
  options.client_cert.clear();
  options.client_key = "/etc/bulwark/agent.key";
  EXPECT_EQ(HttpsClient::Create("https://127.0.0.1", options).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(HttpsClientTest, GetsAndPostsWithHeadersAndBody) {
  Recorder recorder;
  StartServer(recorder.Handler());
  auto client = Client(Trusting());
  ASSERT_NE(client, nullptr);

  HttpRequest get;
  get.path = "/api/v1/policy?since=3";
  get.headers = {{"X-Test", "one"}};
  Result<HttpResponse> got = client->Send(get);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, "GET /api/v1/policy?since=3\n");
  EXPECT_EQ(got->Header("x-echo"), "one");
  EXPECT_EQ(got->Header("content-type"), "text/plain");
  EXPECT_EQ(got->Header("server"), "bulwark-collector");
  EXPECT_EQ(got->Header("X-Echo"), "");  // names are stored lower-cased

  HttpRequest post;
  post.method = "POST";
  post.path = "/api/v1/reports";
  post.headers = {{"Content-Type", "application/json"}, {"X-Test", "two"}};
  post.body = std::string(200000, 'x') + "end";  // large: no 100-continue round trip needed
  Result<HttpResponse> posted = client->Send(post);
  ASSERT_TRUE(posted.ok()) << posted.status().ToString();
  EXPECT_EQ(posted->status, 200);
  EXPECT_EQ(posted->body, "POST /api/v1/reports\n" + post.body);
  EXPECT_EQ(posted->Header("x-echo"), "two");

  const std::vector<ServerRequest> seen = recorder.Seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].Header("content-type"), "application/json");
  EXPECT_EQ(seen[1].body, post.body);
  EXPECT_EQ(seen[1].Header("expect"), "");
  // One easy handle: the second request reused the first one's connection.
  EXPECT_EQ(server_->stats().connections_accepted, 1u);
}

TEST_F(HttpsClientTest, HeadReturnsHeadersWithoutBody) {
  Recorder recorder;
  StartServer(recorder.Handler());
  auto client = Client(Trusting());
  ASSERT_NE(client, nullptr);
  HttpRequest head;
  head.method = "HEAD";
  head.path = "/h";
  head.headers = {{"X-Test", "h"}};
  Result<HttpResponse> response = client->Send(head);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "");
  EXPECT_EQ(response->Header("x-echo"), "h");
  ASSERT_EQ(recorder.Seen().size(), 1u);
  EXPECT_EQ(recorder.Seen()[0].method, "HEAD");
}

TEST_F(HttpsClientTest, ReturnsErrorStatusesAndDoesNotFollowRedirects) {
  StartServer([](const ServerRequest& request) {
    ServerResponse response;
    if (request.target == "/moved") {
      response.status = 302;
      response.headers.emplace_back("Location", "https://127.0.0.1:1/elsewhere");
    } else {
      response.status = 503;
      response.headers.emplace_back("Retry-After", "120");
      response.body = "{\"error\":\"busy\"}";
    }
    return response;
  });
  auto client = Client(Trusting());
  ASSERT_NE(client, nullptr);
  HttpRequest request;
  request.path = "/moved";
  Result<HttpResponse> moved = client->Send(request);
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(moved->status, 302);
  EXPECT_EQ(moved->Header("location"), "https://127.0.0.1:1/elsewhere");
  request.path = "/busy";
  Result<HttpResponse> busy = client->Send(request);
  ASSERT_TRUE(busy.ok()) << busy.status().ToString();
  EXPECT_EQ(busy->status, 503);
  EXPECT_EQ(busy->Header("retry-after"), "120");
  EXPECT_EQ(busy->body, "{\"error\":\"busy\"}");
  EXPECT_EQ(busy->Header("location"), "");  // headers are per response
}

TEST_F(HttpsClientTest, TrustsTheCaFileAndRefusesAnUnknownCa) {
  Recorder recorder;
  StartServer(recorder.Handler());
  HttpRequest request;
  request.path = "/x";
  auto trusted = Client(Trusting("cert"));
  ASSERT_NE(trusted, nullptr);
  ASSERT_TRUE(trusted->Send(request).ok());

  auto stranger = Client(Trusting("other"));
  ASSERT_NE(stranger, nullptr);
  Result<HttpResponse> refused = stranger->Send(WithToken(request));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied) << refused.status().ToString();
  EXPECT_EQ(refused.status().message().rfind(BaseUrl() + "/x: ", 0), 0u)
      << refused.status().message();
  EXPECT_EQ(refused.status().message().find(kToken), std::string::npos);
  EXPECT_EQ(recorder.Seen().size(), 1u);  // nothing reached the handler
}

TEST_F(HttpsClientTest, AcceptsTheRightPinAndRefusesAWrongOne) {
  Recorder recorder;
  StartServer(recorder.Handler());
  Result<std::string> right = SpkiPinOfPem(ReadFile(Path("cert.pem")));
  Result<std::string> wrong = SpkiPinOfPem(ReadFile(Path("other.pem")));
  ASSERT_TRUE(right.ok() && wrong.ok());
  ASSERT_NE(*right, *wrong);
  HttpRequest request;
  request.path = "/pinned";

  TlsOptions options = Trusting();
  options.pinned_spki = *right;
  auto pinned = Client(options);
  ASSERT_NE(pinned, nullptr);
  Result<HttpResponse> ok = pinned->Send(request);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->status, 200);

  // Several pins: any one matching is enough.
  options.pinned_spki = *wrong + ";" + *right;
  auto either = Client(options);
  ASSERT_NE(either, nullptr);
  EXPECT_TRUE(either->Send(request).ok());

  options.pinned_spki = *wrong;
  auto mispinned = Client(options);
  ASSERT_NE(mispinned, nullptr);
  Result<HttpResponse> refused = mispinned->Send(WithToken(request));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied) << refused.status().ToString();
  EXPECT_EQ(refused.status().message().find(kToken), std::string::npos);
  EXPECT_EQ(recorder.Seen().size(), 2u);
}

TEST_F(HttpsClientTest, RefusesACertificateForAnotherHostName) {
  Recorder recorder;
  StartServer(recorder.Handler(), "named");
  auto client = Client(Trusting("named"));  // trusted, but not issued for 127.0.0.1
  ASSERT_NE(client, nullptr);
  HttpRequest request;
  request.path = "/x";
  Result<HttpResponse> refused = client->Send(request);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied) << refused.status().ToString();
  EXPECT_TRUE(recorder.Seen().empty());
}

TEST_F(HttpsClientTest, CapsTheResponseBody) {
  StartServer([](const ServerRequest& request) {
    ServerResponse response;
    response.body = std::string(request.target == "/big" ? 70000 : 1000, 'b');
    return response;
  });
  auto client = Client(Trusting());
  ASSERT_NE(client, nullptr);
  HttpRequest request;
  request.path = "/small";
  request.max_response_bytes = 1000;  // exactly at the cap is fine
  Result<HttpResponse> small = client->Send(request);
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  EXPECT_EQ(small->body.size(), 1000u);

  request.path = "/big";
  request.max_response_bytes = 65536;
  Result<HttpResponse> big = client->Send(request);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted) << big.status().ToString();

  request.path = "/small";  // the handle is still usable afterwards
  EXPECT_TRUE(client->Send(request).ok());
}

TEST_F(HttpsClientTest, AClosedPortIsUnavailable) {
  const std::string url = "https://127.0.0.1:" + std::to_string(ClosedPort());
  auto client = HttpsClient::Create(url, Trusting());
  ASSERT_TRUE(client.ok());
  HttpRequest request;
  request.path = "/api/v1/reports";
  Result<HttpResponse> response = (*client)->Send(WithToken(request));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable) << response.status().ToString();
  EXPECT_EQ(response.status().message().rfind(url + "/api/v1/reports: ", 0), 0u)
      << response.status().message();
  EXPECT_EQ(response.status().message().find(kToken), std::string::npos);
}

TEST_F(HttpsClientTest, AHandlerSlowerThanTheTotalTimeoutIsADeadline) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  StartServer([released](const ServerRequest&) {
    released.wait_for(std::chrono::seconds(10));  // until the test has seen the timeout
    return ServerResponse();
  });
  TlsOptions options = Trusting();
  options.total_timeout = std::chrono::milliseconds(300);
  auto client = Client(options);
  ASSERT_NE(client, nullptr);
  HttpRequest request;
  request.path = "/slow";
  const Result<HttpResponse> response = client->Send(WithToken(request));
  release.set_value();
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kDeadlineExceeded)
      << response.status().ToString();
  EXPECT_EQ(response.status().message().find(kToken), std::string::npos);
}

TEST_F(HttpsClientTest, RefusesBadMethodsPathsAndHeadersWithoutEchoingValues) {
  Recorder recorder;
  StartServer(recorder.Handler());
  auto client = Client(Trusting());
  ASSERT_NE(client, nullptr);
  HttpRequest request;
  request.method = "DELETE";
  request.path = "/x";
  EXPECT_EQ(client->Send(request).status().code(), StatusCode::kInvalidArgument);
  request.method = "GET";
  request.path = "x";
  EXPECT_EQ(client->Send(request).status().code(), StatusCode::kInvalidArgument);
  request.path = "/x\r\nHost: evil";
  EXPECT_EQ(client->Send(request).status().code(), StatusCode::kInvalidArgument);
  request.path = "/x";
  request.headers = {{"Authorization", std::string("Bearer ") + kToken + "\r\nX-Evil: 1"}};
  const Status injected = client->Send(request).status();
  EXPECT_EQ(injected.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(injected.message().find(kToken), std::string::npos) << injected.message();
  EXPECT_TRUE(recorder.Seen().empty());
}

TEST_F(HttpsClientTest, ProxyNoneIgnoresTheEnvironmentWhileTheDefaultUsesIt) {
  Recorder recorder;
  StartServer(recorder.Handler());
  const std::string dead_proxy = "http://127.0.0.1:" + std::to_string(ClosedPort());
  ScopedEnv https_proxy("https_proxy", dead_proxy.c_str());
  ScopedEnv https_proxy_upper("HTTPS_PROXY", dead_proxy.c_str());
  ScopedEnv all_proxy("ALL_PROXY", nullptr);
  ScopedEnv no_proxy("no_proxy", nullptr);
  ScopedEnv no_proxy_upper("NO_PROXY", nullptr);
  HttpRequest request;
  request.path = "/direct";

  auto direct = Client(Trusting());  // proxy "none"
  ASSERT_NE(direct, nullptr);
  Result<HttpResponse> response = direct->Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);

  TlsOptions from_env = Trusting();
  from_env.proxy = "";  // take https_proxy: the dead proxy makes the request fail
  auto proxied = Client(from_env);
  ASSERT_NE(proxied, nullptr);
  Result<HttpResponse> failed = proxied->Send(WithToken(request));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable) << failed.status().ToString();
  EXPECT_EQ(failed.status().message().find(kToken), std::string::npos);

  TlsOptions explicit_proxy = Trusting();
  explicit_proxy.proxy = dead_proxy;
  ScopedEnv no_env_proxy("https_proxy", nullptr);
  auto configured = Client(explicit_proxy);
  ASSERT_NE(configured, nullptr);
  EXPECT_EQ(configured->Send(request).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(recorder.Seen().size(), 1u);
}

TEST_F(HttpsClientTest, PresentsTheClientCertificateWhenTheServerAsksForIt) {
  for (const bool with_cert : {true, false}) {
    ClientCertProbe probe(Path("cert.pem"), Path("cert-key.pem"));
    ASSERT_TRUE(probe.ok());
    TlsOptions options = Trusting();
    if (with_cert) {
      options.client_cert = Path("other.pem");
      options.client_key = Path("other-key.pem");
    }
    auto client = HttpsClient::Create("https://127.0.0.1:" + std::to_string(probe.port()), options);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    HttpRequest request;
    request.path = "/enrolled";
    Result<HttpResponse> response = (*client)->Send(request);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->body, "ok");
    EXPECT_EQ(probe.PeerCertificatePem(), with_cert ? ReadFile(Path("other.pem")) : "");
  }
}

// Loading: a good pair works, a missing or mismatched key fails cleanly before anything is
// sent.
TEST_F(HttpsClientTest, LoadsTheClientCertificateAndFailsCleanlyWithoutItsKey) {
  Recorder recorder;
  StartServer(recorder.Handler());
  HttpRequest request;
  request.path = "/enrolled";

  TlsOptions options = Trusting();
  options.client_cert = Path("other.pem");
  options.client_key = Path("other-key.pem");
  auto with_cert = Client(options);
  ASSERT_NE(with_cert, nullptr);
  Result<HttpResponse> ok = with_cert->Send(request);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();

  options.client_key = Path("missing-key.pem");
  auto missing_key = Client(options);
  ASSERT_NE(missing_key, nullptr);
  Result<HttpResponse> failed = missing_key->Send(WithToken(request));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kInvalidArgument) << failed.status().ToString();
  EXPECT_EQ(failed.status().message().find(kToken), std::string::npos);

  options.client_key = Path("cert-key.pem");  // a key that does not match the certificate
  auto mismatched = Client(options);
  ASSERT_NE(mismatched, nullptr);
  EXPECT_EQ(mismatched->Send(request).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(recorder.Seen().size(), 1u);
}

TEST(SpkiPinOfPemTest, HashesTheFirstCertificatesPublicKey) {
  TempDir dir;
  ASSERT_TRUE(collector::GenerateSelfSignedCertificate(dir.Join("a.pem"), dir.Join("a.key"),
                                                       {"localhost"}, {}, 1)
                  .ok());
  ASSERT_TRUE(collector::GenerateSelfSignedCertificate(dir.Join("b.pem"), dir.Join("b.key"),
                                                       {"localhost"}, {}, 1)
                  .ok());
  const std::string a = ReadFile(dir.Join("a.pem"));
  const std::string b = ReadFile(dir.Join("b.pem"));
  Result<std::string> pin_a = SpkiPinOfPem(a);
  ASSERT_TRUE(pin_a.ok()) << pin_a.status().ToString();
  EXPECT_EQ(pin_a->rfind("sha256//", 0), 0u);
  EXPECT_EQ(pin_a->size(), 8u + 44u);  // base64 of 32 bytes
  EXPECT_EQ(*SpkiPinOfPem(a + b), *pin_a);
  EXPECT_NE(*SpkiPinOfPem(b), *pin_a);
}

TEST(SpkiPinOfPemTest, RefusesTextWithoutACertificate) {
  for (const std::string& pem :
       {std::string(), std::string("not a certificate"),
        std::string("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")}) {
    EXPECT_EQ(SpkiPinOfPem(pem).status().code(), StatusCode::kInvalidArgument) << pem;
  }
}

}  // namespace
}  // namespace bulwark::net
