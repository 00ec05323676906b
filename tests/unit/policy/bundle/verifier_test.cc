#include "policy/bundle/verifier.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>
#include <vector>

#include "policy/bundle/schema_util.h"
#include "policy/bundle/signer.h"
#include "policy/bundle/strict_base64.h"

namespace bulwark::bundle {
namespace {

using std::chrono::seconds;

SystemTime T(std::string_view text) { return ParseRfc3339(text).value(); }

const SystemTime kNow = T("2026-06-15T00:00:00Z");

// One org with a 1-of-1 root role (Ed25519) and a 2-of-2 policy role (Ed25519 + P-256).
class VerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_key_ = std::make_unique<PrivateKey>(PrivateKey::Generate(KeyType::kEd25519).value());
    pol_ed_ = std::make_unique<PrivateKey>(PrivateKey::Generate(KeyType::kEd25519).value());
    pol_ec_ = std::make_unique<PrivateKey>(PrivateKey::Generate(KeyType::kEcdsaP256).value());
    boost::json::object keys;
    for (const PrivateKey* k : {root_key_.get(), pol_ed_.get(), pol_ec_.get()}) {
      keys[k->keyid()] = {{"keytype", KeyTypeName(k->type())},
                          {"public_key", EncodeBase64(k->spki_der())}};
    }
    boost::json::object p = {{"_type", "bulwark/trustroot/v1"},
                             {"spec_version", "1.0"},
                             {"org_id", "acme-prod"},
                             {"version", 1},
                             {"expires", "2030-01-01T00:00:00Z"},
                             {"policy_epoch", 1}};
    p["keys"] = std::move(keys);
    p["roles"] = {{"root", {{"keyids", {root_key_->keyid()}}, {"threshold", 1}}},
                  {"policy", {{"keyids", {pol_ed_->keyid(), pol_ec_->keyid()}}, {"threshold", 2}}}};
    const std::vector<const PrivateKey*> signers = {root_key_.get()};
    root_ = LoadTrustedRoot(
                SignEnvelope(kTrustRootPayloadType, boost::json::serialize(p), signers).value())
                .value();
  }

  static boost::json::object Check(std::string_view id) {
    return {{"id", id},
            {"title", "Firewall on"},
            {"severity", "high"},
            {"condition", {{"===", {{{"var", "endpoint_protection.firewall.enabled"}}, true}}}},
            {"remediation", {{"summary", "Turn it on."}}}};
  }

  static boost::json::object Policy(std::uint64_t version = 11) {
    boost::json::object p = {{"_type", "bulwark/policy/v1"},
                             {"spec_version", "1.0"},
                             {"org_id", "acme-prod"},
                             {"policy_id", "baseline"},
                             {"epoch", 1},
                             {"version", version},
                             {"issued_at", "2026-06-10T00:00:00Z"},
                             {"expires", "2026-07-10T00:00:00Z"},
                             {"applies_to", {{"platforms", {"linux", "windows"}}}}};
    p["checks"] = {Check("a"), Check("b")};
    return p;
  }

  std::string Sign(std::string_view body) const {
    const std::vector<const PrivateKey*> signers = {pol_ed_.get(), pol_ec_.get()};
    return SignEnvelope(kPolicyPayloadType, body, signers).value();
  }
  std::string Sign(const boost::json::object& payload) const {
    return Sign(boost::json::serialize(payload));
  }

  // The reason code (or "accept"/"noop") of verifying `envelope` at `now` with `state`.
  std::string Verify(const std::string& envelope, SystemTime now = kNow,
                     const PolicyState& state = {}, const VerifierOptions& options = {}) const {
    Checked<BundleDecision> d = VerifyPolicyBundle(root_, state, agent_, now, envelope, options);
    if (!d.ok()) return std::string(ReasonCode(d.error().reason));
    return d->noop ? "noop" : "accept";
  }

  std::unique_ptr<PrivateKey> root_key_, pol_ed_, pol_ec_;
  TrustRoot root_;
  AgentIdentity agent_{"acme-prod", "baseline", "linux"};
};

