// HttpsServer against real TLS clients on 127.0.0.1 (port 0). Timing tests use short server
// timeouts and generous bounds; waiting is done with futures, never sleeps.
#include "collector/http/https_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/testing/https_client.h"
#include "tests/testing/temp_dir.h"

namespace bulwark::collector {
namespace {

using ::bulwark::testing::CanConnect;
using ::bulwark::testing::HttpsTestClient;
using ::bulwark::testing::HttpsTestClientOptions;
using ::bulwark::testing::RawConnection;
using ::bulwark::testing::TempDir;
using ::bulwark::testing::TestResponse;
using ::bulwark::testing::TlsVersion;
using std::chrono::milliseconds;
using std::chrono::seconds;

// "METHOD target\nbody", plus the request's x-test header echoed back.
HttpResponse Echo(const HttpRequest& request) {
  HttpResponse response;
  response.content_type = "text/plain";
  response.body = request.method + " " + request.target + "\n" + request.body;
  response.headers.emplace_back("X-Echo", std::string(request.Header("x-test")));
  return response;
}

// Polls `done` (no sleeping: the condition is set by other threads) until it holds or
// `timeout` passes.
template <typename Pred>
bool Eventually(Pred done, milliseconds timeout = seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

struct LoggedRequest {
  std::string method;
  std::string path;
  int status = 0;
  std::chrono::microseconds duration{0};
  std::string device;
  std::string remote_address;
};

class HttpsServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    ASSERT_TRUE(GenerateSelfSignedCertificate(CertFile(), dir_->Join("key.pem"), {"localhost"},
                                              {"127.0.0.1"}, 1)
                    .ok());
    ASSERT_TRUE(GenerateSelfSignedCertificate(dir_->Join("other.pem"), dir_->Join("other-key.pem"),
                                              {"localhost"}, {"127.0.0.1"}, 1)
                    .ok());
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string CertFile() { return dir_->Join("cert.pem"); }

  static HttpsServerOptions Options() {
    HttpsServerOptions options;
    options.listen_port = 0;
    options.cert_file = CertFile();
    options.key_file = dir_->Join("key.pem");
    options.threads = 2;
    return options;
  }

  static HttpsTestClientOptions ClientOptions() {
    HttpsTestClientOptions options;
    options.ca_file = CertFile();
    return options;
  }

  // Starts a server or fails the test. The logger records into logged_.
  void StartServer(const HttpsServerOptions& options, HttpHandler handler = Echo) {
    auto server = HttpsServer::Create(options, std::move(handler), [this](const AccessLogEntry& e) {
      std::lock_guard lock(log_mu_);
      logged_.push_back({std::string(e.method), std::string(e.path), e.status, e.duration,
                         std::string(e.device), std::string(e.remote_address)});
    });
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    ASSERT_NE(server_->port(), 0);
    server_->Start();
  }

  // The server still answers a fresh, well-behaved client.
  void ExpectServing() {
    HttpsTestClient client(server_->port(), ClientOptions());
    Result<TestResponse> response = client.Request("GET", "/still-there");
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "GET /still-there\n");
  }

  std::vector<LoggedRequest> Logged() {
    std::lock_guard lock(log_mu_);
    return logged_;
  }

  // Stops the server while everything its handler and logger use is still alive.
  void TearDown() override { server_.reset(); }

  static TempDir* dir_;
  std::mutex log_mu_;
  std::vector<LoggedRequest> logged_;
  std::unique_ptr<HttpsServer> server_;  // last: destroyed first
};

TempDir* HttpsServerTest::dir_ = nullptr;

TEST_F(HttpsServerTest, NegotiatesTls13ByDefaultAndAnswers) {
  StartServer(Options());
  HttpsTestClient client(server_->port(), ClientOptions());
  Result<TestResponse> response =
      client.Request("POST", "/api/v1/echo?x=1", "hello", {{"X-Test", "Value"}});
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(client.tls_version(), "TLSv1.3");
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "POST /api/v1/echo?x=1\nhello");
  EXPECT_EQ(response->Header("server"), "bulwark-collector");
  EXPECT_EQ(response->Header("content-type"), "text/plain");
  EXPECT_EQ(response->Header("content-length"), std::to_string(response->body.size()));
  EXPECT_EQ(response->Header("x-echo"), "Value");
}

