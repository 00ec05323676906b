// Interop (issue 4 acceptance): a trust root and a bundle produced by the openssl CLI alone
// (make_bundle_openssl.sh) verify, and stop verifying when one payload byte flips or one
// signature is removed.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "policy/bundle/signer.h"
#include "policy/bundle/strict_base64.h"
#include "policy/bundle/verifier.h"
#include "tests/testing/temp_dir.h"

namespace bulwark::bundle {
namespace {

const std::string kScript =
    std::string(BULWARK_SOURCE_DIR) + "/tests/unit/policy/bundle/make_bundle_openssl.sh";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class InteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("command -v openssl >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "openssl CLI not installed";
    }
    const std::string cmd =
        "bash '" + kScript + "' '" + dir_.path() + "' >'" + dir_.Join("script.log") + "' 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << ReadFile(dir_.Join("script.log"));
    Checked<TrustRoot> root = LoadTrustedRoot(ReadFile(dir_.Join("root.json")));
    ASSERT_TRUE(root.ok()) << root.error().ToString();
    root_ = std::move(root).value();
    bundle_ = ReadFile(dir_.Join("bundle.json"));
    ASSERT_FALSE(bundle_.empty());
  }

  CycleResult Run(const std::string& envelope) {
    InMemoryRootSource no_newer_roots;
    return RunUpdateCycle(root_, PolicyState{}, agent_,
                          ParseRfc3339("2026-06-15T00:00:00Z").value(), no_newer_roots, envelope,
                          VerifierOptions{});
  }

  bulwark::testing::TempDir dir_;
  TrustRoot root_;
  std::string bundle_;
  AgentIdentity agent_{"interop-org", "baseline", "linux"};
};

TEST_F(InteropTest, AcceptsTheOpensslBuiltBundle) {
  const CycleResult r = Run(bundle_);
  EXPECT_EQ(r.outcome, CycleOutcome::kAccept) << (r.rejection ? r.rejection->ToString() : "");
  EXPECT_EQ(CycleResultJsonLine(r),
            R"({"outcome":"accept","code":null,"root_version":1,"root_error":null,"version":1})");
  ASSERT_TRUE(r.policy.has_value());
  EXPECT_EQ(r.policy->body, ReadFile(dir_.Join("bundle.payload.json")));
}

TEST_F(InteropTest, KeyIdsFromOpensslMatchOurs) {
  for (const char* k : {"root1", "pol1", "pol2", "pol3"}) {
    Result<PrivateKey> key = PrivateKey::FromPem(ReadFile(dir_.Join(std::string(k) + ".key.pem")));
    ASSERT_TRUE(key.ok()) << k;
    EXPECT_TRUE(root_.keys.contains(key->keyid())) << k;
  }
  EXPECT_EQ(root_.keys.at(PrivateKey::FromPem(ReadFile(dir_.Join("pol3.key.pem")))->keyid()).type(),
            KeyType::kEcdsaP256);
}

TEST_F(InteropTest, RejectsACopyWithOnePayloadByteFlipped) {
  boost::json::object env = boost::json::parse(bundle_).as_object();
  std::string body = DecodeStrictBase64(std::string(env["payload"].as_string())).value();
  const std::size_t at = body.find("\"high\"") + 1;
  body[at] = static_cast<char>(body[at] ^ 0x20);  // "high" -> "High"
  env["payload"] = EncodeBase64(body);
  const CycleResult r = Run(boost::json::serialize(env));
  EXPECT_EQ(r.outcome, CycleOutcome::kReject);
  ASSERT_TRUE(r.rejection.has_value());
  EXPECT_EQ(r.rejection->reason, Reason::kThreshold) << r.rejection->ToString();
  EXPECT_TRUE(r.state.highest.empty());
}

TEST_F(InteropTest, RejectsACopyWithASignatureRemoved) {
  for (std::size_t drop = 0; drop < 3; ++drop) {
    boost::json::object env = boost::json::parse(bundle_).as_object();
    boost::json::array& sigs = env["signatures"].as_array();
    ASSERT_EQ(sigs.size(), 3u);
    sigs.erase(sigs.begin() + static_cast<std::ptrdiff_t>(drop));
    const CycleResult r = Run(boost::json::serialize(env));
    EXPECT_EQ(r.outcome, CycleOutcome::kReject) << "dropped signature " << drop;
    ASSERT_TRUE(r.rejection.has_value());
    EXPECT_EQ(r.rejection->reason, Reason::kThreshold) << r.rejection->ToString();
  }
}

}  // namespace
}  // namespace bulwark::bundle
