// The whole author workflow through the real binaries only: keygen (3 root keys, 2 policy keys,
// one of them ECDSA P-256), root init + sign one holder at a time, lint, sign a policy with 2
// keys, verify (accept, then noop); sign with 1 key (reject E_THRESHOLD); rotate the root to v2
// with a new root key, a new policy key and a bumped epoch, signed by old and new root keys;
// verify a new-epoch bundle through --root-update; finally `bulwark-agent check` evaluates the
// bundle over a fixture root directory.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json/parse.hpp>
#include <string>
#include <vector>

#include "policy/bundle/keys.h"
#include "tests/testing/temp_dir.h"
#include "tests/unit/policy/tool/run_tool.h"

namespace bulwark::policy_tool {
namespace {

using testing::ReadFileOrEmpty;

constexpr char kPolicy[] = R"({
  "_type": "bulwark/policy/v1", "spec_version": "1.0",
  "org_id": "acme-lab", "policy_id": "workstations", "epoch": 1, "version": 1,
  "applies_to": {"platforms": ["linux", "windows"]},
  "checks": [
    {"id": "os.supported", "title": "Runs a supported OS", "severity": "medium",
     "condition": {"in": [{"var": "os.family"}, ["linux", "windows"]]},
     "remediation": {"summary": "Reinstall with a supported OS."}},
    {"id": "disk.system-encrypted", "title": "System volume is encrypted", "severity": "high",
     "condition": {"some": [{"var": "disk_encryption.volumes"},
                            {"and": [{"==": [{"var": "role"}, "system"]},
                                     {"===": [{"var": "encrypted"}, true]}]}]},
     "remediation": {"summary": "Encrypt the system disk."}}
  ]
})";

