#include "policy/bundle/verifier.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include "policy/bundle/dsse.h"
#include "policy/bundle/keys.h"
#include "policy/bundle/schema_util.h"
#include "policy/bundle/strict_base64.h"

namespace bulwark::bundle {
namespace {

// P1-P8: authentic, well-formed, addressed to this agent, in the root's epoch.
Checked<VerifiedPolicy> VerifyAuthentic(const TrustRoot& root, const AgentIdentity& agent,
                                        std::string_view envelope_bytes) {
  // P1
  Checked<Envelope> env = ParseEnvelope(envelope_bytes, kMaxPolicyEnvelopeBytes);
  if (!env.ok()) return env.error();
  // P2
  if (env->payload_type != kPolicyPayloadType) {
    return Reject(Reason::kPayloadType, "payloadType '" + env->payload_type + "' is not " +
                                            std::string(kPolicyPayloadType));
  }
  // P3: from here on only `body` is used.
  Result<std::string> body = DecodeStrictBase64(env->payload_base64);
  if (!body.ok()) return Reject(Reason::kBase64, "payload: " + body.status().message());
  // P4, P5. Counting stops at the threshold: P5 only asks whether it is reached.
  const std::string pae = PreAuthEncoding(kPolicyPayloadType, *body);
  const std::size_t signed_by =
      VerifiedKeyIds(*env, pae, root.RoleKeys(root.policy_role), root.policy_role.threshold).size();
  if (signed_by < root.policy_role.threshold) {
    return Reject(Reason::kThreshold, std::to_string(signed_by) + " of " +
                                          std::to_string(root.policy_role.threshold) +
                                          " required policy keys of root v" +
                                          std::to_string(root.version) + " verified");
  }
  // P6, P7
  Checked<PolicyPayload> payload = ParsePolicyPayload(*body);
  if (!payload.ok()) return payload.error();
  // P8
  if (payload->org_id != root.org_id || payload->org_id != agent.org_id) {
    return Reject(Reason::kAudience, "bundle org_id '" + payload->org_id + "', root '" +
                                         root.org_id + "', agent '" + agent.org_id + "'");
  }
  if (payload->policy_id != agent.policy_id) {
    return Reject(Reason::kAudience, "bundle policy_id '" + payload->policy_id +
                                         "', agent stream '" + agent.policy_id + "'");
  }
  if (std::find(payload->platforms.begin(), payload->platforms.end(), agent.platform) ==
      payload->platforms.end()) {
    return Reject(Reason::kAudience, "platform '" + agent.platform + "' not in applies_to");
  }
  if (payload->epoch != root.policy_epoch) {
    return Reject(Reason::kEpoch, "bundle epoch " + std::to_string(payload->epoch) + ", root v" +
                                      std::to_string(root.version) + " policy_epoch " +
                                      std::to_string(root.policy_epoch));
  }
  VerifiedPolicy out;
  out.payload = std::move(payload).value();
  out.sha256 = Sha256Hex(*body);
  out.body = std::move(body).value();
  out.envelope = std::string(envelope_bytes);
  out.root_version = root.version;
  return out;
}

}  // namespace

SystemTime EffectiveNow(SystemTime system_now, const PolicyState& state) {
  if (state.last_trusted_time && *state.last_trusted_time > system_now) {
    return *state.last_trusted_time;
  }
  return system_now;
}

Checked<BundleDecision> VerifyPolicyBundle(const TrustRoot& root, const PolicyState& state,
                                           const AgentIdentity& agent, SystemTime now,
                                           std::string_view envelope,
                                           const VerifierOptions& options) {
  Checked<VerifiedPolicy> verified = VerifyAuthentic(root, agent, envelope);
  if (!verified.ok()) return verified.error();
  const PolicyPayload& p = verified->payload;

  // P9
  const auto validity = p.expires - p.issued_at;
  if (validity <= SystemTime::duration::zero() || validity > kMaxValidity) {
    return Reject(Reason::kValidityTooLong, "issued_at " + FormatRfc3339(p.issued_at) +
                                                ", expires " + FormatRfc3339(p.expires) +
                                                " (limit 90 days)");
  }
  if (p.issued_at > now + kMaxClockSkew) {
    return Reject(Reason::kNotYetValid, "issued_at " + FormatRfc3339(p.issued_at) +
                                            " is after now " + FormatRfc3339(now) + " + 5 min");
  }
  if (p.expires <= now) {
    return Reject(Reason::kExpired,
                  "expired " + FormatRfc3339(p.expires) + ", now " + FormatRfc3339(now));
  }

  // P10
  BundleDecision decision;
  auto stored = state.highest.find(p.policy_id);
  if (stored != state.highest.end()) {
    const PolicyHighWater& hw = stored->second;
    if (hw.epoch > p.epoch) {
      return Reject(Reason::kEpoch, "bundle epoch " + std::to_string(p.epoch) +
                                        " is below the stored epoch " + std::to_string(hw.epoch));
    }
    if (hw.epoch == p.epoch) {
      if (p.version < hw.version) {
        return Reject(Reason::kRollback, "version " + std::to_string(p.version) +
                                             " is below the installed " +
                                             std::to_string(hw.version));
      }
      if (p.version == hw.version) {
        if (verified->sha256 != hw.sha256) {
          return Reject(Reason::kEquivocation, "version " + std::to_string(p.version) +
                                                   " already installed with sha256 " + hw.sha256 +
                                                   ", this one is " + verified->sha256);
        }
        decision.noop = true;
        decision.policy = std::move(verified).value();
        return decision;
      }
    }
    // hw.epoch < p.epoch: the counter restarts in the new epoch (fast-forward recovery).
  }

  // P11
  Checked<Passed> checks = ValidateChecks(p.document, options.operator_validator);
  if (!checks.ok()) return checks.error();

  decision.policy = std::move(verified).value();
  return decision;
}

Checked<VerifiedPolicy> ReverifyStoredBundle(const TrustRoot& root, const AgentIdentity& agent,
                                             std::string_view envelope,
                                             const VerifierOptions& options) {
  Checked<VerifiedPolicy> verified = VerifyAuthentic(root, agent, envelope);
  if (!verified.ok()) return verified.error();
  Checked<Passed> checks = ValidateChecks(verified->payload.document, options.operator_validator);
  if (!checks.ok()) return checks.error();
  return verified;
}

PolicyState ApplyAccepted(const PolicyState& state, const VerifiedPolicy& policy) {
  PolicyState next = state;
  next.highest[policy.payload.policy_id] =
      PolicyHighWater{policy.payload.epoch, policy.payload.version, policy.sha256};
  if (!next.last_trusted_time || *next.last_trusted_time < policy.payload.issued_at) {
    next.last_trusted_time = policy.payload.issued_at;
  }
  return next;
}

std::string_view CycleOutcomeName(CycleOutcome outcome) {
  switch (outcome) {
    case CycleOutcome::kAccept:
      return "accept";
    case CycleOutcome::kNoop:
      return "noop";
    case CycleOutcome::kReject:
      return "reject";
    case CycleOutcome::kBlocked:
      return "blocked";
  }
  std::abort();  // all enumerators handled above
}

CycleResult RunUpdateCycle(const TrustRoot& trusted, const PolicyState& state,
                           const AgentIdentity& agent, SystemTime system_now, RootSource& roots,
                           std::string_view envelope, const VerifierOptions& options) {
  CycleResult result;
  result.state = state;
  // C1: one `now` for the whole cycle.
  const SystemTime now = EffectiveNow(system_now, state);

  // R1-R6
  RootUpdate update = UpdateTrustRoot(trusted, roots, now, options.max_root_hops);
  result.root = std::move(update.root);
  result.new_roots = std::move(update.verified);
  result.root_version = result.root.version;
  if (update.error) {
    result.outcome = CycleOutcome::kBlocked;
    result.root_error = update.error->reason;
    result.rejection = std::move(update.error);
    return result;
  }

  // P1-P11
  Checked<BundleDecision> decision =
      VerifyPolicyBundle(result.root, state, agent, now, envelope, options);
  if (!decision.ok()) {
    result.outcome = CycleOutcome::kReject;
    result.rejection = decision.error();
    return result;
  }
  BundleDecision d = std::move(decision).value();
  result.version = d.policy.payload.version;
  if (d.noop) {
    result.outcome = CycleOutcome::kNoop;
  } else {
    result.outcome = CycleOutcome::kAccept;
    result.state = ApplyAccepted(state, d.policy);
  }
  result.policy = std::move(d.policy);
  return result;
}

boost::json::object CycleResultToJson(const CycleResult& result) {
  boost::json::object out;
  out["outcome"] = CycleOutcomeName(result.outcome);
  if (result.rejection) {
    out["code"] = ReasonCode(result.rejection->reason);
  } else {
    out["code"] = nullptr;
  }
  out["root_version"] = result.root_version;
  if (result.root_error) {
    out["root_error"] = ReasonCode(*result.root_error);
  } else {
    out["root_error"] = nullptr;
  }
  if (result.version) {
    out["version"] = *result.version;
  } else {
    out["version"] = nullptr;
  }
  return out;
}

std::string CycleResultJsonLine(const CycleResult& result) {
  return boost::json::serialize(CycleResultToJson(result));
}

Result<PolicyState> PolicyStateFromJson(const boost::json::value& json) {
  const boost::json::object* obj = json.if_object();
  if (obj == nullptr) return InvalidArgumentError("state: not an object");
  PolicyState state;
  if (const boost::json::value* highest = obj->if_contains("highest")) {
    if (!highest->is_object()) return InvalidArgumentError("state.highest: not an object");
    for (const auto& [policy_id, entry] : highest->get_object()) {
      const std::string where = "state.highest." + std::string(policy_id);
      const boost::json::array* a = entry.if_array();
      if (a == nullptr || a->size() != 3 || !(*a)[2].is_string()) {
        return InvalidArgumentError(where + ": expected [epoch, version, \"sha256\"]");
      }
      bool negative = false;
      std::optional<std::uint64_t> epoch = NonNegativeInteger((*a)[0], &negative);
      std::optional<std::uint64_t> version = NonNegativeInteger((*a)[1], &negative);
      if (!epoch || !version) return InvalidArgumentError(where + ": epoch/version not integers");
      const boost::json::string& sha = (*a)[2].get_string();
      state.highest[std::string(policy_id)] =
          PolicyHighWater{*epoch, *version, std::string(sha.data(), sha.size())};
    }
  }
  if (const boost::json::value* ltt = obj->if_contains("last_trusted_time")) {
    if (!ltt->is_null()) {
      std::optional<SystemTime> t = Timestamp(ltt);
      if (!t) return InvalidArgumentError("state.last_trusted_time: not YYYY-MM-DDTHH:MM:SSZ");
      state.last_trusted_time = *t;
    }
  }
  return state;
}

boost::json::value PolicyStateToJson(const PolicyState& state) {
  boost::json::object highest;
  for (const auto& [policy_id, hw] : state.highest) {
    highest[policy_id] = boost::json::array{hw.epoch, hw.version, hw.sha256};
  }
  boost::json::object out;
  out["highest"] = std::move(highest);
  if (state.last_trusted_time) {
    out["last_trusted_time"] = FormatRfc3339(*state.last_trusted_time);
  } else {
    out["last_trusted_time"] = nullptr;
  }
  return out;
}

std::string ClaimedPolicyId(std::string_view envelope) {
  auto parsed = ParseEnvelope(envelope, kMaxPolicyEnvelopeBytes);
  if (!parsed.ok()) return "";
  auto body = DecodeStrictBase64(parsed->payload_base64);
  if (!body.ok()) return "";
  boost::system::error_code ec;
  auto doc = boost::json::parse(*body, ec);
  if (ec || !doc.is_object()) return "";
  const auto* id = doc.as_object().if_contains("policy_id");
  return id != nullptr && id->is_string() ? std::string(id->as_string()) : "";
}

}  // namespace bulwark::bundle
