#include "policy/engine/engine.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace bulwark::policy {
namespace {
namespace json = boost::json;

const char kPolicy[] = R"({
  "checks": [
    {"id": "disk.system-encrypted", "title": "System volume is encrypted", "severity": "high",
     "condition": {"all": [{"filter": [{"var": "disk_encryption.volumes"},
                                       {"==": [{"var": "role"}, "system"]}]},
                           {"===": [{"var": "encrypted"}, true]}]},
     "remediation": {"summary": "Encrypt the system disk.", "steps": ["Back up", "Reinstall with LUKS"]},
     "grace_days": 14, "references": {"nist-800-53": "SC-28"}},
    {"id": "fw.on", "title": "Firewall on", "severity": "medium", "platforms": ["linux"],
     "condition": {"===": [{"var": "endpoint_protection.firewall.enabled"}, true]},
     "remediation": {"summary": "Turn the firewall on."}},
    {"id": "win.only", "title": "Windows thing", "severity": "low", "platforms": ["windows"],
     "condition": true, "remediation": {"summary": "n/a"}},
    {"id": "admins.none", "title": "Console user is not admin", "severity": "high",
     "condition": {"!": {"var": "local_admins.console_user_is_admin"}},
     "remediation": {"summary": "Remove admin rights."}}
  ]})";

json::value Facts(const char* encrypted, const char* firewall) {
  return json::parse(std::string(R"({"os":{"family":"linux"},
    "disk_encryption":{"volumes":[{"role":"system","encrypted":)") +
                     encrypted +
                     R"(},{"role":"boot","encrypted":false}]},
    "endpoint_protection":{"firewall":{"enabled":)" +
                     firewall + R"(}},
    "local_admins":{"console_user_is_admin":false}})");
}

SystemTime At(const char* t) { return *ParseRfc3339(t); }

TEST(EngineTest, PassFailNotApplicable) {
  auto now = At("2026-11-28T16:00:00Z");
  auto results = EvaluateChecks(json::parse(kPolicy), Facts("true", "false"), now);
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].status, CheckStatus::kPass);
  EXPECT_EQ(results[0].deadline, std::nullopt);
  EXPECT_EQ(results[1].status, CheckStatus::kFail);
  EXPECT_EQ(results[1].deadline, now) << "no grace: due now";
  EXPECT_EQ(results[2].status, CheckStatus::kNotApplicable);
  EXPECT_EQ(results[3].status, CheckStatus::kPass);
  EXPECT_FALSE(IsCompliant(results));
}

TEST(EngineTest, UnknownFactIsErrorNeverPass) {
  auto results = EvaluateChecks(json::parse(kPolicy), Facts("null", "null"), SystemTime{});
  EXPECT_EQ(results[0].status, CheckStatus::kError);
  ASSERT_TRUE(results[0].reason.has_value());
  EXPECT_NE(results[0].reason->find("encrypted"), std::string::npos) << *results[0].reason;
  EXPECT_EQ(results[1].status, CheckStatus::kError);
  EXPECT_FALSE(IsCompliant(results));
}

TEST(EngineTest, GraceDaysRunFromFirstFailure) {
  auto now = At("2026-11-28T16:00:00Z");
  auto results = EvaluateChecks(json::parse(kPolicy), Facts("false", "true"), now,
                                {{"disk.system-encrypted", At("2026-11-20T08:00:00Z")}});
  ASSERT_EQ(results[0].status, CheckStatus::kFail);
  EXPECT_EQ(results[0].grace_days, 14);
  EXPECT_EQ(FormatRfc3339(*results[0].deadline), "2026-12-04T08:00:00Z");
}

TEST(EngineTest, HugeGraceDaysDoNotOverflowTheDeadline) {
  auto results = EvaluateChecks(
      json::parse(R"({"checks":[{"id":"x","condition":false,"grace_days":9223372036854775807},
                                {"id":"y","condition":false,"grace_days":-5}]})"),
      json::parse("{}"), At("2026-11-28T16:00:00Z"));
  EXPECT_EQ(FormatRfc3339(*results[0].deadline), "2126-11-04T16:00:00Z");
  EXPECT_EQ(FormatRfc3339(*results[1].deadline), "2026-11-28T16:00:00Z");
}

TEST(EngineTest, ReportCarriesRemediationAndPolicyIdentity) {
  auto facts = Facts("false", "true");
  auto results = EvaluateChecks(json::parse(kPolicy), facts, At("2026-11-28T16:00:00Z"));
  json::object report = BuildReport({"baseline", 1, 42, "ab12"}, results, facts);
  EXPECT_EQ(report.at("schema").as_string(), "bulwark.report/1");
  EXPECT_EQ(report.at("policy").at("version").as_uint64(), 42u);
  EXPECT_EQ(report.at("compliant").as_bool(), false);
  const auto& first = report.at("results").as_array()[0].as_object();
  EXPECT_EQ(first.at("status").as_string(), "fail");
  EXPECT_EQ(first.at("remediation").at("summary").as_string(), "Encrypt the system disk.");
  EXPECT_EQ(first.at("deadline").as_string(), "2026-12-12T16:00:00Z");
  EXPECT_EQ(first.at("references").at("nist-800-53").as_string(), "SC-28");
  EXPECT_TRUE(report.at("results").as_array()[1].at("reason").is_null());
  // Passing and not-applicable checks leave their remediation out: nothing to fix.
  EXPECT_EQ(report.at("results").as_array()[1].at("status").as_string(), "pass");
  EXPECT_TRUE(report.at("results").as_array()[1].at("remediation").is_null());
  EXPECT_EQ(report.at("results").as_array()[2].at("status").as_string(), "not_applicable");
  EXPECT_TRUE(report.at("results").as_array()[2].at("remediation").is_null());
  EXPECT_EQ(report.at("facts"), facts);

  std::string table = RenderResultsTable(results);
  EXPECT_NE(table.find("fail            disk.system-encrypted"), std::string::npos) << table;
  EXPECT_NE(table.find("1. Back up"), std::string::npos) << table;
  EXPECT_NE(table.find("2 passed, 1 failed, 0 error, 1 not applicable"), std::string::npos)
      << table;
}

TEST(EngineTest, MalformedChecksAreErrorsNotCrashes) {
  auto results = EvaluateChecks(json::parse(R"({"checks":[1, {"id":"x"},
      {"id":"deep","condition":{"var":"a"}}]})"),
                                json::parse(R"({"a": 1})"), SystemTime{});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].status, CheckStatus::kError);
  EXPECT_EQ(results[1].status, CheckStatus::kError);
  EXPECT_EQ(results[2].status, CheckStatus::kPass);
  EXPECT_TRUE(EvaluateChecks(json::parse("[]"), json::parse("{}"), SystemTime{}).empty());
  // A hostile rule is bounded: a huge reduce is an error, not a hang.
  auto bomb =
      EvaluateChecks(json::parse(R"({"checks":[{"id":"bomb","condition":{"reduce":[{"var":"big"},
          {"+":[{"var":"current"},{"var":"accumulator"}]}, 0]}}]})"),
                     json::parse(std::string(R"({"big":[)") +
                                 [] {
                                   std::string s;
                                   for (int i = 0; i < 200000; ++i) s += (i ? ",1" : "1");
                                   return s;
                                 }() +
                                 "]}"),
                     SystemTime{});
  EXPECT_EQ(bomb[0].status, CheckStatus::kError);
}

}  // namespace
}  // namespace bulwark::policy
