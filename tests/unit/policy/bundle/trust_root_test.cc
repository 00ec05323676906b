#include "policy/bundle/trust_root.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <string>
#include <vector>

#include "policy/bundle/signer.h"
#include "policy/bundle/strict_base64.h"

namespace bulwark::bundle {
namespace {

SystemTime T(std::string_view text) { return ParseRfc3339(text).value(); }

class TrustRootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 4; ++i) keys_.push_back(PrivateKey::Generate(KeyType::kEd25519).value());
    keys_.push_back(PrivateKey::Generate(KeyType::kEcdsaP256).value());
  }

  const PrivateKey& K(int i) { return keys_[static_cast<std::size_t>(i)]; }

  // Root payload: root role = keys 0,1 (threshold 1), policy role = keys 2,3,4 (threshold 2).
  boost::json::object Payload(std::uint64_t version,
                              std::string_view expires = "2030-01-01T00:00:00Z",
                              std::uint64_t epoch = 1) {
    boost::json::object keys;
    for (const PrivateKey& k : keys_) {
      keys[k.keyid()] = {{"keytype", KeyTypeName(k.type())},
                         {"public_key", EncodeBase64(k.spki_der())}};
    }
    boost::json::object p;
    p["_type"] = "bulwark/trustroot/v1";
    p["spec_version"] = "1.0";
    p["org_id"] = "acme-prod";
    p["version"] = version;
    p["expires"] = expires;
    p["policy_epoch"] = epoch;
    p["keys"] = std::move(keys);
    p["roles"] = {
        {"root", {{"keyids", {K(0).keyid(), K(1).keyid()}}, {"threshold", 1}}},
        {"policy", {{"keyids", {K(2).keyid(), K(3).keyid(), K(4).keyid()}}, {"threshold", 2}}}};
    return p;
  }

  std::string Sign(const boost::json::object& payload, std::vector<int> signers = {0}) {
    return SignText(boost::json::serialize(payload), signers);
  }
  std::string SignText(std::string_view body, std::vector<int> signers = {0}) {
    std::vector<const PrivateKey*> ks;
    for (int i : signers) ks.push_back(&K(i));
    return SignEnvelope(kTrustRootPayloadType, body, ks).value();
  }

  std::string Code(const Checked<TrustRoot>& r) {
    return r.ok() ? "ok" : std::string(ReasonCode(r.error().reason));
  }

  std::vector<PrivateKey> keys_;
};

TEST_F(TrustRootTest, LoadsASelfSignedRoot) {
  Checked<TrustRoot> root = LoadTrustedRoot(Sign(Payload(1)));
  ASSERT_TRUE(root.ok()) << root.error().ToString();
  EXPECT_EQ(root->org_id, "acme-prod");
  EXPECT_EQ(root->version, 1u);
  EXPECT_EQ(root->policy_epoch, 1u);
  EXPECT_EQ(root->expires, T("2030-01-01T00:00:00Z"));
  EXPECT_EQ(root->keys.size(), 5u);
  EXPECT_EQ(root->policy_role.threshold, 2u);
  EXPECT_EQ(root->RoleKeys(root->policy_role).size(), 3u);
  EXPECT_EQ(root->payload_sha256, Sha256Hex(root->payload));
  EXPECT_TRUE(root->warnings.empty());
}

TEST_F(TrustRootTest, AnchorMustCarryItsOwnRootThreshold) {
  EXPECT_EQ(Code(LoadTrustedRoot(Sign(Payload(1), {2, 3}))), "E_ROOT_SIG_NEW");
  EXPECT_EQ(Code(LoadTrustedRoot(Sign(Payload(1), {}))), "E_ROOT_SIG_NEW");
  // ParseTrustRoot alone does not look at signatures.
  EXPECT_EQ(Code(ParseTrustRoot(Sign(Payload(1), {}))), "ok");
}

TEST_F(TrustRootTest, RejectsSchemaViolations) {
  const auto with = [&](auto mutate) {
    boost::json::object p = Payload(1);
    mutate(p);
    return Code(ParseTrustRoot(Sign(p)));
  };
  EXPECT_EQ(with([](auto& p) { p["_type"] = "bulwark/policy/v1"; }), "E_ROOT_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p["spec_version"] = "2.0"; }), "E_ROOT_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p["org_id"] = "acme prod"; }), "E_ROOT_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p["version"] = 0; }), "E_ROOT_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p["version"] = "1"; }), "E_ROOT_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p["version"] = std::uint64_t{1} << 53; }), "E_ROOT_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p["expires"] = "2030-01-01T00:00:00+00:00"; }), "E_ROOT_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p.erase("policy_epoch"); }), "E_ROOT_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p["keys"] = boost::json::array(); }), "E_ROOT_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p["roles"].as_object().erase("policy"); }), "E_ROOT_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p["roles"].as_object()["root"].as_object()["threshold"] = "1"; }),
            "E_ROOT_SCHEMA");
  EXPECT_EQ(with([](auto& p) { p["roles"].as_object()["root"].as_object()["keyids"] = {1}; }),
            "E_ROOT_SCHEMA");
  // Floats are a parse error (integers only).
  EXPECT_EQ(Code(ParseTrustRoot(SignText(R"({"version": 1.0})"))), "E_PAYLOAD_PARSE");
  EXPECT_EQ(Code(ParseTrustRoot(SignText(R"({"version": 1, "version": 2})"))), "E_DUPLICATE_KEY");
  EXPECT_EQ(Code(ParseTrustRoot(SignText("[]"))), "E_ROOT_SCHEMA");
}