TEST_F(VerifierTest, AcceptsABundleSignedByEd25519AndP256) {
  const std::string env = Sign(Policy());
  Checked<BundleDecision> d = VerifyPolicyBundle(root_, {}, agent_, kNow, env, {});
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  EXPECT_FALSE(d->noop);
  EXPECT_EQ(d->policy.payload.version, 11u);
  EXPECT_EQ(d->policy.sha256, Sha256Hex(d->policy.body));
  EXPECT_EQ(d->policy.body, boost::json::serialize(Policy()));
  EXPECT_EQ(d->policy.envelope, env);
  EXPECT_EQ(d->policy.root_version, 1u);
  EXPECT_TRUE(d->policy.payload.document.as_object().contains("checks"));
}

TEST_F(VerifierTest, OneSignatureIsBelowThreshold) {
  const std::vector<const PrivateKey*> one = {pol_ec_.get()};
  EXPECT_EQ(Verify(SignEnvelope(kPolicyPayloadType, boost::json::serialize(Policy()), one).value()),
            "E_THRESHOLD");
}

TEST_F(VerifierTest, EnforcesFreshnessBoundaries) {
  const auto with_times = [&](std::string_view issued, std::string_view expires) {
    boost::json::object p = Policy();
    p["issued_at"] = issued;
    p["expires"] = expires;
    return Sign(p);
  };
  // Validity window: (0, 90 days].
  EXPECT_EQ(Verify(with_times("2026-06-10T00:00:00Z", "2026-09-08T00:00:00Z")), "accept");
  EXPECT_EQ(Verify(with_times("2026-06-10T00:00:00Z", "2026-09-08T00:00:01Z")),
            "E_VALIDITY_TOO_LONG");
  EXPECT_EQ(Verify(with_times("2026-06-10T00:00:00Z", "2026-06-10T00:00:00Z")),
            "E_VALIDITY_TOO_LONG");
  EXPECT_EQ(Verify(with_times("2026-06-10T00:00:00Z", "2026-06-09T00:00:00Z")),
            "E_VALIDITY_TOO_LONG");
  // issued_at <= now + 5 min.
  EXPECT_EQ(Verify(with_times("2026-06-15T00:05:00Z", "2026-07-01T00:00:00Z")), "accept");
  EXPECT_EQ(Verify(with_times("2026-06-15T00:05:01Z", "2026-07-01T00:00:00Z")), "E_NOT_YET_VALID");
  // expires > now.
  EXPECT_EQ(Verify(with_times("2026-06-01T00:00:00Z", "2026-06-15T00:00:00Z")), "E_EXPIRED");
  EXPECT_EQ(Verify(with_times("2026-06-01T00:00:00Z", "2026-06-15T00:00:01Z")), "accept");
}

TEST_F(VerifierTest, EffectiveNowNeverGoesBelowLastTrustedTime) {
  PolicyState state;
  EXPECT_EQ(EffectiveNow(kNow, state), kNow);
  state.last_trusted_time = kNow + seconds(10);
  EXPECT_EQ(EffectiveNow(kNow, state), kNow + seconds(10));
  state.last_trusted_time = kNow - seconds(10);
  EXPECT_EQ(EffectiveNow(kNow, state), kNow);
}

TEST_F(VerifierTest, AppliesRollbackRulesPerStreamAndEpoch) {
  const std::string v11 = Sign(Policy(11));
  const std::string sha11 = Sha256Hex(boost::json::serialize(Policy(11)));
  PolicyState state;
  state.highest["baseline"] = {1, 11, sha11};
  EXPECT_EQ(Verify(v11, kNow, state), "noop");
  EXPECT_EQ(Verify(Sign(Policy(10)), kNow, state), "E_ROLLBACK");
  EXPECT_EQ(Verify(Sign(Policy(12)), kNow, state), "accept");
  state.highest["baseline"] = {1, 11, std::string(64, '0')};
  EXPECT_EQ(Verify(v11, kNow, state), "E_EQUIVOCATION");
  // Another stream's history does not matter.
  PolicyState other;
  other.highest["lab"] = {1, 500, sha11};
  EXPECT_EQ(Verify(Sign(Policy(1)), kNow, other), "accept");
  // A stored epoch above the bundle's is a rollback of the epoch.
  PolicyState later;
  later.highest["baseline"] = {2, 1, sha11};
  EXPECT_EQ(Verify(v11, kNow, later), "E_EPOCH");
  // A stored epoch below restarts the counter.
  PolicyState earlier;
  earlier.highest["baseline"] = {0, 1000, sha11};
  EXPECT_EQ(Verify(Sign(Policy(1)), kNow, earlier), "accept");
}

