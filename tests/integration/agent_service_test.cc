// bulwark-agent's service against the real bulwark-collector binary on 127.0.0.1: enrolment,
// policy fetch, scan of a fixture root, queued upload found through the admin API; a
// collector outage; a new policy picked up and a rolled-back one refused and reported; and
// kill -9 at random points across 200 enqueue/upload cycles, after which the collector holds
// every report exactly once; the sd_notify conversation (READY, RELOADING, STOPPING, WATCHDOG)
// on a notify socket as systemd sets one up; and the shipped unit checked by systemd-analyze.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "agent/base/time_util.h"
#include "tests/testing/https_client.h"
#include "tests/testing/process.h"
#include "tests/testing/signed_policy.h"
#include "tests/testing/temp_dir.h"

namespace bulwark {
namespace {

namespace json = boost::json;
using testing::CollectorProcess;
using testing::RunTool;

json::value ParseOrNull(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return ec ? json::value(nullptr) : v;
}

class AgentServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    collector_ = std::make_unique<CollectorProcess>(BULWARK_COLLECTOR_BINARY, CollectorDir());
    ASSERT_TRUE(collector_->ok()) << collector_->log();
    // The host the agent scans: identity files and an empty mount table.
    dir_.WriteFile("root/etc/os-release",
                   "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12\"\n");
    dir_.WriteFile("root/etc/hostname", "ws-fixture\n");
    dir_.WriteFile("root/etc/machine-id", "0123456789abcdef0123456789abcdef\n");
    dir_.WriteFile("root/proc/self/mountinfo", "");
    dir_.WriteFile("root/proc/swaps", "Filename\tType\tSize\tUsed\tPriority\n");
    dir_.WriteFile("root.json", policy_.Root(1));
    WriteConfig();
    ASSERT_EQ(Admin("POST", "/api/v1/trust-root", policy_.Root(1)).status, 201);
    Publish(1);
  }

  std::string CollectorDir() const { return dir_.Join("collector"); }

  void WriteConfig(const std::string& extra = "") {
    dir_.WriteFile("agent.conf", "state_dir = " + dir_.Join("state") + "\n" +
                                     "status_file = " + dir_.Join("run/status.json") + "\n" +
                                     "trust_anchor = " + dir_.Join("root.json") + "\n" +
                                     "root = " + dir_.Join("root") + "\n" +
                                     "backoff_base = 1\nbackoff_cap = 2\n" + extra);
  }

  struct Reply {
    int status = 0;
    json::value body;
  };
  Reply Admin(const std::string& method, const std::string& target, const std::string& body = {}) {
    testing::HttpsTestClientOptions options;
    options.ca_file = collector_->ca();
    testing::HttpsTestClient client(collector_->port(), options);
    testing::HeaderList headers = {{"Authorization", "Bearer " + collector_->admin_token()}};
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    auto r = client.Request(method, target, body, headers);
    if (!r.ok()) return {};
    return {r->status, ParseOrNull(r->body)};
  }

  void Publish(std::uint64_t version) {
    const SystemTime now =
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    const std::string bundle = policy_.Sign(policy_.Policy("baseline", version, now));
    dir_.WriteFile("bundle-v" + std::to_string(version) + ".json", bundle);
    ASSERT_EQ(Admin("POST", "/api/v1/policy", bundle).status, 201);
  }

  int Agent(std::vector<std::string> args, std::string* output = nullptr) {
    args.insert(args.begin(), BULWARK_AGENT_BINARY);
    args.insert(args.end(), {"--config", dir_.Join("agent.conf")});
    std::string out;
    const int code = RunTool(args, &out);
    if (output != nullptr) *output = out;
    return code;
  }

  void Enroll() {
    std::string out;
    ASSERT_EQ(Agent({"enroll", "--server", collector_->url(), "--enroll-secret-file",
                     collector_->enroll_secret_file(), "--ca-file", collector_->ca()},
                    &out),
              0)
        << out;
  }

  json::value QueueStats() {
    std::string out;
    EXPECT_EQ(Agent({"queue", "stats", "--json"}, &out), 0) << out;
    return ParseOrNull(out);
  }