TEST_F(HttpsServerTest, HandlerSeesLowerCasedHeadersBodyAndRemoteAddress) {
  std::mutex mu;
  HttpRequest seen;
  StartServer(Options(), [&](const HttpRequest& request) {
    std::lock_guard lock(mu);
    seen = request;
    return HttpResponse();
  });
  HttpsTestClient client(server_->port(), ClientOptions());
  ASSERT_TRUE(
      client.Request("PUT", "/p", "body bytes", {{"X-Mixed-Case", "A"}, {"x-mixed-case", "B"}})
          .ok());
  std::lock_guard lock(mu);
  EXPECT_EQ(seen.method, "PUT");
  EXPECT_EQ(seen.target, "/p");
  EXPECT_EQ(seen.body, "body bytes");
  EXPECT_EQ(seen.Header("X-MIXED-CASE"), "A");
  int mixed = 0;
  for (const auto& [name, value] : seen.headers) {
    if (name == "x-mixed-case") ++mixed;
  }
  EXPECT_EQ(mixed, 2);
  EXPECT_EQ(seen.Header("content-length"), "10");
  EXPECT_EQ(seen.remote_address.rfind("127.0.0.1:", 0), 0u) << seen.remote_address;
}

TEST_F(HttpsServerTest, AcceptsTls12WithEachAeadSuite) {
  StartServer(Options());
  for (const std::string suite : {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
                                  "ECDHE-ECDSA-CHACHA20-POLY1305"}) {
    HttpsTestClientOptions options = ClientOptions();
    options.max_version = TlsVersion::kTls1_2;
    options.tls12_ciphers = suite;
    HttpsTestClient client(server_->port(), options);
    Result<TestResponse> response = client.Request("GET", "/tls12");
    ASSERT_TRUE(response.ok()) << suite << ": " << response.status().ToString();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(client.tls_version(), "TLSv1.2");
    EXPECT_EQ(client.cipher(), suite);
  }
}

TEST_F(HttpsServerTest, RefusesTls11) {
  StartServer(Options());
  HttpsTestClientOptions options = ClientOptions();
  options.min_version = TlsVersion::kTls1_1;
  options.max_version = TlsVersion::kTls1_1;
  options.security_level = 0;  // OpenSSL 3 clients need this to offer TLS 1.1 at all
  options.tls12_ciphers = "DEFAULT:@SECLEVEL=0";
  HttpsTestClient client(server_->port(), options);
  const Status s = client.Connect();
  ASSERT_FALSE(s.ok());
  // The server answered with a protocol_version alert: the refusal is the server's.
  EXPECT_NE(s.message().find("alert protocol version"), std::string::npos) << s.ToString();
  ExpectServing();
}

TEST_F(HttpsServerTest, RefusesCbcOnlyTls12Client) {
  StartServer(Options());
  HttpsTestClientOptions options = ClientOptions();
  options.max_version = TlsVersion::kTls1_2;
  options.tls12_ciphers =
      "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA:"
      "ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES128-SHA:AES128-SHA256:"
      "AES128-SHA";
  HttpsTestClient client(server_->port(), options);
  const Status s = client.Connect();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("alert handshake failure"), std::string::npos) << s.ToString();
  ExpectServing();
}

TEST_F(HttpsServerTest, ClientVerifiesTheSelfSignedCertificateBySan) {
  StartServer(Options());
  HttpsTestClientOptions by_name = ClientOptions();
  by_name.verify_host = "localhost";
  HttpsTestClient named(server_->port(), by_name);
  EXPECT_TRUE(named.Connect().ok());

  HttpsTestClientOptions wrong_host = ClientOptions();
  wrong_host.verify_host = "example.com";
  HttpsTestClient misnamed(server_->port(), wrong_host);
  const Status s = misnamed.Connect();
  EXPECT_NE(s.message().find("certificate verify failed"), std::string::npos) << s.ToString();

  HttpsTestClientOptions wrong_ca = ClientOptions();
  wrong_ca.ca_file = dir_->Join("other.pem");
  HttpsTestClient untrusting(server_->port(), wrong_ca);
  const Status u = untrusting.Connect();
  EXPECT_NE(u.message().find("certificate verify failed"), std::string::npos) << u.ToString();
}