TEST_F(VerifierTest, RejectsPayloadSchemaViolations) {
  const auto with = [&](auto mutate) {
    boost::json::object p = Policy();
    mutate(p);
    return Verify(Sign(p));
  };
  EXPECT_EQ(with([](auto& p) { p["_type"] = "bulwark/trustroot/v1"; }), "E_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p["spec_version"] = "2"; }), "E_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p["spec_version"] = "1.x"; }), "E_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p["policy_id"] = "base line"; }), "E_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p["org_id"] = ""; }), "E_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p["version"] = 0; }), "E_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p["version"] = -3; }), "E_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p["version"] = kMaxSafeInteger + 1; }), "E_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p["version"] = kMaxSafeInteger; }), "accept");
  EXPECT_EQ(with([](auto& p) { p["epoch"] = "1"; }), "E_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p["issued_at"] = "2026-06-10 00:00:00Z"; }), "E_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p["expires"] = "2026-07-10T00:00:00.000Z"; }), "E_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p.erase("applies_to"); }), "E_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p["applies_to"] = {{"groups", {"*"}}}; }), "E_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p["applies_to"] = {{"platforms", {"linux", 3}}}; }), "E_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p["checks"] = boost::json::object(); }), "E_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p["checks"] = boost::json::array(); }), "accept");
  EXPECT_EQ(with([](auto& p) { p["min_agent_version"] = 1; }), "E_SCHEMA");
  EXPECT_EQ(Verify(Sign("[]")), "E_SCHEMA");
}

TEST_F(VerifierTest, RejectsParseProblemsInTheSignedPayload) {
  const std::string good = boost::json::serialize(Policy());
  EXPECT_EQ(Verify(Sign("\xEF\xBB\xBF" + good)), "E_PAYLOAD_PARSE");
  EXPECT_EQ(Verify(Sign(good + "{}")), "E_PAYLOAD_PARSE");
  // Non-integer numbers anywhere in the payload (integers only, P6).
  boost::json::object with_float = Policy();
  with_float["checks"].as_array()[0].as_object()["condition"] = {{">", {{{"var", "x"}}, 1.5}}};
  EXPECT_EQ(Verify(Sign(with_float)), "E_PAYLOAD_PARSE");
  // A string over 64 KiB.
  boost::json::object long_string = Policy();
  long_string["min_agent_version"] = std::string(64 * 1024 + 1, 'x');
  EXPECT_EQ(Verify(Sign(long_string)), "E_PAYLOAD_PARSE");
  long_string["min_agent_version"] = std::string(64 * 1024, 'x');
  EXPECT_EQ(Verify(Sign(long_string)), "accept");
}

TEST_F(VerifierTest, RejectsInvalidChecksWholesale) {
  const auto with_check = [&](auto mutate) {
    boost::json::object p = Policy();
    mutate(p["checks"].as_array()[1].as_object());
    return Verify(Sign(p));
  };
  EXPECT_EQ(with_check([](auto& c) { c.erase("id"); }), "E_SCHEMA");
  EXPECT_EQ(with_check([](auto& c) { c["id"] = ""; }), "E_SCHEMA");
  EXPECT_EQ(with_check([](auto& c) { c["id"] = "a"; }), "E_SCHEMA");  // duplicate id
  EXPECT_EQ(with_check([](auto& c) { c.erase("title"); }), "E_SCHEMA");
  EXPECT_EQ(with_check([](auto& c) { c["severity"] = "HIGH"; }), "E_SCHEMA");
  EXPECT_EQ(with_check([](auto& c) { c.erase("condition"); }), "E_SCHEMA");
  EXPECT_EQ(with_check([](auto& c) { c.erase("remediation"); }), "E_SCHEMA");
  EXPECT_EQ(with_check([](auto& c) { c["remediation"] = {{"steps", {"x"}}}; }), "E_SCHEMA");
  EXPECT_EQ(with_check([](auto& c) { c["remediation"].as_object()["steps"] = "x"; }), "E_SCHEMA");
  EXPECT_EQ(with_check([](auto& c) { c["platforms"] = "linux"; }), "E_SCHEMA");
  EXPECT_EQ(with_check([](auto& c) { c["grace_days"] = -1; }), "E_SCHEMA");
  EXPECT_EQ(with_check([](auto& c) { c["references"] = {"cis"}; }), "E_SCHEMA");
  EXPECT_EQ(with_check([](auto& c) { c["grace_days"] = 14; }), "accept");
  boost::json::object not_object = Policy();
  not_object["checks"].as_array().push_back("check");
  EXPECT_EQ(Verify(Sign(not_object)), "E_SCHEMA");
}

