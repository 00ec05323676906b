// AgentState: the agent's policy state database (`state.db`, SIGNED-BUNDLES.md "Agent state
// (SQLite)"): the verified trust-root chain, the highest accepted bundle per policy stream
// (its envelope is the last-known-good), the trusted clock, and the policy event log that is
// reported upstream exactly once.
//
// Durability: `journal_mode=WAL` + `synchronous=FULL`, so a committed transaction survives power
// loss (NORMAL could silently undo a version bump). Every write is one transaction; accepting a
// bundle (policy_state + agent_clock) is a single transaction, committed before the caller
// activates the bundle. The schema's triggers are defence in depth behind the verifier: the
// database itself refuses a policy rollback and a gap in the root chain, even if a caller skipped
// the C++ checks. They are re-created at every Open should someone have dropped them.
//
// Schema: exactly the one of SIGNED-BUNDLES.md, plus `policy_events.id` (AUTOINCREMENT, never
// reused) and `policy_events.reported` (0/1). Migrations are numbered by PRAGMA user_version;
// a file from a newer agent (user_version above ours) is refused with kFailedPrecondition.
//
// File: created 0600 (and tightened to 0600 if it is wider); SQLite gives its -wal and -shm
// files the database file's mode. The caller owns the directory (0700 on Linux, protected DACL
// on Windows — see SIGNED-BUNDLES.md; that is platform code).
//
// Errors: one line naming the database path, e.g.
//   "state db /var/lib/bulwark/state.db: store accepted policy: policy rollback".
// Codes: kUnavailable (busy/locked/I/O), kDataLoss (corrupt file or stored row that no longer
// parses/verifies), kFailedPrecondition (not a database, newer schema, a trigger or constraint
// refused the write, invalid anchor), kInvalidArgument (caller passed inconsistent values),
// kResourceExhausted (disk full), kPermissionDenied.
//
// Thread-safety: all methods may be called from several threads; calls are serialised on one
// connection. One process should own the file (SQLite's locking keeps others consistent).
#ifndef BULWARK_AGENT_STATE_AGENT_STATE_H_
#define BULWARK_AGENT_STATE_AGENT_STATE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "agent/base/time_util.h"
#include "policy/bundle/trust_root.h"
#include "policy/bundle/verifier.h"

namespace bulwark::state {

struct AgentStateOptions {
  // policy_events keeps at most this many rows; appending past it deletes the oldest rows
  // (reported or not) so an agent that cannot report for months does not grow without bound.
  // Values below 1 mean 1.
  std::size_t max_events = 10000;
  // How long a call waits for another connection's lock before kUnavailable.
  int busy_timeout_ms = 5000;
};

// One policy_state row: the highest accepted bundle of a stream, i.e. its last-known-good.
struct StoredPolicy {
  std::string policy_id;
  std::uint64_t epoch = 0;
  std::uint64_t version = 0;
  std::string payload_sha256;
  SystemTime issued_at;
  SystemTime expires;
  std::string envelope;  // exact bytes as verified; re-verify before use
  std::uint64_t root_version = 0;
  SystemTime accepted_at;
};

// One policy_events row. epoch/version/payload_sha256 describe the bundle the event is about;
// for a rejected bundle they are what it *claims* (unverified), absent when unreadable.
struct PolicyEvent {
  std::int64_t id = 0;  // assigned by AppendEvent; strictly increasing, never reused
  SystemTime ts;
  std::string policy_id;
  std::optional<std::uint64_t> epoch;
  std::optional<std::uint64_t> version;
  std::string payload_sha256;  // empty when unknown
  std::string outcome;         // "accept" | "noop" | "reject" | "blocked" | "fetch_failed" | ...
  std::string reason;          // reason code ("E_ROLLBACK"), an error line, or empty
};

class AgentState {
 public:
  // Opens (creating if missing, mode 0600) the database at `path` and migrates its schema.
  static Result<std::unique_ptr<AgentState>> Open(const std::string& path,
                                                  const AgentStateOptions& options = {});
  ~AgentState();
  AgentState(const AgentState&) = delete;
  AgentState& operator=(const AgentState&) = delete;

