#include "policy/bundle/dsse.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy/bundle/signer.h"
#include "policy/bundle/strict_base64.h"

namespace bulwark::bundle {
namespace {

TEST(DsseTest, PreAuthEncodingMatchesTheDsseSpecVector) {
  // From the DSSE protocol document.
  EXPECT_EQ(PreAuthEncoding("http://example.com/HelloWorld", "hello world"),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  EXPECT_EQ(PreAuthEncoding("", ""), "DSSEv1 0  0 ");
  EXPECT_EQ(PreAuthEncoding(kPolicyPayloadType, "{}"),
            "DSSEv1 38 application/vnd.bulwark.policy.v1+json 2 {}");
}

TEST(DsseTest, PreAuthEncodingCountsBytesNotCharacters) {
  // "é" is two bytes; the body may hold NULs and spaces verbatim.
  EXPECT_EQ(PreAuthEncoding("t\xc3\xa9", std::string("a\0 b", 4)),
            std::string("DSSEv1 3 t\xc3\xa9 4 a\0 b", 19));
}

TEST(DsseTest, ParsesEnvelopeAndIgnoresUnknownMembers) {
  Checked<Envelope> env = ParseEnvelope(
      R"({"payloadType":"t","payload":"e30=","signatures":[{"keyid":"k","sig":"AA=="},{"sig":"AQ=="}],"x":{"y":[1.5]}})",
      kMaxPolicyEnvelopeBytes);
  ASSERT_TRUE(env.ok()) << env.error().ToString();
  EXPECT_EQ(env->payload_type, "t");
  EXPECT_EQ(env->payload_base64, "e30=");
  ASSERT_EQ(env->signatures.size(), 2u);
  EXPECT_TRUE(env->signatures[0].usable);
  EXPECT_EQ(env->signatures[0].keyid, "k");
  EXPECT_EQ(env->signatures[0].sig_base64, "AA==");
  EXPECT_FALSE(env->signatures[1].keyid.has_value());
}

TEST(DsseTest, MarksMalformedSignatureEntriesUnusableButCountsThem) {
  Checked<Envelope> env = ParseEnvelope(
      R"({"payloadType":"t","payload":"","signatures":[1,"s",{},{"sig":5},{"sig":"AA==","keyid":7},{"sig":"AA==","keyid":null}]})",
      kMaxPolicyEnvelopeBytes);
  ASSERT_TRUE(env.ok());
  ASSERT_EQ(env->signatures.size(), 6u);
  for (const SignatureEntry& e : env->signatures) EXPECT_FALSE(e.usable);
}

TEST(DsseTest, MapsEnvelopeProblemsToReasonCodes) {
  const auto reason = [](std::string_view text, std::size_t cap = kMaxPolicyEnvelopeBytes) {
    Checked<Envelope> env = ParseEnvelope(text, cap);
    return env.ok() ? std::string("ok") : std::string(ReasonCode(env.error().reason));
  };
  const std::string ok = R"({"payloadType":"t","payload":"","signatures":[]})";
  EXPECT_EQ(reason(ok), "ok");
  EXPECT_EQ(reason(ok, ok.size()), "ok");
  EXPECT_EQ(reason(ok, ok.size() - 1), "E_SIZE");
  EXPECT_EQ(reason("{\"payloadType\":\"t\""), "E_ENVELOPE_PARSE");
  EXPECT_EQ(reason("\xEF\xBB\xBF" + ok), "E_ENVELOPE_PARSE");
  EXPECT_EQ(reason(R"({"payloadType":"t","payload":"","payload":"","signatures":[]})"),
            "E_DUPLICATE_KEY");
  EXPECT_EQ(reason(R"({"payloadType":"t","payload":"","signatures":[],"x":[[[[]]]]})"), "E_DEPTH");
  EXPECT_EQ(reason(R"({"payloadType":"t","payload":"","signatures":[],"x":[[[]]]})"), "ok");
  EXPECT_EQ(reason("[]"), "E_FIELD");
  EXPECT_EQ(reason("\"str\""), "E_FIELD");
  EXPECT_EQ(reason(R"({"payload":"","signatures":[]})"), "E_FIELD");
  EXPECT_EQ(reason(R"({"payloadType":1,"payload":"","signatures":[]})"), "E_FIELD");
  EXPECT_EQ(reason(R"({"payloadType":"t","payload":null,"signatures":[]})"), "E_FIELD");
  EXPECT_EQ(reason(R"({"payloadType":"t","payload":"","signatures":{}})"), "E_FIELD");
  std::string sigs16, sigs17;
  for (int i = 0; i < 16; ++i) sigs16 += std::string(i ? "," : "") + "{}";
  sigs17 = sigs16 + ",{}";
  EXPECT_EQ(reason(R"({"payloadType":"t","payload":"","signatures":[)" + sigs16 + "]}"), "ok");
  EXPECT_EQ(reason(R"({"payloadType":"t","payload":"","signatures":[)" + sigs17 + "]}"),
            "E_TOO_MANY_SIGS");
}

class DsseCountingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 3; ++i) {
      Result<PrivateKey> k = PrivateKey::Generate(i == 2 ? KeyType::kEcdsaP256 : KeyType::kEd25519);
      ASSERT_TRUE(k.ok());
      Result<PublicKey> p = PublicKey::FromSpki(k->type(), k->spki_der());
      ASSERT_TRUE(p.ok());
      priv_.push_back(std::move(k).value());
      pub_.push_back(std::move(p).value());
    }
    for (const PublicKey& p : pub_) role_.push_back(RoleKey{p.keyid(), &p});
  }

  std::string Sig(int key, std::string_view pae) {
    return priv_[static_cast<std::size_t>(key)].Sign(pae).value();
  }

