// The uploader against the collector's real TLS server on 127.0.0.1 (port 0), whose handler
// each test scripts, and the real SQLite report queue in a temp dir. Slow handlers block on a
// future the test releases; nothing sleeps.
#include "agent/upload/uploader.h"

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <boost/json.hpp>
#include <functional>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "collector/http/https_server.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"

namespace bulwark::upload {
namespace {

namespace json = boost::json;
using ::bulwark::collector::HttpsServer;
using ::bulwark::collector::HttpsServerOptions;
using ::bulwark::testing::FakeClock;
using ::bulwark::testing::TempDir;
using ServerRequest = ::bulwark::collector::HttpRequest;
using ServerResponse = ::bulwark::collector::HttpResponse;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::string Gunzip(const std::string& in) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return "<inflateInit2 failed>";
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buffer[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buffer);
    zs.avail_out = sizeof buffer;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - zs.avail_out);
  }
  inflateEnd(&zs);
  return rc == Z_STREAM_END ? out : "<corrupt gzip>";
}

// A report document as the agent would queue it (odd spacing and non-ASCII on purpose: the
// uploader must send the stored bytes, not a re-serialisation).
std::string Doc(int n) {
  return "{\"schema\": \"bulwark.report/1\",  \"report_id\":\"r" + std::to_string(n) +
         "\", \"note\":\"caf\xc3\xa9 \\u00e9\", \"n\": " + std::to_string(n) + ".0}";
}

// What the collector saw in one request.
struct Seen {
  std::string method;
  std::string target;
  std::string content_type;
  std::string content_encoding;
  std::string authorization;
  std::string body;              // gunzipped
  std::vector<std::string> ids;  // report_id of each report, in order
};

ServerResponse Json(int status, const json::value& body) {
  ServerResponse response;
  response.status = status;
  response.body = json::serialize(body);
  return response;
}

// Acknowledges every report of the request as accepted.
ServerResponse AcceptAll(const Seen& seen) {
  json::array accepted;
  for (const std::string& id : seen.ids) accepted.emplace_back(id);
  return Json(200, json::object{{"accepted", accepted}, {"duplicate", json::array()}});
}

class UploaderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_EQ(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
    certs_ = new TempDir;
    ASSERT_TRUE(collector::GenerateSelfSignedCertificate(certs_->Join("cert.pem"),
                                                         certs_->Join("key.pem"), {"localhost"},
                                                         {"127.0.0.1"}, 1)
                    .ok());
  }
  static void TearDownTestSuite() {
    delete certs_;
    certs_ = nullptr;
    curl_global_cleanup();
  }

  void SetUp() override {
    clock_.SetWall(std::chrono::sys_days(std::chrono::year(2026) / 11 / 28));
    auto queue = queue::OpenReportQueue(dir_.Join("queue.db"), queue::QueueLimits(), clock_);
    ASSERT_TRUE(queue.ok()) << queue.status().ToString();
    queue_ = std::move(queue).value();

    HttpsServerOptions options;
    options.listen_port = 0;
    options.cert_file = certs_->Join("cert.pem");
    options.key_file = certs_->Join("key.pem");
    options.threads = 2;
    options.drain_timeout = milliseconds(2000);
    auto server = HttpsServer::Create(
        options, [this](const ServerRequest& request) { return Handle(request); });
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    server_->Start();
    client_ = MakeClient("https://127.0.0.1:" + std::to_string(server_->port()));
    ASSERT_NE(client_, nullptr);
  }
  void TearDown() override { server_.reset(); }

  std::unique_ptr<net::HttpsClient> MakeClient(const std::string& url,
                                               milliseconds timeout = milliseconds(10'000)) {
    net::TlsOptions tls;
    tls.ca_file = certs_->Join("cert.pem");
    tls.proxy = "none";
    tls.total_timeout = timeout;
    auto client = net::HttpsClient::Create(url, tls);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(client).value() : nullptr;
  }

  Uploader MakeUploader(UploaderOptions options = UploaderOptions(),
                        net::HttpsClient* client = nullptr) {
    return Uploader(
        *queue_, client != nullptr ? *client : *client_,
        [this] {
          std::lock_guard lock(mu_);
          return credential_;
        },
        clock_, std::move(options), 1234);
  }

  void Script(std::function<ServerResponse(const Seen&)> script) {
    std::lock_guard lock(mu_);
    script_ = std::move(script);
  }
  std::vector<Seen> Requests() {
    std::lock_guard lock(mu_);
    return seen_;
  }
  void SetCredential(std::string credential) {
    std::lock_guard lock(mu_);
    credential_ = std::move(credential);
  }

  void Enqueue(int first, int last) {
    for (int i = first; i <= last; ++i) {
      ASSERT_TRUE(queue_->Enqueue("r" + std::to_string(i), Doc(i)).ok());
    }
  }
  std::vector<std::string> PendingIds() {
    auto pending = queue_->Peek(1000, 1u << 30);
    EXPECT_TRUE(pending.ok());
    std::vector<std::string> ids;
    if (pending.ok()) {
      for (const queue::QueuedReport& r : *pending) ids.push_back(r.report_id);
    }
    return ids;
  }

  static TempDir* certs_;
  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<queue::ReportQueue> queue_;
  std::unique_ptr<net::HttpsClient> client_;
  std::mutex mu_;
  std::string credential_ = "device-cred-1";
  std::function<ServerResponse(const Seen&)> script_ = AcceptAll;
  std::vector<Seen> seen_;
  std::unique_ptr<HttpsServer> server_;  // last: stopped first

 private:
  ServerResponse Handle(const ServerRequest& request) {
    Seen seen;
    seen.method = request.method;
    seen.target = request.target;
    seen.content_type = std::string(request.Header("content-type"));
    seen.content_encoding = std::string(request.Header("content-encoding"));
    seen.authorization = std::string(request.Header("authorization"));
    seen.body = Gunzip(request.body);
    std::error_code ec;
    const json::value v = json::parse(seen.body, ec);
    if (!ec && v.is_object() && v.as_object().contains("reports")) {
      for (const json::value& r : v.as_object().at("reports").as_array()) {
        seen.ids.emplace_back(r.as_object().at("report_id").as_string());
      }
    }
    std::function<ServerResponse(const Seen&)> script;
    {
      std::lock_guard lock(mu_);
      seen_.push_back(seen);
      script = script_;
    }
    return script(seen);
  }
};

TempDir* UploaderTest::certs_ = nullptr;

TEST_F(UploaderTest, SendsTheStoredDocumentsGzippedWithTheCredentialAndAcksThem) {
  Enqueue(1, 3);
  Uploader uploader = MakeUploader();
  Result<UploadResult> result = uploader.UploadOnce();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->outcome, UploadOutcome::kUploaded);
  EXPECT_EQ(result->requests, 1u);
  EXPECT_EQ(result->acked, 3u);
  EXPECT_EQ(result->http_status, 200);
  EXPECT_TRUE(result->last_error.ok());

  const std::vector<Seen> seen = Requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/api/v1/reports");
  EXPECT_EQ(seen[0].content_type, "application/json");
  EXPECT_EQ(seen[0].content_encoding, "gzip");
  EXPECT_EQ(seen[0].authorization, "Bearer device-cred-1");
  EXPECT_EQ(seen[0].body, "{\"reports\":[" + Doc(1) + "," + Doc(2) + "," + Doc(3) + "]}");
  EXPECT_TRUE(PendingIds().empty());
  Result<queue::QueueStats> stats = queue_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->acked_total, 3u);

  Result<UploadResult> again = uploader.UploadOnce();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->outcome, UploadOutcome::kEmpty);
  EXPECT_EQ(again->requests, 0u);
  EXPECT_EQ(Requests().size(), 1u);
}

