// The bulwark-policy command line in-process: help and argument errors of every subcommand,
// keygen (modes, no overwrite), eval, test, and verify's error paths.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <sstream>

#include "policy/bundle/keys.h"
#include "policy/bundle/signer.h"
#include "policy/tool/cli_common.h"
#include "tests/testing/temp_dir.h"
#include "tests/unit/policy/tool/cli_harness.h"

namespace bulwark::policy_tool {
namespace {

using testing::kConformanceDir;
using testing::RunCli;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

unsigned FileMode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

TEST(PolicyCliTest, EveryCommandAndSubcommandHasHelp) {
  const std::vector<std::vector<std::string>> commands = {{"--help"},
                                                          {"keygen", "--help"},
                                                          {"root", "--help"},
                                                          {"root", "init", "--help"},
                                                          {"root", "sign", "--help"},
                                                          {"root", "rotate", "-h"},
                                                          {"sign", "--help"},
                                                          {"lint", "--help"},
                                                          {"eval", "--help"},
                                                          {"test", "--help"},
                                                          {"publish", "--help"},
                                                          {"verify", "--help"}};
  for (const auto& args : commands) {
    const testing::CliRun run = RunCli(args);
    EXPECT_EQ(run.code, 0) << args[0];
    EXPECT_EQ(run.out.rfind("Usage: bulwark-policy", 0), 0u) << run.out;
    EXPECT_EQ(run.err, "");
  }
}

TEST(PolicyCliTest, VersionNamesTheProgram) {
  const testing::CliRun run = RunCli({"--version"});
  EXPECT_EQ(run.code, 0);
  EXPECT_EQ(run.out.rfind(std::string("bulwark-policy ") + BULWARK_VERSION + "\n", 0), 0u);
}

TEST(PolicyCliTest, UsageErrorsAreOneLineAndExit1) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{}, "missing command"},
      {{"frobnicate"}, "unknown command 'frobnicate'"},
      {{"--frob"}, "unrecognised option '--frob'"},
      {{"keygen"}, "keygen needs --out PREFIX"},
      {{"keygen", "--out", "x", "stray"}, "unexpected argument 'stray'"},
      {{"keygen", "--out", "x", "--algorithm", "rsa"}, "unknown --algorithm 'rsa'"},
      {{"eval", "--rule", "r.json"}, "eval needs --data FILE"},
      {{"eval", "--rule", "r", "--data", "d", "extra"}, "unexpected argument 'extra'"},
      {{"lint"}, "lint needs exactly one POLICY.json"},
      {{"lint", "a.json", "b.json"}, "lint needs exactly one POLICY.json"},
      {{"sign", "p.json"}, "sign needs --key FILE"},
      {{"test", "p.json"}, "test needs --facts FACTS.json"},
      {{"verify", "b.json"}, "verify needs --trust-root FILE"},
      {{"verify", "--trust-root", "r", "--platform", "macos", "b"}, "--platform must be"},
      {{"verify", "--trust-root", "r", "--now", "yesterday", "b"}, "--now 'yesterday'"},
      {{"publish", "--server", "http://x", "--admin-token-file", "t", "b"}, "https://"},
      {{"root"}, "root needs a subcommand"},
      {{"root", "grow"}, "unknown root subcommand 'grow'"},
      {{"root", "init", "--org", "a"}, "root init needs --root-key"},
      {{"verify", "--trust-rot", "x", "b"}, "unrecognised option '--trust-rot'"},
  };
  for (const auto& [args, message] : cases) {
    const testing::CliRun run = RunCli(args);
    EXPECT_EQ(run.code, 1) << message;
    EXPECT_EQ(run.out, "") << message;
    EXPECT_EQ(run.err.rfind("bulwark-policy: ", 0), 0u) << run.err;
    EXPECT_NE(run.err.find(message), std::string::npos) << run.err;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  }
}

TEST(KeygenTest, WritesPrivateKey0600AndPublicKeyAndPrintsKeyid) {
  bulwark::testing::TempDir dir;
  const testing::CliRun run = RunCli({"keygen", "--out", dir.Join("alice")});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(FileMode(dir.Join("alice.key")), 0600u);
  EXPECT_EQ(FileMode(dir.Join("alice.pub")), 0644u);

  const std::string pem = ReadFile(dir.Join("alice.key"));
  EXPECT_EQ(pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);  // PKCS#8
  Result<bundle::PrivateKey> key = bundle::PrivateKey::FromPem(pem);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->type(), bundle::KeyType::kEd25519);
  Result<bundle::PublicKey> pub = LoadPublicKeyFile(dir.Join("alice.pub"));
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  EXPECT_EQ(pub->keyid(), key->keyid());
  EXPECT_EQ(run.out, bundle::Sha256Hex(pub->spki_der()) + "\n");
  EXPECT_TRUE(run.out.size() == 65 && run.out.back() == '\n' &&
              bundle::IsKeyIdSyntax(run.out.substr(0, 64)));
}

