#include "agent/state/policy_updater.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>
#include <string>
#include <vector>

#include "tests/testing/signed_policy.h"
#include "tests/testing/temp_dir.h"

namespace bulwark::state {
namespace {

using bundle::CycleOutcome;
using bundle::Reason;

SystemTime T(std::string_view text) { return ParseRfc3339(text).value(); }

const SystemTime kNow = T("2026-06-15T00:00:00Z");

// The collector as the updater sees it: roots by version (missing = 404) and one policy
// response, with a log of what was asked.
class FakeFetcher : public PolicyFetcher {
 public:
  Result<std::string> FetchRoot(std::uint64_t version) override {
    root_requests.push_back(version);
    auto it = roots.find(version);
    if (it == roots.end()) return NotFoundError("404 trust/" + std::to_string(version));
    return it->second;
  }
  Result<FetchedPolicy> FetchPolicy(const std::string& if_none_match) override {
    if_none_match_seen.push_back(if_none_match);
    if (!policy_error.ok()) return policy_error;
    if (always_not_modified || (!if_none_match.empty() && if_none_match == etag)) {
      return FetchedPolicy{.not_modified = true, .envelope = "", .etag = etag};
    }
    return FetchedPolicy{.not_modified = false, .envelope = envelope, .etag = etag};
  }

  // Serves `bundle` with ETag `tag` from now on.
  void Serve(std::string bundle, std::string tag) {
    envelope = std::move(bundle);
    etag = std::move(tag);
    policy_error = Status();
  }

  std::map<std::uint64_t, Result<std::string>> roots;
  std::string envelope;
  std::string etag;
  Status policy_error;
  bool always_not_modified = false;  // a confused or hostile collector
  std::vector<std::uint64_t> root_requests;
  std::vector<std::string> if_none_match_seen;
};

std::string RawSql(const std::string& path, const std::string& sql, const std::string& blob = "") {
  sqlite3* db = nullptr;
  std::string message;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return "cannot open";
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    message = sqlite3_errmsg(db);
  } else {
    if (!blob.empty()) {
      sqlite3_bind_blob(stmt, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
    }
    if (sqlite3_step(stmt) != SQLITE_DONE) message = sqlite3_errmsg(db);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return message;
}

// Flips one character in the middle of the envelope's base64 payload (still valid base64, so
// only the signatures can tell).
std::string TamperPayload(const std::string& envelope) {
  boost::json::object env = boost::json::parse(envelope).as_object();
  std::string payload(env["payload"].as_string());
  char& c = payload[payload.size() / 2];
  c = c == 'A' ? 'B' : 'A';
  env["payload"] = payload;
  return boost::json::serialize(env);
}

class PolicyUpdaterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    anchor_ = org_.Root(1);
    Reopen();
  }

  // A fresh process: reopens the database and builds a new updater with `anchor_`.
  void Reopen(PolicyUpdaterOptions options = {
                  .platform = "linux", .org_id = "", .policy_id = "", .verifier = {}}) {
    updater_.reset();
    state_.reset();
    auto state = AgentState::Open(dir_.Join("state.db"));
    ASSERT_TRUE(state.ok()) << state.status().ToString();
    state_ = std::move(state).value();
    updater_ = std::make_unique<PolicyUpdater>(*state_, fetcher_, anchor_, std::move(options));
  }

  std::string Bundle(std::uint64_t version, SystemTime now = kNow) {
    return org_.Sign(org_.Policy("baseline", version, now));
  }

  std::vector<PolicyEvent> Events() { return state_->UnreportedEvents().value(); }