TEST_F(UploaderTest, AcksExactlyTheListedIdsAndKeepsTheRest) {
  Enqueue(1, 4);
  Script([](const Seen&) {
    // r2 and r4 not acknowledged; r99 is not in the batch.
    return Json(200, json::object{{"accepted", json::array{"r1", "r99"}},
                                  {"duplicate", json::array{"r3"}}});
  });
  Uploader uploader = MakeUploader();
  Result<UploadResult> result = uploader.UploadOnce();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->outcome, UploadOutcome::kUploaded);
  EXPECT_EQ(result->acked, 2u);
  EXPECT_EQ(PendingIds(), (std::vector<std::string>{"r2", "r4"}));
  auto pending = queue_->Peek(10, 1u << 20);
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ((*pending)[0].attempts, 1);
}

TEST_F(UploaderTest, DrainsInBatchesUntilTheQueueIsEmpty) {
  Enqueue(1, 5);
  UploaderOptions options;
  options.batch_max_reports = 2;
  Uploader uploader = MakeUploader(options);
  const std::atomic<bool> stop(false);
  Result<UploadResult> result = uploader.Drain(stop);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->outcome, UploadOutcome::kEmpty);
  EXPECT_EQ(result->requests, 3u);
  EXPECT_EQ(result->acked, 5u);
  const std::vector<Seen> seen = Requests();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].ids, (std::vector<std::string>{"r1", "r2"}));
  EXPECT_EQ(seen[2].ids, (std::vector<std::string>{"r5"}));
  EXPECT_TRUE(PendingIds().empty());
}

TEST_F(UploaderTest, RespectsTheBatchByteLimit) {
  Enqueue(1, 3);
  UploaderOptions options;
  options.batch_max_bytes = Doc(1).size() * 2;  // two documents per batch
  Uploader uploader = MakeUploader(options);
  Result<UploadResult> result = uploader.UploadOnce();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->acked, 2u);
  EXPECT_EQ(PendingIds(), (std::vector<std::string>{"r3"}));
}

TEST_F(UploaderTest, UnauthorizedChangesNothingAndASwappedCredentialIsUsedNext) {
  Enqueue(1, 2);
  Script([](const Seen& seen) {
    if (seen.authorization != "Bearer device-cred-2") {
      return Json(401, json::object{{"error", "unauthorized"}, {"message", "revoked"}});
    }
    return AcceptAll(seen);
  });
  Uploader uploader = MakeUploader();
  Result<UploadResult> refused = uploader.UploadOnce();
  ASSERT_TRUE(refused.ok()) << refused.status().ToString();
  EXPECT_EQ(refused->outcome, UploadOutcome::kUnauthorized);
  EXPECT_EQ(refused->http_status, 401);
  EXPECT_EQ(refused->last_error.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(refused->last_error.message().find("device-cred-1"), std::string::npos);
  EXPECT_EQ(PendingIds().size(), 2u);
  Result<queue::QueueStats> stats = queue_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->dead_letters, 0u);

  SetCredential("device-cred-2");  // re-enrolled
  Result<UploadResult> accepted = uploader.UploadOnce();
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  EXPECT_EQ(accepted->outcome, UploadOutcome::kUploaded);
  EXPECT_TRUE(PendingIds().empty());
}

TEST_F(UploaderTest, NoCredentialIsUnauthorizedWithoutARequest) {
  Enqueue(1, 1);
  SetCredential("");
  Uploader uploader = MakeUploader();
  Result<UploadResult> result = uploader.UploadOnce();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->outcome, UploadOutcome::kUnauthorized);
  EXPECT_EQ(result->requests, 0u);
  EXPECT_TRUE(Requests().empty());
  EXPECT_EQ(PendingIds().size(), 1u);
}

