// The agent's policy update cycle (SIGNED-BUNDLES.md "Verification algorithm"): C1, the
// root walk R1-R6, and the bundle checks P1-P11, deciding accept / noop / reject / blocked
// with the exact reason codes the conformance fixtures assert.
//
// Everything here is pure: the clock value comes in as an argument, roots come from a
// RootSource, state comes in and the new state goes out as plain structs. The caller persists
// (each verified root in its own transaction, then the accepted bundle + state in one
// transaction) before activating anything — P12 and the SQLite schema live elsewhere.
//
// Thread-safety: functions are reentrant; a RootSource is used only by the calling thread.
#ifndef BULWARK_POLICY_BUNDLE_VERIFIER_H_
#define BULWARK_POLICY_BUNDLE_VERIFIER_H_

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "agent/base/time_util.h"
#include "policy/bundle/policy_payload.h"
#include "policy/bundle/reason.h"
#include "policy/bundle/trust_root.h"

namespace bulwark::bundle {

// The highest bundle accepted for one policy stream.
struct PolicyHighWater {
  std::uint64_t epoch = 0;
  std::uint64_t version = 0;
  std::string sha256;  // lowercase hex of the payload bytes

  friend bool operator==(const PolicyHighWater&, const PolicyHighWater&) = default;
};

// Rollback and clock state the verifier reads and (on accept) advances.
struct PolicyState {
  std::map<std::string, PolicyHighWater> highest;  // by policy_id
  std::optional<SystemTime> last_trusted_time;     // max signed issued_at ever accepted

  friend bool operator==(const PolicyState&, const PolicyState&) = default;
};

// Who this agent is: its enrolled org, assigned policy stream and platform ("linux"|"windows").
struct AgentIdentity {
  std::string org_id;
  std::string policy_id;
  std::string platform;
};

struct VerifierOptions {
  // P11 hook for JSON Logic operator validation; empty accepts every condition.
  OperatorValidator operator_validator;
  std::size_t max_root_hops = kMaxRootHops;
};

// A bundle that passed verification.
struct VerifiedPolicy {
  PolicyPayload payload;
  std::string body;    // decoded payload bytes — the only representation used after P3
  std::string sha256;  // lowercase hex of body
  std::string envelope;
  std::uint64_t root_version = 0;
};

struct BundleDecision {
  bool noop = false;  // the same bytes are already installed (D05)
  VerifiedPolicy policy;
};

// Freshness limits of P9.
inline constexpr std::chrono::seconds kMaxValidity = std::chrono::hours(24 * 90);
inline constexpr std::chrono::seconds kMaxClockSkew = std::chrono::minutes(5);

// C1: max(system time, last trusted time).
SystemTime EffectiveNow(SystemTime system_now, const PolicyState& state);

// P1-P11 against `root` at the cycle's `now` (from EffectiveNow). Returns the decision or the
// first failing check's Rejection (codes in reason.h).
Checked<BundleDecision> VerifyPolicyBundle(const TrustRoot& root, const PolicyState& state,
                                           const AgentIdentity& agent, SystemTime now,
                                           std::string_view envelope,
                                           const VerifierOptions& options);

// Start-up re-verification of the stored last-known-good envelope against the stored root:
// P1-P8 and P11, without expiry (P9) and rollback (P10), to catch local corruption.
Checked<VerifiedPolicy> ReverifyStoredBundle(const TrustRoot& root, const AgentIdentity& agent,
                                             std::string_view envelope,
                                             const VerifierOptions& options);

// The in-memory part of P12: records (epoch, version, sha256) for the stream and advances
// last_trusted_time to max(old, issued_at).
PolicyState ApplyAccepted(const PolicyState& state, const VerifiedPolicy& policy);

enum class CycleOutcome {
  kAccept,   // a newer bundle verified; state advanced
  kNoop,     // the installed bundle was served again
  kReject,   // the bundle failed a check; state untouched
  kBlocked,  // the root update failed, so no bundle was evaluated
};

// "accept" | "noop" | "reject" | "blocked".
std::string_view CycleOutcomeName(CycleOutcome outcome);

struct CycleResult {
  CycleOutcome outcome = CycleOutcome::kReject;
  std::optional<Rejection> rejection;    // reject: the bundle's reason; blocked: the root's
  std::optional<Reason> root_error;      // set iff the root update failed
  std::uint64_t root_version = 0;        // root version after the cycle
  std::optional<std::uint64_t> version;  // bundle version on accept and noop

  TrustRoot root;                        // root after the cycle
  std::vector<TrustRoot> new_roots;      // roots verified in this cycle, oldest first
  PolicyState state;                     // state after the cycle (changed only on accept)
  std::optional<VerifiedPolicy> policy;  // on accept and noop
};

// One full update cycle: C1, R1-R6 over `roots`, then P1-P11 on `envelope`, then the
// in-memory P12. `trusted` comes from LoadTrustedRoot.
CycleResult RunUpdateCycle(const TrustRoot& trusted, const PolicyState& state,
                           const AgentIdentity& agent, SystemTime system_now, RootSource& roots,
                           std::string_view envelope, const VerifierOptions& options);

// The policy_id an envelope's payload claims, read WITHOUT verifying anything: only for choosing
// the agent identity to verify against (verification then requires the signed payload to carry
// the same id). Empty when the envelope or payload does not parse (verification then says why).
std::string ClaimedPolicyId(std::string_view envelope);

// The `bulwark-policy verify` line (SPEC.md §5), members in this order:
// {"outcome":"accept","code":null,"root_version":1,"root_error":null,"version":11}
boost::json::object CycleResultToJson(const CycleResult& result);
std::string CycleResultJsonLine(const CycleResult& result);  // no trailing newline

// The state file form of the conformance cases and `verify --state`:
// {"highest":{"<policy_id>":[epoch,version,"sha256"]},"last_trusted_time":"..."|null}.
// Errors: kInvalidArgument naming the bad member.
Result<PolicyState> PolicyStateFromJson(const boost::json::value& json);
boost::json::value PolicyStateToJson(const PolicyState& state);

}  // namespace bulwark::bundle

#endif  // BULWARK_POLICY_BUNDLE_VERIFIER_H_
