// bulwark-policy sign: lint first, stamp, one signature per key, and bundles that the
// verifier (with the conformance root v1: policy role pol1-3, 2-of-3) accepts or rejects.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <fstream>
#include <sstream>

#include "policy/bundle/dsse.h"
#include "policy/bundle/strict_base64.h"
#include "policy/bundle/trust_root.h"
#include "policy/bundle/verifier.h"
#include "tests/testing/temp_dir.h"
#include "tests/unit/policy/tool/cli_harness.h"

namespace bulwark::policy_tool {
namespace {

using testing::kConformanceDir;
using testing::RunCli;
using testing::TestKey;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class SignCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.WriteFile("policy.json", testing::kPolicyJson);
    root_ = bundle::LoadTrustedRoot(ReadFile(kConformanceDir + "roots/1.root.json")).value();
  }
  // Verifies `envelope` as a fresh linux agent of acme-prod/baseline at `now`.
  bundle::Checked<bundle::BundleDecision> Verify(const std::string& envelope,
                                                 SystemTime now = testing::FixedNow()) const {
    return bundle::VerifyPolicyBundle(root_, {}, {"acme-prod", "baseline", "linux"}, now, envelope,
                                      {});
  }
  boost::json::value Payload(const std::string& envelope) const {
    auto env = bundle::ParseEnvelope(envelope, bundle::kMaxPolicyEnvelopeBytes);
    return boost::json::parse(*bundle::DecodeStrictBase64(env->payload_base64));
  }
  std::string Path(const std::string& name) const { return dir_.Join(name); }

  bulwark::testing::TempDir dir_;
  bundle::TrustRoot root_;
};

TEST_F(SignCommandTest, SignsWithEveryKeyAndStampsTheValidityWindow) {
  const testing::CliRun run =
      RunCli({"sign", "--key", TestKey("pol1"), "--key", TestKey("pol3"), Path("policy.json")});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.err.find("signed policy baseline version 12 (epoch 1, org acme-prod, 2 checks"),
            std::string::npos)
      << run.err;
  auto decision = Verify(run.out);
  ASSERT_TRUE(decision.ok()) << decision.error().ToString();
  EXPECT_EQ(decision->policy.payload.version, 12u);
  const boost::json::value payload = Payload(run.out);
  EXPECT_EQ(payload.at("issued_at"), "2026-06-15T00:00:00Z");
  EXPECT_EQ(payload.at("expires"), "2026-07-15T00:00:00Z");
  auto env = bundle::ParseEnvelope(run.out, bundle::kMaxPolicyEnvelopeBytes);
  ASSERT_EQ(env->signatures.size(), 2u);
  EXPECT_EQ(env->payload_type, "application/vnd.bulwark.policy.v1+json");
}

TEST_F(SignCommandTest, OneKeyIsBelowTheThreshold) {
  const testing::CliRun run =
      RunCli({"sign", "--key", TestKey("pol1"), "--out", Path("b.json"), Path("policy.json")});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(Verify(ReadFile(Path("b.json"))).error().reason, bundle::Reason::kThreshold);
}

TEST_F(SignCommandTest, TrustRootOptionRefusesABundleAgentsWouldReject) {
  testing::CliRun run =
      RunCli({"sign", "--key", TestKey("pol1"), "--trust-root",
              kConformanceDir + "roots/1.root.json", "--out", Path("b.json"), Path("policy.json")});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("agents of root v1 would reject this bundle: E_THRESHOLD"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(ReadFile(Path("b.json")), "");
  // Keys of the root role are not policy keys.
  run = RunCli({"sign", "--key", TestKey("root1"), "--key", TestKey("root2"), "--trust-root",
                kConformanceDir + "roots/1.root.json", Path("policy.json")});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("E_THRESHOLD"), std::string::npos) << run.err;
}

TEST_F(SignCommandTest, TrustRootSuppliesAMissingEpoch) {
  std::string text = testing::kPolicyJson;
  text.replace(text.find("\"epoch\": 1,"), 11, "");
  dir_.WriteFile("no-epoch.json", text);
  testing::CliRun run =
      RunCli({"sign", "--key", TestKey("pol1"), "--key", TestKey("pol2"), Path("no-epoch.json")});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("the policy has no epoch"), std::string::npos) << run.err;
  run = RunCli({"sign", "--key", TestKey("pol1"), "--key", TestKey("pol2"), "--trust-root",
                kConformanceDir + "roots/1.root.json", Path("no-epoch.json")});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(Payload(run.out).at("epoch"), 1);
}

