// The collector API end to end in-process (no sockets): real stores (SQLite in a temp dir, and
// PostgreSQL from scripts/test), real signed roots and bundles, a fake clock. Every route's
// success path, its refusals, and hostile input.
#include "collector/api/collector_api.h"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_to.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>

#include "agent/base/time_util.h"
#include "collector/api/credentials.h"
#include "collector/api/gzip.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/postgres.h"
#include "tests/testing/signed_policy.h"
#include "tests/testing/temp_dir.h"

namespace bulwark::collector {
namespace {

namespace json = boost::json;

constexpr char kEnrollSecret[] = "enrol-secret-0123456789";
constexpr char kAdminToken[] = "admin-token-0123456789abcdef";
const SystemTime kStart = ParseRfc3339("2026-11-20T09:00:00Z").value();

struct Reply {
  int status = 0;
  json::value body;  // null unless the body is JSON
  std::string raw;
  HttpResponse response;
  std::string Header(std::string_view name) const {
    for (const auto& [k, v] : response.headers) {
      if (k == name) return v;
    }
    return {};
  }
};

// The API over a real store, with helpers to call it as an admin or a device.
class CollectorApiHarness : public ::testing::Test {
 protected:
  void Start(const std::string& store_url) {
    StoreOptions options;
    options.url = store_url;
    auto store = OpenStore(options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    CollectorApiOptions api_options;
    api_options.enroll_secret = kEnrollSecret;
    api_options.admin_token_sha256 = HashSecret(kAdminToken);
    api_options.max_inflated_body = 1024 * 1024;
    api_ = std::make_unique<CollectorApi>(*store_, clock_, metrics_, api_options);
  }

  Reply Call(std::string method, std::string target, std::string body = {},
             std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpRequest request;
    request.method = std::move(method);
    request.target = std::move(target);
    request.body = std::move(body);
    request.remote_address = "127.0.0.1:40000";
    if (!request.body.empty()) headers.emplace_back("content-type", "application/json");
    request.headers = std::move(headers);
    Reply reply;
    reply.response = api_->Handle(request);
    reply.status = reply.response.status;
    reply.raw = reply.response.body;
    boost::system::error_code ec;
    if (reply.response.content_type == "application/json") reply.body = json::parse(reply.raw, ec);
    return reply;
  }
  Reply Admin(std::string method, std::string target, std::string body = {}) {
    return Call(std::move(method), std::move(target), std::move(body),
                {{"authorization", std::string("Bearer ") + kAdminToken}});
  }
  Reply AsDevice(const std::string& credential, std::string method, std::string target,
                 std::string body = {}) {
    return Call(std::move(method), std::move(target), std::move(body),
                {{"authorization", "Bearer " + credential}});
  }

  struct Enrolled {
    std::string device_id;
    std::string credential;
  };
  Enrolled Enroll(const std::string& machine_id, const std::string& hostname,
                  const std::string& os = "linux") {
    Reply r = Call("POST", "/api/v1/enroll",
                   json::serialize(json::object{{"enroll_secret", kEnrollSecret},
                                                {"machine_id", machine_id},
                                                {"hostname", hostname},
                                                {"os", os},
                                                {"os_version", "Debian GNU/Linux 12"}}));
    EXPECT_TRUE(r.status == 201 || r.status == 200) << r.raw;
    if (!r.body.is_object()) return {};
    return {json::value_to<std::string>(r.body.at("device_id")),
            json::value_to<std::string>(r.body.at("credential"))};
  }

  static json::object Report(const std::string& id, const std::string& machine_id, bool compliant,
                             const std::string& generated_at,
                             const std::string& hostname = "ws-1") {
    return {{"schema", "bulwark.report/1"},
            {"report_id", id},
            {"generated_at", generated_at},
            {"policy",
             {{"policy_id", "linux-baseline"}, {"epoch", 1}, {"version", 3}, {"sha256", "x"}}},
            {"compliant", compliant},
            {"results",
             {{{"id", "fw.enabled"},
               {"title", "Firewall is on"},
               {"severity", "high"},
               {"status", compliant ? "pass" : "fail"}},
              {{"id", "disk.system-encrypted"},
               {"title", "System volume is encrypted"},
               {"severity", "critical"},
               {"status", "pass"}}}},
            {"facts",
             {{"host", {{"hostname", hostname}, {"machine_id", machine_id}}},
              {"os", {{"family", "linux"}, {"name", "Debian GNU/Linux 12"}}}}}};
  }
  static std::string Batch(std::initializer_list<json::value> reports) {
    json::array items;
    for (const auto& r : reports) items.push_back(r);
    json::object body;
    body["reports"] = std::move(items);
    return json::serialize(body);
  }

  testing::TempDir dir_;
  testing::FakeClock clock_{kStart};
  CollectorMetrics metrics_;
  std::unique_ptr<testing::TestPostgresDatabase> pg_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<CollectorApi> api_;
};

class CollectorApiTest : public CollectorApiHarness,
                         public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      Start("sqlite:" + dir_.Join("collector.db"));
    } else {
      pg_ = std::make_unique<testing::TestPostgresDatabase>();
      ASSERT_TRUE(pg_->ok());
      Start(pg_->url());
    }
  }
};

