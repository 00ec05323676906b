#include "agent/service/agent_cli.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <sstream>

#include "agent/base/time_util.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/fake_command_runner.h"

namespace bulwark {
namespace {

// A FileSystem with nothing in it: the CLI tests exercise parsing and output only.
class EmptyFileSystem final : public FileSystem {
 public:
  Result<std::string> ReadFile(std::string_view p, std::size_t) const override {
    return NotFoundError(std::string(p));
  }
  Result<std::vector<std::string>> ListDirectory(std::string_view p) const override {
    return NotFoundError(std::string(p));
  }
  Result<std::string> ReadLink(std::string_view p) const override {
    return NotFoundError(std::string(p));
  }
  Result<std::string> Canonicalize(std::string_view p) const override {
    return NotFoundError(std::string(p));
  }
  Result<FileInfo> Stat(std::string_view p, bool) const override {
    return NotFoundError(std::string(p));
  }
  std::string HostPath(std::string_view p) const override { return std::string(p); }
  bool IsLiveRoot() const override { return false; }
};

class OwningSystem final : public System {
 public:
  explicit OwningSystem(SystemTime now) : clock_(now) {}
  const FileSystem& file_system() const override { return fs_; }
  CommandRunner& command_runner() const override { return runner_; }
  const Clock& clock() const override { return clock_; }

 private:
  EmptyFileSystem fs_;
  mutable testing::FakeCommandRunner runner_;
  testing::FakeClock clock_;
};

class StubProbe final : public Probe {
 public:
  explicit StubProbe(bool fail) : fail_(fail) {}
  std::string_view name() const override { return "stub"; }
  Status Collect(FactsDocument& facts) override {
    if (fail_) throw std::runtime_error("boom");
    facts.host.hostname = "stub-host";
    facts.disk_encryption.volumes = std::vector<VolumeFacts>{};
    return Status::Ok();
  }
  void OnFailure(FactsDocument& facts, const std::string& reason) override {
    facts.disk_encryption.reason = reason;
  }

 private:
  bool fail_;
};

class FakePlatform final : public AgentPlatform {
 public:
  bool fail_probe = false;
  mutable std::string last_root;
  std::string os_family() const override { return "linux"; }
  Result<std::unique_ptr<System>> MakeSystem(const std::string& root) const override {
    last_root = root;
    if (root == "/nonexistent")
      return NotFoundError("root /nonexistent: No such file or directory");
    return std::unique_ptr<System>(
        std::make_unique<OwningSystem>(*ParseRfc3339("2026-11-28T16:00:00Z")));
  }
  void RegisterProbes(const System&, ProbeRegistry& registry) const override {
    registry.Add(std::make_unique<StubProbe>(fail_probe));
  }
};

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

CliRun RunCli(const std::vector<std::string>& args, const FakePlatform& platform) {
  std::ostringstream out, err;
  int code = RunAgentCli(args, platform, out, err);
  return {code, out.str(), err.str()};
}

int Lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

TEST(AgentCliTest, HelpAndVersionFollowGnuConventions) {
  FakePlatform p;
  CliRun help = RunCli({"--help"}, p);
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("Usage: bulwark-agent"), std::string::npos);
  EXPECT_TRUE(help.err.empty());
  EXPECT_EQ(RunCli({"-h"}, p).code, 0);
  CliRun version = RunCli({"--version"}, p);
  EXPECT_EQ(version.code, 0);
  EXPECT_EQ(version.out.rfind("bulwark-agent " BULWARK_VERSION "\n", 0), 0u);
  CliRun facts_help = RunCli({"facts", "--help"}, p);
  EXPECT_EQ(facts_help.code, 0);
  EXPECT_NE(facts_help.out.find("--root DIR"), std::string::npos);
}

TEST(AgentCliTest, BadUsageIsOneLineAndExitOne) {
  FakePlatform p;
  for (const auto& args : std::vector<std::vector<std::string>>{{},
                                                                {"--bogus"},
                                                                {"frobnicate"},
                                                                {"facts", "--bogus"},
                                                                {"facts", "--root"},
                                                                {"facts", "extra-positional"},
                                                                {"facts", "--js"}}) {
    CliRun r = RunCli(args, p);
    EXPECT_EQ(r.code, 1) << args.size();
    EXPECT_TRUE(r.out.empty());
    EXPECT_EQ(Lines(r.err), 1) << r.err;
    EXPECT_EQ(r.err.rfind("bulwark-agent: ", 0), 0u) << r.err;
  }
}

TEST(AgentCliTest, FactsJsonPrintsOneDocument) {
  FakePlatform p;
  CliRun r = RunCli({"facts", "--json", "--root", "/srv/image"}, p);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(p.last_root, "/srv/image");
  EXPECT_EQ(Lines(r.out), 1);
  auto doc = boost::json::parse(r.out).as_object();
  EXPECT_EQ(doc.at("schema").as_string(), "bulwark.facts/1");
  EXPECT_EQ(doc.at("collected_at").as_string(), "2026-11-28T16:00:00Z");
  EXPECT_EQ(doc.at("host").as_object().at("hostname").as_string(), "stub-host");
  EXPECT_EQ(doc.at("os").as_object().at("family").as_string(), "linux");
}

TEST(AgentCliTest, FactsTableIsReadable) {
  FakePlatform p;
  CliRun r = RunCli({"facts"}, p);
  ASSERT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("Host:      stub-host"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("no persistent volumes found"), std::string::npos) << r.out;
  EXPECT_EQ(p.last_root, "/");
}

TEST(AgentCliTest, MissingRootIsAnError) {
  FakePlatform p;
  CliRun r = RunCli({"facts", "--root", "/nonexistent"}, p);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(Lines(r.err), 1);
  EXPECT_NE(r.err.find("/nonexistent"), std::string::npos);
}

TEST(AgentCliTest, AThrowingProbeIsReportedAndOthersStillPrint) {
  FakePlatform p;
  p.fail_probe = true;
  CliRun r = RunCli({"facts", "--json"}, p);
  ASSERT_EQ(r.code, 0);
  auto doc = boost::json::parse(r.out).as_object();
  auto errors = doc.at("probe_errors").as_array();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].as_object().at("probe").as_string(), "stub");
  EXPECT_NE(std::string(errors[0].as_object().at("reason").as_string()).find("boom"),
            std::string::npos);
  EXPECT_TRUE(doc.at("disk_encryption").as_object().at("volumes").is_null());
}

}  // namespace
}  // namespace bulwark