class RoundTripTest : public ::testing::Test {
 protected:
  testing::ToolRun Policy(const std::vector<std::string>& args) {
    return testing::RunTool(testing::PolicyToolBinary(), args, dir_.path());
  }
  std::string P(const std::string& name) const { return dir_.Join(name); }
  // Makes NAME.key/NAME.pub; asserts the keyid line and the key's mode.
  void Keygen(const std::string& name, const std::string& algorithm = "ed25519") {
    const testing::ToolRun run = Policy({"keygen", "--out", P(name), "--algorithm", algorithm});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_TRUE(run.out.size() == 65 && run.out.back() == '\n' &&
                bundle::IsKeyIdSyntax(run.out.substr(0, 64)))
        << run.out;
    struct stat st {};
    ASSERT_EQ(::stat(P(name + ".key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << name;
    ASSERT_EQ(::stat(P(name + ".pub").c_str(), &st), 0);
  }
  // Runs verify and returns its JSON line.
  boost::json::object Verify(const std::vector<std::string>& args, int want_exit) {
    std::vector<std::string> full = {"verify"};
    full.insert(full.end(), args.begin(), args.end());
    const testing::ToolRun run = Policy(full);
    EXPECT_EQ(run.exit_code, want_exit) << run.out << run.err;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(run.out, ec);
    if (ec || !v.is_object()) {
      ADD_FAILURE() << "verify printed " << run.out << run.err;
      return {};
    }
    return v.as_object();
  }

  bulwark::testing::TempDir dir_;
};

TEST_F(RoundTripTest, KeysRootSignVerifyRotateAndAgentCheck) {
  for (const char* name : {"root1", "root2", "root3", "pol1"}) Keygen(name);
  Keygen("pol2", "ecdsa-p256");
  if (HasFatalFailure()) return;

  // Root v1: unsigned draft, then two holders sign one after the other.
  testing::ToolRun run =
      Policy({"root", "init", "--org", "acme-lab", "--root-key", P("root1.pub"), P("root2.pub"),
              P("root3.pub"), "--root-threshold", "2", "--policy-key", P("pol1.pub"), P("pol2.pub"),
              "--policy-threshold", "2", "--out", P("root.json")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("NOT YET VALID: 0 of 2"), std::string::npos) << run.err;
  dir_.WriteFile("policy.json", kPolicy);
  EXPECT_EQ(Policy({"verify", "--trust-root", P("root.json"), P("policy.json")}).exit_code, 1);
  run = Policy({"root", "sign", "--key", P("root1.key"), P("root.json")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("NOT YET VALID: 1 of 2"), std::string::npos) << run.err;
  run = Policy({"root", "sign", "--key", P("root3.key"), P("root.json")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("complete: 2 of 2"), std::string::npos) << run.err;

  // Lint, then sign with both policy keys (Ed25519 + P-256) and verify twice.
  run = Policy({"lint", P("policy.json")});
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(run.out.rfind("ok: 2 checks", 0), 0u) << run.out;
  run = Policy({"sign", "--key", P("pol1.key"), "--key", P("pol2.key"), "--out", P("bundle.json"),
                P("policy.json")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  boost::json::object line =
      Verify({"--trust-root", P("root.json"), "--state", P("state.json"), P("bundle.json")}, 0);
  EXPECT_EQ(line["outcome"], "accept");
  EXPECT_EQ(line["version"], 1);
  EXPECT_EQ(line["root_version"], 1);
  const std::string state_v1 = ReadFileOrEmpty(P("state.json"));
  EXPECT_NE(state_v1.find("\"workstations\":[1,1,"), std::string::npos) << state_v1;
  line = Verify({"--trust-root", P("root.json"), "--state", P("state.json"), P("bundle.json")}, 0);
  EXPECT_EQ(line["outcome"], "noop");
  EXPECT_EQ(ReadFileOrEmpty(P("state.json")), state_v1);

  // One key is below the 2-of-2 threshold.
  run = Policy({"sign", "--key", P("pol1.key"), "--version", "2", "--out", P("one-key.json"),
                P("policy.json")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  line = Verify({"--trust-root", P("root.json"), "--state", P("state.json"), P("one-key.json")}, 1);
  EXPECT_EQ(line["outcome"], "reject");
  EXPECT_EQ(line["code"], "E_THRESHOLD");
  EXPECT_EQ(ReadFileOrEmpty(P("state.json")), state_v1);

  // Root v2: root3 -> root4, pol2 -> pol3, policy_epoch 2; signed by old AND new root keys.
  Keygen("root4");
  Keygen("pol3");
  if (HasFatalFailure()) return;
  run = Policy({"root", "rotate", "--remove-root-key", P("root3.pub"), "--add-root-key",
                P("root4.pub"), "--remove-policy-key", P("pol2.pub"), "--add-policy-key",
                P("pol3.pub"), "--bump-epoch", "--out", P("root-v2.json"), P("root.json")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  run = Policy({"root", "sign", "--previous", P("root.json"), "--key", P("root3.key"), "--key",
                P("root4.key"), P("root-v2.json")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("NOT YET VALID: 1 of 2 signatures of its own root keys, 1 of 2 of root "
                         "v1's"),
            std::string::npos)
      << run.err;
  run = Policy(
      {"root", "sign", "--previous", P("root.json"), "--key", P("root2.key"), P("root-v2.json")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("complete: 2 of 2 signatures of its own root keys, 2 of 2 of root v1's"),
            std::string::npos)
      << run.err;

  run = Policy({"sign", "--key", P("pol1.key"), "--key", P("pol3.key"), "--epoch", "2", "--version",
                "1", "--out", P("bundle-v2.json"), P("policy.json")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // Without the root update the new epoch is unknown to the agent.
  line = Verify({"--trust-root", P("root.json"), P("bundle-v2.json")}, 1);
  EXPECT_EQ(line["outcome"], "reject");
  line = Verify({"--trust-root", P("root.json"), "--root-update", P("root-v2.json"), "--state",
                 P("state.json"), P("bundle-v2.json")},
                0);
  EXPECT_EQ(line["outcome"], "accept");
  EXPECT_EQ(line["root_version"], 2);
  EXPECT_EQ(line["version"], 1);
  EXPECT_NE(ReadFileOrEmpty(P("state.json")).find("\"workstations\":[2,1,"), std::string::npos);
  // The old-epoch bundle no longer verifies after the rotation.
  line = Verify({"--trust-root", P("root-v2.json"), P("bundle.json")}, 1);
  EXPECT_EQ(line["outcome"], "reject");

  // The agent checks a fixture machine against the v1 bundle.
  dir_.WriteFile("host/etc/os-release",
                 "ID=debian\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n");
  dir_.WriteFile("host/proc/self/mountinfo", "");
  const testing::ToolRun check =
      testing::RunTool(BULWARK_AGENT_BINARY,
                       {"check", "--bundle", P("bundle.json"), "--trust-root", P("root.json"),
                        "--root", P("host"), "--json"},
                       dir_.path());
  ASSERT_TRUE(check.exit_code == 0 || check.exit_code == 2) << check.exit_code << check.err;
  boost::system::error_code ec;
  const boost::json::value report = boost::json::parse(check.out, ec);
  ASSERT_FALSE(ec) << check.out << check.err;
  EXPECT_EQ(report.at("schema"), "bulwark.report/1");
  EXPECT_EQ(report.at("policy").at("policy_id"), "workstations");
  EXPECT_EQ(report.at("policy").at("version"), 1);
  EXPECT_EQ(report.at("policy").at("epoch"), 1);
  ASSERT_EQ(report.at("results").as_array().size(), 2u);
  EXPECT_EQ(report.at("results").at(0).at("id"), "os.supported");
  EXPECT_EQ(report.at("results").at(0).at("status"), "pass");
  // No volumes in the fixture: the disk check cannot pass, so the agent says "not compliant".
  EXPECT_NE(report.at("results").at(1).at("status"), "pass");
  EXPECT_EQ(check.exit_code, 2);
}

}  // namespace
}  // namespace bulwark::policy_tool