TEST_F(UploaderTest, HonoursRetryAfterAsDeltaSecondsOrDate) {
  Enqueue(1, 2);
  std::atomic<int> calls(0);
  const std::chrono::system_clock::time_point in_five_minutes = clock_.Now() + seconds(300);
  Script([&](const Seen&) {
    ServerResponse response;
    if (++calls == 1) {
      response.status = 429;
      response.headers.emplace_back("Retry-After", "120");
    } else {
      response.status = 503;
      // IMF-fixdate of in_five_minutes.
      const auto days = std::chrono::floor<std::chrono::days>(in_five_minutes);
      const std::chrono::hh_mm_ss tod(in_five_minutes - days);
      const std::chrono::year_month_day ymd(days);
      const std::chrono::weekday wd(days);
      static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
      static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
      char date[64];
      std::snprintf(date, sizeof date, "%s, %02u %s %d %02d:%02d:%02d GMT", kDays[wd.c_encoding()],
                    static_cast<unsigned>(ymd.day()),
                    kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                    static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                    static_cast<int>(tod.seconds().count()));
      response.headers.emplace_back("Retry-After", date);
      response.body = "{\"error\":\"unavailable\",\"message\":\"store busy\"}";
    }
    return response;
  });
  Uploader uploader = MakeUploader();
  Result<UploadResult> first = uploader.UploadOnce();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->outcome, UploadOutcome::kRetryLater);
  EXPECT_EQ(first->http_status, 429);
  EXPECT_EQ(first->server_retry_after, seconds(120));
  EXPECT_EQ(first->retry_after, seconds(120));  // the jitter (at most 5 s) is below it

  Result<UploadResult> second = uploader.UploadOnce();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->outcome, UploadOutcome::kRetryLater);
  EXPECT_EQ(second->http_status, 503);
  EXPECT_EQ(second->server_retry_after, seconds(300));
  EXPECT_EQ(second->retry_after, seconds(300));
  EXPECT_NE(second->last_error.message().find("store busy"), std::string::npos)
      << second->last_error.ToString();
  EXPECT_EQ(uploader.consecutive_failures(), 2);
  EXPECT_EQ(PendingIds().size(), 2u);
}

TEST_F(UploaderTest, ServerErrorsBackOffExponentiallyAndASuccessResets) {
  Enqueue(1, 1);
  std::atomic<int> calls(0);
  Script([&](const Seen& seen) {
    if (++calls <= 3) {
      ServerResponse response;
      response.status = 500;
      return response;
    }
    return AcceptAll(seen);
  });
  Uploader uploader = MakeUploader();
  for (int failure = 0; failure < 3; ++failure) {
    Result<UploadResult> result = uploader.UploadOnce();
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(result->outcome, UploadOutcome::kRetryLater);
    EXPECT_EQ(result->http_status, 500);
    EXPECT_LE(result->retry_after, seconds(5) * (1 << failure));
    EXPECT_EQ(uploader.consecutive_failures(), failure + 1);
  }
  Result<UploadResult> result = uploader.UploadOnce();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->outcome, UploadOutcome::kUploaded);
  EXPECT_EQ(uploader.consecutive_failures(), 0);
}

TEST_F(UploaderTest, AnUnreachableCollectorIsRetryLaterWithoutTheCredential) {
  Enqueue(1, 1);
  const std::uint16_t port = server_->port();
  server_.reset();  // nothing listens there any more
  std::unique_ptr<net::HttpsClient> client =
      MakeClient("https://127.0.0.1:" + std::to_string(port));
  ASSERT_NE(client, nullptr);
  Uploader uploader = MakeUploader(UploaderOptions(), client.get());
  const std::atomic<bool> stop(false);
  Result<UploadResult> result = uploader.Drain(stop);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->outcome, UploadOutcome::kRetryLater);
  EXPECT_EQ(result->requests, 1u);
  EXPECT_EQ(result->last_error.code(), StatusCode::kUnavailable) << result->last_error.ToString();
  EXPECT_EQ(result->last_error.message().find("device-cred-1"), std::string::npos);
  EXPECT_LE(result->retry_after, seconds(5));
  EXPECT_EQ(PendingIds().size(), 1u);
}