TEST(KeygenTest, MakesEcdsaP256KeysWithCanonicalSpki) {
  bulwark::testing::TempDir dir;
  const testing::CliRun run =
      RunCli({"keygen", "--out", dir.Join("card"), "--algorithm", "ecdsa-p256"});
  ASSERT_EQ(run.code, 0) << run.err;
  Result<bundle::PublicKey> pub = LoadPublicKeyFile(dir.Join("card.pub"));
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  EXPECT_EQ(pub->type(), bundle::KeyType::kEcdsaP256);
  EXPECT_EQ(pub->spki_der().size(), 91u);
  EXPECT_EQ(run.out, pub->keyid() + "\n");
  EXPECT_EQ(FileMode(dir.Join("card.key")), 0600u);
}

TEST(KeygenTest, RefusesToOverwriteAKeyUnlessForced) {
  bulwark::testing::TempDir dir;
  ASSERT_EQ(RunCli({"keygen", "--out", dir.Join("k")}).code, 0);
  const std::string first = ReadFile(dir.Join("k.key"));
  const testing::CliRun again = RunCli({"keygen", "--out", dir.Join("k")});
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  EXPECT_EQ(ReadFile(dir.Join("k.key")), first);

  const testing::CliRun forced = RunCli({"keygen", "--out", dir.Join("k"), "--force"});
  ASSERT_EQ(forced.code, 0) << forced.err;
  EXPECT_NE(ReadFile(dir.Join("k.key")), first);
  EXPECT_EQ(FileMode(dir.Join("k.key")), 0600u);
}

TEST(KeygenTest, RefusesADanglingSymlinkInPlaceOfTheKey) {
  bulwark::testing::TempDir dir;
  dir.Symlink("k.key", dir.Join("elsewhere"));
  const testing::CliRun run = RunCli({"keygen", "--out", dir.Join("k")});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("already exists"), std::string::npos) << run.err;
  EXPECT_EQ(FileMode(dir.Join("elsewhere")), 0u);  // nothing was created through the link
}

TEST(KeygenTest, ReportsAMissingDirectory) {
  bulwark::testing::TempDir dir;
  const testing::CliRun run = RunCli({"keygen", "--out", dir.Join("no/such/dir/k")});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("No such file or directory"), std::string::npos) << run.err;
}

TEST(KeyFileTest, WrongKeyKindsAreNamed) {
  Result<bundle::PublicKey> pub = LoadPublicKeyFile(testing::TestKey("pol1"));
  ASSERT_FALSE(pub.ok());
  EXPECT_NE(pub.status().message().find("is a private key"), std::string::npos);
  Result<bundle::PrivateKey> priv = LoadPrivateKeyFile(testing::TestPub("pol1"));
  ASSERT_FALSE(priv.ok());
  EXPECT_NE(priv.status().message().find("is a public key"), std::string::npos);
  bulwark::testing::TempDir dir;
  dir.WriteFile("junk.pem", "hello");
  Result<bundle::PublicKey> junk = LoadPublicKeyFile(dir.Join("junk.pem"));
  ASSERT_FALSE(junk.ok());
  EXPECT_NE(junk.status().message().find("not a PEM file"), std::string::npos);
  Result<bundle::PublicKey> missing = LoadPublicKeyFile(dir.Join("nope.pub"));
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(KeyFileTest, PublicKeyPemRoundTripsThroughTheLoader) {
  Result<bundle::PublicKey> p256 = LoadPublicKeyFile(testing::TestPub("pol3"));
  ASSERT_TRUE(p256.ok()) << p256.status().ToString();
  EXPECT_EQ(p256->type(), bundle::KeyType::kEcdsaP256);
  EXPECT_EQ(SpkiToPem(p256->spki_der()), ReadFile(testing::TestPub("pol3")));
}

TEST(EvalTest, PrintsTheResultOfARule) {
  bulwark::testing::TempDir dir;
  dir.WriteFile("rule.json", R"({"if": [{">": [{"var": "n"}, 2]}, "big", "small"]})");
  dir.WriteFile("data.json", R"({"n": 3.5})");
  const testing::CliRun run =
      RunCli({"eval", "--rule", dir.Join("rule.json"), "--data", dir.Join("data.json")});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, "\"big\"\n");
}