  const std::string& path() const { return path_; }
  // True when Open created the file (the service raises STATE_RESET if the install marker
  // says this agent was already enrolled).
  bool created() const { return created_; }

  // --- Trust roots ---------------------------------------------------------------------------

  // The root to start a cycle from: max(newest root in the database, `anchor_envelope`) by
  // version, ties going to the database. The anchor (installer-shipped root file) must pass
  // bundle::LoadTrustedRoot (else kFailedPrecondition naming the reason code). When the anchor
  // wins (empty database, or an upgrade shipped a newer root) it becomes the base of the stored
  // chain: older rows are replaced by it in one transaction, so later hops chain from it. A
  // stored root that no longer loads is kDataLoss.
  Result<bundle::TrustRoot> CurrentRoot(std::string_view anchor_envelope, SystemTime accepted_at);

  // R5: stores a root verified by the walk, in its own transaction. The trigger refuses any
  // version other than max + 1 (kFailedPrecondition).
  Status PersistRoot(const bundle::TrustRoot& root, SystemTime accepted_at);

  // The stored root `version`, loaded with bundle::LoadTrustedRoot; nullopt when not stored.
  Result<std::optional<bundle::TrustRoot>> StoredRoot(std::uint64_t version);

  // Versions of all stored roots, ascending (for tests and diagnostics).
  Result<std::vector<std::uint64_t>> StoredRootVersions();

  // --- Policy state --------------------------------------------------------------------------

  // The verifier's input: (epoch, version, sha256) per policy_id and the last trusted time.
  Result<bundle::PolicyState> LoadPolicyState();

  // P12: upserts the stream's policy_state row from `policy` and advances agent_clock to
  // `state.last_trusted_time` (never backwards), in ONE transaction. `state` must be
  // bundle::ApplyAccepted's result for `policy` (else kInvalidArgument). A version that does not
  // increase within the epoch, or a lower epoch, is refused by the trigger (kFailedPrecondition,
  // "policy rollback") and nothing is written.
  Status PersistAccepted(const bundle::VerifiedPolicy& policy, const bundle::PolicyState& state,
                         SystemTime accepted_at);

  // The stored last-known-good of `policy_id`, nullopt when none was accepted.
  Result<std::optional<StoredPolicy>> LastKnownGood(std::string_view policy_id);

  // The most recently accepted stream's last-known-good (the agent's current stream).
  Result<std::optional<StoredPolicy>> LatestPolicy();

  // --- Policy events -------------------------------------------------------------------------

  // Appends one event (its `id` is ignored) and returns the id it got.
  Result<std::int64_t> AppendEvent(const PolicyEvent& event);

  // Up to `limit` events not yet reported, oldest first.
  Result<std::vector<PolicyEvent>> UnreportedEvents(std::size_t limit = 1000);

  // Marks every event with id <= `up_to_id` as reported (idempotent), so each event is handed
  // out by UnreportedEvents until the collector acknowledged it, and never after.
  Status MarkEventsReported(std::int64_t up_to_id);

  // Opaque: the SQLite connection wrapper lives in the .cc.
  class Db;

 private:
  AgentState(std::string path, bool created, const AgentStateOptions& options,
             std::unique_ptr<Db> db);

  Status Error(std::string_view what, const Status& cause) const;
  Result<std::optional<StoredPolicy>> SelectPolicy(std::string_view where_and_order,
                                                   std::string_view policy_id);

  const std::string path_;
  const bool created_;
  const AgentStateOptions options_;
  std::mutex mu_;  // serialises every call on db_
  std::unique_ptr<Db> db_;
};

}  // namespace bulwark::state

#endif  // BULWARK_AGENT_STATE_AGENT_STATE_H_