TEST_F(TrustRootTest, RejectsBadKeys) {
  const auto with = [&](auto mutate) {
    boost::json::object p = Payload(1);
    mutate(p["keys"].as_object());
    return Code(ParseTrustRoot(Sign(p)));
  };
  const std::string id2 = K(2).keyid();
  EXPECT_EQ(with([&](auto& k) { k[id2].as_object()["keytype"] = "rsa"; }), "E_ROOT_KEY");
  EXPECT_EQ(with([&](auto& k) { k[id2].as_object()["keytype"] = "ecdsa-p256"; }), "E_ROOT_KEY");
  EXPECT_EQ(with([&](auto& k) { k[id2].as_object()["public_key"] = "not base64!"; }), "E_ROOT_KEY");
  EXPECT_EQ(
      with([&](auto& k) { k[id2].as_object()["public_key"] = EncodeBase64(K(3).spki_der()); }),
      "E_ROOT_KEY");  // keyid no longer matches
  EXPECT_EQ(with([&](auto& k) { k[id2].as_object().erase("keytype"); }), "E_ROOT_SCHEMA");
  // Uppercase keyid spelling of the right hash.
  EXPECT_EQ(with([&](auto& k) {
              std::string upper = id2;
              for (char& c : upper) c = static_cast<char>(std::toupper(c));
              k[upper] = k[id2];
              k.erase(id2);
            }),
            "E_ROOT_KEY");
}

TEST_F(TrustRootTest, RejectsBadRoles) {
  const auto with = [&](auto mutate) {
    boost::json::object p = Payload(1);
    mutate(p["roles"].as_object()["policy"].as_object());
    return Code(ParseTrustRoot(Sign(p)));
  };
  EXPECT_EQ(with([](auto& r) { r["threshold"] = 0; }), "E_ROOT_THRESHOLD");
  EXPECT_EQ(with([](auto& r) { r["threshold"] = -1; }), "E_ROOT_THRESHOLD");
  EXPECT_EQ(with([](auto& r) { r["threshold"] = 4; }), "E_ROOT_THRESHOLD");
  EXPECT_EQ(with([](auto& r) { r["keyids"] = boost::json::array(); }), "E_ROOT_THRESHOLD");
  EXPECT_EQ(with([&](auto& r) {
              r["keyids"] = {K(2).keyid(), K(2).keyid(), K(3).keyid()};
            }),
            "E_ROOT_THRESHOLD");
  EXPECT_EQ(with([&](auto& r) {
              r["keyids"] = {K(2).keyid(), std::string(64, '0')};
            }),
            "E_ROOT_THRESHOLD");
  EXPECT_EQ(with([](auto& r) { r["threshold"] = 3; }), "ok");
}

TEST_F(TrustRootTest, WarnsWhenRootAndPolicyRolesOverlap) {
  boost::json::object p = Payload(1);
  p["roles"].as_object()["policy"].as_object()["keyids"] = {K(0).keyid(), K(2).keyid()};
  Checked<TrustRoot> root = LoadTrustedRoot(Sign(p));
  ASSERT_TRUE(root.ok());
  ASSERT_EQ(root->warnings.size(), 1u);
  EXPECT_NE(root->warnings[0].find(K(0).keyid()), std::string::npos);
}

TEST_F(TrustRootTest, AppliesEnvelopeRulesToRoots) {
  std::string big = Sign(Payload(1));
  big.insert(1, std::string(kMaxRootEnvelopeBytes, ' '));
  EXPECT_EQ(Code(ParseTrustRoot(big)), "E_SIZE");
  std::vector<const PrivateKey*> signer = {&K(0)};
  EXPECT_EQ(
      Code(ParseTrustRoot(
          SignEnvelope(kPolicyPayloadType, boost::json::serialize(Payload(1)), signer).value())),
      "E_PAYLOAD_TYPE");
}

