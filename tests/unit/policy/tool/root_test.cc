// bulwark-policy root init|sign|rotate: drafts, one-at-a-time signing, rotations that need the
// old and the new root threshold — each checked with the bundle module's own loaders.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <fstream>
#include <sstream>

#include "policy/bundle/dsse.h"
#include "policy/bundle/trust_root.h"
#include "policy/tool/root_builder.h"
#include "tests/testing/temp_dir.h"
#include "tests/unit/policy/tool/cli_harness.h"

namespace bulwark::policy_tool {
namespace {

using testing::RunCli;
using testing::TestKey;
using testing::TestPub;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::string> InitArgs(const std::string& out) {
  return {"root",
          "init",
          "--org",
          "acme-prod",
          "--root-key",
          TestPub("root1"),
          TestPub("root2"),
          TestPub("root3"),
          "--root-threshold",
          "2",
          "--policy-key",
          TestPub("pol1"),
          "--policy-key",
          TestPub("pol3"),
          "--policy-threshold",
          "2",
          "--out",
          out};
}

class RootCommandTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return dir_.Join(name); }
  // Root v1 signed by root1 + root2, at Path("v1.json").
  void MakeSignedV1() {
    std::vector<std::string> args = InitArgs(Path("v1.json"));
    args.insert(args.end(), {"--sign-key", TestKey("root1"), TestKey("root2")});
    const testing::CliRun run = RunCli(args);
    ASSERT_EQ(run.code, 0) << run.err;
    ASSERT_TRUE(bundle::LoadTrustedRoot(ReadFile(Path("v1.json"))).ok());
  }
  bulwark::testing::TempDir dir_;
};

TEST_F(RootCommandTest, InitWritesAnUnsignedDraftAndSaysSo) {
  const testing::CliRun run = RunCli(InitArgs(Path("root.json")));
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("root v1 (org acme-prod): NOT YET VALID: 0 of 2 signatures of its own "
                         "root keys"),
            std::string::npos)
      << run.err;
  const std::string draft = ReadFile(Path("root.json"));
  bundle::Checked<bundle::TrustRoot> root = bundle::ParseTrustRoot(draft);
  ASSERT_TRUE(root.ok()) << root.error().ToString();
  EXPECT_EQ(root->org_id, "acme-prod");
  EXPECT_EQ(root->version, 1u);
  EXPECT_EQ(root->policy_epoch, 1u);
  EXPECT_EQ(root->expires, testing::FixedNow() + std::chrono::hours(24 * 365));
  EXPECT_EQ(root->root_role.threshold, 2u);
  EXPECT_EQ(root->root_role.keyids.size(), 3u);
  EXPECT_EQ(root->policy_role.keyids.size(), 2u);
  EXPECT_EQ(root->keys.size(), 5u);
  EXPECT_EQ(root->keys.at(root->policy_role.keyids[1]).type(), bundle::KeyType::kEcdsaP256);
  const boost::json::value payload = boost::json::parse(root->payload);
  EXPECT_EQ(payload.at("_type"), "bulwark/trustroot/v1");
  EXPECT_EQ(payload.at("spec_version"), "1.0");
  EXPECT_EQ(bundle::LoadTrustedRoot(draft).error().reason, bundle::Reason::kRootSigNew);
}

TEST_F(RootCommandTest, InitWritesToStdoutByDefaultAndHonoursExpires) {
  std::vector<std::string> args = InitArgs("-");
  args.insert(args.end(), {"--expires", "2027-01-02T03:04:05Z"});
  const testing::CliRun run = RunCli(args);
  ASSERT_EQ(run.code, 0) << run.err;
  bundle::Checked<bundle::TrustRoot> root = bundle::ParseTrustRoot(run.out);
  ASSERT_TRUE(root.ok()) << run.out;
  EXPECT_EQ(FormatRfc3339(root->expires), "2027-01-02T03:04:05Z");
}

TEST_F(RootCommandTest, InitSignedByTheThresholdLoadsAsTrustedRoot) { MakeSignedV1(); }

TEST_F(RootCommandTest, InitRefusesBadRolesWithTheirCode) {
  std::vector<std::string> args = InitArgs(Path("root.json"));
  args[9] = "4";  // --root-threshold above 3 keys
  testing::CliRun run = RunCli(args);
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("E_ROOT_THRESHOLD"), std::string::npos) << run.err;
  args = InitArgs(Path("root.json"));
  args[7] = TestPub("root1");  // root1 twice
  run = RunCli(args);
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("listed twice in the root role"), std::string::npos) << run.err;
  args = InitArgs(Path("root.json"));
  args[3] = "bad org!";
  run = RunCli(args);
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("E_ROOT_SCHEMA"), std::string::npos) << run.err;
  EXPECT_EQ(ReadFile(Path("root.json")), "");
}