  testing::TempDir dir_;
  testing::SignedPolicyFixture org_;
  std::string anchor_;
  FakeFetcher fetcher_;
  std::unique_ptr<AgentState> state_;
  std::unique_ptr<PolicyUpdater> updater_;
};

TEST_F(PolicyUpdaterTest, FirstAcceptIsPersistedAndSurvivesReopen) {
  fetcher_.Serve(Bundle(1), "\"e1\"");
  UpdateOutcome out = updater_->RunCycle(kNow);
  EXPECT_EQ(out.outcome, "accept");
  EXPECT_EQ(out.cycle, CycleOutcome::kAccept);
  ASSERT_NE(out.active, nullptr);
  EXPECT_EQ(out.active->payload.version, 1u);
  EXPECT_TRUE(out.changed);
  EXPECT_EQ(out.root_version, 1u);
  EXPECT_EQ(out.etag, "\"e1\"");
  EXPECT_TRUE(out.error.ok());
  EXPECT_EQ(state_->LoadPolicyState().value().highest.at("baseline").version, 1u);
  ASSERT_EQ(Events().size(), 1u);
  EXPECT_EQ(Events()[0].outcome, "accept");
  EXPECT_EQ(Events()[0].version, 1u);
  EXPECT_EQ(Events()[0].payload_sha256, out.active->sha256);

  // Restart while the collector is unreachable: the stored bundle is re-verified and enforced.
  Reopen();
  fetcher_.policy_error = UnavailableError("connection refused");
  out = updater_->RunCycle(kNow + std::chrono::hours(1));
  EXPECT_EQ(out.outcome, "fetch_failed");
  EXPECT_FALSE(out.cycle.has_value());
  EXPECT_EQ(out.error.code(), StatusCode::kUnavailable);
  ASSERT_NE(out.active, nullptr);
  EXPECT_EQ(out.active->payload.version, 1u);
  EXPECT_TRUE(out.changed);  // nothing was active in this process before
  EXPECT_FALSE(out.stored_rejection.has_value());
  EXPECT_EQ(fetcher_.if_none_match_seen.back(), "");  // ETags do not outlive the process
  ASSERT_EQ(Events().size(), 2u);
  EXPECT_EQ(Events()[1].outcome, "fetch_failed");
  EXPECT_NE(Events()[1].reason.find("connection refused"), std::string::npos);
  EXPECT_EQ(Events()[1].policy_id, "baseline");
}

TEST_F(PolicyUpdaterTest, NewerVersionIsAccepted) {
  fetcher_.Serve(Bundle(1), "e1");
  ASSERT_EQ(updater_->RunCycle(kNow).outcome, "accept");
  fetcher_.Serve(Bundle(5), "e5");
  UpdateOutcome out = updater_->RunCycle(kNow + std::chrono::minutes(15));
  EXPECT_EQ(out.outcome, "accept");
  EXPECT_TRUE(out.changed);
  EXPECT_EQ(out.active->payload.version, 5u);
  EXPECT_EQ(out.etag, "e5");
  EXPECT_EQ(fetcher_.if_none_match_seen.back(), "e1");
  EXPECT_EQ(state_->LastKnownGood("baseline").value()->version, 5u);
}

TEST_F(PolicyUpdaterTest, RollbackIsRefusedRecordedAndLastKnownGoodStays) {
  fetcher_.Serve(Bundle(5), "e5");
  ASSERT_EQ(updater_->RunCycle(kNow).outcome, "accept");
  const bundle::PolicyState before = state_->LoadPolicyState().value();

  fetcher_.Serve(Bundle(3), "e3");
  UpdateOutcome out = updater_->RunCycle(kNow + std::chrono::minutes(15));
  EXPECT_EQ(out.outcome, "reject");
  EXPECT_EQ(out.cycle, CycleOutcome::kReject);
  ASSERT_TRUE(out.rejection.has_value());
  EXPECT_EQ(out.rejection->reason, Reason::kRollback);
  ASSERT_NE(out.active, nullptr);
  EXPECT_EQ(out.active->payload.version, 5u);
  EXPECT_FALSE(out.changed);
  EXPECT_EQ(out.etag, "e5");  // the refused bundle's ETag is not kept
  EXPECT_EQ(state_->LoadPolicyState().value(), before);
  EXPECT_EQ(state_->LastKnownGood("baseline").value()->version, 5u);

  const std::vector<PolicyEvent> events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].outcome, "reject");
  EXPECT_EQ(events[1].reason, "E_ROLLBACK");
  EXPECT_EQ(events[1].policy_id, "baseline");
  EXPECT_EQ(events[1].version, 3u);  // what the refused bundle claimed
  EXPECT_EQ(events[1].epoch, 1u);
}

