// Runs the real `bulwark-policy verify` binary on every case of
// testdata/policy-conformance/cases.json (SIGNED-BUNDLES.md): the case becomes flags and files
// (--trust-root, --root-update per served root in version order, --state written from the
// case's state, --now from its clock, --org/--policy-id/--platform from its agent) and the test
// asserts the printed JSON line (outcome, code, root_version, root_error, version), the exit
// status, and the state file afterwards: rewritten with the new high-water mark on accept,
// byte-for-byte untouched otherwise.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "agent/base/time_util.h"
#include "policy/bundle/dsse.h"
#include "policy/bundle/keys.h"
#include "policy/bundle/policy_payload.h"
#include "policy/bundle/strict_base64.h"
#include "policy/bundle/trust_root.h"
#include "policy/bundle/verifier.h"
#include "tests/testing/temp_dir.h"
#include "tests/unit/policy/tool/run_tool.h"

namespace bulwark::policy_tool {
namespace {

using testing::ReadFileOrEmpty;
using testing::RunTool;

const std::string kDataDir =
    std::string(BULWARK_SOURCE_DIR) + "/../shared/testdata/policy-conformance/";

std::string Str(const boost::json::value& v) { return std::string(v.as_string()); }

// Runs one case through the binary; returns one line per mismatch (empty when it passes).
std::vector<std::string> RunCase(const boost::json::object& c) {
  std::vector<std::string> bad;
  const auto check = [&](bool ok, const std::string& what) {
    if (!ok) bad.push_back(what);
  };
  const boost::json::object& expect = c.at("expect").as_object();
  const boost::json::object& agent = c.at("agent").as_object();
  bulwark::testing::TempDir dir;

  const std::string state_path = dir.Join("state.json");
  const std::string state_before = boost::json::serialize(c.at("state")) + "\n";
  dir.WriteFile("state.json", state_before);

  std::vector<std::string> args = {"verify", "--trust-root", kDataDir + Str(c.at("trusted_root"))};
  std::map<std::uint64_t, std::string> served;  // version order, whatever the JSON order
  for (const auto& [version, file] : c.at("served_roots").as_object()) {
    served[std::stoull(std::string(version))] = kDataDir + Str(file);
  }
  for (const auto& [version, path] : served) {
    args.push_back("--root-update");
    args.push_back(path);
  }
  for (const std::string& a :
       {std::string("--state"), state_path, std::string("--now"), Str(c.at("now")),
        std::string("--org"), Str(agent.at("org_id")), std::string("--policy-id"),
        Str(agent.at("policy_id")), std::string("--platform"), Str(agent.at("platform")),
        kDataDir + Str(c.at("envelope"))}) {
    args.push_back(a);
  }
  const testing::ToolRun run = RunTool(testing::PolicyToolBinary(), args, dir.path());

  // The printed line.
  const std::string want_outcome = Str(expect.at("policy"));
  const bool want_ok = want_outcome == "accept" || want_outcome == "noop";
  check(run.exit_code == (want_ok ? 0 : 1),
        "exit " + std::to_string(run.exit_code) + " (stderr: " + run.err + ")");
  check(std::count(run.out.begin(), run.out.end(), '\n') == 1 && run.out.back() == '\n',
        "stdout is not exactly one line: " + run.out);
  boost::system::error_code ec;
  const boost::json::value line = boost::json::parse(run.out, ec);
  if (ec || !line.is_object()) {
    bad.push_back("stdout is not a JSON object: " + run.out + run.err);
    return bad;
  }
  const boost::json::object& got = line.as_object();
  std::vector<std::string> keys;
  for (const auto& [k, v] : got) keys.emplace_back(k);
  check(
      keys == std::vector<std::string>{"outcome", "code", "root_version", "root_error", "version"},
      "members/order of " + run.out);
  const std::string trusted_bytes = ReadFileOrEmpty(kDataDir + Str(c.at("trusted_root")));
  const bundle::Checked<bundle::TrustRoot> trusted = bundle::ParseTrustRoot(trusted_bytes);
  if (!trusted.ok()) return {"trusted root does not parse"};
  const std::uint64_t want_root = expect.at("root_version").is_null()
                                      ? trusted->version
                                      : expect.at("root_version").to_number<std::uint64_t>();
  check(got.contains("outcome") && got.at("outcome") == expect.at("policy"),
        "outcome in " + run.out);
  check(got.contains("code") && got.at("code") == expect.at("code"), "code in " + run.out);
  check(got.contains("root_error") && got.at("root_error") == expect.at("root_error"),
        "root_error in " + run.out);
  check(got.contains("root_version") && got.at("root_version").is_number() &&
            got.at("root_version").to_number<std::uint64_t>() == want_root,
        "root_version in " + run.out + ", want " + std::to_string(want_root));
  check(got.contains("version") && got.at("version") == expect.at("highest"),
        "version in " + run.out);
  if (!want_ok) {
    check(run.err.find("bulwark-policy: verify: ") == 0 &&
              (expect.at("code").is_null() ||
               run.err.find(Str(expect.at("code"))) != std::string::npos),
          "stderr does not name the reason: " + run.err);
  }

  // The state file.
  const std::string state_after = ReadFileOrEmpty(state_path);
  if (want_outcome != "accept") {
    check(state_after == state_before, "state file changed on " + want_outcome);
    return bad;
  }
  Result<bundle::PolicyState> before = bundle::PolicyStateFromJson(c.at("state"));
  Result<bundle::PolicyState> after =
      bundle::PolicyStateFromJson(boost::json::parse(state_after, ec));
  if (ec || !before.ok() || !after.ok()) {
    bad.push_back("state file unreadable after accept: " + state_after);
    return bad;
  }
  const std::string policy_id = Str(agent.at("policy_id"));
  std::uint64_t epoch = trusted->policy_epoch;
  if (want_root != trusted->version) {
    auto final_root = bundle::ParseTrustRoot(ReadFileOrEmpty(served.at(want_root)));
    if (!final_root.ok()) return {"final root does not parse"};
    epoch = final_root->policy_epoch;
  }
  const std::string envelope = ReadFileOrEmpty(kDataDir + Str(c.at("envelope")));
  auto env = bundle::ParseEnvelope(envelope, bundle::kMaxPolicyEnvelopeBytes);
  if (!env.ok()) return {"envelope does not parse"};
  Result<std::string> body = bundle::DecodeStrictBase64(env->payload_base64);
  if (!body.ok()) return {"payload does not decode"};
  auto payload = bundle::ParsePolicyPayload(*body);
  if (!payload.ok()) return {"payload does not parse"};

  const bundle::PolicyHighWater want_hw{epoch, expect.at("highest").to_number<std::uint64_t>(),
                                        bundle::Sha256Hex(*body)};
  auto it = after->highest.find(policy_id);
  check(it != after->highest.end() && it->second == want_hw,
        "state.highest." + policy_id + " wrong: " + state_after);
  for (const auto& [id, hw] : before->highest) {
    if (id != policy_id)
      check(after->highest.count(id) && after->highest.at(id) == hw, "other stream changed");
  }
  check(
      after->highest.size() == before->highest.size() + (before->highest.count(policy_id) ? 0 : 1),
      "unexpected streams in " + state_after);
  check(after->last_trusted_time ==
            std::max(before->last_trusted_time.value_or(SystemTime{}), payload->issued_at),
        "last_trusted_time not max(old, issued_at): " + state_after);
  return bad;
}

TEST(VerifyCliConformanceTest, EveryCaseMatchesOutcomeCodeRootAndStateFile) {
  boost::json::value doc = boost::json::parse(ReadFileOrEmpty(kDataDir + "cases.json"));
  const boost::json::array& cases = doc.as_object().at("cases").as_array();
  ASSERT_EQ(cases.size(), 77u);
  int passed = 0;
  for (const boost::json::value& c : cases) {
    const std::vector<std::string> mismatches = RunCase(c.as_object());
    for (const std::string& m : mismatches) {
      ADD_FAILURE() << Str(c.as_object().at("id")) << ": " << m;
    }
    if (mismatches.empty()) ++passed;
  }
  std::printf("bulwark-policy verify: %zu cases, %d passed\n", cases.size(), passed);
  EXPECT_EQ(passed, 77);
}

}  // namespace
}  // namespace bulwark::policy_tool
