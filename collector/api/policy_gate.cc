#include "collector/api/policy_gate.h"

#include <chrono>

#include "policy/bundle/keys.h"
#include "policy/bundle/verifier.h"
#include "policy/jsonlogic/jsonlogic.h"

namespace bulwark::collector {

using bundle::Checked;
using bundle::Reason;
using bundle::Reject;

namespace {
// The platforms an agent can report; a bundle is published for those it verifies under.
constexpr std::string_view kPlatforms[] = {"linux", "windows"};
}  // namespace

Checked<bundle::TrustRoot> VerifyTrustRootUpload(const std::optional<std::string>& latest_envelope,
                                                 std::string_view envelope) {
  if (!latest_envelope) return bundle::LoadTrustedRoot(envelope);
  auto latest = bundle::LoadTrustedRoot(*latest_envelope);
  if (!latest.ok()) return latest.error();
  return bundle::VerifyNextRoot(*latest, envelope);
}

Checked<PolicyRecord> VerifyPolicyUpload(std::string_view root_envelope, std::string_view envelope,
                                         SystemTime now) {
  auto root = bundle::LoadTrustedRoot(root_envelope);
  if (!root.ok()) return root.error();
  bundle::VerifierOptions options;
  options.operator_validator = [](const boost::json::value& c) {
    return jsonlogic::ValidateRule(c);
  };
  const std::string policy_id = bundle::ClaimedPolicyId(envelope);
  std::optional<bundle::Rejection> first_rejection;
  PolicyRecord record;
  for (std::string_view platform : kPlatforms) {
    bundle::AgentIdentity agent{root->org_id, policy_id, std::string(platform)};
    auto decision =
        bundle::VerifyPolicyBundle(*root, bundle::PolicyState{}, agent, now, envelope, options);
    if (!decision.ok()) {
      // A platform the bundle does not apply to is expected: report any other reason first.
      if (!first_rejection || (first_rejection->reason == Reason::kAudience &&
                               decision.error().reason != Reason::kAudience)) {
        first_rejection = decision.error();
      }
      continue;
    }
    const bundle::PolicyPayload& payload = decision->policy.payload;
    record.policy_id = payload.policy_id;
    record.epoch = static_cast<std::int64_t>(payload.epoch);
    record.version = static_cast<std::int64_t>(payload.version);
    record.platforms.emplace_back(platform);
  }
  if (record.platforms.empty()) {
    return first_rejection ? *first_rejection
                           : Reject(Reason::kAudience, "the bundle applies to no known platform");
  }
  record.bundle = std::string(envelope);
  record.sha256 = bundle::Sha256Hex(envelope);
  record.published_at =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  return record;
}

}  // namespace bulwark::collector
