// Runs every case of testdata/policy-conformance/cases.json (SIGNED-BUNDLES.md) through one
// full update cycle and asserts the outcome, the reason code, the root error, the root version
// after the cycle and the stored state after the cycle.
//
// Case format: trusted_root (file), served_roots ({"N": file} served as trust/N.root.json),
// state ({"highest": {policy_id: [epoch, version, sha256]}, "last_trusted_time"}), now, agent,
// envelope (file), expect {policy, code, root_version, root_error, highest}. In expect,
// root_version null means "unchanged from the trusted root" and highest null means "state
// unchanged"; otherwise highest is the stream's version after the cycle.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "agent/base/time_util.h"
#include "policy/bundle/verifier.h"

namespace bulwark::bundle {
namespace {

const std::string kDataDir =
    std::string(BULWARK_SOURCE_DIR) + "/../shared/testdata/policy-conformance/";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct Case {
  std::string id;
  boost::json::object json;
};

std::vector<Case> LoadCases() {
  std::vector<Case> cases;
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(ReadFile(kDataDir + "cases.json"), ec);
  if (ec || !doc.is_object() || !doc.as_object().contains("cases")) return cases;
  for (const boost::json::value& c : doc.as_object().at("cases").as_array()) {
    cases.push_back(Case{std::string(c.as_object().at("id").as_string()), c.as_object()});
  }
  return cases;
}

const std::vector<Case>& AllCases() {
  static const std::vector<Case> cases = LoadCases();
  return cases;
}

std::string Str(const boost::json::value& v) { return std::string(v.as_string()); }

std::string CodeOrNull(const std::optional<Reason>& r) {
  return r ? std::string(ReasonCode(*r)) : "null";
}
std::string StrOrNull(const boost::json::value& v) { return v.is_null() ? "null" : Str(v); }

// Runs one case; returns one line per mismatch (empty when the case passes).
std::vector<std::string> RunCase(const boost::json::object& c) {
  std::vector<std::string> bad;
  const auto check = [&](bool ok, const std::string& what) {
    if (!ok) bad.push_back(what);
  };
  const boost::json::object& expect = c.at("expect").as_object();

  Checked<TrustRoot> trusted = LoadTrustedRoot(ReadFile(kDataDir + Str(c.at("trusted_root"))));
  if (!trusted.ok()) return {"trusted root does not load: " + trusted.error().ToString()};
  InMemoryRootSource roots;
  for (const auto& [version, file] : c.at("served_roots").as_object()) {
    roots.Add(std::stoull(std::string(version)), ReadFile(kDataDir + Str(file)));
  }
  Result<PolicyState> state = PolicyStateFromJson(c.at("state"));
  if (!state.ok()) return {"bad state: " + state.status().ToString()};
  Result<SystemTime> now = ParseRfc3339(Str(c.at("now")));
  if (!now.ok()) return {"bad now"};
  const boost::json::object& a = c.at("agent").as_object();
  const AgentIdentity agent{Str(a.at("org_id")), Str(a.at("policy_id")), Str(a.at("platform"))};
  const std::string envelope = ReadFile(kDataDir + Str(c.at("envelope")));
  if (envelope.empty()) return {"envelope file missing"};

  const CycleResult r =
      RunUpdateCycle(*trusted, *state, agent, *now, roots, envelope, VerifierOptions{});
  const std::string detail = r.rejection ? r.rejection->ToString() : "no rejection";

  const std::string outcome(CycleOutcomeName(r.outcome));
  check(outcome == Str(expect.at("policy")),
        "outcome " + outcome + ", want " + Str(expect.at("policy")) + " (" + detail + ")");
  const std::string code =
      CodeOrNull(r.rejection ? std::optional(r.rejection->reason) : std::nullopt);
  check(code == StrOrNull(expect.at("code")),
        "code " + code + ", want " + StrOrNull(expect.at("code")) + " (" + detail + ")");
  const std::string root_error = CodeOrNull(r.root_error);
  check(root_error == StrOrNull(expect.at("root_error")),
        "root_error " + root_error + ", want " + StrOrNull(expect.at("root_error")));
  const std::uint64_t want_root = expect.at("root_version").is_null()
                                      ? trusted->version
                                      : expect.at("root_version").to_number<std::uint64_t>();
  check(r.root_version == want_root && r.root.version == want_root,
        "root_version " + std::to_string(r.root_version) + ", want " + std::to_string(want_root));
  check(r.new_roots.size() == want_root - trusted->version, "wrong number of new roots");

  if (expect.at("highest").is_null()) {
    check(r.state == *state, "state changed on " + outcome);
    check(!r.version.has_value(), "version reported on " + outcome);
  } else {
    const std::uint64_t want = expect.at("highest").to_number<std::uint64_t>();
    auto it = r.state.highest.find(agent.policy_id);
    if (it == r.state.highest.end() || !r.version || !r.policy) {
      bad.push_back("no stored version / policy after " + outcome);
      return bad;
    }
    check(it->second.version == want,
          "highest " + std::to_string(it->second.version) + ", want " + std::to_string(want));
    check(*r.version == want, "reported version " + std::to_string(*r.version));
    if (r.outcome == CycleOutcome::kNoop) {
      check(r.state == *state, "a no-op changed the state");
    } else {
      check(it->second.epoch == r.root.policy_epoch, "stored epoch differs from the root's");
      check(it->second.sha256 == r.policy->sha256, "stored sha256 differs from the payload's");
      check(r.state.last_trusted_time == std::max(state->last_trusted_time.value_or(SystemTime{}),
                                                  r.policy->payload.issued_at),
            "last_trusted_time not advanced to max(old, issued_at)");
    }
  }

  // The `bulwark-policy verify` line carries the same facts.
  const boost::json::object line = boost::json::parse(CycleResultJsonLine(r)).as_object();
  check(line.at("outcome") == expect.at("policy") && line.at("code") == expect.at("code") &&
            line.at("root_error") == expect.at("root_error") &&
            line.at("root_version").to_number<std::uint64_t>() == want_root &&
            line.at("version") == expect.at("highest"),
        "JSON line " + CycleResultJsonLine(r));
  return bad;
}

class ConformanceTest : public ::testing::TestWithParam<Case> {};

TEST_P(ConformanceTest, MatchesExpectedOutcomeCodeAndState) {
  for (const std::string& mismatch : RunCase(GetParam().json)) ADD_FAILURE() << mismatch;
}

INSTANTIATE_TEST_SUITE_P(PolicyConformance, ConformanceTest, ::testing::ValuesIn(AllCases()),
                         [](const ::testing::TestParamInfo<Case>& param_info) {
                           return param_info.param.id;
                         });

TEST(ConformanceSummaryTest, LoadsExactly77CasesAndAllPass) {
  ASSERT_EQ(AllCases().size(), 77u);
  int passed = 0;
  for (const Case& c : AllCases()) {
    if (RunCase(c.json).empty()) ++passed;
  }
  std::printf("policy conformance: %zu cases, %d passed\n", AllCases().size(), passed);
  EXPECT_EQ(passed, 77);
}

}  // namespace
}  // namespace bulwark::bundle