TEST_F(HttpsServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  StartServer(Options());
  HttpsTestClient client(server_->port(), ClientOptions());
  Result<TestResponse> first = client.Request("GET", "/one");
  Result<TestResponse> second = client.Request("GET", "/two");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->body, "GET /one\n");
  EXPECT_EQ(second->body, "GET /two\n");
  EXPECT_EQ(first->Header("connection"), "");  // HTTP/1.1: keep-alive is the default
  EXPECT_EQ(client.connections_opened(), 1);
  EXPECT_TRUE(client.connected());
  EXPECT_EQ(server_->stats().connections_accepted, 1u);
}

TEST_F(HttpsServerTest, ConnectionCloseRequestEndsTheConnection) {
  StartServer(Options());
  HttpsTestClient client(server_->port(), ClientOptions());
  Result<TestResponse> response = client.Request("GET", "/bye", {}, {{"Connection", "close"}});
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_FALSE(client.connected());
}

TEST_F(HttpsServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer(Options());
  auto raw = RawConnection::ConnectTls(server_->port(), ClientOptions());
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  ASSERT_TRUE((*raw)
                  ->Send("GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
                         "GET /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
                  .ok());
  const RawConnection::ReadResult r = (*raw)->ReadUntilClose(seconds(10));
  EXPECT_TRUE(r.closed);
  const std::size_t a = r.data.find("GET /a\n");
  const std::size_t b = r.data.find("GET /b\n");
  ASSERT_NE(a, std::string::npos) << r.data;
  ASSERT_NE(b, std::string::npos) << r.data;
  EXPECT_LT(a, b);
}

TEST_F(HttpsServerTest, HeadGetsContentLengthWithoutBody) {
  StartServer(Options());
  HttpsTestClient client(server_->port(), ClientOptions());
  Result<TestResponse> head = client.Request("HEAD", "/h");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->body, "");
  EXPECT_EQ(head->Header("content-length"), std::to_string(std::string("HEAD /h\n").size()));
  // The connection is still in step: the next request on it works.
  Result<TestResponse> next = client.Request("GET", "/after-head");
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->body, "GET /after-head\n");
  EXPECT_EQ(client.connections_opened(), 1);
}

TEST_F(HttpsServerTest, HeaderOverLimitGets431AndServerKeepsServing) {
  HttpsServerOptions options = Options();
  options.max_header_bytes = 4096;
  std::atomic<int> calls{0};
  StartServer(options, [&](const HttpRequest& r) {
    ++calls;
    return Echo(r);
  });
  HttpsTestClient client(server_->port(), ClientOptions());
  Result<TestResponse> response =
      client.Request("GET", "/big", {}, {{"X-Big", std::string(8000, 'a')}});
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 431);
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_EQ(response->Header("content-type"), "application/json");
  EXPECT_NE(response->body.find("\"error\":\"headers_too_large\""), std::string::npos);
  EXPECT_FALSE(client.connected());
  // Just under the limit is fine.
  Result<TestResponse> ok = client.Request("GET", "/fits", {}, {{"X-Big", std::string(3000, 'a')}});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(calls.load(), 1);
  ExpectServing();
}

TEST_F(HttpsServerTest, TenMegabyteHeaderClosesTheConnection) {
  StartServer(Options());
  auto raw = RawConnection::ConnectTls(server_->port(), ClientOptions());
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  const std::string request =
      "GET / HTTP/1.1\r\nHost: h\r\nX-Huge: " + std::string(10 * 1024 * 1024, 'x') + "\r\n\r\n";
  const RawConnection::ReadResult r = (*raw)->SendAndReadUntilClose(request, seconds(30));
  EXPECT_TRUE(r.closed);
  // Whatever the client managed to read before the close is the 431, never a 200.
  EXPECT_EQ(r.data.find("HTTP/1.1 200"), std::string::npos);
  if (!r.data.empty()) {
    EXPECT_EQ(r.data.rfind("HTTP/1.1 431", 0), 0u) << r.data.substr(0, 100);
  }
  ExpectServing();
}

