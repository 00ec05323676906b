// bulwark-policy lint: every problem on its own line, fractions named with their path, drafts
// without stamped fields, and signed bundles linted through their payload.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>

#include "policy/tool/policy_lint.h"
#include "tests/testing/temp_dir.h"
#include "tests/unit/policy/tool/cli_harness.h"

namespace bulwark::policy_tool {
namespace {

using testing::kConformanceDir;
using testing::RunCli;

// kPolicyJson with `replace` substituted for `find` (once).
std::string PolicyWith(const std::string& find, const std::string& replace) {
  std::string text = testing::kPolicyJson;
  const std::size_t at = text.find(find);
  if (at == std::string::npos)
    ADD_FAILURE() << "fixture lacks " << find;
  else
    text.replace(at, find.size(), replace);
  return text;
}

TEST(LintTest, ValidDraftIsOkAndSaysWhatSignStamps) {
  bulwark::testing::TempDir dir;
  dir.WriteFile("policy.json", testing::kPolicyJson);
  const testing::CliRun run = RunCli({"lint", dir.Join("policy.json")});
  EXPECT_EQ(run.code, 0) << run.out << run.err;
  EXPECT_EQ(run.out, "ok: 2 checks (issued_at, expires not set: 'sign' stamps them)\n");
}

TEST(LintTest, FullyStampedPolicyIsPlainOk) {
  const LintReport r =
      LintPolicyText(PolicyWith("\"version\": 12,",
                                "\"version\": 12, \"issued_at\": \"2026-06-10T00:00:00Z\", "
                                "\"expires\": \"2026-07-10T00:00:00Z\","),
                     true);
  EXPECT_TRUE(r.problems.empty()) << r.problems.front();
  EXPECT_TRUE(r.unstamped.empty());
  EXPECT_EQ(r.checks, 2u);
}

TEST(LintTest, DraftMayLeaveVersionAndEpochToSign) {
  const LintReport r = LintPolicyText(PolicyWith("\"epoch\": 1, \"version\": 12,", ""), true);
  EXPECT_TRUE(r.problems.empty()) << r.problems.front();
  EXPECT_EQ(r.unstamped, (std::vector<std::string>{"issued_at", "expires", "version", "epoch"}));
}

TEST(LintTest, ReportsEveryBrokenCheckOnItsOwnLine) {
  bulwark::testing::TempDir dir;
  std::string text = PolicyWith("{\"==\": [{\"var\": \"os.family\"}, \"linux\"]}",
                                "{\"equals\": [{\"var\": \"os.family\"}, \"linux\"]}");
  const std::size_t at = text.find("\"severity\": \"high\"");
  text.replace(at, 18, "\"severity\": \"severe\"");
  dir.WriteFile("policy.json", text);
  const testing::CliRun run = RunCli({"lint", dir.Join("policy.json")});
  EXPECT_EQ(run.code, 1);
  const std::string prefix = dir.Join("policy.json") + ": E_SCHEMA: ";
  EXPECT_EQ(std::count(run.out.begin(), run.out.end(), '\n'), 2) << run.out;
  EXPECT_NE(run.out.find(prefix + "checks[0] ('os.linux').condition"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("equals"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(prefix + "checks[1] ('disk.system-encrypted').severity"),
            std::string::npos)
      << run.out;
}

TEST(LintTest, NamesEveryNumberWithAFractionByPath) {
  const LintReport r = LintPolicyText(
      PolicyWith("\"grace_days\": 14", "\"grace_days\": 14.5, \"references\": {\"w\": 1e3}"), true);
  ASSERT_EQ(r.problems.size(), 2u);
  EXPECT_EQ(r.problems[0],
            "checks[1].grace_days: number 14.5 has a fraction or exponent; signed payloads "
            "allow integers only (agents reject the bundle with E_PAYLOAD_PARSE)");
  EXPECT_EQ(r.problems[1].rfind("checks[1].references.w: number ", 0), 0u) << r.problems[1];
}

TEST(LintTest, SyntaxErrorsGiveLineAndColumn) {
  const LintReport r = LintPolicyText("{\n  \"a\": 1,\n  \"a\": 2\n}", true);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].rfind("line 3, column ", 0), 0u) << r.problems[0];
  EXPECT_NE(r.problems[0].find("E_DUPLICATE_KEY"), std::string::npos) << r.problems[0];
  const LintReport bad = LintPolicyText("{\"a\": tru}", true);
  ASSERT_EQ(bad.problems.size(), 1u);
  EXPECT_NE(bad.problems[0].find("E_PAYLOAD_PARSE"), std::string::npos);
}

TEST(LintTest, DuplicateCheckIdsPointAtTheFirst) {
  const LintReport r =
      LintPolicyText(PolicyWith("\"id\": \"disk.system-encrypted\"", "\"id\": \"os.linux\""), true);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0],
            "E_SCHEMA: checks[1]: duplicate check id 'os.linux' (first at checks[0])");
}