TEST_F(TrustRootTest, WalksEveryPublishedRootInOrder) {
  const TrustRoot v1 = LoadTrustedRoot(Sign(Payload(1))).value();
  InMemoryRootSource source;
  source.Add(2, Sign(Payload(2, "2026-01-01T00:00:00Z")));  // expired intermediate is fine
  source.Add(3, Sign(Payload(3, "2030-01-01T00:00:00Z", 2)));
  RootUpdate u = UpdateTrustRoot(v1, source, T("2026-06-15T00:00:00Z"));
  EXPECT_FALSE(u.error.has_value()) << u.error->ToString();
  EXPECT_EQ(u.root.version, 3u);
  EXPECT_EQ(u.root.policy_epoch, 2u);
  ASSERT_EQ(u.verified.size(), 2u);
  EXPECT_EQ(u.verified[0].version, 2u);
  EXPECT_EQ(u.verified[1].envelope, source.FetchRoot(3).value());
}

TEST_F(TrustRootTest, StopsAfterMaxHops) {
  const TrustRoot v1 = LoadTrustedRoot(Sign(Payload(1))).value();
  InMemoryRootSource source;
  for (std::uint64_t v = 2; v <= 40; ++v) source.Add(v, Sign(Payload(v)));
  RootUpdate u = UpdateTrustRoot(v1, source, T("2026-06-15T00:00:00Z"), 32);
  EXPECT_FALSE(u.error.has_value());
  EXPECT_EQ(u.root.version, 33u);
  EXPECT_EQ(u.verified.size(), 32u);
  // The next cycle continues where this one stopped.
  RootUpdate next = UpdateTrustRoot(u.root, source, T("2026-06-15T00:00:00Z"), 32);
  EXPECT_EQ(next.root.version, 40u);
}

TEST_F(TrustRootTest, KeepsRootsVerifiedBeforeAFailingHop) {
  const TrustRoot v1 = LoadTrustedRoot(Sign(Payload(1))).value();
  InMemoryRootSource source;
  source.Add(2, Sign(Payload(2)));
  source.Add(3, Sign(Payload(3), {2, 3}));  // not signed by root keys
  RootUpdate u = UpdateTrustRoot(v1, source, T("2026-06-15T00:00:00Z"));
  ASSERT_TRUE(u.error.has_value());
  EXPECT_EQ(u.error->reason, Reason::kRootSigOld);
  EXPECT_EQ(u.root.version, 2u);
  EXPECT_EQ(u.verified.size(), 1u);
}

TEST_F(TrustRootTest, RejectsOrgChangeAndEpochDecrease) {
  const TrustRoot v1 = LoadTrustedRoot(Sign(Payload(1, "2030-01-01T00:00:00Z", 3))).value();
  boost::json::object other_org = Payload(2, "2030-01-01T00:00:00Z", 3);
  other_org["org_id"] = "other-corp";
  EXPECT_EQ(Code(VerifyNextRoot(v1, Sign(other_org))), "E_ROOT_SCHEMA");
  EXPECT_EQ(Code(VerifyNextRoot(v1, Sign(Payload(2, "2030-01-01T00:00:00Z", 2)))),
            "E_ROOT_VERSION");
  EXPECT_EQ(Code(VerifyNextRoot(v1, Sign(Payload(2, "2030-01-01T00:00:00Z", 3)))), "ok");
}

class FailingSource : public RootSource {
 public:
  Result<std::string> FetchRoot(std::uint64_t) override {
    return UnavailableError("collector unreachable");
  }
};

TEST_F(TrustRootTest, FetchFailureOtherThanNotFoundBlocksTheCycle) {
  const TrustRoot v1 = LoadTrustedRoot(Sign(Payload(1))).value();
  FailingSource source;
  RootUpdate u = UpdateTrustRoot(v1, source, T("2026-06-15T00:00:00Z"));
  ASSERT_TRUE(u.error.has_value());
  EXPECT_EQ(u.error->reason, Reason::kRootFetch);
  EXPECT_EQ(u.root.version, 1u);
}

TEST_F(TrustRootTest, FreezesWhenTheNewestRootExpired) {
  const TrustRoot v1 = LoadTrustedRoot(Sign(Payload(1, "2026-06-15T00:00:00Z"))).value();
  InMemoryRootSource none;
  RootUpdate u = UpdateTrustRoot(v1, none, T("2026-06-15T00:00:00Z"));  // expires == now
  ASSERT_TRUE(u.error.has_value());
  EXPECT_EQ(u.error->reason, Reason::kRootExpired);
  RootUpdate fine = UpdateTrustRoot(v1, none, T("2026-06-14T23:59:59Z"));
  EXPECT_FALSE(fine.error.has_value());
}

}  // namespace
}  // namespace bulwark::bundle
