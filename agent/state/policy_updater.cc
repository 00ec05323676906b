#include "agent/state/policy_updater.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <utility>

#include "policy/bundle/dsse.h"
#include "policy/bundle/keys.h"
#include "policy/bundle/strict_base64.h"
#include "policy/bundle/trust_root.h"

namespace bulwark::state {
namespace {

using bundle::CycleOutcome;
using bundle::Reason;
using bundle::Reject;

// What a bundle that failed verification *claims* to be, for the event log only: nothing here
// is trusted. Fields stay empty when the envelope or payload does not parse.
PolicyEvent ClaimedEvent(std::string_view envelope) {
  PolicyEvent event;
  auto parsed = bundle::ParseEnvelope(envelope, bundle::kMaxPolicyEnvelopeBytes);
  if (!parsed.ok()) return event;
  Result<std::string> body = bundle::DecodeStrictBase64(parsed->payload_base64);
  if (!body.ok()) return event;
  event.payload_sha256 = bundle::Sha256Hex(*body);
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(*body, ec);
  if (ec || !doc.is_object()) return event;
  const boost::json::object& obj = doc.get_object();
  auto number = [&obj](std::string_view key) -> std::optional<std::uint64_t> {
    const boost::json::value* v = obj.if_contains(key);
    if (v == nullptr) return std::nullopt;
    if (v->is_uint64()) return v->get_uint64();
    if (v->is_int64() && v->get_int64() >= 0) return static_cast<std::uint64_t>(v->get_int64());
    return std::nullopt;
  };
  event.epoch = number("epoch");
  event.version = number("version");
  if (const boost::json::value* id = obj.if_contains("policy_id"); id && id->is_string()) {
    event.policy_id = std::string(id->get_string());
  }
  return event;
}

PolicyEvent VerifiedEvent(const bundle::VerifiedPolicy& policy) {
  PolicyEvent event;
  event.policy_id = policy.payload.policy_id;
  event.epoch = policy.payload.epoch;
  event.version = policy.payload.version;
  event.payload_sha256 = policy.sha256;
  return event;
}

// The walk is done before RunUpdateCycle (so each root is persisted as it is verified); the
// verifier then gets a source with nothing newer and applies R6 itself.
class NoNewerRoots final : public bundle::RootSource {
 public:
  Result<std::string> FetchRoot(std::uint64_t version) override {
    return NotFoundError("root v" + std::to_string(version) + " (walk already done)");
  }
};

}  // namespace

struct PolicyUpdater::Walk {
  bundle::TrustRoot root;                  // the last verified (and persisted) root
  std::optional<bundle::Rejection> error;  // the hop that failed (R1-R4)
  Status store_error;                      // persisting a verified root failed
};

PolicyUpdater::PolicyUpdater(AgentState& state, PolicyFetcher& fetcher, std::string anchor_envelope,
                             PolicyUpdaterOptions options)
    : state_(state),
      fetcher_(fetcher),
      anchor_(std::move(anchor_envelope)),
      options_(std::move(options)) {}

PolicyUpdater::Walk PolicyUpdater::WalkRoots(const bundle::TrustRoot& start, SystemTime now) {
  Walk walk;
  walk.root = start;
  for (std::size_t hop = 0; hop < options_.verifier.max_root_hops; ++hop) {
    const std::uint64_t wanted = walk.root.version + 1;
    const std::string name = "trust/" + std::to_string(wanted) + ".root.json: ";
    Result<std::string> bytes = fetcher_.FetchRoot(wanted);
    if (!bytes.ok()) {
      if (bytes.status().code() == StatusCode::kNotFound) break;
      walk.error = Reject(Reason::kRootFetch, name + bytes.status().ToString());
      return walk;
    }
    bundle::Checked<bundle::TrustRoot> next = bundle::VerifyNextRoot(walk.root, *bytes);
    if (!next.ok()) {
      bundle::Rejection r = next.error();
      r.detail = name + r.detail;
      walk.error = std::move(r);
      return walk;
    }
    // R5: persisted before it is used for anything.
    walk.store_error = state_.PersistRoot(*next, now);
    if (!walk.store_error.ok()) return walk;
    walk.root = std::move(next).value();
  }
  return walk;
}

void PolicyUpdater::Record(SystemTime now, UpdateOutcome& out, const PolicyEvent& event) {
  PolicyEvent e = event;
  e.ts = now;
  Result<std::int64_t> id = state_.AppendEvent(e);
  if (!id.ok() && out.event_error.ok()) out.event_error = id.status();
}

Status PolicyUpdater::LoadLastKnownGood(const bundle::TrustRoot& current, SystemTime now,
                                        UpdateOutcome& out) {
  ASSIGN_OR_RETURN(std::optional<StoredPolicy> stored,
                   options_.policy_id.empty() ? state_.LatestPolicy()
                                              : state_.LastKnownGood(options_.policy_id));
  if (!stored) return Status();
  // Re-verify against the root the bundle was accepted under (a later root may have rotated
  // the policy keys or bumped the epoch); the current one when that root is no longer stored.
  bundle::TrustRoot root = current;
  if (stored->root_version != current.version) {
    Result<std::optional<bundle::TrustRoot>> then = state_.StoredRoot(stored->root_version);
    if (then.ok() && then->has_value()) root = std::move(**then);
  }
  const bundle::AgentIdentity identity{options_.org_id.empty() ? root.org_id : options_.org_id,
                                       stored->policy_id, options_.platform};
  bundle::Checked<bundle::VerifiedPolicy> verified =
      bundle::ReverifyStoredBundle(root, identity, stored->envelope, options_.verifier);
  std::optional<bundle::Rejection> rejection;
  if (!verified.ok()) {
    rejection = verified.error();
  } else if (verified->sha256 != stored->payload_sha256 ||
             verified->payload.epoch != stored->epoch ||
             verified->payload.version != stored->version) {
    // A validly signed envelope that is not the one the state row records: someone swapped it.
    rejection =
        Reject(Reason::kEquivocation,
               "stored envelope is epoch " + std::to_string(verified->payload.epoch) + " v" +
                   std::to_string(verified->payload.version) + " sha256 " + verified->sha256 +
                   ", the stored state says epoch " + std::to_string(stored->epoch) + " v" +
                   std::to_string(stored->version) + " sha256 " + stored->payload_sha256);
  }
  if (!rejection) {
    active_ = std::make_shared<const bundle::VerifiedPolicy>(std::move(verified).value());
    return Status();
  }
  PolicyEvent event;
  event.policy_id = stored->policy_id;
  event.epoch = stored->epoch;
  event.version = stored->version;
  event.payload_sha256 = stored->payload_sha256;
  event.outcome = "reverify_failed";
  event.reason = std::string(bundle::ReasonCode(rejection->reason));
  Record(now, out, event);
  out.stored_rejection = std::move(rejection);
  return Status();
}

UpdateOutcome PolicyUpdater::RunCycle(SystemTime system_now) {
  UpdateOutcome out;
  const std::shared_ptr<const bundle::VerifiedPolicy> before = active_;
  auto finish = [&]() -> UpdateOutcome {
    out.active = active_;
    out.changed = active_ != before;
    out.etag = etag_;
    return std::move(out);
  };
  auto fail = [&](Status error) -> UpdateOutcome {
    out.outcome = "error";
    out.error = std::move(error);
    return finish();
  };

  Result<bundle::PolicyState> state = state_.LoadPolicyState();
  if (!state.ok()) return fail(state.status());
  // C1: one `now` for the whole cycle (RunUpdateCycle derives the same value).
  const SystemTime now = bundle::EffectiveNow(system_now, *state);
  Result<bundle::TrustRoot> root = state_.CurrentRoot(anchor_, now);
  if (!root.ok()) return fail(root.status());
  out.root_version = root->version;

  if (!started_) {
    started_ = true;
    if (Status s = LoadLastKnownGood(*root, now, out); !s.ok()) return fail(s);
  }
  const std::string active_id = active_ ? active_->payload.policy_id : "";

  // R1-R5
  Walk walk = WalkRoots(*root, now);
  out.root_version = walk.root.version;
  if (!walk.store_error.ok()) return fail(walk.store_error);
  // R6 before anything is downloaded: an expired root freezes the cycle.
  if (!walk.error && walk.root.expires <= now) {
    walk.error =
        Reject(Reason::kRootExpired, "root v" + std::to_string(walk.root.version) + " expired at " +
                                         FormatRfc3339(walk.root.expires));
  }
  if (walk.error) {
    out.outcome = "blocked";
    out.cycle = CycleOutcome::kBlocked;
    out.rejection = walk.error;
    PolicyEvent event;
    event.policy_id = active_id;
    event.outcome = out.outcome;
    event.reason = std::string(bundle::ReasonCode(walk.error->reason));
    Record(now, out, event);
    return finish();
  }

  // P1: the fetch. A network failure is not a verdict on any bundle.
  Result<PolicyFetcher::FetchedPolicy> fetched = fetcher_.FetchPolicy(etag_);
  if (fetched.ok() && fetched->not_modified && !active_) {
    etag_.clear();  // the next cycle asks for the full body
    fetched = UnavailableError("304 Not Modified but no last-known-good policy is active");
  }
  if (!fetched.ok()) {
    out.outcome = "fetch_failed";
    out.error = fetched.status();
    PolicyEvent event;
    event.policy_id = active_id;
    event.outcome = out.outcome;
    event.reason = fetched.status().ToString();
    Record(now, out, event);
    return finish();
  }
  out.not_modified = fetched->not_modified;
  // 304: the collector still serves what we hold; re-evaluate it (expiry, root changes).
  const std::string& envelope = fetched->not_modified ? active_->envelope : fetched->envelope;
  std::string policy_id = options_.policy_id;
  if (policy_id.empty()) {
    policy_id = fetched->not_modified ? active_id : bundle::ClaimedPolicyId(envelope);
    if (policy_id.empty()) policy_id = active_id;
  }

  // P1-P11 (+ R6 again, and the in-memory P12). The verifier enforces the 1 MiB cap (E_SIZE)
  // before parsing anything.
  const bundle::AgentIdentity identity{options_.org_id.empty() ? walk.root.org_id : options_.org_id,
                                       policy_id, options_.platform};
  NoNewerRoots no_newer_roots;
  bundle::CycleResult result = bundle::RunUpdateCycle(walk.root, *state, identity, system_now,
                                                      no_newer_roots, envelope, options_.verifier);
  out.cycle = result.outcome;
  out.outcome = std::string(bundle::CycleOutcomeName(result.outcome));
  out.root_version = result.root_version;
  out.rejection = result.rejection;

  PolicyEvent event;
  switch (result.outcome) {
    case CycleOutcome::kAccept: {
      // P12: committed before the bundle becomes active.
      if (Status s = state_.PersistAccepted(*result.policy, result.state, now); !s.ok()) {
        return fail(s);
      }
      event = VerifiedEvent(*result.policy);
      active_ = std::make_shared<const bundle::VerifiedPolicy>(std::move(*result.policy));
      if (!fetched->not_modified) etag_ = fetched->etag;
      break;
    }
    case CycleOutcome::kNoop:
      event = VerifiedEvent(*result.policy);
      if (!active_ || active_->sha256 != result.policy->sha256) {
        active_ = std::make_shared<const bundle::VerifiedPolicy>(std::move(*result.policy));
      }
      if (!fetched->not_modified) etag_ = fetched->etag;
      break;
    case CycleOutcome::kReject:
      // The etag is not kept: the same bytes are fetched and judged again next cycle (a bundle
      // that is not yet valid may become valid; a refused one is reported every cycle).
      event = ClaimedEvent(envelope);
      if (event.policy_id.empty()) event.policy_id = policy_id;
      break;
    case CycleOutcome::kBlocked:
      event.policy_id = active_id;
      break;
  }
  event.outcome = out.outcome;
  if (result.rejection) event.reason = std::string(bundle::ReasonCode(result.rejection->reason));
  Record(now, out, event);
  return finish();
}

}  // namespace bulwark::state