TEST_F(PolicyUpdaterTest, OversizedPolicyIsRejectedWithESize) {
  fetcher_.Serve(Bundle(1), "e1");
  ASSERT_EQ(updater_->RunCycle(kNow).outcome, "accept");
  fetcher_.Serve(std::string(bundle::kMaxPolicyEnvelopeBytes + 1, ' '), "big");
  UpdateOutcome out = updater_->RunCycle(kNow);
  EXPECT_EQ(out.outcome, "reject");
  ASSERT_TRUE(out.rejection.has_value());
  EXPECT_EQ(out.rejection->reason, Reason::kSize);
  EXPECT_EQ(out.active->payload.version, 1u);
  EXPECT_EQ(Events().back().reason, "E_SIZE");
}

TEST_F(PolicyUpdaterTest, RootRotationIsPersistedHopByHop) {
  fetcher_.roots.emplace(2, org_.Root(2));
  fetcher_.roots.emplace(3, org_.Root(3));
  fetcher_.Serve(Bundle(1), "e1");
  UpdateOutcome out = updater_->RunCycle(kNow);
  EXPECT_EQ(out.outcome, "accept");
  EXPECT_EQ(out.root_version, 3u);
  EXPECT_EQ(out.active->root_version, 3u);
  EXPECT_EQ(fetcher_.root_requests, (std::vector<std::uint64_t>{2, 3, 4}));
  EXPECT_EQ(state_->StoredRootVersions().value(), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(state_->LastKnownGood("baseline").value()->root_version, 3u);

  // The next process starts from the stored root v3, not the v1 anchor.
  Reopen();
  fetcher_.root_requests.clear();
  out = updater_->RunCycle(kNow);
  EXPECT_EQ(out.outcome, "noop");
  EXPECT_EQ(out.root_version, 3u);
  EXPECT_EQ(fetcher_.root_requests, (std::vector<std::uint64_t>{4}));
}

TEST_F(PolicyUpdaterTest, FailingHopKeepsTheRootsVerifiedBeforeIt) {
  fetcher_.Serve(Bundle(1), "e1");
  ASSERT_EQ(updater_->RunCycle(kNow).outcome, "accept");
  // Root 3 signed by someone else's root keys (same org id).
  testing::SignedPolicyFixture attacker;
  attacker.Root(2);
  fetcher_.roots.emplace(2, org_.Root(2));
  fetcher_.roots.emplace(3, attacker.Root(3));
  fetcher_.Serve(Bundle(2), "e2");
  const std::size_t policy_fetches = fetcher_.if_none_match_seen.size();

  UpdateOutcome out = updater_->RunCycle(kNow);
  EXPECT_EQ(out.outcome, "blocked");
  EXPECT_EQ(out.cycle, CycleOutcome::kBlocked);
  ASSERT_TRUE(out.rejection.has_value());
  EXPECT_EQ(out.rejection->reason, Reason::kRootSigOld);
  EXPECT_EQ(out.root_version, 2u);
  EXPECT_EQ(state_->StoredRootVersions().value(), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(fetcher_.if_none_match_seen.size(), policy_fetches);  // policy not fetched
  ASSERT_NE(out.active, nullptr);
  EXPECT_EQ(out.active->payload.version, 1u);
  EXPECT_EQ(Events().back().outcome, "blocked");
  EXPECT_EQ(Events().back().reason, "E_ROOT_SIG_OLD");

  // A transport error on a root is E_ROOT_FETCH, also blocking.
  fetcher_.roots.erase(3);
  fetcher_.roots.emplace(3, UnavailableError("timeout"));
  out = updater_->RunCycle(kNow);
  EXPECT_EQ(out.outcome, "blocked");
  EXPECT_EQ(out.rejection->reason, Reason::kRootFetch);
  EXPECT_EQ(out.root_version, 2u);
}

TEST_F(PolicyUpdaterTest, ExpiredRootBlocksAndKeepsLastKnownGood) {
  fetcher_.Serve(Bundle(1), "e1");
  ASSERT_EQ(updater_->RunCycle(kNow).outcome, "accept");
  const std::size_t policy_fetches = fetcher_.if_none_match_seen.size();
  // The fixture's roots expire 2035-01-01.
  UpdateOutcome out = updater_->RunCycle(T("2035-06-01T00:00:00Z"));
  EXPECT_EQ(out.outcome, "blocked");
  ASSERT_TRUE(out.rejection.has_value());
  EXPECT_EQ(out.rejection->reason, Reason::kRootExpired);
  EXPECT_EQ(fetcher_.if_none_match_seen.size(), policy_fetches);  // frozen before the download
  ASSERT_NE(out.active, nullptr);
  EXPECT_EQ(out.active->payload.version, 1u);
  EXPECT_FALSE(out.changed);
  EXPECT_EQ(Events().back().outcome, "blocked");
  EXPECT_EQ(Events().back().reason, "E_ROOT_EXPIRED");
}

TEST_F(PolicyUpdaterTest, NotModifiedKeepsTheCurrentPolicy) {
  fetcher_.Serve(Bundle(1), "e1");
  UpdateOutcome first = updater_->RunCycle(kNow);
  ASSERT_EQ(first.outcome, "accept");
  UpdateOutcome out = updater_->RunCycle(kNow + std::chrono::minutes(15));
  EXPECT_EQ(fetcher_.if_none_match_seen.back(), "e1");
  EXPECT_TRUE(out.not_modified);
  EXPECT_EQ(out.outcome, "noop");
  EXPECT_FALSE(out.changed);
  EXPECT_EQ(out.active, first.active);
  EXPECT_EQ(out.etag, "e1");

  // A 304 still re-checks what is held: once it expired, it is reported (and kept).
  out = updater_->RunCycle(kNow + std::chrono::hours(24 * 31));
  EXPECT_TRUE(out.not_modified);
  EXPECT_EQ(out.outcome, "reject");
  EXPECT_EQ(out.rejection->reason, Reason::kExpired);
  EXPECT_EQ(out.active, first.active);
}

TEST_F(PolicyUpdaterTest, NotModifiedWithoutAnActivePolicyIsAFetchFailure) {
  fetcher_.always_not_modified = true;
  UpdateOutcome out = updater_->RunCycle(kNow);
  EXPECT_EQ(out.outcome, "fetch_failed");
  EXPECT_NE(out.error.message().find("304"), std::string::npos) << out.error.ToString();
  EXPECT_EQ(out.active, nullptr);
  EXPECT_EQ(out.etag, "");
  EXPECT_TRUE(state_->LoadPolicyState().value().highest.empty());
  EXPECT_EQ(Events().back().outcome, "fetch_failed");
}

TEST_F(PolicyUpdaterTest, TamperedStoredEnvelopeIsCaughtAtStart) {
  const std::string v1 = Bundle(1);
  fetcher_.Serve(v1, "e1");
  ASSERT_EQ(updater_->RunCycle(kNow).outcome, "accept");

  // Local corruption behind the agent's back (the trigger would refuse a plain UPDATE).
  const std::string path = dir_.Join("state.db");
  updater_.reset();
  state_.reset();
  ASSERT_EQ(RawSql(path, "DROP TRIGGER policy_monotonic"), "");
  ASSERT_EQ(RawSql(path, "UPDATE policy_state SET envelope = ?", TamperPayload(v1)), "");
  Reopen();

  fetcher_.policy_error = UnavailableError("connection refused");
  UpdateOutcome out = updater_->RunCycle(kNow);
  EXPECT_EQ(out.outcome, "fetch_failed");
  EXPECT_EQ(out.active, nullptr);
  ASSERT_TRUE(out.stored_rejection.has_value());
  EXPECT_EQ(out.stored_rejection->reason, Reason::kThreshold);
  const std::vector<PolicyEvent> events = Events();
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[events.size() - 2].outcome, "reverify_failed");
  EXPECT_EQ(events[events.size() - 2].reason, "E_THRESHOLD");
  EXPECT_EQ(events[events.size() - 2].version, 1u);

  // The rollback state survived the tampering: a newer bundle is accepted and becomes active.
  fetcher_.Serve(Bundle(2), "e2");
  out = updater_->RunCycle(kNow);
  EXPECT_EQ(out.outcome, "accept");
  ASSERT_NE(out.active, nullptr);
  EXPECT_EQ(out.active->payload.version, 2u);
  EXPECT_TRUE(out.changed);
}

TEST_F(PolicyUpdaterTest, SwappedStoredEnvelopeIsCaughtAtStart) {
  const std::string v1 = Bundle(1);
  fetcher_.Serve(v1, "e1");
  ASSERT_EQ(updater_->RunCycle(kNow).outcome, "accept");
  fetcher_.Serve(Bundle(2), "e2");
  ASSERT_EQ(updater_->RunCycle(kNow).outcome, "accept");

  // A validly signed but older envelope written into the v2 row (a local rollback attempt).
  const std::string path = dir_.Join("state.db");
  updater_.reset();
  state_.reset();
  ASSERT_EQ(RawSql(path, "DROP TRIGGER policy_monotonic"), "");
  ASSERT_EQ(RawSql(path, "UPDATE policy_state SET envelope = ?", v1), "");
  Reopen();
  fetcher_.policy_error = UnavailableError("down");
  UpdateOutcome out = updater_->RunCycle(kNow);
  EXPECT_EQ(out.active, nullptr);
  ASSERT_TRUE(out.stored_rejection.has_value());
  EXPECT_EQ(out.stored_rejection->reason, Reason::kEquivocation);
}

TEST_F(PolicyUpdaterTest, AnchorNewerThanTheDatabaseWins) {
  fetcher_.Serve(Bundle(1), "e1");
  ASSERT_EQ(updater_->RunCycle(kNow).outcome, "accept");
  // An upgrade ships an installer with root v2 embedded; the collector publishes no roots.
  anchor_ = org_.Root(2);
  Reopen();
  fetcher_.root_requests.clear();
  UpdateOutcome out = updater_->RunCycle(kNow);
  EXPECT_EQ(out.root_version, 2u);
  EXPECT_EQ(fetcher_.root_requests, (std::vector<std::uint64_t>{3}));
  EXPECT_EQ(out.outcome, "noop");
  // The bundle's root v1 was replaced by the anchor; it re-verifies against v2 (same keys).
  ASSERT_NE(out.active, nullptr);
  EXPECT_FALSE(out.stored_rejection.has_value());
  EXPECT_EQ(state_->StoredRootVersions().value(), (std::vector<std::uint64_t>{2}));
}

TEST_F(PolicyUpdaterTest, ConfiguredStreamRefusesAnotherStreamsBundle) {
  Reopen({.platform = "linux", .org_id = "acme-prod", .policy_id = "baseline", .verifier = {}});
  fetcher_.Serve(org_.Sign(org_.Policy("lab", 1, kNow)), "lab1");
  UpdateOutcome out = updater_->RunCycle(kNow);
  EXPECT_EQ(out.outcome, "reject");
  ASSERT_TRUE(out.rejection.has_value());
  EXPECT_EQ(out.rejection->reason, Reason::kAudience);
  EXPECT_EQ(out.active, nullptr);
  EXPECT_TRUE(state_->LoadPolicyState().value().highest.empty());
  EXPECT_EQ(Events().back().policy_id, "lab");
  EXPECT_EQ(Events().back().reason, "E_AUDIENCE");

  fetcher_.Serve(Bundle(1), "b1");
  EXPECT_EQ(updater_->RunCycle(kNow).outcome, "accept");
}

TEST_F(PolicyUpdaterTest, WrongPlatformBundleIsRefused) {
  fetcher_.Serve(org_.Sign(org_.Policy("baseline", 1, kNow, {"windows"})), "w1");
  UpdateOutcome out = updater_->RunCycle(kNow);
  EXPECT_EQ(out.outcome, "reject");
  ASSERT_TRUE(out.rejection.has_value());
  EXPECT_EQ(out.rejection->reason, Reason::kAudience);
  EXPECT_EQ(out.active, nullptr);
}

TEST_F(PolicyUpdaterTest, EventsAreReportedExactlyOnce) {
  fetcher_.Serve(Bundle(2), "e2");
  ASSERT_EQ(updater_->RunCycle(kNow).outcome, "accept");
  ASSERT_EQ(updater_->RunCycle(kNow).outcome, "noop");
  fetcher_.Serve(Bundle(1), "e1");
  ASSERT_EQ(updater_->RunCycle(kNow).outcome, "reject");

  std::vector<PolicyEvent> batch = Events();
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch[0].outcome, "accept");
  EXPECT_EQ(batch[1].outcome, "noop");
  EXPECT_EQ(batch[2].outcome, "reject");
  ASSERT_TRUE(state_->MarkEventsReported(batch.back().id).ok());
  EXPECT_TRUE(Events().empty());

  fetcher_.policy_error = UnavailableError("down");
  (void)updater_->RunCycle(kNow);
  batch = Events();
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].outcome, "fetch_failed");
}

}  // namespace
}  // namespace bulwark::state