TEST(LintTest, ValidityWindowOverNinetyDaysIsAProblem) {
  const LintReport r =
      LintPolicyText(PolicyWith("\"version\": 12,",
                                "\"version\": 12, \"issued_at\": \"2026-01-01T00:00:00Z\", "
                                "\"expires\": \"2027-01-01T00:00:00Z\","),
                     true);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].rfind("E_VALIDITY_TOO_LONG: expires - issued_at is 365 days", 0), 0u)
      << r.problems[0];
}

TEST(LintTest, SchemaErrorsOfTheDocumentAreReported) {
  const LintReport r = LintPolicyText(PolicyWith("\"org_id\": \"acme-prod\",", ""), true);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0], "E_SCHEMA: org_id missing or invalid");
  const LintReport no_version = LintPolicyText(PolicyWith("\"version\": 12,", ""), false);
  ASSERT_EQ(no_version.problems.size(), 1u);
  EXPECT_NE(no_version.problems[0].find("version"), std::string::npos);
}

TEST(LintTest, LintsTheSignedPayloadOfABundle) {
  const testing::CliRun ok = RunCli({"lint", kConformanceDir + "envelopes/A01_valid_2of3.json"});
  EXPECT_EQ(ok.code, 0) << ok.out << ok.err;
  EXPECT_EQ(ok.out.rfind("ok: ", 0), 0u) << ok.out;
  const testing::CliRun fraction =
      RunCli({"lint", kConformanceDir + "envelopes/C04_signed_float_version.json"});
  EXPECT_EQ(fraction.code, 1);
  EXPECT_NE(fraction.out.find("version: number"), std::string::npos) << fraction.out;
  const testing::CliRun root = RunCli({"lint", kConformanceDir + "roots/1.root.json"});
  EXPECT_EQ(root.code, 1);
  EXPECT_NE(root.err.find("this is a trust root, not a policy"), std::string::npos) << root.err;
}

TEST(StampPolicyTest, FillsMissingTimesAndKeepsGivenOnes) {
  const SystemTime now = *ParseRfc3339("2026-06-15T12:34:56Z");
  boost::json::value doc = boost::json::parse(testing::kPolicyJson);
  StampOptions options;
  options.now = now;
  ASSERT_TRUE(StampPolicy(doc, options).ok());
  EXPECT_EQ(doc.at("issued_at"), "2026-06-15T12:34:56Z");
  EXPECT_EQ(doc.at("expires"), "2026-07-15T12:34:56Z");
  EXPECT_EQ(doc.at("version"), 12);

  // Given times stay unless an option asks for new ones.
  doc.as_object()["issued_at"] = "2026-06-01T00:00:00Z";
  doc.as_object()["expires"] = "2026-06-20T00:00:00Z";
  ASSERT_TRUE(StampPolicy(doc, options).ok());
  EXPECT_EQ(doc.at("expires"), "2026-06-20T00:00:00Z");
  options.expires_in_days = 7;
  options.version_from_time = true;
  ASSERT_TRUE(StampPolicy(doc, options).ok());
  EXPECT_EQ(doc.at("issued_at"), "2026-06-15T12:34:56Z");
  EXPECT_EQ(doc.at("expires"), "2026-06-22T12:34:56Z");
  EXPECT_EQ(doc.at("version"), 1781526896);
}

TEST(StampPolicyTest, VersionAndEpochMustComeFromSomewhere) {
  boost::json::value doc = boost::json::parse(testing::kPolicyJson);
  doc.as_object().erase("version");
  StampOptions options;
  options.now = testing::FixedNow();
  Status s = StampPolicy(doc, options);
  EXPECT_NE(s.message().find("--version N or --version-from-time"), std::string::npos);
  options.version = 5;
  doc.as_object().erase("epoch");
  s = StampPolicy(doc, options);
  EXPECT_NE(s.message().find("no epoch"), std::string::npos);
  options.epoch = 2;
  ASSERT_TRUE(StampPolicy(doc, options).ok());
  EXPECT_EQ(doc.at("version"), 5);
  EXPECT_EQ(doc.at("epoch"), 2);
}

}  // namespace
}  // namespace bulwark::policy_tool