TEST_F(RootCommandTest, InitNamesAPrivateKeyGivenAsPublicKey) {
  std::vector<std::string> args = InitArgs(Path("root.json"));
  args[5] = TestKey("root1");
  const testing::CliRun run = RunCli(args);
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("root1.key.pem: is a private key"), std::string::npos) << run.err;
}

TEST_F(RootCommandTest, KeyHoldersSignOneAtATime) {
  ASSERT_EQ(RunCli(InitArgs(Path("root.json"))).code, 0);
  testing::CliRun run = RunCli({"root", "sign", "--key", TestKey("root3"), Path("root.json")});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.err.find("NOT YET VALID: 1 of 2"), std::string::npos) << run.err;
  EXPECT_FALSE(bundle::LoadTrustedRoot(ReadFile(Path("root.json"))).ok());

  run = RunCli({"root", "sign", "--key", TestKey("root1"), Path("root.json")});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.err.find("root v1 (org acme-prod): complete: 2 of 2"), std::string::npos)
      << run.err;
  const std::string signed_root = ReadFile(Path("root.json"));
  ASSERT_TRUE(bundle::LoadTrustedRoot(signed_root).ok());
  auto env = bundle::ParseEnvelope(signed_root, bundle::kMaxRootEnvelopeBytes);
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->signatures.size(), 2u);

  // Signing again renews the signature instead of adding a second one.
  run = RunCli(
      {"root", "sign", "--key", TestKey("root1"), "--out", Path("again.json"), Path("root.json")});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.err.find("already signed"), std::string::npos) << run.err;
  EXPECT_EQ(bundle::ParseEnvelope(ReadFile(Path("again.json")), bundle::kMaxRootEnvelopeBytes)
                ->signatures.size(),
            2u);
  EXPECT_EQ(ReadFile(Path("root.json")), signed_root);  // --out leaves the input alone
}

TEST_F(RootCommandTest, SignRefusesKeysOutsideTheRootRole) {
  ASSERT_EQ(RunCli(InitArgs(Path("root.json"))).code, 0);
  const std::string before = ReadFile(Path("root.json"));
  testing::CliRun run = RunCli({"root", "sign", "--key", TestKey("pol1"), Path("root.json")});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("is not a root-role key of root v1"), std::string::npos) << run.err;
  run = RunCli({"root", "sign", "--key", TestPub("root1"), Path("root.json")});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("is a public key"), std::string::npos) << run.err;
  run = RunCli({"root", "sign", "--key", TestKey("root1"),
                testing::kConformanceDir + "envelopes/A01_valid_2of3.json"});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("E_PAYLOAD_TYPE"), std::string::npos) << run.err;
  EXPECT_EQ(ReadFile(Path("root.json")), before);
}

TEST_F(RootCommandTest, RotationNeedsOldAndNewThresholds) {
  MakeSignedV1();
  // v2: root3 -> root4, policy pol3 -> pol4, new epoch.
  testing::CliRun run = RunCli(
      {"root", "rotate", "--remove-root-key", TestPub("root3"), "--add-root-key", TestPub("root4"),
       "--policy-key", TestPub("pol1"), "--policy-key", TestPub("pol4"), "--bump-epoch",
       "--expires-in-days", "200", "--out", Path("v2.json"), Path("v1.json")});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.err.find("NOT YET VALID: 0 of 2 signatures of its own root keys, 0 of 2 of root "
                         "v1's root keys"),
            std::string::npos)
      << run.err;
  bundle::Checked<bundle::TrustRoot> v2 = bundle::ParseTrustRoot(ReadFile(Path("v2.json")));
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->version, 2u);
  EXPECT_EQ(v2->policy_epoch, 2u);
  EXPECT_EQ(v2->root_role.threshold, 2u);
  EXPECT_EQ(v2->keys.size(), 5u);  // root1, root2, root4, pol1, pol4
  EXPECT_EQ(v2->expires, testing::FixedNow() + std::chrono::hours(24 * 200));

  // root3 (old only) + root4 (new only): one of each side.
  run = RunCli({"root", "sign", "--previous", Path("v1.json"), "--key", TestKey("root3"), "--key",
                TestKey("root4"), Path("v2.json")});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.err.find("NOT YET VALID: 1 of 2 signatures of its own root keys, 1 of 2 of root "
                         "v1's"),
            std::string::npos)
      << run.err;
  // root1 is in both.
  run = RunCli(
      {"root", "sign", "--previous", Path("v1.json"), "--key", TestKey("root1"), Path("v2.json")});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.err.find("complete: 2 of 2 signatures of its own root keys, 2 of 2 of root v1's"),
            std::string::npos)
      << run.err;
  bundle::Checked<bundle::TrustRoot> v1 = bundle::LoadTrustedRoot(ReadFile(Path("v1.json")));
  ASSERT_TRUE(v1.ok());
  EXPECT_TRUE(bundle::VerifyNextRoot(*v1, ReadFile(Path("v2.json"))).ok());
}