TEST_F(VerifierTest, ValidatesExternalEntries) {
  const auto with_external = [&](boost::json::value external) {
    boost::json::object p = Policy();
    p["external"] = std::move(external);
    return Verify(Sign(p));
  };
  const std::string sha(64, 'a');
  EXPECT_EQ(
      with_external(boost::json::array{{{"name", "oval.xml"}, {"sha256", sha}, {"length", 10}}}),
      "accept");
  EXPECT_EQ(
      with_external(boost::json::array{{{"name", "oval.xml"}, {"sha256", "abc"}, {"length", 10}}}),
      "E_SCHEMA");
  EXPECT_EQ(with_external(boost::json::array{{{"name", "oval.xml"}, {"sha256", sha}}}), "E_SCHEMA");
  EXPECT_EQ(with_external(boost::json::object()), "E_SCHEMA");
}

TEST_F(VerifierTest, RejectsMoreThanTenThousandChecks) {
  boost::json::object p = Policy();
  boost::json::array checks;
  for (std::size_t i = 0; i <= kMaxChecks; ++i) checks.push_back(nullptr);
  p["checks"] = std::move(checks);
  EXPECT_EQ(Verify(Sign(p)), "E_SCHEMA");
}

TEST_F(VerifierTest, OperatorValidatorCanRejectAConditionAsSchemaError) {
  std::vector<std::string> seen;
  VerifierOptions options;
  options.operator_validator = [&](const boost::json::value& condition) -> Status {
    seen.push_back(boost::json::serialize(condition));
    if (seen.size() == 2) return InvalidArgumentError("unknown operator 'exec'");
    return Status::Ok();
  };
  EXPECT_EQ(Verify(Sign(Policy()), kNow, {}, options), "E_SCHEMA");
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], R"({"===":[{"var":"endpoint_protection.firewall.enabled"},true]})");
  seen.clear();
  Checked<BundleDecision> d = VerifyPolicyBundle(root_, {}, agent_, kNow, Sign(Policy()), options);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().detail.find("unknown operator 'exec'"), std::string::npos);
  EXPECT_NE(d.error().detail.find("'b'"), std::string::npos);
}

TEST_F(VerifierTest, AudienceChecksOrgStreamAndPlatform) {
  AgentIdentity windows = agent_;
  windows.platform = "windows";
  boost::json::object linux_only = Policy();
  linux_only["applies_to"] = {{"platforms", {"linux"}}};
  Checked<BundleDecision> d = VerifyPolicyBundle(root_, {}, windows, kNow, Sign(linux_only), {});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().reason, Reason::kAudience);
  AgentIdentity other_org = agent_;
  other_org.org_id = "other-corp";
  d = VerifyPolicyBundle(root_, {}, other_org, kNow, Sign(Policy()), {});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().reason, Reason::kAudience);
}

TEST_F(VerifierTest, ReverifyStoredBundleSkipsFreshnessAndRollbackButNotSignatures) {
  boost::json::object old = Policy(5);
  old["issued_at"] = "2025-01-01T00:00:00Z";
  old["expires"] = "2025-02-01T00:00:00Z";
  const std::string env = Sign(old);
  EXPECT_EQ(Verify(env), "E_EXPIRED");
  Checked<VerifiedPolicy> stored = ReverifyStoredBundle(root_, agent_, env, {});
  ASSERT_TRUE(stored.ok()) << stored.error().ToString();
  EXPECT_EQ(stored->payload.version, 5u);

  // Flip one payload byte: the signatures no longer verify.
  boost::json::object e = boost::json::parse(env).as_object();
  std::string body = DecodeStrictBase64(std::string(e["payload"].as_string())).value();
  body[body.find("baseline")] = 'B';
  e["payload"] = EncodeBase64(body);
  Checked<VerifiedPolicy> tampered =
      ReverifyStoredBundle(root_, agent_, boost::json::serialize(e), {});
  ASSERT_FALSE(tampered.ok());
  EXPECT_EQ(tampered.error().reason, Reason::kThreshold);
}