  std::set<std::string> Count(const std::vector<EnvelopeSignature>& sigs) {
    Checked<Envelope> env = ParseEnvelope(SerializeEnvelope("t", body_, sigs), 1 << 20);
    EXPECT_TRUE(env.ok());
    return VerifiedKeyIds(*env, PreAuthEncoding("t", body_), role_);
  }

  std::string body_ = "payload bytes";
  std::vector<PrivateKey> priv_;
  std::vector<PublicKey> pub_;
  std::vector<RoleKey> role_;
};

TEST_F(DsseCountingTest, CountsEachKeyOnce) {
  const std::string pae = PreAuthEncoding("t", body_);
  const std::string s0 = Sig(0, pae);
  EXPECT_EQ(Count({{pub_[0].keyid(), s0}}).size(), 1u);
  EXPECT_EQ(Count({{pub_[0].keyid(), s0}, {pub_[0].keyid(), s0}}).size(), 1u);
  EXPECT_EQ(Count({{pub_[0].keyid(), s0}, {std::nullopt, s0}}).size(), 1u);
  // Two ECDSA signatures by one key (ECDSA is randomized, so the bytes differ) count once.
  EXPECT_EQ(Count({{pub_[2].keyid(), Sig(2, pae)}, {pub_[2].keyid(), Sig(2, pae)}}).size(), 1u);
  EXPECT_EQ(Count({{pub_[0].keyid(), s0}, {std::nullopt, Sig(1, pae)}, {std::nullopt, Sig(2, pae)}})
                .size(),
            3u);
}

TEST_F(DsseCountingTest, KeyIdHintSelectsTheOnlyCandidate) {
  const std::string pae = PreAuthEncoding("t", body_);
  // Wrong hint: not counted even though key 0 would verify it.
  EXPECT_TRUE(Count({{pub_[1].keyid(), Sig(0, pae)}}).empty());
  // Unknown hint: no candidate.
  EXPECT_TRUE(Count({{std::string(64, 'a'), Sig(0, pae)}}).empty());
  // No hint: any role key may match.
  EXPECT_EQ(Count({{std::nullopt, Sig(1, pae)}}), std::set<std::string>{pub_[1].keyid()});
}

TEST_F(DsseCountingTest, VerifiesOverPaeOfDecodedBytesOnly) {
  // Signed over the raw body, or over PAE of the base64 text: not counted.
  EXPECT_TRUE(Count({{std::nullopt, Sig(0, body_)}}).empty());
  EXPECT_TRUE(Count({{std::nullopt, Sig(0, PreAuthEncoding("t", EncodeBase64(body_)))}}).empty());
  // Signed for another payloadType.
  EXPECT_TRUE(Count({{std::nullopt, Sig(0, PreAuthEncoding("u", body_))}}).empty());
}

TEST_F(DsseCountingTest, SkipsSignaturesThatAreNotStrictBase64) {
  const std::string pae = PreAuthEncoding("t", body_);
  const std::string good = EncodeBase64(Sig(0, pae));
  const std::string text = R"({"payloadType":"t","payload":")" + EncodeBase64(body_) +
                           R"(","signatures":[{"sig":")" + good.substr(0, good.size() - 2) +
                           R"("},{"sig":")" + good + "\\n" + R"("}]})";
  Checked<Envelope> env = ParseEnvelope(text, 1 << 20);
  ASSERT_TRUE(env.ok()) << env.error().ToString();
  EXPECT_TRUE(VerifiedKeyIds(*env, pae, role_).empty());
}

TEST_F(DsseCountingTest, SignEnvelopeProducesAParseableEnvelope) {
  Result<std::string> text = SignEnvelope("t", body_, {&priv_[0], &priv_[2]});
  ASSERT_TRUE(text.ok());
  Checked<Envelope> env = ParseEnvelope(*text, 1 << 20);
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(*DecodeStrictBase64(env->payload_base64), body_);
  EXPECT_EQ(VerifiedKeyIds(*env, PreAuthEncoding("t", body_), role_),
            (std::set<std::string>{pub_[0].keyid(), pub_[2].keyid()}));
}

TEST_F(DsseCountingTest, StopsCountingOnceEnoughKeysVerified) {
  const std::string pae = PreAuthEncoding("t", body_);
  Checked<Envelope> env = ParseEnvelope(SerializeEnvelope("t", body_,
                                                          {{pub_[0].keyid(), Sig(0, pae)},
                                                           {std::nullopt, "not a signature"},
                                                           {pub_[0].keyid(), Sig(0, pae)},
                                                           {pub_[2].keyid(), Sig(2, pae)},
                                                           {pub_[1].keyid(), Sig(1, pae)}}),
                                        1 << 20);
  ASSERT_TRUE(env.ok());
  // Entries are taken in order; repeats and bad entries do not count towards `enough`.
  EXPECT_EQ(VerifiedKeyIds(*env, pae, role_, 2),
            (std::set<std::string>{pub_[0].keyid(), pub_[2].keyid()}));
  EXPECT_EQ(VerifiedKeyIds(*env, pae, role_, 1), std::set<std::string>{pub_[0].keyid()});
  EXPECT_TRUE(VerifiedKeyIds(*env, pae, role_, 0).empty());
  EXPECT_EQ(VerifiedKeyIds(*env, pae, role_, 3).size(), 3u);
  EXPECT_EQ(VerifiedKeyIds(*env, pae, role_).size(), 3u);
  // Asking for more than can be had yields what there is.
  EXPECT_EQ(VerifiedKeyIds(*env, pae, role_, 5).size(), 3u);
}

}  // namespace
}  // namespace bulwark::bundle