TEST_F(SignCommandTest, RestampsWithOptions) {
  const testing::CliRun run = RunCli({"sign", "--key", TestKey("pol1"), "--key", TestKey("pol2"),
                                      "--issued-at", "2026-06-14T08:00:00Z", "--expires-in-days",
                                      "7", "--version-from-time", Path("policy.json")});
  ASSERT_EQ(run.code, 0) << run.err;
  const boost::json::value payload = Payload(run.out);
  EXPECT_EQ(payload.at("issued_at"), "2026-06-14T08:00:00Z");
  EXPECT_EQ(payload.at("expires"), "2026-06-21T08:00:00Z");
  EXPECT_EQ(payload.at("version"), 1781424000);
  EXPECT_TRUE(Verify(run.out).ok());

  const testing::CliRun explicit_version =
      RunCli({"sign", "--key", TestKey("pol1"), "--key", TestKey("pol2"), "--version", "99",
              "--epoch", "1", Path("policy.json")});
  ASSERT_EQ(explicit_version.code, 0) << explicit_version.err;
  EXPECT_EQ(Payload(explicit_version.out).at("version"), 99);
}

TEST_F(SignCommandTest, WarnsWhenTheBundleIsAlreadyExpired) {
  const testing::CliRun run = RunCli({"sign", "--key", TestKey("pol1"), "--key", TestKey("pol2"),
                                      "--issued-at", "2026-01-01T00:00:00Z", Path("policy.json")});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.err.find("warning: the bundle expired at 2026-01-31T00:00:00Z"), std::string::npos)
      << run.err;
  EXPECT_EQ(Verify(run.out).error().reason, bundle::Reason::kExpired);
}

TEST_F(SignCommandTest, NeverSignsAPolicyThatFailsLint) {
  std::string text = testing::kPolicyJson;
  text.replace(text.find("\"grace_days\": 14"), 16, "\"grace_days\": 1.5");
  dir_.WriteFile("fraction.json", text);
  testing::CliRun run = RunCli({"sign", "--key", TestKey("pol1"), Path("fraction.json")});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("checks[1].grace_days: number"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("E_PAYLOAD_PARSE"), std::string::npos) << run.err;

  text = testing::kPolicyJson;
  text.replace(text.find("\"==\""), 4, "\"=~\"");
  dir_.WriteFile("unknown-op.json", text);
  run = RunCli({"sign", "--key", TestKey("pol1"), Path("unknown-op.json")});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("E_SCHEMA: checks[0] ('os.linux').condition"), std::string::npos)
      << run.err;

  dir_.WriteFile("not-json.json", "{\"_type\": ");
  run = RunCli({"sign", "--key", TestKey("pol1"), Path("not-json.json")});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("E_PAYLOAD_PARSE"), std::string::npos) << run.err;
}

TEST_F(SignCommandTest, RefusesWrongInputsWithTheirCause) {
  testing::CliRun run = RunCli({"sign", "--key", testing::TestPub("pol1"), Path("policy.json")});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("pol1.pub.pem: is a public key"), std::string::npos) << run.err;
  run = RunCli({"sign", "--key", TestKey("pol1"), "--key", TestKey("pol1"), Path("policy.json")});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("the same key is given twice"), std::string::npos) << run.err;
  run = RunCli({"sign", "--key", TestKey("pol1"), Path("missing.json")});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("missing.json: No such file or directory"), std::string::npos) << run.err;
  run =
      RunCli({"sign", "--key", TestKey("pol1"), kConformanceDir + "envelopes/A01_valid_2of3.json"});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("it is a signed bundle"), std::string::npos) << run.err;
  run = RunCli({"sign", "--key", TestKey("pol1"), "--expires-in-days", "91", Path("policy.json")});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("--expires-in-days must be 1..90"), std::string::npos) << run.err;
  run = RunCli({"sign", "--key", TestKey("pol1"), "--version", "3", "--version-from-time",
                Path("policy.json")});
  EXPECT_EQ(run.code, 1);
}

}  // namespace
}  // namespace bulwark::policy_tool