TEST_F(RootCommandTest, RotationSignedOnlyByNewKeysIsNotComplete) {
  MakeSignedV1();
  const testing::CliRun run =
      RunCli({"root", "rotate", "--root-key", TestPub("root4"), "--root-key", TestPub("root5"),
              "--sign-key", TestKey("root4"), "--sign-key", TestKey("root5"), "--out",
              Path("v2.json"), Path("v1.json")});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.err.find("NOT YET VALID: 2 of 2 signatures of its own root keys, 0 of 2 of root "
                         "v1's"),
            std::string::npos)
      << run.err;
  bundle::Checked<bundle::TrustRoot> v1 = bundle::LoadTrustedRoot(ReadFile(Path("v1.json")));
  EXPECT_EQ(bundle::VerifyNextRoot(*v1, ReadFile(Path("v2.json"))).error().reason,
            bundle::Reason::kRootSigOld);
}

TEST_F(RootCommandTest, SignWithoutPreviousRefusesAnOldRootKey) {
  MakeSignedV1();
  ASSERT_EQ(RunCli({"root", "rotate", "--remove-root-key", TestPub("root3"), "--add-root-key",
                    TestPub("root4"), "--out", Path("v2.json"), Path("v1.json")})
                .code,
            0);
  const testing::CliRun run = RunCli({"root", "sign", "--key", TestKey("root3"), Path("v2.json")});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("pass --previous OLD_ROOT.json"), std::string::npos) << run.err;
}

TEST_F(RootCommandTest, RotateRefusesAnUnsignedCurrentRootAndBadEdits) {
  ASSERT_EQ(RunCli(InitArgs(Path("draft.json"))).code, 0);
  testing::CliRun run = RunCli({"root", "rotate", Path("draft.json")});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("not a fully signed root: E_ROOT_SIG_NEW"), std::string::npos) << run.err;
  MakeSignedV1();
  run = RunCli({"root", "rotate", "--remove-policy-key", TestPub("pol2"), Path("v1.json")});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("is not in the policy role"), std::string::npos) << run.err;
  run = RunCli({"root", "rotate", "--remove-policy-key", TestPub("pol3"), Path("v1.json")});
  EXPECT_EQ(run.code, 1);  // 1 key left, threshold 2
  EXPECT_NE(run.err.find("E_ROOT_THRESHOLD"), std::string::npos) << run.err;
  run = RunCli({"root", "rotate", "--add-root-key", TestPub("root1"), Path("v1.json")});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("already in the root role"), std::string::npos) << run.err;
}

TEST(RootBuilderTest, AddRootSignaturesKeepsPayloadBytesAndExistingSignatures) {
  const std::string v1 = ReadFile(testing::kConformanceDir + "roots/1.root.json");
  Result<bundle::PrivateKey> root3 = LoadPrivateKeyFile(TestKey("root3"));
  ASSERT_TRUE(root3.ok());
  std::vector<std::string> notes;
  Result<std::string> more = AddRootSignatures(v1, {&*root3}, &notes);
  ASSERT_TRUE(more.ok()) << more.status().ToString();
  EXPECT_TRUE(notes.empty());
  bundle::Checked<RootSigningStatus> status = InspectRootSignatures(*more, nullptr);
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->complete);
  EXPECT_EQ(status->own_signed, 3u);
  EXPECT_EQ(bundle::ParseTrustRoot(*more)->payload, bundle::ParseTrustRoot(v1)->payload);
}

}  // namespace
}  // namespace bulwark::policy_tool
