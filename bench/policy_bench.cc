// Policy cost per agent cycle: verifying the signed Linux baseline bundle (2-of-3 signatures,
// Ed25519 and ECDSA P-256) and evaluating all its checks against this machine's facts.
// The baseline is read from policy/baselines/ and signed in-process with fresh keys.
// BM_VerifyLinuxBaselineAllSigners verifies the same payload signed by all three policy keys
// (more than the threshold of 2), as an administrator who signs with every key would ship it.
#include <benchmark/benchmark.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <sstream>

#include "agent/facts/facts_json.h"
#include "platform/linux/linux_platform.h"
#include "policy/bundle/dsse.h"
#include "policy/bundle/keys.h"
#include "policy/bundle/signer.h"
#include "policy/bundle/strict_base64.h"
#include "policy/bundle/trust_root.h"
#include "policy/bundle/verifier.h"
#include "policy/engine/engine.h"
#include "policy/jsonlogic/jsonlogic.h"

namespace bulwark {
namespace {

struct Fixture {
  bundle::TrustRoot root;
  std::string envelope;
  std::string envelope_all_signers;  // signed by all three policy keys
  boost::json::value facts;
  SystemTime now;
};

std::string KeyEntry(const bundle::PrivateKey& k, const char* type) {
  return "\"" + k.keyid() + "\":{\"keytype\":\"" + type + "\",\"public_key\":\"" +
         bundle::EncodeBase64(k.spki_der()) + "\"}";
}

const Fixture& Get() {
  static Fixture* f = [] {
    auto* fx = new Fixture();
    std::ifstream in(std::string(BULWARK_SOURCE_DIR) + "/policy/baselines/linux-workstation.json");
    std::stringstream text;
    text << in.rdbuf();
    boost::json::value policy = boost::json::parse(text.str());
    auto& o = policy.as_object();
    o["org_id"] = "bench-org";
    o["issued_at"] = "2026-11-20T00:00:00Z";
    o["expires"] = "2026-12-20T00:00:00Z";
    using bundle::KeyType;
    auto r1 = *bundle::PrivateKey::Generate(KeyType::kEd25519);
    auto p1 = *bundle::PrivateKey::Generate(KeyType::kEd25519);
    auto p2 = *bundle::PrivateKey::Generate(KeyType::kEcdsaP256);
    auto p3 = *bundle::PrivateKey::Generate(KeyType::kEd25519);
    std::string root = std::string(R"({"_type":"bulwark/trustroot/v1","spec_version":"1.0",)") +
                       R"("org_id":"bench-org","version":1,"expires":"2027-06-01T00:00:00Z",)" +
                       R"("policy_epoch":1,"keys":{)" + KeyEntry(r1, "ed25519") + "," +
                       KeyEntry(p1, "ed25519") + "," + KeyEntry(p2, "ecdsa-p256") + "," +
                       KeyEntry(p3, "ed25519") + R"(},"roles":{"root":{"keyids":[")" + r1.keyid() +
                       R"("],"threshold":1},"policy":{"keyids":[")" + p1.keyid() + R"(",")" +
                       p2.keyid() + R"(",")" + p3.keyid() + R"("],"threshold":2}}})";
    auto root_env = *bundle::SignEnvelope(bundle::kTrustRootPayloadType, root, {&r1});
    fx->root = std::move(bundle::LoadTrustedRoot(root_env)).value();
    const std::string body = boost::json::serialize(policy);
    fx->envelope = *bundle::SignEnvelope(bundle::kPolicyPayloadType, body, {&p1, &p2});
    fx->envelope_all_signers =
        *bundle::SignEnvelope(bundle::kPolicyPayloadType, body, {&p1, &p2, &p3});
    LinuxPlatform platform;
    auto system = platform.MakeSystem("/");
    ProbeRegistry registry;
    platform.RegisterProbes(**system, registry);
    FactsDocument facts;
    facts.os.family = "linux";
    registry.CollectAll(facts);
    fx->facts = FactsToJson(facts);
    fx->now = *ParseRfc3339("2026-11-28T16:00:00Z");
    return fx;
  }();
  return *f;
}

bundle::VerifierOptions Options() {
  bundle::VerifierOptions options;
  options.operator_validator = [](const boost::json::value& c) {
    return jsonlogic::ValidateRule(c);
  };
  return options;
}

void BM_VerifyLinuxBaseline(benchmark::State& state) {
  const Fixture& f = Get();
  auto options = Options();
  for (auto _ : state) {
    auto decision = bundle::VerifyPolicyBundle(f.root, {}, {"bench-org", "baseline", "linux"},
                                               f.now, f.envelope, options);
    if (!decision.ok()) state.SkipWithError(decision.error().ToString().c_str());
    benchmark::DoNotOptimize(decision);
  }
}
BENCHMARK(BM_VerifyLinuxBaseline)->Unit(benchmark::kMicrosecond);

void BM_VerifyLinuxBaselineAllSigners(benchmark::State& state) {
  const Fixture& f = Get();
  auto options = Options();
  for (auto _ : state) {
    auto decision = bundle::VerifyPolicyBundle(f.root, {}, {"bench-org", "baseline", "linux"},
                                               f.now, f.envelope_all_signers, options);
    if (!decision.ok()) state.SkipWithError(decision.error().ToString().c_str());
    benchmark::DoNotOptimize(decision);
  }
}
BENCHMARK(BM_VerifyLinuxBaselineAllSigners)->Unit(benchmark::kMicrosecond);

void BM_EvaluateLinuxBaseline(benchmark::State& state) {
  const Fixture& f = Get();
  auto decision = bundle::VerifyPolicyBundle(f.root, {}, {"bench-org", "baseline", "linux"}, f.now,
                                             f.envelope, Options());
  if (!decision.ok()) {
    state.SkipWithError(decision.error().ToString().c_str());
    return;
  }
  const auto& document = decision->policy.payload.document;
  std::size_t checks = 0;
  for (auto _ : state) {
    auto results = policy::EvaluateChecks(document, f.facts, f.now);
    checks = results.size();
    benchmark::DoNotOptimize(results);
  }
  state.counters["checks"] = static_cast<double>(checks);
}
BENCHMARK(BM_EvaluateLinuxBaseline)->Unit(benchmark::kMicrosecond);

void BM_VerifyAndEvaluateLinuxBaseline(benchmark::State& state) {
  const Fixture& f = Get();
  auto options = Options();
  for (auto _ : state) {
    auto decision = bundle::VerifyPolicyBundle(f.root, {}, {"bench-org", "baseline", "linux"},
                                               f.now, f.envelope, options);
    if (!decision.ok()) state.SkipWithError(decision.error().ToString().c_str());
    auto results = policy::EvaluateChecks(decision->policy.payload.document, f.facts, f.now);
    benchmark::DoNotOptimize(results);
  }
}
BENCHMARK(BM_VerifyAndEvaluateLinuxBaseline)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace bulwark

BENCHMARK_MAIN();