TEST_F(UploaderTest, ASlowCollectorIsRetryLater) {
  Enqueue(1, 1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  Script([released](const Seen& seen) {
    released.wait_for(seconds(10));  // until the client has given up
    return AcceptAll(seen);
  });
  std::unique_ptr<net::HttpsClient> client =
      MakeClient("https://127.0.0.1:" + std::to_string(server_->port()), milliseconds(300));
  ASSERT_NE(client, nullptr);
  Uploader uploader = MakeUploader(UploaderOptions(), client.get());
  Result<UploadResult> result = uploader.UploadOnce();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  release.set_value();
  EXPECT_EQ(result->outcome, UploadOutcome::kRetryLater);
  EXPECT_EQ(result->last_error.code(), StatusCode::kDeadlineExceeded)
      << result->last_error.ToString();
  EXPECT_EQ(PendingIds().size(), 1u);
}

TEST_F(UploaderTest, FindsAndDeadLettersTheReportTheCollectorRefuses) {
  Enqueue(1, 4);
  Script([](const Seen& seen) {
    for (const std::string& id : seen.ids) {
      if (id == "r3") {
        return Json(422, json::object{{"error", "bad_report"},
                                      {"message", "results[0].status: \"maybe\"\nis not allowed"}});
      }
    }
    return AcceptAll(seen);
  });
  Uploader uploader = MakeUploader();
  Result<UploadResult> result = uploader.UploadOnce();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->outcome, UploadOutcome::kUploaded);
  EXPECT_EQ(result->requests, 5u);  // the batch, then one per report
  EXPECT_EQ(result->acked, 3u);
  EXPECT_EQ(result->dead_lettered, 1u);
  EXPECT_TRUE(PendingIds().empty());
  Result<std::vector<queue::DeadLetter>> dead = queue_->DeadLetters(10);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].report_id, "r3");
  EXPECT_EQ((*dead)[0].http_status, 422);
  EXPECT_EQ((*dead)[0].error, "bad_report: results[0].status: \"maybe\" is not allowed");
  const std::vector<Seen> seen = Requests();
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[0].ids.size(), 4u);
  for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_EQ(seen[i].ids.size(), 1u);
}

TEST_F(UploaderTest, DeadLettersWithTheBodysFirstLineWhenItIsNotJson) {
  Enqueue(1, 1);
  Script([](const Seen&) {
    ServerResponse response;
    response.status = 415;
    response.content_type = "text/plain";
    response.body = "unsupported content encoding\nsecond line";
    return response;
  });
  Uploader uploader = MakeUploader();
  Result<UploadResult> result = uploader.UploadOnce();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->dead_lettered, 1u);
  Result<std::vector<queue::DeadLetter>> dead = queue_->DeadLetters(10);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].http_status, 415);
  EXPECT_EQ((*dead)[0].error, "unsupported content encoding");
}

TEST_F(UploaderTest, HalvesABatchTheCollectorFindsTooLarge) {
  Enqueue(1, 5);
  Script([](const Seen& seen) {
    if (seen.ids.size() > 2) return Json(413, json::object{{"error", "too_large"}});
    return AcceptAll(seen);
  });
  Uploader uploader = MakeUploader();
  Result<UploadResult> result = uploader.UploadOnce();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->outcome, UploadOutcome::kUploaded);
  EXPECT_EQ(result->acked, 5u);
  EXPECT_EQ(result->dead_lettered, 0u);
  std::vector<std::size_t> sizes;
  for (const Seen& s : Requests()) sizes.push_back(s.ids.size());
  // 5 -> (2 | 3 -> (1 | 2))
  EXPECT_EQ(sizes, (std::vector<std::size_t>{5, 2, 3, 1, 2}));
  EXPECT_TRUE(PendingIds().empty());
}

TEST_F(UploaderTest, DeadLettersAReportTooLargeOnItsOwn) {
  Enqueue(1, 3);
  Script([](const Seen& seen) {
    for (const std::string& id : seen.ids) {
      if (id == "r2") return Json(413, json::object{{"error", "report_too_large"}});
    }
    return AcceptAll(seen);
  });
  Uploader uploader = MakeUploader();
  Result<UploadResult> result = uploader.UploadOnce();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->acked, 2u);
  EXPECT_EQ(result->dead_lettered, 1u);
  Result<std::vector<queue::DeadLetter>> dead = queue_->DeadLetters(10);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].report_id, "r2");
  EXPECT_EQ((*dead)[0].http_status, 413);
  EXPECT_EQ((*dead)[0].error, "report_too_large");
}