TEST(EvalTest, StrictModeRefusesANullFact) {
  bulwark::testing::TempDir dir;
  dir.WriteFile("rule.json", R"({">": [{"var": "disk.free_gb"}, 5]})");
  dir.WriteFile("data.json", R"({"disk": {"free_gb": null}})");
  const std::vector<std::string> args = {"eval", "--rule", dir.Join("rule.json"), "--data",
                                         dir.Join("data.json")};
  const testing::CliRun lenient = RunCli(args);
  EXPECT_EQ(lenient.code, 0);
  EXPECT_EQ(lenient.out, "false\n");
  std::vector<std::string> strict_args = args;
  strict_args.push_back("--strict");
  const testing::CliRun strict = RunCli(strict_args);
  EXPECT_EQ(strict.code, 1);
  EXPECT_NE(strict.err.find("disk.free_gb"), std::string::npos) << strict.err;
}

TEST(EvalTest, NamesBadJsonAndMissingFiles) {
  bulwark::testing::TempDir dir;
  dir.WriteFile("rule.json", "{\"==\": [1,");
  dir.WriteFile("data.json", "{}");
  testing::CliRun run =
      RunCli({"eval", "--rule", dir.Join("rule.json"), "--data", dir.Join("data.json")});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("rule.json: bad JSON"), std::string::npos) << run.err;
  run = RunCli({"eval", "--rule", dir.Join("none.json"), "--data", dir.Join("data.json")});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("none.json: No such file or directory"), std::string::npos) << run.err;
  dir.WriteFile("bad-op.json", R"({"frobnicate": [1]})");
  run = RunCli({"eval", "--rule", dir.Join("bad-op.json"), "--data", dir.Join("data.json")});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("frobnicate"), std::string::npos) << run.err;
}

class TestCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.WriteFile("policy.json", testing::kPolicyJson);
    dir_.WriteFile("good.json", R"({"schema": "bulwark.facts/1", "os": {"family": "linux"},
      "disk_encryption": {"volumes": [{"role": "system", "encrypted": true}]}})");
    dir_.WriteFile("bad.json", R"({"schema": "bulwark.facts/1", "os": {"family": "linux"},
      "disk_encryption": {"volumes": [{"role": "system", "encrypted": false}]}})");
  }
  bulwark::testing::TempDir dir_;
};

TEST_F(TestCommandTest, ExitsZeroWhenEveryCheckPasses) {
  const testing::CliRun run =
      RunCli({"test", dir_.Join("policy.json"), "--facts", dir_.Join("good.json")});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("2 passed, 0 failed"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Compliant."), std::string::npos);
}

TEST_F(TestCommandTest, ExitsTwoWithRemediationWhenACheckFails) {
  const testing::CliRun run =
      RunCli({"test", dir_.Join("policy.json"), "--facts", dir_.Join("bad.json")});
  EXPECT_EQ(run.code, 2) << run.err;
  EXPECT_NE(run.out.find("fail"), std::string::npos);
  EXPECT_NE(run.out.find("Encrypt the system disk."), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Not compliant."), std::string::npos);
}

TEST_F(TestCommandTest, JsonPrintsTheReport) {
  const testing::CliRun run =
      RunCli({"test", dir_.Join("policy.json"), "--facts", dir_.Join("bad.json"), "--json"});
  EXPECT_EQ(run.code, 2) << run.err;
  const boost::json::object report = boost::json::parse(run.out).as_object();
  EXPECT_EQ(report.at("schema"), "bulwark.report/1");
  EXPECT_EQ(report.at("compliant"), false);
  EXPECT_EQ(report.at("policy").at("policy_id"), "baseline");
  EXPECT_EQ(report.at("policy").at("version"), 12);
  ASSERT_EQ(report.at("results").as_array().size(), 2u);
  EXPECT_EQ(report.at("results").at(1).at("status"), "fail");
  // The deadline counts grace_days from --now (default: the clock).
  EXPECT_EQ(report.at("results").at(1).at("deadline"), "2026-06-29T00:00:00Z");
}

TEST_F(TestCommandTest, RefusesAPolicyThatDoesNotLint) {
  dir_.WriteFile("broken.json", R"({"_type": "bulwark/policy/v1"})");
  const testing::CliRun run =
      RunCli({"test", dir_.Join("broken.json"), "--facts", dir_.Join("good.json")});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("E_SCHEMA"), std::string::npos) << run.err;
}

TEST_F(TestCommandTest, NamesUnreadableFacts) {
  dir_.WriteFile("facts.txt", "not json");
  testing::CliRun run =
      RunCli({"test", dir_.Join("policy.json"), "--facts", dir_.Join("facts.txt")});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("facts.txt: bad JSON"), std::string::npos) << run.err;
  run = RunCli({"test", dir_.Join("policy.json"), "--facts", dir_.Join("missing.json")});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("missing.json: No such file"), std::string::npos) << run.err;
}