TEST_F(HttpsServerTest, BodyOverLimitGets413BeforeTheBodyIsSent) {
  HttpsServerOptions options = Options();
  options.max_body_bytes = 1024;
  std::atomic<int> calls{0};
  StartServer(options, [&](const HttpRequest& r) {
    ++calls;
    return Echo(r);
  });
  auto raw = RawConnection::ConnectTls(server_->port(), ClientOptions());
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  // Only the header: the server must answer without waiting for the 1 MiB it announces.
  ASSERT_TRUE(
      (*raw)->Send("POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 1048576\r\n\r\n").ok());
  const RawConnection::ReadResult r = (*raw)->ReadUntilClose(seconds(10));
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(r.data.rfind("HTTP/1.1 413", 0), 0u) << r.data;
  EXPECT_NE(r.data.find("Connection: close"), std::string::npos) << r.data;
  EXPECT_NE(r.data.find("{\"error\":\"payload_too_large\",\"message\":"), std::string::npos)
      << r.data;
  EXPECT_EQ(calls.load(), 0);

  // At the limit is accepted.
  HttpsTestClient client(server_->port(), ClientOptions());
  Result<TestResponse> fits = client.Request("POST", "/upload", std::string(1024, 'b'));
  ASSERT_TRUE(fits.ok()) << fits.status().ToString();
  EXPECT_EQ(fits->status, 200);
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(HttpsServerTest, ChunkedBodyOverLimitGets413) {
  HttpsServerOptions options = Options();
  options.max_body_bytes = 16;
  StartServer(options);
  auto raw = RawConnection::ConnectTls(server_->port(), ClientOptions());
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  ASSERT_TRUE((*raw)
                  ->Send("POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "20\r\n01234567890123456789012345678901\r\n0\r\n\r\n")
                  .ok());
  const RawConnection::ReadResult r = (*raw)->ReadUntilClose(seconds(10));
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(r.data.rfind("HTTP/1.1 413", 0), 0u) << r.data;
}

TEST_F(HttpsServerTest, ExpectContinueGetsAnInterimResponse) {
  StartServer(Options());
  auto raw = RawConnection::ConnectTls(server_->port(), ClientOptions());
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  ASSERT_TRUE((*raw)
                  ->Send("POST /e HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
                         "Expect: 100-continue\r\nConnection: close\r\n\r\nhello")
                  .ok());
  const RawConnection::ReadResult r = (*raw)->ReadUntilClose(seconds(10));
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(r.data.rfind("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n", 0), 0u) << r.data;
  EXPECT_NE(r.data.find("POST /e\nhello"), std::string::npos) << r.data;
}

TEST_F(HttpsServerTest, GarbageOnPlainTcpIsClosedAndServerKeepsServing) {
  StartServer(Options());
  auto raw = RawConnection::ConnectTcp(server_->port());
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  std::string garbage = "GET / HTTP/1.1\r\nHost: not-tls\r\n\r\n";
  for (int i = 0; i < 256; ++i) garbage.push_back(static_cast<char>(i));
  const RawConnection::ReadResult r = (*raw)->SendAndReadUntilClose(garbage, seconds(10));
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(r.data.find("HTTP/1.1"), std::string::npos);
  EXPECT_GE(server_->stats().tls_handshake_failures, 1u);
  ExpectServing();
}

TEST_F(HttpsServerTest, GarbageInsideTlsGets400AndClose) {
  StartServer(Options());
  auto raw = RawConnection::ConnectTls(server_->port(), ClientOptions());
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  ASSERT_TRUE((*raw)->Send(std::string("\x01\x02\x03 not http at all\r\n\r\n")).ok());
  const RawConnection::ReadResult r = (*raw)->ReadUntilClose(seconds(10));
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(r.data.rfind("HTTP/1.1 400", 0), 0u) << r.data;
  EXPECT_NE(r.data.find("\"error\":\"bad_request\""), std::string::npos) << r.data;
  ExpectServing();
}

TEST_F(HttpsServerTest, SlowLorisIsClosedAtTheHeaderDeadline) {
  HttpsServerOptions options = Options();
  options.header_timeout = milliseconds(300);
  StartServer(options);
  auto raw = RawConnection::ConnectTls(server_->port(), ClientOptions());
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  // 200 bytes at one per 50 ms would take 10 s; each byte must not extend the deadline.
  const std::string header = "GET / HTTP/1.1\r\nHost: h\r\nX-Slow: " + std::string(200, 's');
  const RawConnection::DripResult r =
      (*raw)->DripUntilClosed(header, milliseconds(50), seconds(10));
  EXPECT_TRUE(r.closed);
  EXPECT_GE(r.elapsed, milliseconds(150));
  EXPECT_LE(r.elapsed, milliseconds(3000));
  EXPECT_LT(r.bytes_sent, header.size() / 2);
  // The deadline closes the socket first, then the read completes and counts the timeout.
  EXPECT_TRUE(Eventually([&] { return server_->stats().timeouts >= 1; }));
  ExpectServing();
}

TEST_F(HttpsServerTest, SlowLorisOnAKeepAliveConnectionIsClosedToo) {
  HttpsServerOptions options = Options();
  options.header_timeout = milliseconds(300);
  StartServer(options);
  auto raw = RawConnection::ConnectTls(server_->port(), ClientOptions());
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  // A complete first request, then the second one dripped byte by byte.
  const std::string header =
      "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\nX-Slow: " +
      std::string(200, 's');
  const RawConnection::DripResult r =
      (*raw)->DripUntilClosed(header, milliseconds(20), seconds(10));
  EXPECT_TRUE(r.closed);
  EXPECT_LE(r.elapsed, milliseconds(3000));
  EXPECT_LT(r.bytes_sent, header.size());
}

TEST_F(HttpsServerTest, IdleKeepAliveConnectionClosesAfterIdleTimeout) {
  HttpsServerOptions options = Options();
  options.idle_timeout = milliseconds(200);
  StartServer(options);
  auto raw = RawConnection::ConnectTls(server_->port(), ClientOptions());
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  ASSERT_TRUE((*raw)->Send("GET /idle HTTP/1.1\r\nHost: h\r\n\r\n").ok());
  const RawConnection::ReadResult r = (*raw)->ReadUntilClose(seconds(10));
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(r.data.rfind("HTTP/1.1 200", 0), 0u) << r.data;
  EXPECT_GE(r.elapsed, milliseconds(150));
  EXPECT_LE(r.elapsed, milliseconds(3000));
}

TEST_F(HttpsServerTest, ConnectionsBeyondTheCapAreClosed) {
  HttpsServerOptions options = Options();
  options.max_connections = 2;
  StartServer(options);
  HttpsTestClient first(server_->port(), ClientOptions());
  HttpsTestClient second(server_->port(), ClientOptions());
  ASSERT_TRUE(first.Request("GET", "/1").ok());
  ASSERT_TRUE(second.Request("GET", "/2").ok());
  EXPECT_EQ(server_->stats().open_connections, 2u);

  HttpsTestClient third(server_->port(), ClientOptions());
  EXPECT_FALSE(third.Connect().ok());
  EXPECT_EQ(server_->stats().connections_rejected, 1u);
  // The first two are unaffected.
  ASSERT_TRUE(first.Request("GET", "/1").ok());
  EXPECT_EQ(first.connections_opened(), 1);

  // Once one leaves, a new client gets in.
  first.Close();
  ASSERT_TRUE(Eventually([&] { return server_->stats().open_connections < 2; }));
  Result<TestResponse> fourth = third.Request("GET", "/4");
  ASSERT_TRUE(fourth.ok()) << fourth.status().ToString();
  EXPECT_EQ(fourth->status, 200);
}

TEST_F(HttpsServerTest, StopFinishesTheInFlightRequestAndRefusesNewConnections) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  StartServer(Options(), [&](const HttpRequest& request) {
    if (request.target != "/block") return Echo(request);
    entered.set_value();
    released.wait();
    HttpResponse response;
    response.body = std::string(100000, 'z');  // big enough to need several TLS records
    return response;
  });
  const std::uint16_t port = server_->port();

  // An idle keep-alive connection: its request is answered before the blocking one starts.
  auto idle = RawConnection::ConnectTls(port, ClientOptions());
  ASSERT_TRUE(idle.ok()) << idle.status().ToString();
  ASSERT_TRUE((*idle)->Send("GET /idle HTTP/1.1\r\nHost: h\r\n\r\n").ok());

  auto in_flight = std::async(std::launch::async, [&] {
    HttpsTestClient client(port, ClientOptions());
    return client.Request("GET", "/block");
  });
  entered.get_future().wait();

  auto stopped = std::async(std::launch::async, [&] { server_->Stop(); });
  // The listener closes first...
  ASSERT_TRUE(Eventually([&] { return !CanConnect(port); }));
  // ...idle connections are closed at once...
  const RawConnection::ReadResult idle_read = (*idle)->ReadUntilClose(seconds(10));
  EXPECT_TRUE(idle_read.closed);
  EXPECT_EQ(idle_read.data.rfind("HTTP/1.1 200", 0), 0u) << idle_read.data;
  // ...but Stop() waits for the request in flight.
  EXPECT_EQ(stopped.wait_for(milliseconds(0)), std::future_status::timeout);

  release.set_value();
  Result<TestResponse> response = in_flight.get();
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, std::string(100000, 'z'));
  EXPECT_EQ(response->Header("connection"), "close");
  ASSERT_EQ(stopped.wait_for(seconds(10)), std::future_status::ready);

  EXPECT_FALSE(CanConnect(port));
  HttpsTestClient late(port, ClientOptions());
  EXPECT_FALSE(late.Request("GET", "/late").ok());
  server_->Stop();  // idempotent
}

