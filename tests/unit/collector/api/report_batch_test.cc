// Report batch validation: what the ingest route accepts, and the one-line reason for what it
// refuses.
#include "collector/api/report_batch.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace bulwark::collector {
namespace {

namespace json = boost::json;

constexpr UnixSeconds kNow = 1'795'000'000;  // 2026-11-18T10:46:40Z

json::object Report(std::string id) {
  return json::object{
      {"schema", "bulwark.report/1"},
      {"report_id", std::move(id)},
      {"generated_at", "2026-11-18T07:00:00Z"},
      {"policy",
       json::object{
           {"policy_id", "linux-baseline"}, {"epoch", 1}, {"version", 7}, {"sha256", "ab"}}},
      {"compliant", false},
      {"results", json::array{json::object{{"id", "disk.system-encrypted"},
                                           {"title", "System volume is encrypted"},
                                           {"severity", "critical"},
                                           {"status", "fail"}},
                              json::object{{"id", "fw.enabled"},
                                           {"title", "Firewall is on"},
                                           {"severity", "high"},
                                           {"status", "pass"}}}},
      {"facts", json::object{{"host", json::object{{"hostname", "ws-017"}, {"machine_id", "m-1"}}},
                             {"os", json::object{{"name", "Debian GNU/Linux 12 (bookworm)"}}}}}};
}

std::string Batch(const json::array& reports) {
  return json::serialize(json::object{{"reports", reports}});
}

Result<std::vector<ReportRecord>> Parse(const std::string& body) {
  return ParseReportBatch(body, ReportOwner{"dev_1", "m-1"}, kNow, ReportBatchLimits{});
}

TEST(ReportBatchTest, ParsesAValidBatch) {
  auto records = Parse(Batch({Report("r-00000001"), Report("r-00000002")}));
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 2u);
  const ReportRecord& r = (*records)[0];
  EXPECT_EQ(r.report_id, "r-00000001");
  EXPECT_EQ(r.device_id, "dev_1");
  EXPECT_EQ(r.generated_at, 1794985200);  // 2026-11-18T07:00:00Z
  EXPECT_EQ(r.received_at, kNow);
  EXPECT_FALSE(r.compliant);
  EXPECT_EQ(r.policy_id, "linux-baseline");
  EXPECT_EQ(r.policy_version, 7);
  EXPECT_EQ(r.hostname, "ws-017");
  EXPECT_EQ(r.os_version, "Debian GNU/Linux 12 (bookworm)");
  ASSERT_EQ(r.results.size(), 2u);
  EXPECT_EQ(r.results[0].check_id, "disk.system-encrypted");
  EXPECT_EQ(r.results[0].severity, "critical");
  EXPECT_EQ(r.results[0].status, "fail");
  // The stored document is the report itself and parses back to it.
  EXPECT_EQ(json::parse(r.document), json::value(Report("r-00000001")));
}

TEST(ReportBatchTest, RefusesMalformedBodies) {
  for (const std::string body : {"", "not json", "[]", "{}", "{\"reports\":{}}", "{\"reports\":[]}",
                                 "{\"reports\":[1]}", "{\"reports\":[{}]}"}) {
    auto records = Parse(body);
    ASSERT_FALSE(records.ok()) << body;
    EXPECT_EQ(records.status().code(), StatusCode::kInvalidArgument) << body;
  }
}

TEST(ReportBatchTest, NamesTheBadMemberOfTheBadReport) {
  struct Case {
    const char* member;
    json::value value;
    const char* expect;
  };
  const Case cases[] = {
      {"schema", "bulwark.report/2", "schema"},
      {"report_id", "short", "report_id"},
      {"report_id", "has space 123", "report_id"},
      {"report_id", "x'; DROP TABLE reports;--", "report_id"},
      {"generated_at", "yesterday", "generated_at"},
      {"generated_at", "2027-01-01T00:00:00Z", "future"},
      {"compliant", "yes", "compliant"},
      {"policy", json::object{{"policy_id", ""}}, "policy_id"},
      {"policy", json::object{{"policy_id", "p"}, {"epoch", -1}, {"version", 1}}, "epoch"},
      {"results", json::object{}, "results"},
      {"results",
       json::array{json::object{{"id", "a"}, {"severity", "urgent"}, {"status", "pass"}}},
       "severity"},
      {"results", json::array{json::object{{"id", "a"}, {"severity", "low"}, {"status", "ok"}}},
       "status"},
      {"results",
       json::array{json::object{{"id", "a"}, {"severity", "low"}, {"status", "pass"}},
                   json::object{{"id", "a"}, {"severity", "low"}, {"status", "pass"}}},
       "twice"},
      {"facts", json::array{}, "facts"},
  };
  for (const Case& c : cases) {
    json::object bad = Report("r-00000002");
    bad[c.member] = c.value;
    auto records = Parse(Batch({Report("r-00000001"), bad}));
    ASSERT_FALSE(records.ok()) << c.member << " " << json::serialize(c.value);
    EXPECT_EQ(records.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(records.status().message().find("report 1"), std::string::npos)
        << records.status().message();
    EXPECT_NE(records.status().message().find(c.expect), std::string::npos)
        << records.status().message();
  }
}

TEST(ReportBatchTest, RefusesARepeatedReportIdWithinTheBatch) {
  auto records = Parse(Batch({Report("r-00000001"), Report("r-00000001")}));
  ASSERT_FALSE(records.ok());
  EXPECT_NE(records.status().message().find("twice"), std::string::npos);
}

TEST(ReportBatchTest, EnforcesCountAndDepthLimits) {
  ReportBatchLimits limits;
  limits.max_reports = 2;
  json::array three{Report("r-00000001"), Report("r-00000002"), Report("r-00000003")};
  auto records = ParseReportBatch(Batch(three), ReportOwner{"dev_1", "m-1"}, kNow, limits);
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.status().code(), StatusCode::kResourceExhausted);

  std::string deep = "{\"reports\":[" + std::string(200, '[') + std::string(200, ']') + "]}";
  auto nested = Parse(deep);
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.status().code(), StatusCode::kInvalidArgument);
}

TEST(ReportBatchTest, RefusesReportsForAnotherDeviceOrMachine) {
  json::object other_device = Report("r-00000001");
  other_device["device_id"] = "dev_2";
  auto a = Parse(Batch({other_device}));
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::kPermissionDenied);

  json::object other_machine = Report("r-00000001");
  other_machine["facts"].as_object()["host"].as_object()["machine_id"] = "m-2";
  auto b = Parse(Batch({other_machine}));
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kPermissionDenied);

  json::object own = Report("r-00000001");
  own["device_id"] = "dev_1";
  EXPECT_TRUE(Parse(Batch({own})).ok());
}

TEST(ReportBatchTest, KeepsSqlMetacharactersAsData) {
  json::object r = Report("r-00000001");
  const std::string nasty = "ws'; DROP TABLE devices;-- %_\\ \"q\" ünïcode";
  r["facts"].as_object()["host"].as_object()["hostname"] = nasty;
  auto records = Parse(Batch({r}));
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_EQ((*records)[0].hostname, nasty);
}

}  // namespace
}  // namespace bulwark::collector
