#include "agent/service/agent_cli.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <sstream>

#include "agent/base/time_util.h"
#include "platform/linux/rooted_file_system.h"
#include "policy/bundle/keys.h"
#include "policy/bundle/signer.h"
#include "policy/bundle/strict_base64.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/fake_command_runner.h"
#include "tests/testing/temp_dir.h"

namespace bulwark {
namespace {

class OwningSystem final : public System {
 public:
  explicit OwningSystem(SystemTime now) : clock_(now) {}
  const FileSystem& file_system() const override { return *host_; }
  CommandRunner& command_runner() const override { return runner_; }
  const Clock& clock() const override { return clock_; }

 private:
  std::optional<RootedFileSystem> host_{std::move(RootedFileSystem::Create("/")).value()};
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
  std::shared_ptr<void> RouteSignals(ServiceControl&) const override { return nullptr; }
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

// Signed fixtures made in-process: a trust root (one root key, one policy key) and bundles.
class CheckCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_key_.emplace(*bundle::PrivateKey::Generate(bundle::KeyType::kEd25519));
    policy_key_.emplace(*bundle::PrivateKey::Generate(bundle::KeyType::kEcdsaP256));
    auto key_entry = [](const bundle::PrivateKey& k, const char* type) {
      return "\"" + k.keyid() + "\":{\"keytype\":\"" + type + "\",\"public_key\":\"" +
             bundle::EncodeBase64(k.spki_der()) + "\"}";
    };
    std::string root = R"({"_type":"bulwark/trustroot/v1","spec_version":"1.0","org_id":"acme",)"
                       R"("version":1,"expires":"2027-06-01T00:00:00Z","policy_epoch":1,"keys":{)" +
                       key_entry(*root_key_, "ed25519") + "," +
                       key_entry(*policy_key_, "ecdsa-p256") + R"(},"roles":{"root":{"keyids":[")" +
                       root_key_->keyid() + R"("],"threshold":1},"policy":{"keyids":[")" +
                       policy_key_->keyid() + R"("],"threshold":1}}})";
    auto envelope =
        bundle::SignEnvelope("application/vnd.bulwark.trustroot.v1+json", root, {&*root_key_});
    ASSERT_TRUE(envelope.ok()) << envelope.status().ToString();
    dir_.WriteFile("/root.json", *envelope);
  }

  // Writes a bundle whose single check is `condition`, signed by the policy key.
  std::string WriteBundle(const std::string& name, const std::string& condition,
                          const std::string& expires = "2026-12-20T00:00:00Z") {
    std::string payload =
        R"({"_type":"bulwark/policy/v1","spec_version":"1.0","org_id":"acme",)"
        R"("policy_id":"baseline","epoch":1,"version":7,"issued_at":"2026-11-21T00:00:00Z",)"
        R"("expires":")" +
        expires +
        R"(","applies_to":{"platforms":["linux"]},"checks":[)"
        R"({"id":"host.named","title":"Host has its name","severity":"low","condition":)" +
        condition + R"(,"remediation":{"summary":"Name the host."},"grace_days":3}]})";
    auto envelope =
        bundle::SignEnvelope("application/vnd.bulwark.policy.v1+json", payload, {&*policy_key_});
    EXPECT_TRUE(envelope.ok());
    dir_.WriteFile("/" + name, *envelope);
    return dir_.Join("/" + name);
  }

  std::string RootPath() const { return dir_.Join("/root.json"); }

  testing::TempDir dir_;
  std::optional<bundle::PrivateKey> root_key_;
  std::optional<bundle::PrivateKey> policy_key_;
  FakePlatform platform_;
};

TEST_F(CheckCommandTest, CompliantMachineExitsZeroWithAReport) {
  std::string b = WriteBundle("ok.json", R"({"===":[{"var":"host.hostname"},"stub-host"]})");
  CliRun r = RunCli({"check", "--bundle", b, "--trust-root", RootPath(), "--json"}, platform_);
  ASSERT_EQ(r.code, 0) << r.err;
  auto report = boost::json::parse(r.out).as_object();
  EXPECT_EQ(report.at("schema").as_string(), "bulwark.report/1");
  EXPECT_EQ(report.at("policy").at("policy_id").as_string(), "baseline");
  EXPECT_EQ(report.at("policy").at("version").to_number<std::uint64_t>(), 7u);
  EXPECT_EQ(report.at("policy").at("sha256").as_string().size(), 64u);
  EXPECT_EQ(report.at("compliant").as_bool(), true);
  EXPECT_EQ(report.at("results").as_array()[0].at("status").as_string(), "pass");
  EXPECT_EQ(report.at("facts").at("host").at("hostname").as_string(), "stub-host");
}

TEST_F(CheckCommandTest, FailingOrUndecidableCheckExitsTwo) {
  std::string b = WriteBundle("fail.json", R"({"===":[{"var":"host.hostname"},"other"]})");
  CliRun r = RunCli({"check", "--bundle", b, "--trust-root", RootPath()}, platform_);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.out.find("Name the host. (due 2026-12-01T16:00:00Z)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Not compliant."), std::string::npos);
  std::string u = WriteBundle("unknown.json", R"({"===":[{"var":"host.machine_id"},"x"]})");
  CliRun unknown =
      RunCli({"check", "--bundle", u, "--trust-root", RootPath(), "--json"}, platform_);
  EXPECT_EQ(unknown.code, 2);
  auto report = boost::json::parse(unknown.out).as_object();
  EXPECT_EQ(report.at("results").as_array()[0].at("status").as_string(), "error");
}

TEST_F(CheckCommandTest, RejectedBundleIsOneLineExitOneAndEvaluatesNothing) {
  std::string b = WriteBundle("ok.json", R"({"===":[{"var":"host.hostname"},"stub-host"]})");
  std::string tampered = *RootedFileSystem::Create("/")->ReadFile(b);
  tampered[tampered.find("\"payload\":\"") + 20] ^= 1;
  dir_.WriteFile("/tampered.json", tampered);
  std::string expired = WriteBundle("expired.json", "true", "2026-11-25T00:00:00Z");
  for (const auto& [file, code] :
       std::vector<std::pair<std::string, std::string>>{{dir_.Join("/tampered.json"), "E_"},
                                                        {expired, "E_EXPIRED"},
                                                        {RootPath(), "E_PAYLOAD_TYPE"}}) {
    CliRun r = RunCli({"check", "--bundle", file, "--trust-root", RootPath()}, platform_);
    EXPECT_EQ(r.code, 1) << file;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(Lines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("bundle rejected: " + code), std::string::npos) << r.err;
  }
  CliRun missing =
      RunCli({"check", "--bundle", dir_.Join("/nope.json"), "--trust-root", RootPath()}, platform_);
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("cannot read bundle"), std::string::npos) << missing.err;
  CliRun no_root = RunCli({"check", "--bundle", b}, platform_);
  EXPECT_EQ(no_root.code, 1);
  EXPECT_NE(no_root.err.find("--trust-root"), std::string::npos);
  CliRun bad_root = RunCli({"check", "--bundle", b, "--trust-root", b}, platform_);
  EXPECT_EQ(bad_root.code, 1);
  EXPECT_NE(bad_root.err.find("trust root rejected: E_PAYLOAD_TYPE"), std::string::npos)
      << bad_root.err;
}

}  // namespace
}  // namespace bulwark