TEST_F(UploaderTest, StatusesThatDoNotBlameTheReportsNeverDeadLetter) {
  Enqueue(1, 2);
  std::atomic<int> calls(0);
  Script([&](const Seen& seen) {
    switch (++calls) {
      case 1:
        return Json(404, json::object{{"error", "not_found"}});
      case 2: {
        ServerResponse response;
        response.body = "<html>captive portal</html>";
        return response;
      }
      case 3:
        return Json(200, json::object{{"accepted", json::array()}});
      default:
        return AcceptAll(seen);
    }
  });
  Uploader uploader = MakeUploader();
  for (int i = 0; i < 3; ++i) {
    Result<UploadResult> result = uploader.UploadOnce();
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(result->outcome, UploadOutcome::kRetryLater) << i;
    EXPECT_EQ(result->requests, 1u);
    EXPECT_EQ(PendingIds().size(), 2u);
  }
  Result<queue::QueueStats> stats = queue_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->dead_letters, 0u);
  Result<UploadResult> result = uploader.UploadOnce();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->acked, 2u);
}

TEST_F(UploaderTest, DrainStopsAtTheFirstRetryLater) {
  Enqueue(1, 4);
  std::atomic<int> calls(0);
  Script([&](const Seen& seen) {
    if (++calls == 2) {
      ServerResponse response;
      response.status = 503;
      response.headers.emplace_back("Retry-After", "30");
      return response;
    }
    return AcceptAll(seen);
  });
  UploaderOptions options;
  options.batch_max_reports = 2;
  Uploader uploader = MakeUploader(options);
  const std::atomic<bool> stop(false);
  Result<UploadResult> result = uploader.Drain(stop);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->outcome, UploadOutcome::kRetryLater);
  EXPECT_EQ(result->requests, 2u);
  EXPECT_EQ(result->acked, 2u);
  EXPECT_EQ(result->retry_after, seconds(30));
  EXPECT_EQ(PendingIds(), (std::vector<std::string>{"r3", "r4"}));
}

TEST_F(UploaderTest, TheStopFlagEndsTheUploadBetweenRequests) {
  Enqueue(1, 4);
  std::atomic<bool> stop(false);
  // The first request is refused as a batch, which would lead to one request per report;
  // SIGTERM arrives while it is in flight.
  Script([&](const Seen&) {
    stop = true;
    return Json(400, json::object{{"error", "bad_request"}});
  });
  Uploader uploader = MakeUploader();
  Result<UploadResult> result = uploader.Drain(stop);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->outcome, UploadOutcome::kStopped);
  EXPECT_EQ(result->requests, 1u);
  EXPECT_EQ(result->dead_lettered, 0u);
  EXPECT_EQ(PendingIds().size(), 4u);

  // Already stopped: no request at all.
  Result<UploadResult> again = uploader.Drain(stop);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->outcome, UploadOutcome::kStopped);
  EXPECT_EQ(again->requests, 0u);
  EXPECT_EQ(Requests().size(), 1u);
}

TEST(GzipTest, RoundTripsAndCompresses) {
  const std::string text(100000, 'a');
  Result<std::string> packed = Gzip(text);
  ASSERT_TRUE(packed.ok());
  EXPECT_LT(packed->size(), 1000u);
  EXPECT_EQ(static_cast<unsigned char>((*packed)[0]), 0x1f);  // gzip magic
  EXPECT_EQ(static_cast<unsigned char>((*packed)[1]), 0x8b);
  EXPECT_EQ(Gunzip(*packed), text);
  Result<std::string> empty = Gzip("");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(Gunzip(*empty), "");
}

}  // namespace
}  // namespace bulwark::upload