TEST_F(HttpsServerTest, RequestArrivingDuringStopGets503) {
  StartServer(Options());
  const std::uint16_t port = server_->port();
  auto raw = RawConnection::ConnectTls(port, ClientOptions());
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  // Half a header: once the server has read it, the connection is mid-request, so Stop()
  // lets it finish instead of closing it as idle.
  ASSERT_TRUE((*raw)->Send("GET /late HTTP/1.1\r\n").ok());
  ASSERT_TRUE(Eventually([&] { return server_->stats().active_requests == 1; }));
  auto stopped = std::async(std::launch::async, [&] { server_->Stop(); });
  ASSERT_TRUE(Eventually([&] { return !CanConnect(port); }));
  ASSERT_TRUE((*raw)->Send("Host: h\r\n\r\n").ok());
  const RawConnection::ReadResult r = (*raw)->ReadUntilClose(seconds(10));
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(r.data.rfind("HTTP/1.1 503", 0), 0u) << r.data;
  EXPECT_NE(r.data.find("Connection: close"), std::string::npos) << r.data;
  EXPECT_NE(r.data.find("\"error\":\"unavailable\""), std::string::npos) << r.data;
  EXPECT_EQ(stopped.wait_for(seconds(10)), std::future_status::ready);
}

TEST_F(HttpsServerTest, StopClosesAnUnfinishedRequestAfterTheDrainTimeout) {
  HttpsServerOptions options = Options();
  options.drain_timeout = milliseconds(200);
  std::atomic<int> calls{0};
  StartServer(options, [&](const HttpRequest& r) {
    ++calls;
    return Echo(r);
  });
  // A client that sent half its body keeps its request in flight until it is force-closed.
  // The interim 100 Continue shows the server has taken the header and waits for the body.
  auto raw = RawConnection::ConnectTls(server_->port(), ClientOptions());
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  ASSERT_TRUE((*raw)
                  ->Send("POST /slow HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n"
                         "Expect: 100-continue\r\n\r\n")
                  .ok());
  const RawConnection::ReadResult interim = (*raw)->ReadUntil("\r\n\r\n", seconds(10));
  ASSERT_EQ(interim.data, "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE((*raw)->Send("half").ok());
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, milliseconds(150));
  EXPECT_LE(took, seconds(5));
  const HttpsServerStats stats = server_->stats();
  EXPECT_EQ(stats.open_connections, 0u);
  EXPECT_EQ(stats.active_requests, 0u);
  const RawConnection::ReadResult r = (*raw)->ReadUntilClose(seconds(10));
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(r.data, "");
  EXPECT_EQ(calls.load(), 0);
}