TEST_P(CollectorApiTest, HealthAndMetricsNeedNoToken) {
  Reply health = Call("GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body.at("status"), "ok");
  EXPECT_EQ(health.body.at("store"), json::value(GetParam()));
  Reply metrics = Call("GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.raw.find("# TYPE bulwark_reports_total counter"), std::string::npos);
  EXPECT_NE(metrics.raw.find("bulwark_store_info{backend=\"" + GetParam() + "\"} 1"),
            std::string::npos);
}

// Routes() (which the OpenAPI test compares with docs/openapi.yaml) is what Dispatch serves:
// every listed route answers something other than "no such route" / "method not allowed".
TEST_P(CollectorApiTest, EveryListedRouteIsServed) {
  Enrolled dev = Enroll("machine-1", "ws-1");
  for (const auto& [method, path] : CollectorApi::Routes()) {
    std::string target = path;
    if (auto at = target.find("{id}"); at != std::string::npos)
      target.replace(at, 4, dev.device_id);
    if (auto at = target.find("{version}"); at != std::string::npos) target.replace(at, 9, "1");
    Reply r = Admin(method, target, method == "POST" ? "{}" : "");
    EXPECT_NE(r.status, 405) << method << " " << path;
    const bool unrouted = r.status == 404 && r.raw.find("no such route") != std::string::npos;
    EXPECT_FALSE(unrouted) << method << " " << path;
  }
}

TEST_P(CollectorApiTest, UnknownRoutesAndMethodsAreRefused) {
  EXPECT_EQ(Call("GET", "/nope").status, 404);
  EXPECT_EQ(Call("GET", "/api/v2/devices").status, 404);
  Reply wrong_method = Admin("DELETE", "/api/v1/devices");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.Header("Allow"), "GET");
  EXPECT_EQ(Call("GET", "/api/v1/devices/%zz").status, 400);
}

TEST_P(CollectorApiTest, EnrolmentIssuesACredentialAndReenrolmentReplacesIt) {
  Enrolled first = Enroll("machine-1", "ws-1");
  ASSERT_FALSE(first.device_id.empty());
  EXPECT_EQ(first.credential.substr(0, first.device_id.size() + 1), first.device_id + ".");
  EXPECT_EQ(AsDevice(first.credential, "POST", "/api/v1/reports",
                     Batch({Report("rep-00000001", "machine-1", true, "2026-11-20T08:00:00Z")}))
                .status,
            200);

  Enrolled again = Enroll("machine-1", "ws-1-renamed");
  EXPECT_EQ(again.device_id, first.device_id);
  EXPECT_NE(again.credential, first.credential);
  EXPECT_EQ(AsDevice(first.credential, "GET", "/api/v1/policy").status, 401);
  EXPECT_NE(AsDevice(again.credential, "GET", "/api/v1/policy").status, 401);

  Enrolled other = Enroll("machine-2", "ws-2");
  EXPECT_NE(other.device_id, first.device_id);
}

TEST_P(CollectorApiTest, EnrolmentRefusesBadSecretsAndFields) {
  auto enroll = [&](json::object body) {
    return Call("POST", "/api/v1/enroll", json::serialize(body)).status;
  };
  json::object good{
      {"enroll_secret", kEnrollSecret}, {"machine_id", "m"}, {"hostname", "h"}, {"os", "linux"}};
  json::object wrong = good;
  wrong["enroll_secret"] = "guess";
  EXPECT_EQ(enroll(wrong), 401);
  json::object missing = good;
  missing.erase("enroll_secret");
  EXPECT_EQ(enroll(missing), 401);
  for (const char* field : {"machine_id", "hostname"}) {
    json::object bad = good;
    bad.erase(field);
    EXPECT_EQ(enroll(bad), 400) << field;
    bad[field] = std::string(300, 'x');
    EXPECT_EQ(enroll(bad), 400) << field;
    bad[field] = "a\nb";
    EXPECT_EQ(enroll(bad), 400) << field;
  }
  json::object bad_os = good;
  bad_os["os"] = "plan9";
  EXPECT_EQ(enroll(bad_os), 400);
  EXPECT_EQ(Call("POST", "/api/v1/enroll", "{not json").status, 400);
  EXPECT_EQ(Call("POST", "/api/v1/enroll", "", {{"content-type", "text/plain"}}).status, 415);
  EXPECT_EQ(Call("GET", "/api/v1/enroll").status, 405);
  // Nothing was stored by any refusal.
  EXPECT_EQ(Admin("GET", "/api/v1/devices").body.at("total"), 0);
}

TEST_P(CollectorApiTest, RevocationLocksTheDeviceOut) {
  Enrolled dev = Enroll("machine-1", "ws-1");
  EXPECT_EQ(Call("POST", "/api/v1/devices/" + dev.device_id + "/revoke").status, 401);
  Reply revoked = Admin("POST", "/api/v1/devices/" + dev.device_id + "/revoke");
  ASSERT_EQ(revoked.status, 200) << revoked.raw;
  Reply denied =
      AsDevice(dev.credential, "POST", "/api/v1/reports",
               Batch({Report("rep-00000001", "machine-1", true, "2026-11-20T08:00:00Z")}));
  EXPECT_EQ(denied.status, 401);
  Reply again = Call("POST", "/api/v1/enroll",
                     json::serialize(json::object{{"enroll_secret", kEnrollSecret},
                                                  {"machine_id", "machine-1"},
                                                  {"hostname", "ws-1"},
                                                  {"os", "linux"}}));
  EXPECT_EQ(again.status, 403);
  EXPECT_EQ(again.body.at("error"), "device_revoked");
  EXPECT_EQ(Admin("POST", "/api/v1/devices/dev_unknown/revoke").status, 404);
  Reply listed = Admin("GET", "/api/v1/devices?revoked=true");
  ASSERT_EQ(listed.body.at("devices").as_array().size(), 1u);
  EXPECT_EQ(listed.body.at("devices").at(0).at("revoked"), true);
}

TEST_P(CollectorApiTest, PublishesVerifiedRootsAndBundlesAndServesThemToDevices) {
  testing::SignedPolicyFixture org;
  const std::string bundle_v3 = org.Sign(org.Policy("linux-baseline", 3, kStart));

  Reply early = Admin("POST", "/api/v1/policy", bundle_v3);
  EXPECT_EQ(early.status, 409) << early.raw;

  const std::string root1 = org.Root(1);
  EXPECT_EQ(Call("POST", "/api/v1/trust-root", root1).status, 401);
  Reply put_root = Admin("POST", "/api/v1/trust-root", root1);
  ASSERT_EQ(put_root.status, 201) << put_root.raw;
  EXPECT_EQ(Admin("POST", "/api/v1/trust-root", root1).status, 200);  // same bytes: no-op
  const std::string root2 = org.Root(2);
  const std::string root3 = org.Root(3);
  Reply skipped = Admin("POST", "/api/v1/trust-root", root3);
  EXPECT_EQ(skipped.status, 422);
  EXPECT_EQ(skipped.body.at("code"), "E_ROOT_SIG_OLD");
  ASSERT_EQ(Admin("POST", "/api/v1/trust-root", root2).status, 201);

  Reply published = Admin("POST", "/api/v1/policy", bundle_v3);
  ASSERT_EQ(published.status, 201) << published.raw;
  EXPECT_EQ(published.body.at("platforms"), json::array{"linux"});
  EXPECT_EQ(Admin("POST", "/api/v1/policy", bundle_v3).body.at("already_published"), true);

  // A bundle signed by one policy key is below the threshold; a tampered one fails its
  // signature; an older version would be a rollback for agents.
  Reply weak =
      Admin("POST", "/api/v1/policy",
            org.SignWith(org.Policy("linux-baseline", 4, kStart), {&org.policy_ed25519()}));
  EXPECT_EQ(weak.status, 422);
  EXPECT_EQ(weak.body.at("code"), "E_THRESHOLD");
  std::string tampered = bundle_v3;
  tampered[tampered.find("\"payload\":\"") + 20] ^= 0x01;
  EXPECT_EQ(Admin("POST", "/api/v1/policy", tampered).status, 422);
  Reply older = Admin("POST", "/api/v1/policy", org.Sign(org.Policy("linux-baseline", 2, kStart)));
  EXPECT_EQ(older.status, 409) << older.raw;
  EXPECT_EQ(older.body.at("error"), "rollback");

  Enrolled linux = Enroll("machine-1", "ws-1");
  Reply fetched = AsDevice(linux.credential, "GET", "/api/v1/policy");
  ASSERT_EQ(fetched.status, 200);
  EXPECT_EQ(fetched.raw, bundle_v3);
  const std::string etag = fetched.Header("ETag");
  EXPECT_EQ(etag.size(), 66u);
  EXPECT_EQ(fetched.Header("X-Bulwark-Root-Version"), "2");
  Reply cached = Call("GET", "/api/v1/policy", {},
                      {{"authorization", "Bearer " + linux.credential}, {"if-none-match", etag}});
  EXPECT_EQ(cached.status, 304);
  EXPECT_TRUE(cached.raw.empty());

  Enrolled windows = Enroll("machine-w", "ws-w", "windows");
  EXPECT_EQ(AsDevice(windows.credential, "GET", "/api/v1/policy").status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/policy").status, 401);

  Reply chain = AsDevice(linux.credential, "GET", "/api/v1/trust/2.root.json");
  ASSERT_EQ(chain.status, 200);
  EXPECT_EQ(chain.raw, root2);
  EXPECT_EQ(Admin("GET", "/api/v1/trust/1.root.json").raw, root1);
  EXPECT_EQ(AsDevice(linux.credential, "GET", "/api/v1/trust/3.root.json").status, 404);
  EXPECT_EQ(AsDevice(linux.credential, "GET", "/api/v1/trust/x.root.json").status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/trust/1.root.json").status, 401);

  // A newer version replaces what devices get.
  const std::string bundle_v4 = org.Sign(org.Policy("linux-baseline", 4, kStart));
  ASSERT_EQ(Admin("POST", "/api/v1/policy", bundle_v4).status, 201);
  EXPECT_EQ(AsDevice(linux.credential, "GET", "/api/v1/policy").raw, bundle_v4);
}

TEST_P(CollectorApiTest, IngestIsIdempotentAndKeepsTheNewestState) {
  Enrolled dev = Enroll("machine-1", "ws-1");
  Reply first =
      AsDevice(dev.credential, "POST", "/api/v1/reports",
               Batch({Report("rep-00000001", "machine-1", false, "2026-11-20T08:00:00Z"),
                      Report("rep-00000002", "machine-1", true, "2026-11-20T08:30:00Z")}));
  ASSERT_EQ(first.status, 200) << first.raw;
  EXPECT_EQ(first.body.at("accepted").as_array().size(), 2u);
  EXPECT_TRUE(first.body.at("duplicate").as_array().empty());

  // The agent re-sends after a lost response, plus one older report from its queue.
  Reply resent =
      AsDevice(dev.credential, "POST", "/api/v1/reports",
               Batch({Report("rep-00000002", "machine-1", true, "2026-11-20T08:30:00Z"),
                      Report("rep-00000000", "machine-1", false, "2026-11-20T07:00:00Z")}));
  ASSERT_EQ(resent.status, 200) << resent.raw;
  EXPECT_EQ(resent.body.at("accepted"), json::array{"rep-00000000"});
  EXPECT_EQ(resent.body.at("duplicate"), json::array{"rep-00000002"});

  Reply device = Admin("GET", "/api/v1/devices/" + dev.device_id);
  ASSERT_EQ(device.status, 200) << device.raw;
  EXPECT_EQ(device.body.at("device").at("compliant"), true);  // the newest report wins
  // last_seen is when the collector last heard from the device.
  EXPECT_EQ(device.body.at("device").at("last_seen"), "2026-11-20T09:00:00Z");
  EXPECT_EQ(device.body.at("history").as_array().size(), 3u);
  EXPECT_EQ(device.body.at("latest_report").at("report_id"), "rep-00000002");
  EXPECT_EQ(device.body.at("results").as_array().size(), 2u);
  EXPECT_EQ(Admin("GET", "/api/v1/devices/" + dev.device_id + "?history=1")
                .body.at("history")
                .as_array()
                .size(),
            1u);
}

TEST_P(CollectorApiTest, RefusedBatchesStoreNothing) {
  Enrolled dev = Enroll("machine-1", "ws-1");
  Enrolled other = Enroll("machine-2", "ws-2");
  const std::string good =
      Batch({Report("rep-00000001", "machine-1", true, "2026-11-20T08:00:00Z")});
  auto post = [&](const std::string& credential, std::string body,
                  std::vector<std::pair<std::string, std::string>> extra = {}) {
    extra.emplace_back("authorization", "Bearer " + credential);
    if (std::none_of(extra.begin(), extra.end(),
                     [](const auto& h) { return h.first == "content-type"; })) {
      extra.emplace_back("content-type", "application/json");
    }
    HttpRequest request;
    request.method = "POST";
    request.target = "/api/v1/reports";
    request.body = std::move(body);
    request.headers = std::move(extra);
    return api_->Handle(request).status;
  };
  EXPECT_EQ(post(dev.credential, "{\"reports\":[{\"schema\":"), 400);
  EXPECT_EQ(
      post(dev.credential, Batch({Report("rep-00000001", "machine-1", true, "2026-11-20T08:00:00Z"),
                                  json::object{{"schema", "bulwark.report/1"}}})),
      400);
  EXPECT_EQ(post(dev.credential, good, {{"content-type", "text/plain"}}), 415);
  EXPECT_EQ(post(dev.credential, good, {{"content-encoding", "br"}}), 415);
  auto gz = Gzip(good);
  ASSERT_TRUE(gz.ok());
  EXPECT_EQ(post(dev.credential, gz->substr(0, gz->size() - 9), {{"content-encoding", "gzip"}}),
            400);
  auto bomb = Gzip(std::string(8 * 1024 * 1024, ' '));
  ASSERT_TRUE(bomb.ok());
  EXPECT_EQ(post(dev.credential, *bomb, {{"content-encoding", "gzip"}}), 413);
  // Another device's credential cannot write this machine's reports.
  EXPECT_EQ(post(other.credential, good), 403);
  // A forged or missing credential.
  EXPECT_EQ(post(dev.device_id + "." + std::string(64, '0'), good), 401);
  EXPECT_EQ(post("", good), 401);
  EXPECT_EQ(post(std::string(kAdminToken), good), 401);

  EXPECT_EQ(Admin("GET", "/api/v1/devices/" + dev.device_id).body.at("history").as_array().size(),
            0u);
  EXPECT_EQ(post(dev.credential, *gz, {{"content-encoding", "gzip"}}), 200);
  EXPECT_EQ(Admin("GET", "/api/v1/devices/" + dev.device_id).body.at("history").as_array().size(),
            1u);
}

TEST_P(CollectorApiTest, AdminViewsNeedTheAdminToken) {
  Enrolled dev = Enroll("machine-1", "ws-1");
  const std::vector<std::string> targets = {"/api/v1/devices", "/api/v1/devices/" + dev.device_id,
                                            "/api/v1/summary", "/api/v1/export.csv"};
  for (const std::string& target : targets) {
    EXPECT_EQ(Call("GET", target).status, 401) << target;
    EXPECT_EQ(Call("GET", target, {}, {{"authorization", "Bearer wrong-token"}}).status, 401);
    EXPECT_EQ(AsDevice(dev.credential, "GET", target).status, 401) << target;
    EXPECT_EQ(Admin("GET", target).status, 200) << target;
  }
}

TEST_P(CollectorApiTest, ListsFiltersPagesSummarisesAndExports) {
  for (int i = 0; i < 5; ++i) {
    const std::string m = "machine-" + std::to_string(i);
    Enrolled dev = Enroll(m, "ws-" + std::to_string(i));
    ASSERT_EQ(AsDevice(dev.credential, "POST", "/api/v1/reports",
                       Batch({Report("rep-0000000" + std::to_string(i), m, i % 2 == 0,
                                     "2026-11-20T08:00:00Z", "ws-" + std::to_string(i))}))
                  .status,
              200);
  }
  Enroll("machine-silent", "=HYPERLINK(\"http://evil\")");

  Reply all = Admin("GET", "/api/v1/devices");
  EXPECT_EQ(all.body.at("total"), 6);
  Reply compliant = Admin("GET", "/api/v1/devices?compliant=true");
  EXPECT_EQ(compliant.body.at("total"), 3);
  for (const auto& d : compliant.body.at("devices").as_array()) EXPECT_EQ(d.at("compliant"), true);
  EXPECT_EQ(Admin("GET", "/api/v1/devices?compliant=maybe").status, 400);
  EXPECT_EQ(Admin("GET", "/api/v1/devices?limit=0").status, 400);
  EXPECT_EQ(Admin("GET", "/api/v1/devices?hostname=WS-3").body.at("total"), 1);

  // Keyset pagination visits every device exactly once.
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    Reply page =
        Admin("GET", "/api/v1/devices?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(page.status, 200);
    for (const auto& d : page.body.at("devices").as_array()) {
      EXPECT_TRUE(seen.insert(json::value_to<std::string>(d.at("device_id"))).second);
    }
    cursor = page.body.at("next_cursor").is_null()
                 ? ""
                 : json::value_to<std::string>(page.body.at("next_cursor"));
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(seen.size(), 6u);
  EXPECT_EQ(pages, 3);

  Reply summary = Admin("GET", "/api/v1/summary");
  ASSERT_EQ(summary.status, 200);
  EXPECT_EQ(summary.body.at("devices"), 6);
  EXPECT_EQ(summary.body.at("reporting"), 5);
  EXPECT_EQ(summary.body.at("compliant"), 3);
  const json::array& checks = summary.body.at("checks").as_array();
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[1].at("id"), "fw.enabled");
  EXPECT_EQ(checks[1].at("pass"), 3);
  EXPECT_EQ(checks[1].at("fail"), 2);
  EXPECT_EQ(checks[0].at("pass"), 5);

  Reply csv = Admin("GET", "/api/v1/export.csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.response.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(std::count(csv.raw.begin(), csv.raw.end(), '\n'), 7);
  EXPECT_NE(csv.raw.find("\"'=HYPERLINK(\"\"http://evil\"\")\""), std::string::npos) << csv.raw;
}

TEST_P(CollectorApiTest, SqlMetacharactersAreDataInEveryField) {
  const std::string nasty = "x'); DROP TABLE devices;-- %_\\ \"q\" ü";
  Enrolled dev = Enroll(nasty, nasty);
  ASSERT_FALSE(dev.device_id.empty());
  json::object report = Report("rep-00000001", nasty, false, "2026-11-20T08:00:00Z", nasty);
  report["results"].as_array()[0].as_object()["id"] = nasty;
  report["results"].as_array()[0].as_object()["title"] = nasty;
  report["policy"].as_object()["policy_id"] = nasty;
  ASSERT_EQ(AsDevice(dev.credential, "POST", "/api/v1/reports", Batch({report})).status, 200);
  Reply listed = Admin("GET", "/api/v1/devices?hostname=" + std::string("DROP%20TABLE"));
  ASSERT_EQ(listed.body.at("total"), 1);
  EXPECT_EQ(listed.body.at("devices").at(0).at("hostname"), json::value(nasty));
  EXPECT_EQ(listed.body.at("devices").at(0).at("machine_id"), json::value(nasty));
  EXPECT_EQ(listed.body.at("devices").at(0).at("policy_id"), json::value(nasty));
  // LIKE wildcards match literally.
  EXPECT_EQ(Admin("GET", "/api/v1/devices?hostname=%25_%5C").body.at("total"), 1);
  EXPECT_EQ(Admin("GET", "/api/v1/devices?hostname=_%25").body.at("total"), 0);
  Reply summary = Admin("GET", "/api/v1/summary");
  bool found = false;
  for (const auto& c : summary.body.at("checks").as_array()) {
    found |= c.at("id") == json::value(nasty);
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(Admin("GET", "/api/v1/devices/" + std::string("x'%20OR%20'1'='1")).status, 404);
}

TEST_P(CollectorApiTest, MetricsCountWhatHappened) {
  Enrolled dev = Enroll("machine-1", "ws-1");
  AsDevice(dev.credential, "POST", "/api/v1/reports",
           Batch({Report("rep-00000001", "machine-1", true, "2026-11-20T08:00:00Z")}));
  AsDevice(dev.credential, "POST", "/api/v1/reports",
           Batch({Report("rep-00000001", "machine-1", true, "2026-11-20T08:00:00Z")}));
  AsDevice(dev.credential, "POST", "/api/v1/reports", "garbage");
  const std::string text = Call("GET", "/metrics").raw;
  EXPECT_NE(text.find("bulwark_reports_total{result=\"accepted\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("bulwark_reports_total{result=\"duplicate\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("bulwark_report_batches_rejected_total 1\n"), std::string::npos);
  EXPECT_NE(text.find("bulwark_enrollments_total 1\n"), std::string::npos);
}

// A route that admits devices and admins counts a caller that is neither once, not per
// credential kind it was checked against.
TEST_P(CollectorApiTest, EachRefusedRequestCountsOneAuthFailure) {
  EXPECT_EQ(AsDevice("nobody.secret", "GET", "/api/v1/trust/1.root.json").status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/devices", {}, {{"authorization", "Bearer wrong-token"}}).status,
            401);
  EXPECT_EQ(AsDevice("nobody.secret", "GET", "/api/v1/policy").status, 401);
  const std::string text = Call("GET", "/metrics").raw;
  EXPECT_NE(text.find("bulwark_auth_failures_total 3\n"), std::string::npos) << text;
}

// ---- Full disk: the SQLite store on a real, small tmpfs ------------------------------------

class CollectorFullDiskTest : public CollectorApiHarness {
 protected:
  void SetUp() override {
    mount_point_ = dir_.Join("small");
    dir_.MakeDirs("small");
    if (::geteuid() != 0 ||
        ::mount("tmpfs", mount_point_.c_str(), "tmpfs", 0, "size=2m,mode=0700") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN): "
                   << std::strerror(errno);
    }
    mounted_ = true;
    Start("sqlite:" + mount_point_ + "/collector.db");
  }
  void TearDown() override {
    api_.reset();
    store_.reset();
    if (mounted_) ::umount2(mount_point_.c_str(), MNT_DETACH);
  }
  void FillDisk() {
    std::ofstream filler(mount_point_ + "/filler", std::ios::binary);
    const std::string block(4096, 'z');
    while (filler.write(block.data(), static_cast<std::streamsize>(block.size())) &&
           filler.flush()) {
    }
  }
  void FreeDisk() { std::filesystem::remove(mount_point_ + "/filler"); }

  std::string mount_point_;
  bool mounted_ = false;
};

TEST_F(CollectorFullDiskTest, IngestOnAFullDiskAsksAgentsToRetryAndStoresOnceSpaceIsBack) {
  // An agent takes 413 and other refusals as "this report is bad" and, for a single report,
  // moves it to its dead-letter table: a full collector disk must never answer that.
  Enrolled device = Enroll("m-full", "ws-full");
  ASSERT_FALSE(device.credential.empty());
  FillDisk();
  Reply reply;
  std::string body;
  for (int i = 0; i < 200; ++i) {
    json::object report =
        Report("report-" + std::to_string(1000 + i), "m-full", true, "2026-11-20T09:00:00Z");
    report["facts"].as_object()["padding"] = std::string(8000, static_cast<char>('a' + i % 26));
    body = Batch({report});
    reply = AsDevice(device.credential, "POST", "/api/v1/reports", body);
    if (reply.status != 200) break;
  }
  ASSERT_EQ(reply.status, 503) << reply.raw;
  EXPECT_FALSE(reply.Header("Retry-After").empty());
  EXPECT_NE(reply.raw.find("full"), std::string::npos) << reply.raw;

  FreeDisk();
  reply = AsDevice(device.credential, "POST", "/api/v1/reports", body);
  ASSERT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(reply.body.at("accepted").as_array().size(), 1u) << reply.raw;
}

INSTANTIATE_TEST_SUITE_P(Backends, CollectorApiTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace bulwark::collector