TEST_F(VerifierTest, ApplyAcceptedAdvancesStateAndTrustedTime) {
  Checked<BundleDecision> d = VerifyPolicyBundle(root_, {}, agent_, kNow, Sign(Policy()), {});
  ASSERT_TRUE(d.ok());
  PolicyState before;
  before.last_trusted_time = T("2026-06-12T00:00:00Z");  // later than issued_at: kept
  PolicyState after = ApplyAccepted(before, d->policy);
  EXPECT_EQ(after.highest.at("baseline"), (PolicyHighWater{1, 11, d->policy.sha256}));
  EXPECT_EQ(after.last_trusted_time, T("2026-06-12T00:00:00Z"));
  after = ApplyAccepted(PolicyState{}, d->policy);
  EXPECT_EQ(after.last_trusted_time, T("2026-06-10T00:00:00Z"));
}

TEST_F(VerifierTest, CycleReportsTheCliJsonLine) {
  InMemoryRootSource no_roots;
  CycleResult accept = RunUpdateCycle(root_, {}, agent_, kNow, no_roots, Sign(Policy()), {});
  EXPECT_EQ(CycleResultJsonLine(accept),
            R"({"outcome":"accept","code":null,"root_version":1,"root_error":null,"version":11})");
  EXPECT_EQ(accept.state.highest.at("baseline").version, 11u);
  ASSERT_TRUE(accept.policy.has_value());

  CycleResult noop =
      RunUpdateCycle(root_, accept.state, agent_, kNow, no_roots, Sign(Policy()), {});
  // ECDSA signatures are randomized, so the envelope differs, but the payload is the same.
  EXPECT_EQ(CycleResultJsonLine(noop),
            R"({"outcome":"noop","code":null,"root_version":1,"root_error":null,"version":11})");

  CycleResult reject = RunUpdateCycle(root_, accept.state, agent_, kNow, no_roots, "{", {});
  EXPECT_EQ(
      CycleResultJsonLine(reject),
      R"({"outcome":"reject","code":"E_ENVELOPE_PARSE","root_version":1,"root_error":null,"version":null})");
  EXPECT_EQ(reject.state, accept.state);

  InMemoryRootSource bad_root;
  bad_root.Add(2, "not json");
  CycleResult blocked = RunUpdateCycle(root_, {}, agent_, kNow, bad_root, Sign(Policy()), {});
  EXPECT_EQ(
      CycleResultJsonLine(blocked),
      R"({"outcome":"blocked","code":"E_ENVELOPE_PARSE","root_version":1,"root_error":"E_ENVELOPE_PARSE","version":null})");
  EXPECT_FALSE(blocked.policy.has_value());
}

TEST(PolicyStateJsonTest, RoundTripsTheConformanceForm) {
  const boost::json::value json = boost::json::parse(
      R"({"highest":{"baseline":[1,1125899906842624,"aec4"]},"last_trusted_time":"2026-06-01T00:00:00Z"})");
  Result<PolicyState> state = PolicyStateFromJson(json);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->highest.at("baseline"), (PolicyHighWater{1, 1125899906842624u, "aec4"}));
  EXPECT_EQ(state->last_trusted_time, T("2026-06-01T00:00:00Z"));
  EXPECT_EQ(PolicyStateToJson(*state), json);

  Result<PolicyState> empty =
      PolicyStateFromJson(boost::json::parse(R"({"highest":{},"last_trusted_time":null})"));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->highest.empty());
  EXPECT_FALSE(empty->last_trusted_time.has_value());

  for (const char* bad :
       {R"([])", R"({"highest":[]})", R"({"highest":{"b":[1,2]}})",
        R"({"highest":{"b":[1,"2","x"]}})", R"({"last_trusted_time":"yesterday"})"}) {
    EXPECT_FALSE(PolicyStateFromJson(boost::json::parse(bad)).ok()) << bad;
  }
}

TEST(ReasonTest, CodesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(Reason::kRootFetch); ++i) {
    const Reason r = static_cast<Reason>(i);
    EXPECT_EQ(ParseReasonCode(ReasonCode(r)), r);
    EXPECT_EQ(ReasonCode(r).substr(0, 2), "E_");
  }
  EXPECT_FALSE(ParseReasonCode("E_NOPE").has_value());
  EXPECT_EQ((Rejection{Reason::kThreshold, "1 of 2"}).ToString(), "E_THRESHOLD: 1 of 2");
}

}  // namespace
}  // namespace bulwark::bundle