TEST_F(HttpsServerTest, HandlerExceptionBecomes500AndIsLogged) {
  StartServer(Options(), [](const HttpRequest& request) -> HttpResponse {
    if (request.target == "/throw") throw std::runtime_error("database on fire");
    return Echo(request);
  });
  HttpsTestClient client(server_->port(), ClientOptions());
  Result<TestResponse> response = client.Request("GET", "/throw");
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(response->body, "{\"error\":\"internal_error\",\"message\":\"internal server error\"}");
  EXPECT_EQ(response->body.find("fire"), std::string::npos);
  // The connection survives the handler's failure.
  Result<TestResponse> next = client.Request("GET", "/fine");
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(client.connections_opened(), 1);

  server_->Stop();  // joins the threads: every log call has happened
  const std::vector<LoggedRequest> logged = Logged();
  ASSERT_EQ(logged.size(), 2u);
  EXPECT_EQ(logged[0].path, "/throw");
  EXPECT_EQ(logged[0].status, 500);
  EXPECT_EQ(logged[1].status, 200);
}

TEST_F(HttpsServerTest, InvalidResponsesFromTheHandlerBecome500) {
  StartServer(Options(), [](const HttpRequest& request) {
    HttpResponse response;
    if (request.target == "/status") response.status = 42;
    if (request.target == "/inject") response.headers.emplace_back("X-A", "1\r\nSet-Cookie: x=1");
    return response;
  });
  HttpsTestClient client(server_->port(), ClientOptions());
  Result<TestResponse> bad_status = client.Request("GET", "/status");
  ASSERT_TRUE(bad_status.ok());
  EXPECT_EQ(bad_status->status, 500);
  Result<TestResponse> injected = client.Request("GET", "/inject");
  ASSERT_TRUE(injected.ok());
  EXPECT_EQ(injected->status, 500);
  EXPECT_EQ(injected->Header("set-cookie"), "");
}