TEST(VerifyCommandTest, AcceptsAndCreatesTheStateOfAFreshAgent) {
  bulwark::testing::TempDir dir;
  const testing::CliRun run =
      RunCli({"verify", "--trust-root", kConformanceDir + "roots/1.root.json", "--state",
              dir.Join("state.json"), kConformanceDir + "envelopes/A01_valid_2of3.json"});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out,
            "{\"outcome\":\"accept\",\"code\":null,\"root_version\":1,\"root_error\":null,"
            "\"version\":11}\n");
  const boost::json::value state = boost::json::parse(ReadFile(dir.Join("state.json")));
  EXPECT_EQ(state.at("highest").at("baseline").at(1), 11);
  EXPECT_EQ(state.at("last_trusted_time"), "2026-06-10T00:00:00Z");
  EXPECT_EQ(FileMode(dir.Join("state.json")), 0644u);
}

TEST(VerifyCommandTest, DefaultsIdentityFromRootAndBundleAndClockFromSystem) {
  // The bundle expires on 2026-07-10: a clock after that rejects it as expired.
  const std::vector<std::string> args = {"verify", "--trust-root",
                                         kConformanceDir + "roots/1.root.json",
                                         kConformanceDir + "envelopes/A01_valid_2of3.json"};
  EXPECT_EQ(RunCli(args).code, 0);
  const testing::CliRun late = RunCli(args, *ParseRfc3339("2026-08-01T00:00:00Z"));
  EXPECT_EQ(late.code, 1);
  EXPECT_NE(late.out.find("\"code\":\"E_EXPIRED\""), std::string::npos) << late.out;
  EXPECT_EQ(late.err.rfind("bulwark-policy: verify: bundle rejected: E_EXPIRED", 0), 0u)
      << late.err;
  std::vector<std::string> other_stream = args;
  other_stream.insert(other_stream.begin() + 1, {"--policy-id", "lab"});
  EXPECT_NE(RunCli(other_stream).out.find("E_AUDIENCE"), std::string::npos);
  std::vector<std::string> other_org = args;
  other_org.insert(other_org.begin() + 1, {"--org", "globex"});
  EXPECT_NE(RunCli(other_org).out.find("E_AUDIENCE"), std::string::npos);
}

TEST(VerifyCommandTest, ErrorsNameTheCause) {
  bulwark::testing::TempDir dir;
  dir.WriteFile("state.json", "{\"highest\": 3}");
  const std::string root = kConformanceDir + "roots/1.root.json";
  const std::string bundle = kConformanceDir + "envelopes/A01_valid_2of3.json";
  testing::CliRun run =
      RunCli({"verify", "--trust-root", root, "--state", dir.Join("state.json"), bundle});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("state.highest: not an object"), std::string::npos) << run.err;
  EXPECT_EQ(ReadFile(dir.Join("state.json")), "{\"highest\": 3}");

  run = RunCli({"verify", "--trust-root", root, dir.Join("missing.json")});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("missing.json: No such file or directory"), std::string::npos);

  // An unsigned root is not a trust anchor.
  run = RunCli({"verify", "--trust-root", kConformanceDir + "roots/2.only-old-keys.json", bundle});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("trust root rejected: E_ROOT_SIG_NEW"), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
}

TEST(VerifyCommandTest, RootUpdatesAreServedInTheOrderGiven) {
  const std::string dir = kConformanceDir + "roots/";
  // v3 before v2: the walk asks for v2 and gets a file claiming v3.
  const testing::CliRun run =
      RunCli({"verify", "--trust-root", dir + "1.root.json", "--root-update", dir + "3.root.json",
              "--root-update", dir + "2.root.json",
              kConformanceDir + "envelopes/E02_rotation_chain_v1_v2_v3.json"});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.out.find("\"outcome\":\"blocked\""), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("\"root_error\":\"E_ROOT_"), std::string::npos) << run.out;
  EXPECT_NE(run.err.find("root update failed: E_ROOT_"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("3.root.json (served as trust/2.root.json): "), std::string::npos)
      << run.err;
}

}  // namespace
}  // namespace bulwark::policy_tool
