// The agent service's pure parts: its config file, the status file and its rendering, the
// report a cycle builds, the first-failure memory behind deadlines, and the scan splay.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <set>

#include "agent/service/agent_config.h"
#include "agent/service/cycle_report.h"
#include "agent/service/status_file.h"
#include "tests/testing/temp_dir.h"

namespace bulwark {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

SystemTime At(const char* text) { return *ParseRfc3339(text); }

TEST(AgentConfigTest, ReadsEverySettingAndKeepsDefaultsForTheRest) {
  testing::TempDir dir;
  dir.WriteFile("agent.conf",
                "# comment\n"
                "server = https://collector.example:8443\n"
                "ca_file = /etc/bulwark/ca.pem\n"
                "pin = sha256//AAAA\n"
                "state_dir = /srv/state\n"
                "interval = 600\n"
                "splay = 0.2\n"
                "queue_max_reports = 50\n"
                "queue_max_mb = 2\n"
                "policy_id = linux-baseline\n"
                "proxy = none\n");
  auto c = LoadAgentConfig(dir.Join("agent.conf"), true, DefaultAgentConfig());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server, "https://collector.example:8443");
  EXPECT_EQ(c->ca_file, "/etc/bulwark/ca.pem");
  EXPECT_EQ(c->pin, "sha256//AAAA");
  EXPECT_EQ(c->StateDbPath(), "/srv/state/state.db");
  EXPECT_EQ(c->interval, std::chrono::seconds(600));
  EXPECT_DOUBLE_EQ(c->splay, 0.2);
  EXPECT_EQ(c->queue_max_reports, 50u);
  EXPECT_EQ(c->queue_max_bytes, 2u * 1024 * 1024);
  EXPECT_EQ(c->proxy, "none");
  EXPECT_EQ(c->policy_id, "linux-baseline");
  EXPECT_EQ(c->policy_poll, std::chrono::seconds(300));  // default kept
  EXPECT_EQ(c->status_file, DefaultAgentConfig().status_file);
}

TEST(AgentConfigTest, StateFilesAreJoinedOnceWhateverTheTrailingSlash) {
  AgentConfig c;
  c.state_dir = "/srv/state";
  EXPECT_EQ(c.QueueDbPath(), "/srv/state/queue.db");
  EXPECT_EQ(c.FirstFailedPath(), "/srv/state/first_failed.json");
  c.state_dir = "/srv/state/";
  EXPECT_EQ(c.CredentialPath(), "/srv/state/credential");
}