  std::string DeviceId() {
    Reply devices = Admin("GET", "/api/v1/devices");
    if (!devices.body.is_object()) return {};
    const auto& list = devices.body.at("devices").as_array();
    if (list.size() != 1) return {};
    return std::string(list[0].at("device_id").as_string());
  }

  testing::TempDir dir_;
  testing::SignedPolicyFixture policy_;
  std::unique_ptr<CollectorProcess> collector_;
};

TEST_F(AgentServiceTest, EnrolsScansUploadsAndTheAdminApiShowsTheReport) {
  Enroll();
  struct stat st {};
  ASSERT_EQ(::stat(dir_.Join("state/credential").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(dir_.Join("state").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  std::string out;
  ASSERT_EQ(Agent({"run", "--once"}, &out), 0) << out;
  const std::string device = DeviceId();
  ASSERT_FALSE(device.empty());
  Reply detail = Admin("GET", "/api/v1/devices/" + device);
  ASSERT_EQ(detail.status, 200);
  const json::value& report = detail.body.at("latest_report");
  ASSERT_TRUE(report.is_object()) << json::serialize(detail.body);
  EXPECT_EQ(report.at("policy").at("version"), json::value(1));
  EXPECT_EQ(report.at("device_id"), json::value(device));
  EXPECT_EQ(report.at("facts").at("host").at("hostname"), json::value("ws-fixture"));
  EXPECT_EQ(report.at("agent").at("root_version"), json::value(1));
  EXPECT_FALSE(report.at("results").as_array().empty());

  json::value stats = QueueStats();
  EXPECT_EQ(stats.at("pending"), json::value(0));
  EXPECT_EQ(stats.at("acked_total"), json::value(1));

  // Any user reads the status: policy, and each failing check with its remediation.
  ASSERT_EQ(Agent({"status", "--json"}, &out), 0) << out;
  json::value status = ParseOrNull(out);
  ASSERT_TRUE(status.is_object()) << out;
  EXPECT_EQ(status.at("policy").at("version"), json::value(1));
  EXPECT_EQ(status.at("device_id"), json::value(device));
  ASSERT_EQ(Agent({"status"}, &out), 0) << out;
  EXPECT_NE(out.find("Policy baseline version 1"), std::string::npos) << out;
  EXPECT_NE(out.find("Fix: "), std::string::npos) << out;  // the fixture host fails checks
}

// Installers (the MSI's SERVER_URL and ENROLL_SECRET) preseed the device; the service enrols
// itself when it starts, and keeps trying while the collector cannot be reached.
TEST_F(AgentServiceTest, APreseededServiceEnrolsItselfOnceTheCollectorAnswers) {
  const std::uint16_t port = collector_->port();
  const std::string url = collector_->url();
  const std::string secret = collector_->enroll_secret();
  dir_.WriteFile("installer-ca.pem", testing::ReadWholeFile(collector_->ca()));
  ASSERT_EQ(collector_->Stop(), 0);
  // The installer's trust root replaces the anchor the fixture wrote.
  std::filesystem::remove(dir_.Join("root.json"));
  dir_.WriteFile("installer-root.json", policy_.Root(1));
  std::string out;
  ASSERT_EQ(Agent({"preseed", "--server", url, "--enroll-secret", secret, "--ca-file",
                   dir_.Join("installer-ca.pem"), "--pin", "", "--trust-root",
                   dir_.Join("installer-root.json")},
                  &out),
            0)
      << out;
  EXPECT_NE(out.find("Preseeded"), std::string::npos) << out;
  EXPECT_EQ(testing::ReadWholeFile(dir_.Join("root.json")), policy_.Root(1));
  struct stat st {};
  ASSERT_EQ(::stat(dir_.Join("state/enroll_secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // No collector: --once says why and exits 1; the service keeps running and retrying.
  EXPECT_EQ(Agent({"run", "--once"}, &out), 1) << out;
  EXPECT_NE(out.find("not enrolled: enrolment failed"), std::string::npos) << out;
  testing::Process agent({BULWARK_AGENT_BINARY, "run", "--config", dir_.Join("agent.conf")},
                         dir_.Join("service.log"));
  ASSERT_TRUE(agent.started());
  auto wait_for = [&](const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!done() && std::chrono::steady_clock::now() < deadline && agent.running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return done();
  };
  ASSERT_TRUE(wait_for([&] {
    return testing::ReadWholeFile(dir_.Join("service.log")).find("enrolment with") !=
           std::string::npos;
  })) << testing::ReadWholeFile(dir_.Join("service.log"));
  json::value status = ParseOrNull(testing::ReadWholeFile(dir_.Join("run/status.json")));
  ASSERT_TRUE(status.is_object()) << testing::ReadWholeFile(dir_.Join("service.log"));
  EXPECT_EQ(status.at("enrollment").at("pending"), json::value(true));

  collector_ = std::make_unique<CollectorProcess>(
      BULWARK_COLLECTOR_BINARY, CollectorDir(),
      std::vector<std::string>{"--listen", "127.0.0.1:" + std::to_string(port)});
  ASSERT_TRUE(collector_->ok()) << collector_->log();
  // Within the backoff cap (2 s here) the service enrols, scans and uploads.
  ASSERT_TRUE(wait_for([&] { return !DeviceId().empty(); }))
      << testing::ReadWholeFile(dir_.Join("service.log"));
  ASSERT_TRUE(wait_for([&] {
    Reply detail = Admin("GET", "/api/v1/devices/" + DeviceId());
    return detail.body.is_object() && detail.body.at("latest_report").is_object();
  })) << testing::ReadWholeFile(dir_.Join("service.log"));
  agent.Signal(SIGTERM);
  EXPECT_EQ(agent.Wait(std::chrono::seconds(10)), 0);
  EXPECT_NE(testing::ReadWholeFile(dir_.Join("service.log")).find("enrolled as " + DeviceId()),
            std::string::npos);
  // The secret is never in the status file any user reads.
  EXPECT_EQ(testing::ReadWholeFile(dir_.Join("run/status.json")).find(secret), std::string::npos);
}

TEST_F(AgentServiceTest, PreseedRefusesBadValuesAndWritesNothing) {
  dir_.WriteFile("not-a-root.json", "{\"payloadType\": \"x\"}");
  dir_.WriteFile("not-a-ca.pem", "hello\n");
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  const std::string url = collector_->url();
  const std::vector<Case> cases = {
      {{"preseed", "--enroll-secret", "s"}, "preseed needs --server URL"},
      {{"preseed", "--server", url, "--enroll-secret", ""}, "preseed needs --enroll-secret"},
      {{"preseed", "--server", "http://127.0.0.1:1", "--enroll-secret", "s"}, "https"},
      {{"preseed", "--server", url, "--enroll-secret", "s", "--pin", "md5//x"}, "pin"},
      {{"preseed", "--server", url, "--enroll-secret", "s", "--ca-file", dir_.Join("not-a-ca.pem")},
       "holds no PEM certificate"},
      {{"preseed", "--server", url, "--enroll-secret", "s", "--trust-root",
        dir_.Join("not-a-root.json")},
       "trust root rejected"},
      {{"preseed", "--server", url, "--enroll-secret", "s", "--enroll-secret-file",
        collector_->enroll_secret_file()},
       "not both"},
  };
  for (const Case& c : cases) {
    std::string out;
    EXPECT_EQ(Agent(c.args, &out), 1) << out;
    EXPECT_NE(out.find(c.error), std::string::npos) << c.error << " in: " << out;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_.Join("state/preseed.json")));
  EXPECT_FALSE(std::filesystem::exists(dir_.Join("state/enroll_secret")));
}

TEST_F(AgentServiceTest, PreseedOnAnEnrolledDeviceKeepsTheEnrolment) {
  Enroll();
  const std::string before = testing::ReadWholeFile(dir_.Join("state/credential"));
  std::string out;
  ASSERT_EQ(Agent({"preseed", "--server", collector_->url(), "--enroll-secret-file",
                   collector_->enroll_secret_file()},
                  &out),
            0)
      << out;
  EXPECT_NE(out.find("Already enrolled"), std::string::npos) << out;
  EXPECT_EQ(testing::ReadWholeFile(dir_.Join("state/credential")), before);
  ASSERT_EQ(Agent({"run", "--once"}, &out), 0) << out;
}

TEST_F(AgentServiceTest, RefusesAConfigOrTrustAnchorOthersCanWrite) {
  Enroll();
  std::string out;
  ASSERT_EQ(::chmod(dir_.Join("agent.conf").c_str(), 0666), 0);
  EXPECT_EQ(Agent({"run", "--once"}, &out), 1) << out;
  EXPECT_NE(out.find("agent.conf is writable by group or others (mode 0666)"), std::string::npos)
      << out;
  ASSERT_EQ(::chmod(dir_.Join("agent.conf").c_str(), 0644), 0);
  ASSERT_EQ(::chmod(dir_.Join("root.json").c_str(), 0664), 0);
  EXPECT_EQ(Agent({"run", "--once"}, &out), 1) << out;
  EXPECT_NE(out.find("trust anchor: " + dir_.Join("root.json") + " is writable"), std::string::npos)
      << out;
  ASSERT_EQ(::chmod(dir_.Join("root.json").c_str(), 0644), 0);
  EXPECT_EQ(Agent({"run", "--once"}, &out), 0) << out;
}

TEST_F(AgentServiceTest, StatusWorksForAnUnprivilegedUserWithoutTheStateDirectory) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch to the 'nobody' user";
  Enroll();
  std::string out;
  ASSERT_EQ(Agent({"run", "--once"}, &out), 0) << out;
  // The test directory as an installed system has it: /etc and /run readable by all, the state
  // directory 0700 root (the agent made it so).
  ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
  struct stat state_dir {};
  ASSERT_EQ(::stat(dir_.Join("state").c_str(), &state_dir), 0);
  EXPECT_EQ(state_dir.st_mode & 07777, 0700u);
  const std::vector<std::string> as_nobody = {"/usr/bin/setpriv",   "--reuid=65534",
                                              "--regid=65534",      "--clear-groups",
                                              BULWARK_AGENT_BINARY, "status"};
  std::vector<std::string> args = as_nobody;
  args.insert(args.end(), {"--json", "--config", dir_.Join("agent.conf")});
  ASSERT_EQ(RunTool(args, &out), 0) << out;
  json::value status = ParseOrNull(out);
  ASSERT_TRUE(status.is_object()) << out;
  EXPECT_EQ(status.at("device_id"), json::value(DeviceId()));
  EXPECT_EQ(status.at("policy").at("version"), json::value(1));
  const std::string credential = testing::ReadWholeFile(dir_.Join("state/credential"));
  ASSERT_GE(credential.size(), 16u);
  EXPECT_EQ(out.find(credential), std::string::npos) << "the status shows the credential";
  args = as_nobody;
  args.insert(args.end(), {"--config", dir_.Join("agent.conf")});
  ASSERT_EQ(RunTool(args, &out), 0) << out;
  EXPECT_NE(out.find("Fix: "), std::string::npos) << out;
}

TEST_F(AgentServiceTest, ReportsWaitThroughAnOutageAndArriveAfterIt) {
  Enroll();
  std::string out;
  ASSERT_EQ(Agent({"run", "--once"}, &out), 0) << out;  // a policy is now last-known-good
  const std::uint16_t port = collector_->port();
  ASSERT_EQ(collector_->Stop(), 0);
  // The collector is gone: the scan still runs on the last-known-good policy, and its report
  // waits in the queue.
  EXPECT_EQ(Agent({"run", "--once"}, &out), 1) << out;
  EXPECT_NE(out.find("queued"), std::string::npos) << out;
  EXPECT_EQ(QueueStats().at("pending"), json::value(1));

  collector_ = std::make_unique<CollectorProcess>(
      BULWARK_COLLECTOR_BINARY, CollectorDir(),
      std::vector<std::string>{"--listen", "127.0.0.1:" + std::to_string(port)});
  ASSERT_TRUE(collector_->ok()) << collector_->log();
  // An administrator need not wait for the next cycle.
  ASSERT_EQ(Agent({"queue", "flush"}, &out), 0) << out;
  EXPECT_NE(out.find("1 report(s) acknowledged"), std::string::npos) << out;
  EXPECT_EQ(QueueStats().at("pending"), json::value(0));
  Reply detail = Admin("GET", "/api/v1/devices/" + DeviceId());
  EXPECT_EQ(detail.body.at("history").as_array().size(), 2u) << json::serialize(detail.body);
}

TEST_F(AgentServiceTest, PicksUpANewPolicyAndRefusesAndReportsARollback) {
  Enroll();
  std::string out;
  ASSERT_EQ(Agent({"run", "--once"}, &out), 0) << out;
  Publish(2);
  // Reports carry whole seconds; the collector shows the newest by generated_at.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_EQ(Agent({"run", "--once"}, &out), 0) << out;
  const std::string device = DeviceId();
  Reply detail = Admin("GET", "/api/v1/devices/" + device);
  EXPECT_EQ(detail.body.at("latest_report").at("policy").at("version"), json::value(2));

  // A compromised collector database serves the older, correctly signed bundle again.
  const std::string sql =
      "UPDATE policies SET bundle = (SELECT bundle FROM policies WHERE version = 1), "
      "sha256 = 'rolled-back', all_platforms = 1 WHERE version = 2;";
  ASSERT_EQ(RunTool({"/usr/bin/sqlite3", CollectorDir() + "/collector.db", sql}, &out), 0) << out;
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_EQ(Agent({"run", "--once"}, &out), 0) << out;
  detail = Admin("GET", "/api/v1/devices/" + device);
  const json::value& report = detail.body.at("latest_report");
  EXPECT_EQ(report.at("policy").at("version"), json::value(2));  // last-known-good stays
  bool refused = false;
  for (const json::value& e : report.at("policy_events").as_array()) {
    refused |= e.at("outcome") == json::value("reject") &&
               std::string(e.at("reason").as_string()).find("E_ROLLBACK") != std::string::npos;
  }
  EXPECT_TRUE(refused) << json::serialize(report.at("policy_events"));
  ASSERT_EQ(Agent({"status"}, &out), 0);
  EXPECT_NE(out.find("E_ROLLBACK"), std::string::npos) << out;
}

TEST_F(AgentServiceTest, AnAssignedPolicyStreamRefusesAnotherStreamsBundle) {
  // The collector serves "baseline", correctly signed for this org; this device is assigned
  // "lab" (D10): the bundle is refused and nothing is scanned against it.
  WriteConfig("policy_id = lab\n");
  Enroll();
  std::string out;
  EXPECT_EQ(Agent({"run", "--once"}, &out), 1) << out;
  EXPECT_NE(out.find("E_AUDIENCE"), std::string::npos) << out;
  ASSERT_EQ(Agent({"status", "--json"}, &out), 0) << out;
  json::value status = ParseOrNull(out);
  ASSERT_TRUE(status.is_object()) << out;
  EXPECT_TRUE(status.at("policy").is_null()) << out;
  EXPECT_EQ(status.at("policy_outcome"), json::value("reject")) << out;

  WriteConfig("policy_id = baseline\n");
  ASSERT_EQ(Agent({"run", "--once"}, &out), 0) << out;
}

TEST_F(AgentServiceTest, AMissingStateDatabaseOnAnEnrolledDeviceIsReportedAsStateReset) {
  Enroll();
  std::string out;
  ASSERT_EQ(Agent({"run", "--once"}, &out), 0) << out;
  EXPECT_EQ(out.find("STATE_RESET"), std::string::npos) << "the first run is no reset: " << out;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(dir_.Join("state/state.db") + suffix);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // whole-second generated_at
  ASSERT_EQ(Agent({"run", "--once"}, &out), 0) << out;
  EXPECT_NE(out.find("STATE_RESET"), std::string::npos) << out;
  Reply detail = Admin("GET", "/api/v1/devices/" + DeviceId());
  const json::value& report = detail.body.at("latest_report");
  int resets = 0;
  for (const json::value& e : report.at("policy_events").as_array()) {
    resets += e.at("outcome") == json::value("state_reset");
  }
  EXPECT_EQ(resets, 1) << json::serialize(report.at("policy_events"));
  // Once reported, not again.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_EQ(Agent({"run", "--once"}, &out), 0) << out;
  EXPECT_EQ(out.find("STATE_RESET"), std::string::npos) << out;
}

TEST_F(AgentServiceTest, RunsAsAServiceReloadsOnSighupAndStopsCleanlyOnSigterm) {
  Enroll();
  testing::Process agent({BULWARK_AGENT_BINARY, "run", "--config", dir_.Join("agent.conf")},
                         dir_.Join("service.log"));
  ASSERT_TRUE(agent.started());
  // The first scan runs at start: its status file appears.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!std::filesystem::exists(dir_.Join("run/status.json")) &&
         std::chrono::steady_clock::now() < deadline && agent.running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(std::filesystem::exists(dir_.Join("run/status.json")))
      << testing::ReadWholeFile(dir_.Join("service.log"));
  // A broken file on reload is refused and the service keeps running on what it has.
  dir_.WriteFile("agent.conf", testing::ReadWholeFile(dir_.Join("agent.conf")) + "bogus = 1\n");
  agent.Signal(SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(agent.running());
  WriteConfig();
  agent.Signal(SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(agent.running());
  const auto stop = std::chrono::steady_clock::now();
  agent.Signal(SIGTERM);
  EXPECT_EQ(agent.Wait(std::chrono::seconds(10)), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - stop, std::chrono::seconds(5));
  const std::string log = testing::ReadWholeFile(dir_.Join("service.log"));
  EXPECT_NE(log.find("reload: "), std::string::npos) << log;  // the refused one, named
  EXPECT_NE(log.find("configuration reloaded"), std::string::npos) << log;
  EXPECT_EQ(QueueStats().at("acked_total"), json::value(1)) << log;
}

// The service manager's end of sd_notify(3): a datagram socket that records each message
// with the time it arrived, as systemd's NOTIFY_SOCKET does for a Type=notify unit.
class NotifySocket {
 public:
  struct Message {
    std::chrono::steady_clock::time_point at;
    std::string text;
  };

  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (fd_ < 0 || path.size() >= sizeof addr.sun_path) return;
    path.copy(addr.sun_path, path.size());
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~NotifySocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

  // Receives until a message containing `line` arrives (true) or `timeout` passes (false).
  bool WaitFor(const std::string& line, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) continue;
      messages_.push_back(
          {std::chrono::steady_clock::now(), std::string(buffer, static_cast<std::size_t>(n))});
      if (HasLine(messages_.back().text, line)) return true;
    }
  }

  // Every message received since `from` (an index into the history) that has `line`.
  std::vector<Message> Since(std::size_t from, const std::string& line) const {
    std::vector<Message> found;
    for (std::size_t i = from; i < messages_.size(); ++i) {
      if (HasLine(messages_[i].text, line)) found.push_back(messages_[i]);
    }
    return found;
  }
  std::size_t count() const { return messages_.size(); }
  std::string History() const {
    std::string all;
    for (const Message& m : messages_) all += "[" + m.text + "] ";
    return all;
  }

 private:
  static bool HasLine(const std::string& text, const std::string& line) {
    return ("\n" + text + "\n").find("\n" + line + "\n") != std::string::npos;
  }

  std::string path_;
  int fd_ = -1;
  std::vector<Message> messages_;
};

TEST_F(AgentServiceTest, TellsSystemdItIsReadyReloadingAndStoppingAndFeedsTheWatchdog) {
  Enroll();
  NotifySocket systemd(dir_.Join("notify"));
  ASSERT_TRUE(systemd.ok()) << dir_.Join("notify");
  // What systemd sets for Type=notify with WatchdogSec=2s.
  testing::Process agent({BULWARK_AGENT_BINARY, "run", "--config", dir_.Join("agent.conf")},
                         dir_.Join("service.log"),
                         {"NOTIFY_SOCKET=" + dir_.Join("notify"), "WATCHDOG_USEC=2000000"});
  ASSERT_TRUE(agent.started());
  ASSERT_TRUE(systemd.WaitFor("READY=1", std::chrono::seconds(30)))
      << systemd.History() << testing::ReadWholeFile(dir_.Join("service.log"));
  // The first cycle: its report reaches the collector.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (QueueStats().at("acked_total") != json::value(1) &&
         std::chrono::steady_clock::now() < deadline) {
    systemd.WaitFor("WATCHDOG=1", std::chrono::milliseconds(200));
  }
  ASSERT_EQ(QueueStats().at("acked_total"), json::value(1));

  // Idle between cycles, the watchdog hears from the agent well within its 2 s.
  const std::size_t idle_from = systemd.count();
  const auto idle_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(4500);
  while (std::chrono::steady_clock::now() < idle_until) {
    systemd.WaitFor("WATCHDOG=1", std::chrono::milliseconds(500));
  }
  const std::vector<NotifySocket::Message> pings = systemd.Since(idle_from, "WATCHDOG=1");
  ASSERT_GE(pings.size(), 3u) << systemd.History();
  for (std::size_t i = 1; i < pings.size(); ++i) {
    EXPECT_LT(pings[i].at - pings[i - 1].at, std::chrono::milliseconds(1900))
        << "ping " << i << " of " << pings.size();
  }

  // SIGHUP (ExecReload): RELOADING=1, then READY=1 once the configuration is in place, or
  // systemd would keep the unit "reloading".
  const std::size_t reload_from = systemd.count();
  agent.Signal(SIGHUP);
  ASSERT_TRUE(systemd.WaitFor("READY=1", std::chrono::seconds(10))) << systemd.History();
  EXPECT_EQ(systemd.Since(reload_from, "RELOADING=1").size(), 1u) << systemd.History();

  // SIGTERM: STOPPING=1 and a clean exit.
  agent.Signal(SIGTERM);
  EXPECT_TRUE(systemd.WaitFor("STOPPING=1", std::chrono::seconds(10))) << systemd.History();
  EXPECT_EQ(agent.Wait(std::chrono::seconds(10)), 0);
}

TEST(SystemdUnitTest, TheShippedUnitIsAcceptedBySystemdWithoutAWarning) {
  // systemd-analyze verify loads the unit as systemd would and names every directive it does
  // not know or cannot parse (it still exits 0 for those: the output must be empty).
  testing::TempDir dir;
  std::string unit =
      testing::ReadWholeFile(BULWARK_SOURCE_DIR "/installer/debian/bulwark-agent.service");
  ASSERT_FALSE(unit.empty());
  const std::string exec = "ExecStart=/usr/bin/bulwark-agent run";
  const std::size_t at = unit.find(exec);
  ASSERT_NE(at, std::string::npos) << unit;
  unit.replace(at, exec.size(), std::string("ExecStart=") + BULWARK_AGENT_BINARY + " run");
  dir.WriteFile("bulwark-agent.service", unit);
  std::string output;
  EXPECT_EQ(
      RunTool({"/usr/bin/systemd-analyze", "verify", "--man=no", dir.Join("bulwark-agent.service")},
              &output),
      0)
      << output;
  EXPECT_EQ(output, "");
}

TEST_F(AgentServiceTest, IdleServiceGivesBackItsMemoryAndStillRunsTheNextCycle) {
  // Between cycles `run` drops the code pages its cycle used (platform/linux/working_set); the
  // next cycle, here set off by a new policy, runs verification, TLS and SQLite from pages
  // faulted back in.
  WriteConfig("policy_poll = 10\n");
  Enroll();
  testing::Process agent({BULWARK_AGENT_BINARY, "run", "--config", dir_.Join("agent.conf")},
                         dir_.Join("service.log"));
  ASSERT_TRUE(agent.started());
  const auto acked = [&] {
    json::value stats = QueueStats();
    return stats.is_object() ? stats.at("acked_total").to_number<std::int64_t>() : -1;
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (acked() < 1 && std::chrono::steady_clock::now() < deadline && agent.running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(acked(), 1) << testing::ReadWholeFile(dir_.Join("service.log"));
  Publish(2);
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(40);
  while (acked() < 2 && std::chrono::steady_clock::now() < deadline && agent.running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(acked(), 2) << testing::ReadWholeFile(dir_.Join("service.log"));
  Reply detail = Admin("GET", "/api/v1/devices/" + DeviceId());
  EXPECT_EQ(detail.body.at("latest_report").at("policy").at("version"), json::value(2));
  agent.Signal(SIGTERM);
  EXPECT_EQ(agent.Wait(std::chrono::seconds(10)), 0);
}

TEST_F(AgentServiceTest, AFullQueueDropsTheOldestAndTheNextReportSaysSo) {
  WriteConfig("queue_max_reports = 2\n");
  Enroll();
  std::string out;
  ASSERT_EQ(Agent({"run", "--once"}, &out), 0) << out;
  const std::uint16_t port = collector_->port();
  ASSERT_EQ(collector_->Stop(), 0);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Agent({"run", "--once"}, &out), 1) << out;
  json::value stats = QueueStats();
  EXPECT_EQ(stats.at("pending"), json::value(2));
  EXPECT_EQ(stats.at("dropped_total"), json::value(2));
  collector_ = std::make_unique<CollectorProcess>(
      BULWARK_COLLECTOR_BINARY, CollectorDir(),
      std::vector<std::string>{"--listen", "127.0.0.1:" + std::to_string(port)});
  ASSERT_TRUE(collector_->ok()) << collector_->log();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_EQ(Agent({"run", "--once"}, &out), 0) << out;
  Reply detail = Admin("GET", "/api/v1/devices/" + DeviceId());
  EXPECT_EQ(detail.body.at("latest_report").at("agent").at("queue").at("dropped_total"),
            json::value(2));
  // The first report, then the two newest: queuing the last one dropped one more (its report
  // was built before that, so it counts the two dropped during the outage).
  EXPECT_EQ(detail.body.at("history").as_array().size(), 3u);
  EXPECT_EQ(QueueStats().at("dropped_total"), json::value(3));
}

TEST_F(AgentServiceTest, ACredentialTheCollectorRefusesIsReplacedByReenrolling) {
  Enroll();
  std::string out;
  ASSERT_EQ(Agent({"run", "--once"}, &out), 0) << out;
  const std::string device = DeviceId();
  // The collector no longer knows this secret (rotated, restored from an old backup, ...).
  dir_.WriteFile("state/credential", device + ".not-the-secret-it-was-given\n", 0600);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_EQ(Agent({"run", "--once"}, &out), 0) << out;
  EXPECT_NE(out.find("re-enrolled as " + device), std::string::npos) << out;
  EXPECT_EQ(testing::ReadWholeFile(dir_.Join("state/credential")).find("not-the-secret"),
            std::string::npos);
  EXPECT_EQ(DeviceId(), device);  // the same device, not a second one
  Reply detail = Admin("GET", "/api/v1/devices/" + device);
  EXPECT_EQ(detail.body.at("history").as_array().size(), 2u);
}

TEST_F(AgentServiceTest, KillNineAtRandomPointsLosesAndDuplicatesNothing) {
  Enroll();
  std::mt19937 rng(20261128);
  // How long one cycle takes here, to spread the kills over all of it.
  const auto t0 = std::chrono::steady_clock::now();
  std::string out;
  ASSERT_EQ(Agent({"run", "--once"}, &out), 0) << out;
  const auto cycle =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
  std::uniform_int_distribution<std::int64_t> when(0, cycle.count() * 6 / 5);
  constexpr int kCycles = 200;
  int killed = 0;
  for (int i = 0; i < kCycles; ++i) {
    testing::Process agent(
        {BULWARK_AGENT_BINARY, "run", "--once", "--config", dir_.Join("agent.conf")},
        dir_.Join("kill.log"));
    ASSERT_TRUE(agent.started());
    std::this_thread::sleep_for(std::chrono::microseconds(when(rng)));
    if (agent.running()) {
      agent.Signal(SIGKILL);
      ++killed;
    }
    ASSERT_TRUE(agent.Wait(std::chrono::seconds(30)).has_value());
  }
  // One clean cycle delivers whatever the killed ones left queued.
  ASSERT_EQ(Agent({"run", "--once"}, &out), 0) << out;
  json::value stats = QueueStats();
  ASSERT_TRUE(stats.is_object());
  EXPECT_EQ(stats.at("pending"), json::value(0));
  EXPECT_EQ(stats.at("dropped_total"), json::value(0));
  EXPECT_EQ(stats.at("dead_lettered_total"), json::value(0));
  const std::int64_t enqueued = stats.at("enqueued_total").to_number<std::int64_t>();
  Reply detail = Admin("GET", "/api/v1/devices/" + DeviceId() + "?history=1000");
  ASSERT_EQ(detail.status, 200);
  const auto& history = detail.body.at("history").as_array();
  std::set<std::string> ids;
  for (const auto& h : history) ids.insert(std::string(h.at("report_id").as_string()));
  EXPECT_EQ(ids.size(), history.size());
  EXPECT_EQ(static_cast<std::int64_t>(history.size()), enqueued)
      << killed << " of " << kCycles << " cycles killed";
  EXPECT_GT(killed, kCycles / 4);  // the kills really landed inside cycles
  EXPECT_GT(enqueued, 2);          // and cycles really got as far as the queue
}

}  // namespace
}  // namespace bulwark
