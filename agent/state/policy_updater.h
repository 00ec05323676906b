// PolicyUpdater: one policy update cycle of the agent (SIGNED-BUNDLES.md "Download rules" and
// "Verification algorithm"), wiring the pure verifier (policy/bundle/verifier.h) to the state
// database (AgentState) and the network (PolicyFetcher).
//
// A cycle, at one `now` (C1: max(system time, last trusted time)):
//   1. Start from AgentState::CurrentRoot(anchor) and walk trust/<N+1>.root.json until 404
//      (at most VerifierOptions::max_root_hops); each verified root is persisted in its own
//      transaction as soon as it is verified (R5), so a failing later hop keeps the earlier ones.
//      R6 (an expired root) blocks the cycle before the policy is downloaded.
//   2. Fetch the policy with If-None-Match. 304 re-evaluates the active last-known-good; a body
//      over 1 MiB is rejected E_SIZE. The agent identity is (options' org_id or the root's,
//      options' policy_id or the one the envelope claims — the active one on 304 —, platform).
//   3. bundle::RunUpdateCycle. On accept the bundle and the new state are committed in one
//      transaction (P12) BEFORE it is returned as active. On reject/blocked the last-known-good
//      stays active. A fetch error is not a rejection: last-known-good stays, outcome
//      "fetch_failed".
//   4. Every cycle appends one policy_events row (reported upstream by the service).
// The first cycle after construction also re-verifies the stored last-known-good against the
// root it was accepted under (P1-P8 + P11; bundle::ReverifyStoredBundle) before trusting it; a
// stored envelope that fails (local corruption or tampering) is dropped — no active policy
// until a new bundle is accepted — and recorded as outcome "reverify_failed".
//
// Ownership: borrows the AgentState and PolicyFetcher, which must outlive the updater.
// Thread-safety: not thread-safe; one thread runs the cycles.
#ifndef BULWARK_AGENT_STATE_POLICY_UPDATER_H_
#define BULWARK_AGENT_STATE_POLICY_UPDATER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "agent/base/status.h"
#include "agent/base/time_util.h"
#include "agent/state/agent_state.h"
#include "policy/bundle/reason.h"
#include "policy/bundle/verifier.h"

namespace bulwark::state {

// Where the updater gets roots and bundles. The agent implements it over HTTPS to the
// collector (GET /api/v1/trust/<N>.root.json, GET /api/v1/policy with If-None-Match), reading
// bodies with hard caps (64 KiB root, 1 MiB policy; Content-Length is not trusted). Tests fake it.
class PolicyFetcher {
 public:
  virtual ~PolicyFetcher() = default;

  // The bytes of trust root `version`; kNotFound when not published (HTTP 404). Any other error
  // blocks the cycle (E_ROOT_FETCH).
  virtual Result<std::string> FetchRoot(std::uint64_t version) = 0;

  struct FetchedPolicy {
    bool not_modified = false;  // HTTP 304 for the ETag sent
    std::string envelope;       // the body (empty on 304)
    std::string etag;           // the response's ETag ("" when none)
  };
  // The current bundle for this device. `if_none_match` is "" or the ETag returned before.
  // Any error (network, HTTP 5xx, ...) makes the cycle "fetch_failed".
  virtual Result<FetchedPolicy> FetchPolicy(const std::string& if_none_match) = 0;
};

struct PolicyUpdaterOptions {
  std::string platform;  // "linux" | "windows"
  // The agent's enrolled org. Empty: the trust root's org_id (the anchor pins the org anyway).
  std::string org_id;
  // The agent's assigned policy stream. Set it when enrolment provides one: a bundle for any
  // other stream is then refused E_AUDIENCE (mix-and-match, case D10). Empty: the stream the
  // served envelope claims (bundle::ClaimedPolicyId), i.e. the collector picks the stream —
  // every bundle must still be signed for this org, epoch and platform.
  std::string policy_id;
  bundle::VerifierOptions verifier;
};

struct UpdateOutcome {
  // The policy to enforce after this cycle: null before the first accept (or after the stored
  // one failed re-verification). Immutable; share it freely.
  std::shared_ptr<const bundle::VerifiedPolicy> active;
  bool changed = false;  // `active` differs from the previous cycle's (including null -> some)

  // The policy_events outcome: "accept" | "noop" | "reject" | "blocked" | "fetch_failed" |
  // "error" (the state database failed; nothing was activated).
  std::string outcome;
  std::optional<bundle::CycleOutcome> cycle;   // set when the verifier ran
  std::optional<bundle::Rejection> rejection;  // reject / blocked: the reason code and detail
  // Set when the stored last-known-good failed start-up re-verification this cycle.
  std::optional<bundle::Rejection> stored_rejection;
  Status error;        // fetch_failed: the fetch error; "error": the state database error
  Status event_error;  // appending the policy_events row failed (the cycle's result stands)

  std::uint64_t root_version = 0;  // trust root after the cycle (0 if none could be loaded)
  bool not_modified = false;       // the collector answered 304
  std::string etag;                // If-None-Match for the next cycle
};

class PolicyUpdater {
 public:
  // `anchor_envelope`: the installer-shipped trust root file's bytes.
  PolicyUpdater(AgentState& state, PolicyFetcher& fetcher, std::string anchor_envelope,
                PolicyUpdaterOptions options);

  // One cycle at `system_now` (the system's UTC clock; the cycle uses C1's effective now).
  UpdateOutcome RunCycle(SystemTime system_now);

  // The policy currently enforced (same as the last outcome's `active`).
  std::shared_ptr<const bundle::VerifiedPolicy> active() const { return active_; }

 private:
  struct Walk;
  Walk WalkRoots(const bundle::TrustRoot& start, SystemTime now);
  // Loads and re-verifies the stored last-known-good (first cycle only).
  Status LoadLastKnownGood(const bundle::TrustRoot& current, SystemTime now, UpdateOutcome& out);
  // Appends `event` at `now`; a failure lands in out.event_error.
  void Record(SystemTime now, UpdateOutcome& out, const PolicyEvent& event);

  AgentState& state_;
  PolicyFetcher& fetcher_;
  const std::string anchor_;
  const PolicyUpdaterOptions options_;

  bool started_ = false;
  std::shared_ptr<const bundle::VerifiedPolicy> active_;
  std::string etag_;
};

}  // namespace bulwark::state

#endif  // BULWARK_AGENT_STATE_POLICY_UPDATER_H_