TEST_F(HttpsServerTest, AccessLoggerGetsTheRequestFields) {
  StartServer(Options(), [](const HttpRequest& request) {
    HttpResponse response = Echo(request);
    response.status = 201;
    response.log_device = "device-42";
    return response;
  });
  HttpsTestClient client(server_->port(), ClientOptions());
  ASSERT_TRUE(client.Request("POST", "/api/v1/reports?token=secret", "{}").ok());
  server_->Stop();
  const std::vector<LoggedRequest> logged = Logged();
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0].method, "POST");
  EXPECT_EQ(logged[0].path, "/api/v1/reports");  // the query never reaches the log
  EXPECT_EQ(logged[0].status, 201);
  EXPECT_EQ(logged[0].device, "device-42");
  EXPECT_EQ(logged[0].remote_address.rfind("127.0.0.1:", 0), 0u) << logged[0].remote_address;
  EXPECT_GE(logged[0].duration.count(), 0);
  EXPECT_LT(logged[0].duration, std::chrono::microseconds(seconds(10)));
  const HttpsServerStats stats = server_->stats();
  EXPECT_EQ(stats.requests, 1u);
  EXPECT_EQ(stats.connections_accepted, 1u);
  EXPECT_EQ(stats.open_connections, 0u);
}

TEST_F(HttpsServerTest, CreateFailsWhenThePortIsTaken) {
  StartServer(Options());
  HttpsServerOptions options = Options();
  options.listen_port = server_->port();
  auto second = HttpsServer::Create(options, Echo);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find(std::to_string(server_->port())), std::string::npos)
      << second.status().ToString();
}

TEST_F(HttpsServerTest, StopWithoutStartAndDestructionAreSafe) {
  auto server = HttpsServer::Create(Options(), Echo);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  const std::uint16_t port = (*server)->port();
  EXPECT_TRUE(CanConnect(port));  // listening from Create() on
  (*server)->Stop();
  (*server)->Start();  // no effect after Stop
  EXPECT_FALSE(CanConnect(port));

  // Destroying a running server with a connected client stops it cleanly.
  StartServer(Options());
  HttpsTestClient client(server_->port(), ClientOptions());
  ASSERT_TRUE(client.Request("GET", "/x").ok());
  server_.reset();
  EXPECT_FALSE(client.Request("GET", "/y").ok());
}

}  // namespace
}  // namespace bulwark::collector