TEST(AgentConfigTest, MissingDefaultFileIsFineButANamedOneIsNot) {
  testing::TempDir dir;
  auto quiet = LoadAgentConfig(dir.Join("absent.conf"), false, DefaultAgentConfig());
  ASSERT_TRUE(quiet.ok());
  EXPECT_EQ(quiet->state_dir, DefaultAgentConfig().state_dir);
  auto named = LoadAgentConfig(dir.Join("absent.conf"), true, DefaultAgentConfig());
  EXPECT_EQ(named.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(named.status().message(), HasSubstr("absent.conf"));
}

TEST(AgentConfigTest, RefusesBadValuesNamingThem) {
  testing::TempDir dir;
  for (const char* line : {"interval = 5\n", "splay = 0.9\n", "server = http://plain.example\n",
                           "client_cert = /c.pem\n", "frobnicate = 1\n", "interval = soon\n",
                           "upload_batch = 0\n", "policy_id = ../etc\n"}) {
    dir.WriteFile("agent.conf", line);
    auto c = LoadAgentConfig(dir.Join("agent.conf"), true, DefaultAgentConfig());
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << line;
    EXPECT_THAT(c.status().message(), HasSubstr("agent.conf")) << line;
  }
}

TEST(EnrollmentFileTest, RoundTripsAndIsPrivate) {
  testing::TempDir dir;
  Enrollment e{"https://c.example", "/ca.pem", "sha256//x", "dev_1", "/etc/bulwark/secret"};
  ASSERT_TRUE(SaveEnrollment(dir.Join("enrollment.json"), e).ok());
  struct stat st {};
  ASSERT_EQ(::stat(dir.Join("enrollment.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto back = LoadEnrollment(dir.Join("enrollment.json"));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->device_id, "dev_1");
  EXPECT_EQ(back->enroll_secret_file, "/etc/bulwark/secret");
  AgentConfig c;
  c.pin = "sha256//mine";
  ApplyEnrollment(*back, c);
  EXPECT_EQ(c.server, "https://c.example");  // filled in
  EXPECT_EQ(c.pin, "sha256//mine");          // the config file wins
  dir.WriteFile("broken.json", "{not json");
  EXPECT_EQ(LoadEnrollment(dir.Join("broken.json")).status().code(), StatusCode::kDataLoss);
}

std::vector<policy::CheckResult> Results() {
  policy::CheckResult fail;
  fail.id = "fw.enabled";
  fail.title = "Firewall is on";
  fail.severity = "high";
  fail.status = policy::CheckStatus::kFail;
  fail.remediation = json::object{{"summary", "Turn the firewall on."},
                                  {"steps", json::array{"Run: sudo ufw enable"}}};
  fail.deadline = At("2026-12-01T00:00:00Z");
  policy::CheckResult pass;
  pass.id = "disk.system-encrypted";
  pass.title = "System volume is encrypted";
  pass.severity = "critical";
  pass.status = policy::CheckStatus::kPass;
  return {fail, pass};
}

TEST(CycleReportTest, AddsIdentityQueueAndEventsToTheEngineReport) {
  ReportContext context;
  context.report_id = "r-0123456789abcdef";
  context.generated_at = At("2026-11-28T10:00:00Z");
  context.device_id = "dev_1";
  context.agent_version = "0.1.0";
  context.root_version = 3;
  context.queue = json::object{{"pending", 2}, {"dropped_total", 5}};
  context.policy_events = json::array{json::object{{"outcome", "reject"}}};
  json::object report = BuildCycleReport({"baseline", 1, 7, "abc"}, Results(),
                                         json::object{{"host", json::object{}}}, context);
  EXPECT_EQ(report.at("schema"), json::value("bulwark.report/1"));
  EXPECT_EQ(report.at("report_id"), json::value("r-0123456789abcdef"));
  EXPECT_EQ(report.at("generated_at"), json::value("2026-11-28T10:00:00Z"));
  EXPECT_EQ(report.at("device_id"), json::value("dev_1"));
  EXPECT_EQ(report.at("compliant"), json::value(false));
  EXPECT_EQ(report.at("agent").at("root_version"), json::value(3));
  EXPECT_EQ(report.at("agent").at("queue").at("dropped_total"), json::value(5));
  EXPECT_EQ(report.at("policy_events").as_array().size(), 1u);
  EXPECT_EQ(report.at("policy").at("version"), json::value(7));
}

TEST(CycleReportTest, ReportIdsAreUniqueAndValidForTheCollector) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    auto id = NewReportId();
    ASSERT_TRUE(id.ok());
    EXPECT_EQ(id->size(), 34u);
    EXPECT_EQ(id->find_first_not_of("r-0123456789abcdef"), std::string::npos);
    ids.insert(*id);
  }
  EXPECT_EQ(ids.size(), 1000u);
}

TEST(CycleReportTest, FirstFailureTimesSurviveAndLeaveWhenFixed) {
  testing::TempDir dir;
  const std::string path = dir.Join("first_failed.json");
  EXPECT_TRUE(LoadFirstFailed(path).empty());
  auto first = UpdateFirstFailed({}, Results(), At("2026-11-20T00:00:00Z"));
  ASSERT_EQ(first.size(), 1u);
  ASSERT_TRUE(SaveFirstFailed(path, first).ok());
  // Still failing a week later: the first time is kept, so the deadline does not move.
  auto again = UpdateFirstFailed(LoadFirstFailed(path), Results(), At("2026-11-27T00:00:00Z"));
  EXPECT_EQ(again.at("fw.enabled"), At("2026-11-20T00:00:00Z"));
  // Fixed: forgotten.
  auto results = Results();
  results[0].status = policy::CheckStatus::kPass;
  EXPECT_TRUE(UpdateFirstFailed(again, results, At("2026-11-28T00:00:00Z")).empty());
  dir.WriteFile("first_failed.json", "garbage");
  EXPECT_TRUE(LoadFirstFailed(path).empty());
}

TEST(CycleReportTest, SplayStaysWithinTheBoundsAndSpreads) {
  std::mt19937_64 rng(7);
  std::set<std::int64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto d = SplayedInterval(std::chrono::seconds(900), 0.1, rng).count();
    EXPECT_GE(d, 810'000);
    EXPECT_LE(d, 990'000);
    seen.insert(d / 10'000);
  }
  EXPECT_GT(seen.size(), 15u);  // spread over the window, not one value
}

TEST(StatusFileTest, WritesReadsAndRendersWhatToFix) {
  testing::TempDir dir;
  const std::string path = dir.Join("run/bulwark/status.json");
  json::object s{{"device_id", "dev_1"},
                 {"server", "https://c.example"},
                 {"hostname", "ws-1"},
                 {"policy", json::object{{"policy_id", "baseline"}, {"epoch", 1}, {"version", 7}}},
                 {"policy_outcome", "reject"},
                 {"policy_reason", "E_ROLLBACK: version 6 is older than 7"},
                 {"last_scan_at", "2026-11-28T10:00:00Z"},
                 {"compliant", false},
                 {"results", json::array{json::object{
                                 {"id", "fw.enabled"},
                                 {"title", "Firewall is on"},
                                 {"severity", "high"},
                                 {"status", "fail"},
                                 {"remediation", json::object{{"summary", "Turn it on."}}},
                                 {"deadline", "2026-12-01T00:00:00Z"}}}},
                 {"queue", json::object{{"pending", 3}, {"dead_letters", 0}}}};
  ASSERT_TRUE(WriteStatusFile(path, s, At("2026-11-28T10:00:05Z")).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);  // any user may read it
  auto back = ReadStatusFile(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->at("updated_at"), json::value("2026-11-28T10:00:05Z"));
  const std::string text = RenderStatus(*back, At("2026-11-28T10:00:00Z"));
  EXPECT_THAT(text, HasSubstr("Policy baseline version 7"));
  EXPECT_THAT(text, HasSubstr("NOT COMPLIANT"));
  EXPECT_THAT(text, HasSubstr("[high] Firewall is on (fw.enabled)"));
  EXPECT_THAT(text, HasSubstr("Fix: Turn it on."));
  EXPECT_THAT(text, HasSubstr("Deadline: 2026-12-01T00:00:00Z (in 2 days)"));
  EXPECT_THAT(text, HasSubstr("E_ROLLBACK"));
  EXPECT_THAT(text, HasSubstr("Reports waiting to upload: 3"));
  EXPECT_EQ(ReadStatusFile(dir.Join("none.json")).status().code(), StatusCode::kNotFound);
  dir.WriteFile("other.json", "{\"schema\":\"something/1\"}");
  EXPECT_EQ(ReadStatusFile(dir.Join("other.json")).status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace bulwark
