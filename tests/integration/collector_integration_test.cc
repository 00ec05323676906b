// bulwark-collector as a process: first run with --generate-self-signed, `bulwark-policy
// publish` against it, enrolment and upload over real TLS, the access log, SIGTERM, restart on
// the same data, start-up errors, and two collectors sharing one PostgreSQL database.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_to.hpp>
#include <chrono>
#include <fstream>
#include <future>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "agent/base/time_util.h"
#include "tests/testing/https_client.h"
#include "tests/testing/postgres.h"
#include "tests/testing/process.h"
#include "tests/testing/signed_policy.h"
#include "tests/testing/temp_dir.h"

extern char** environ;

namespace bulwark {
namespace {

namespace json = boost::json;
using testing::HttpsTestClient;
using testing::HttpsTestClientOptions;

using testing::Process;
using testing::ReadWholeFile;
using testing::RunTool;

std::string ReadFile(const std::string& path) { return ReadWholeFile(path); }

// A collector started with --generate-self-signed under `data_dir`, on a port of its choosing.
class Collector : public testing::CollectorProcess {
 public:
  Collector(const std::string& data_dir, std::vector<std::string> extra = {})
      : CollectorProcess(BULWARK_COLLECTOR_BINARY, data_dir, std::move(extra)) {}
  std::unique_ptr<HttpsTestClient> Client() const {
    HttpsTestClientOptions options;
    options.ca_file = ca();
    return std::make_unique<HttpsTestClient>(port(), options);
  }
};

json::value Json(const Result<testing::TestResponse>& r) {
  if (!r.ok()) return nullptr;
  boost::system::error_code ec;
  json::value v = json::parse(r->body, ec);
  return ec ? json::value(nullptr) : v;
}

testing::HeaderList JsonHeaders(const std::string& bearer = {}) {
  testing::HeaderList h = {{"Content-Type", "application/json"}};
  if (!bearer.empty()) h.emplace_back("Authorization", "Bearer " + bearer);
  return h;
}

std::string EnrollBody(const std::string& secret, const std::string& machine) {
  return json::serialize(json::object{{"enroll_secret", secret},
                                      {"machine_id", machine},
                                      {"hostname", "ws-" + machine},
                                      {"os", "linux"}});
}

std::string ReportBatch(const std::string& id, const std::string& machine) {
  json::object report = {
      {"schema", "bulwark.report/1"},
      {"report_id", id},
      {"generated_at", FormatRfc3339(std::chrono::time_point_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now()))},
      {"policy", {{"policy_id", "baseline"}, {"epoch", 1}, {"version", 1}, {"sha256", "x"}}},
      {"compliant", true},
      {"results", json::array{}},
      {"facts", {{"host", {{"hostname", "ws-" + machine}, {"machine_id", machine}}}}}};
  return json::serialize(json::object{{"reports", json::array{report}}});
}

TEST(CollectorIntegrationTest, ServesPublishesIngestsLogsAndStopsCleanly) {
  testing::TempDir dir;
  std::string data = dir.Join("collector");
  std::string device_id;
  {
    Collector collector(data);
    ASSERT_TRUE(collector.ok()) << collector.log();
    auto client = collector.Client();  // verifies the generated certificate

    auto health = client->Request("GET", "/healthz");
    ASSERT_TRUE(health.ok()) << health.status().ToString();
    EXPECT_EQ(health->status, 200);
    EXPECT_EQ(client->tls_version(), "TLSv1.3");

    // bulwark-policy publish, the admin's real tool, against the real server.
    testing::SignedPolicyFixture org;
    dir.WriteFile("1.root.json", org.Root(1));
    dir.WriteFile("bundle.json",
                  org.Sign(org.Policy("baseline", 5, std::chrono::system_clock::now())));
    dir.WriteFile("admin-token", collector.admin_token(), 0600);
    for (const char* file : {"1.root.json", "bundle.json"}) {
      std::string out;
      EXPECT_EQ(RunTool({BULWARK_POLICY_BINARY, "publish", "--server", collector.url(),
                         "--admin-token-file", dir.Join("admin-token"), "--ca-file", collector.ca(),
                         dir.Join(file)},
                        &out),
                0)
          << out;
    }

    auto enrolled = client->Request("POST", "/api/v1/enroll",
                                    EnrollBody(collector.enroll_secret(), "m-1"), JsonHeaders());
    ASSERT_TRUE(enrolled.ok());
    ASSERT_EQ(enrolled->status, 201) << enrolled->body;
    const json::value e = Json(enrolled);
    device_id = json::value_to<std::string>(e.at("device_id"));
    const std::string credential = json::value_to<std::string>(e.at("credential"));

    auto policy = client->Request("GET", "/api/v1/policy", {}, JsonHeaders(credential));
    ASSERT_TRUE(policy.ok());
    EXPECT_EQ(policy->status, 200);
    EXPECT_EQ(policy->body, ReadFile(dir.Join("bundle.json")));

    auto uploaded = client->Request("POST", "/api/v1/reports", ReportBatch("rep-00000001", "m-1"),
                                    JsonHeaders(credential));
    ASSERT_TRUE(uploaded.ok());
    EXPECT_EQ(uploaded->status, 200) << uploaded->body;
    EXPECT_EQ(Json(uploaded).at("accepted"), json::array{"rep-00000001"});
    EXPECT_EQ(client->connections_opened(), 1);  // keep-alive throughout

    EXPECT_EQ(collector.Stop(), std::optional<int>(0));
    const std::string log = collector.log();
    // One line per request: method, path, status, duration, device.
    EXPECT_NE(log.find("POST /api/v1/reports 200 "), std::string::npos) << log;
    EXPECT_NE(log.find("device=" + device_id), std::string::npos) << log;
    EXPECT_NE(log.find("GET /healthz 200 "), std::string::npos) << log;
    EXPECT_EQ(log.find(credential.substr(credential.find('.') + 1)), std::string::npos)
        << "the log must never hold a device secret";
  }
  // The same data directory after a restart: same certificate, same devices.
  Collector again(data);
  ASSERT_TRUE(again.ok()) << again.log();
  auto devices =
      again.Client()->Request("GET", "/api/v1/devices", {}, JsonHeaders(again.admin_token()));
  ASSERT_TRUE(devices.ok()) << devices.status().ToString();
  const json::value listed = Json(devices);
  ASSERT_EQ(listed.at("total"), 1);
  EXPECT_EQ(listed.at("devices").at(0).at("device_id"), json::value(device_id));
  EXPECT_EQ(listed.at("devices").at(0).at("compliant"), true);
  EXPECT_EQ(again.Stop(), std::optional<int>(0));
}

TEST(CollectorIntegrationTest, StartupErrorsAreOneLineNamingTheCause) {
  testing::TempDir dir;
  struct Case {
    std::vector<std::string> args;
    int code;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {{"--listen", "nowhere"}, 2, "HOST:PORT"},
      {{"--data-dir", dir.Join("d1")}, 2, "--tls-cert"},
      {{"--data-dir", dir.Join("d2"), "--tls-cert", dir.Join("missing.pem"), "--tls-key",
        dir.Join("missing.key")},
       1,
       "missing.pem"},
      {{"--data-dir", dir.Join("d3"), "--generate-self-signed", "--db", "mysql://x"}, 2, "mysql"},
      {{"--data-dir", dir.Join("d4"), "--generate-self-signed", "--admin-token-file",
        dir.Join("no-token")},
       1,
       "no-token"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> argv = {BULWARK_COLLECTOR_BINARY};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    std::string out;
    EXPECT_EQ(RunTool(argv, &out), c.code) << out;
    EXPECT_NE(out.find(c.expect), std::string::npos) << out;
    EXPECT_LE(std::count(out.begin(), out.end(), '\n'), 1) << out;
  }
}

// Two collectors on one PostgreSQL database behave as one: one device per machine however
// the enrolments race, one stored copy per report id, revocation seen by both.
TEST(CollectorIntegrationTest, TwoInstancesShareOnePostgresDatabase) {
  testing::TestPostgresDatabase pg;
  ASSERT_TRUE(pg.ok());
  testing::TempDir dir;
  dir.WriteFile("admin-token", std::string(40, 'a'), 0600);
  dir.WriteFile("enroll-secret", std::string(40, 'e'), 0600);
  const std::vector<std::string> shared = {"--db",
                                           pg.url(),
                                           "--admin-token-file",
                                           dir.Join("admin-token"),
                                           "--enroll-secret-file",
                                           dir.Join("enroll-secret")};
  Collector a(dir.Join("a"), shared);
  Collector b(dir.Join("b"), shared);
  ASSERT_TRUE(a.ok()) << a.log();
  ASSERT_TRUE(b.ok()) << b.log();
  const std::string secret(40, 'e');
  const std::string admin(40, 'a');

  // The same machines enrol through both at once.
  auto enrol_all = [&](const Collector& c) {
    auto client = c.Client();
    std::vector<std::string> ids;
    for (int i = 0; i < 10; ++i) {
      auto r = client->Request("POST", "/api/v1/enroll",
                               EnrollBody(secret, "m-" + std::to_string(i)), JsonHeaders());
      ids.push_back(r.ok() && (r->status == 200 || r->status == 201)
                        ? json::value_to<std::string>(Json(r).at("device_id"))
                        : "failed: " + (r.ok() ? r->body : r.status().ToString()));
    }
    return ids;
  };
  auto from_a = std::async(std::launch::async, enrol_all, std::cref(a));
  auto from_b = std::async(std::launch::async, enrol_all, std::cref(b));
  const auto ids_a = from_a.get();
  const auto ids_b = from_b.get();
  EXPECT_EQ(ids_a, ids_b);
  auto listed = a.Client()->Request("GET", "/api/v1/devices", {}, JsonHeaders(admin));
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(Json(listed).at("total"), 10);

  // Whichever enrolment came last holds the valid credential; enrol once more to get it.
  auto last =
      b.Client()->Request("POST", "/api/v1/enroll", EnrollBody(secret, "m-0"), JsonHeaders());
  ASSERT_TRUE(last.ok());
  const std::string credential = json::value_to<std::string>(Json(last).at("credential"));

  // The same report through both: stored once.
  const std::string batch = ReportBatch("rep-shared-1", "m-0");
  auto to_a = a.Client()->Request("POST", "/api/v1/reports", batch, JsonHeaders(credential));
  auto to_b = b.Client()->Request("POST", "/api/v1/reports", batch, JsonHeaders(credential));
  ASSERT_TRUE(to_a.ok() && to_b.ok());
  EXPECT_EQ(Json(to_a).at("accepted"), json::array{"rep-shared-1"});
  EXPECT_EQ(Json(to_b).at("duplicate"), json::array{"rep-shared-1"});
  auto detail = b.Client()->Request("GET", "/api/v1/devices/" + ids_a[0], {}, JsonHeaders(admin));
  ASSERT_TRUE(detail.ok());
  EXPECT_EQ(Json(detail).at("history").as_array().size(), 1u);

  // Revoked through one, refused by the other.
  auto revoked = a.Client()->Request("POST", "/api/v1/devices/" + ids_a[0] + "/revoke", "{}",
                                     JsonHeaders(admin));
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(revoked->status, 200);
  auto refused = b.Client()->Request("POST", "/api/v1/reports", ReportBatch("rep-shared-2", "m-0"),
                                     JsonHeaders(credential));
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status, 401);

  EXPECT_EQ(a.Stop(), std::optional<int>(0));
  EXPECT_EQ(b.Stop(), std::optional<int>(0));
}

}  // namespace
}  // namespace bulwark
