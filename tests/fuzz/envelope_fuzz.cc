// libFuzzer target for every parser that reads untrusted bundle bytes: the DSSE envelope
// (P1), strict JSON (with a serialize/re-parse round-trip property), the policy payload
// schema and check validation (P6, P7, P11), the trust-root parser (R2, R3), and the whole
// bundle verification (P1-P11) against a fixed, freshly generated trust root.
//
// Build (not wired into CMake; the clang fuzz build adds it):
//   clang++-14 -std=c++20 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/envelope_fuzz.cc \
//     policy/bundle/*.cc agent/base/*.cc -lboost_json -lcrypto -o envelope_fuzz
// Seeds: ../shared/testdata/policy-conformance/envelopes and roots.
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/time_util.h"
#include "policy/bundle/dsse.h"
#include "policy/bundle/policy_payload.h"
#include "policy/bundle/signer.h"
#include "policy/bundle/strict_base64.h"
#include "policy/bundle/strict_json.h"
#include "policy/bundle/trust_root.h"
#include "policy/bundle/verifier.h"

namespace {

using namespace bulwark;          // NOLINT: fuzz target
using namespace bulwark::bundle;  // NOLINT

// A 1-of-1 root whose policy role is 1-of-1, built once per process.
const TrustRoot& FixedRoot() {
  static const TrustRoot* root = [] {
    static const PrivateKey key = PrivateKey::Generate(KeyType::kEd25519).value();
    boost::json::object keys;
    keys[key.keyid()] = {{"keytype", "ed25519"}, {"public_key", EncodeBase64(key.spki_der())}};
    boost::json::object p = {{"_type", "bulwark/trustroot/v1"},
                             {"spec_version", "1.0"},
                             {"org_id", "acme-prod"},
                             {"version", 1},
                             {"expires", "2030-01-01T00:00:00Z"},
                             {"policy_epoch", 1}};
    p["keys"] = std::move(keys);
    p["roles"] = {{"root", {{"keyids", {key.keyid()}}, {"threshold", 1}}},
                  {"policy", {{"keyids", {key.keyid()}}, {"threshold", 1}}}};
    const std::vector<const PrivateKey*> signers = {&key};
    Checked<TrustRoot> r = LoadTrustedRoot(
        SignEnvelope(kTrustRootPayloadType, boost::json::serialize(p), signers).value());
    if (!r.ok()) std::abort();
    return new TrustRoot(std::move(r).value());
  }();
  return *root;
}

void CheckJsonRoundTrip(std::string_view input, bool integers_only) {
  StrictJsonOptions options;
  options.max_depth = 32;
  options.integers_only = integers_only;
  auto first = ParseStrictJson(input, options);
  if (!first.ok()) return;
  // Whatever the strict parser accepts, it must accept again after serialization, unchanged.
  const std::string text = boost::json::serialize(first.value());
  StrictJsonOptions reparse = options;
  reparse.integers_only = false;  // a huge integer literal serializes as a double
  auto second = ParseStrictJson(text, reparse);
  if (!second.ok() || second.value() != first.value()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  Checked<Envelope> env = ParseEnvelope(input, kMaxPolicyEnvelopeBytes);
  if (env.ok()) {
    (void)DecodeStrictBase64(env->payload_base64);
    (void)PreAuthEncoding(env->payload_type, env->payload_base64);
  }

  CheckJsonRoundTrip(input, true);
  CheckJsonRoundTrip(input, false);

  Checked<PolicyPayload> payload = ParsePolicyPayload(input);
  if (payload.ok()) (void)ValidateChecks(payload->document, OperatorValidator());

  (void)ParseTrustRoot(input);

  const AgentIdentity agent{"acme-prod", "baseline", "linux"};
  const SystemTime now = ParseRfc3339("2026-06-15T00:00:00Z").value();
  (void)VerifyPolicyBundle(FixedRoot(), PolicyState{}, agent, now, input, VerifierOptions{});
  (void)VerifyNextRoot(FixedRoot(), input);
  return 0;
}
