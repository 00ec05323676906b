#include "agent/state/agent_state.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <vector>

#include "policy/bundle/trust_root.h"
#include "policy/bundle/verifier.h"
#include "tests/testing/signed_policy.h"
#include "tests/testing/temp_dir.h"

namespace bulwark::state {
namespace {

namespace fs = std::filesystem;

SystemTime T(std::string_view text) { return ParseRfc3339(text).value(); }

const SystemTime kNow = T("2026-06-15T00:00:00Z");

// Runs `sql` on its own connection (what an attacker or a buggy tool with file access could
// do); returns "" on success, else SQLite's message.
std::string RawSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    sqlite3_close(db);
    return "cannot open";
  }
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string message = rc == SQLITE_OK ? "" : (err != nullptr ? err : "error");
  sqlite3_free(err);
  sqlite3_close(db);
  return message;
}

// The first column of the first row of `sql`, as text.
std::string RawQuery(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open(path.c_str(), &db) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return out;
}

PolicyEvent Event(std::string outcome, std::string reason = "", std::string policy_id = "") {
  PolicyEvent e;
  e.ts = kNow;
  e.outcome = std::move(outcome);
  e.reason = std::move(reason);
  e.policy_id = std::move(policy_id);
  return e;
}

unsigned Mode(const std::string& path) {
  return static_cast<unsigned>(fs::status(path).permissions() & fs::perms::mask);
}

class AgentStateTest : public ::testing::Test {
 protected:
  std::unique_ptr<AgentState> OpenState(const AgentStateOptions& options = {}) {
    auto state = AgentState::Open(path_, options);
    EXPECT_TRUE(state.ok()) << state.status().ToString();
    return state.ok() ? std::move(state).value() : nullptr;
  }

  // Verifies `envelope` as a first-time or later bundle against `root` and returns what the
  // updater would persist.
  bundle::CycleResult Verify(const bundle::TrustRoot& root, const bundle::PolicyState& state,
                             const std::string& envelope) {
    bundle::InMemoryRootSource none;
    return bundle::RunUpdateCycle(root, state, {org_.org_id(), "baseline", "linux"}, kNow, none,
                                  envelope, {});
  }

  testing::TempDir dir_;
  std::string path_ = dir_.Join("state.db");
  testing::SignedPolicyFixture org_;
};

TEST_F(AgentStateTest, OpenCreatesWalDatabaseWithMode0600) {
  auto state = OpenState();
  ASSERT_NE(state, nullptr);
  EXPECT_TRUE(state->created());
  EXPECT_EQ(Mode(path_), 0600u);
  EXPECT_EQ(RawQuery(path_, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(RawQuery(path_, "PRAGMA user_version"), "1");
  // A write creates the WAL, which SQLite gives the database file's mode.
  ASSERT_TRUE(state->AppendEvent(Event("noop")).ok());
  ASSERT_TRUE(fs::exists(path_ + "-wal"));
  EXPECT_EQ(Mode(path_ + "-wal"), 0600u);
  state.reset();
  auto again = OpenState();
  ASSERT_NE(again, nullptr);
  EXPECT_FALSE(again->created());
}

TEST_F(AgentStateTest, OpenTightensAWiderFileMode) {
  ASSERT_NE(OpenState(), nullptr);
  fs::permissions(path_, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                             fs::perms::others_read);
  ASSERT_EQ(Mode(path_), 0644u);
  ASSERT_NE(OpenState(), nullptr);
  EXPECT_EQ(Mode(path_), 0600u);
}

TEST_F(AgentStateTest, OpenRefusesAFileThatIsNotADatabaseNamingThePath) {
  dir_.WriteFile("state.db", std::string(4096, 'x'), 0600);
  auto state = AgentState::Open(path_);
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(state.status().message().find(path_), std::string::npos) << state.status().message();
  EXPECT_EQ(state.status().message().find('\n'), std::string::npos);
}

TEST_F(AgentStateTest, OpenRefusesASchemaFromANewerAgent) {
  ASSERT_NE(OpenState(), nullptr);
  ASSERT_EQ(RawSql(path_, "PRAGMA user_version=99"), "");
  auto state = AgentState::Open(path_);
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(state.status().message().find("newer"), std::string::npos);
  EXPECT_NE(state.status().message().find(path_), std::string::npos);
}

TEST_F(AgentStateTest, OpenFailsWhenTheDirectoryIsMissing) {
  auto state = AgentState::Open(dir_.Join("missing/state.db"));
  ASSERT_FALSE(state.ok());
  EXPECT_NE(state.status().message().find("missing/state.db"), std::string::npos);
}

TEST_F(AgentStateTest, CurrentRootAdoptsTheAnchorIntoAnEmptyDatabase) {
  auto state = OpenState();
  auto root = state->CurrentRoot(org_.Root(1), kNow);
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  EXPECT_EQ(root->version, 1u);
  EXPECT_EQ(state->StoredRootVersions().value(), (std::vector<std::uint64_t>{1}));
  EXPECT_TRUE(state->StoredRoot(1).value().has_value());
  EXPECT_FALSE(state->StoredRoot(2).value().has_value());
}

TEST_F(AgentStateTest, CurrentRootIsTheNewerOfDatabaseAndAnchor) {
  auto state = OpenState();
  const std::string anchor1 = org_.Root(1);
  auto r1 = state->CurrentRoot(anchor1, kNow);
  ASSERT_TRUE(r1.ok());
  auto r2 = bundle::VerifyNextRoot(*r1, org_.Root(2));
  ASSERT_TRUE(r2.ok());
  ASSERT_TRUE(state->PersistRoot(*r2, kNow).ok());

  // The database is ahead of an old anchor.
  auto current = state->CurrentRoot(anchor1, kNow);
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->version, 2u);

  // A newer anchor (agent upgrade) wins and becomes the base of the stored chain.
  current = state->CurrentRoot(org_.Root(3), kNow);
  ASSERT_TRUE(current.ok()) << current.status().ToString();
  EXPECT_EQ(current->version, 3u);
  EXPECT_EQ(state->StoredRootVersions().value(), (std::vector<std::uint64_t>{3}));
  auto r4 = bundle::VerifyNextRoot(*current, org_.Root(4));
  ASSERT_TRUE(r4.ok());
  EXPECT_TRUE(state->PersistRoot(*r4, kNow).ok());
}

TEST_F(AgentStateTest, CurrentRootRefusesAnInvalidAnchor) {
  auto state = OpenState();
  auto root = state->CurrentRoot("{\"not\":\"a root\"}", kNow);
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(root.status().message().find("E_FIELD"), std::string::npos) << root.status().message();
}

TEST_F(AgentStateTest, RootChainTriggerRefusesAGap) {
  auto state = OpenState();
  ASSERT_TRUE(state->CurrentRoot(org_.Root(1), kNow).ok());
  auto r3 = bundle::LoadTrustedRoot(org_.Root(3));
  ASSERT_TRUE(r3.ok());
  Status s = state->PersistRoot(*r3, kNow);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("root version must be max+1"), std::string::npos) << s.message();
  EXPECT_EQ(state->StoredRootVersions().value(), (std::vector<std::uint64_t>{1}));
}

TEST_F(AgentStateTest, AcceptedPolicySurvivesReopen) {
  auto state = OpenState();
  auto root = state->CurrentRoot(org_.Root(1), kNow).value();
  const std::string envelope = org_.Sign(org_.Policy("baseline", 7, kNow));
  bundle::CycleResult r = Verify(root, {}, envelope);
  ASSERT_EQ(r.outcome, bundle::CycleOutcome::kAccept);
  ASSERT_TRUE(state->PersistAccepted(*r.policy, r.state, kNow).ok());
  state.reset();

  state = OpenState();
  auto loaded = state->LoadPolicyState();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(*loaded, r.state);
  EXPECT_EQ(loaded->highest.at("baseline").version, 7u);
  EXPECT_EQ(loaded->last_trusted_time, kNow - std::chrono::hours(1));
  auto lkg = state->LastKnownGood("baseline");
  ASSERT_TRUE(lkg.ok() && lkg->has_value());
  EXPECT_EQ((*lkg)->envelope, envelope);
  EXPECT_EQ((*lkg)->root_version, 1u);
  EXPECT_EQ((*lkg)->payload_sha256, r.policy->sha256);
  EXPECT_EQ((*lkg)->accepted_at, kNow);
  EXPECT_FALSE(state->LastKnownGood("lab").value().has_value());
  EXPECT_EQ(state->LatestPolicy().value()->policy_id, "baseline");
}

TEST_F(AgentStateTest, PersistAcceptedRefusesARollbackThroughTheTrigger) {
  auto state = OpenState();
  auto root = state->CurrentRoot(org_.Root(1), kNow).value();
  bundle::CycleResult v5 = Verify(root, {}, org_.Sign(org_.Policy("baseline", 5, kNow)));
  ASSERT_TRUE(state->PersistAccepted(*v5.policy, v5.state, kNow).ok());

  // A caller that skipped the verifier's rollback check: v3 verified against empty state.
  bundle::CycleResult v3 = Verify(root, {}, org_.Sign(org_.Policy("baseline", 3, kNow)));
  ASSERT_EQ(v3.outcome, bundle::CycleOutcome::kAccept);
  Status s = state->PersistAccepted(*v3.policy, v3.state, kNow);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("policy rollback"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(path_), std::string::npos);
  EXPECT_EQ(state->LoadPolicyState().value().highest.at("baseline").version, 5u);
  EXPECT_EQ(state->LastKnownGood("baseline").value()->envelope, v5.policy->envelope);
}

TEST_F(AgentStateTest, RollbackTriggerFiresOnDirectSql) {
  auto state = OpenState();
  auto root = state->CurrentRoot(org_.Root(1), kNow).value();
  bundle::CycleResult v5 = Verify(root, {}, org_.Sign(org_.Policy("baseline", 5, kNow)));
  ASSERT_TRUE(state->PersistAccepted(*v5.policy, v5.state, kNow).ok());

  EXPECT_NE(RawSql(path_, "UPDATE policy_state SET version = 4").find("policy rollback"),
            std::string::npos);
  EXPECT_NE(RawSql(path_, "UPDATE policy_state SET envelope = x'00'").find("policy rollback"),
            std::string::npos);
  EXPECT_NE(RawSql(path_, "UPDATE policy_state SET epoch = 0, version = 99").find("rollback"),
            std::string::npos);
  EXPECT_EQ(RawQuery(path_, "SELECT version FROM policy_state"), "5");
  // Moving forward is what the trigger allows.
  EXPECT_EQ(RawSql(path_, "UPDATE policy_state SET version = 6"), "");
}

TEST_F(AgentStateTest, OpenRecreatesDroppedTriggers) {
  auto state = OpenState();
  auto root = state->CurrentRoot(org_.Root(1), kNow).value();
  bundle::CycleResult v5 = Verify(root, {}, org_.Sign(org_.Policy("baseline", 5, kNow)));
  ASSERT_TRUE(state->PersistAccepted(*v5.policy, v5.state, kNow).ok());
  state.reset();
  ASSERT_EQ(RawSql(path_, "DROP TRIGGER policy_monotonic; DROP TRIGGER trust_root_chain"), "");
  ASSERT_NE(OpenState(), nullptr);
  EXPECT_NE(RawSql(path_, "UPDATE policy_state SET version = 1").find("policy rollback"),
            std::string::npos);
  EXPECT_NE(RawSql(path_, "INSERT INTO trust_root VALUES (7, x'00', 'x', 'x', 'x')").find("max+1"),
            std::string::npos);
}

TEST_F(AgentStateTest, PersistAcceptedRefusesAStateThatDoesNotMatchThePolicy) {
  auto state = OpenState();
  auto root = state->CurrentRoot(org_.Root(1), kNow).value();
  bundle::CycleResult v5 = Verify(root, {}, org_.Sign(org_.Policy("baseline", 5, kNow)));
  bundle::PolicyState wrong = v5.state;
  wrong.highest["baseline"].version = 6;
  Status s = state->PersistAccepted(*v5.policy, wrong, kNow);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(state->LoadPolicyState().value().highest.empty());
}

TEST_F(AgentStateTest, AgentClockNeverMovesBackwards) {
  auto state = OpenState();
  auto root = state->CurrentRoot(org_.Root(1), kNow).value();
  bundle::CycleResult v1 = Verify(root, {}, org_.Sign(org_.Policy("baseline", 1, kNow)));
  ASSERT_TRUE(state->PersistAccepted(*v1.policy, v1.state, kNow).ok());
  // A second stream issued two days earlier: its own ApplyAccepted state (from empty) carries
  // the older time, which must not pull the stored clock back.
  const SystemTime earlier = kNow - std::chrono::hours(48);
  bundle::InMemoryRootSource none;
  bundle::CycleResult lab =
      bundle::RunUpdateCycle(root, {}, {org_.org_id(), "lab", "linux"}, kNow, none,
                             org_.Sign(org_.Policy("lab", 1, earlier)), {});
  ASSERT_EQ(lab.outcome, bundle::CycleOutcome::kAccept);
  ASSERT_EQ(lab.state.last_trusted_time, earlier - std::chrono::hours(1));
  ASSERT_TRUE(state->PersistAccepted(*lab.policy, lab.state, kNow).ok());
  EXPECT_EQ(state->LoadPolicyState().value().last_trusted_time, kNow - std::chrono::hours(1));
}

TEST_F(AgentStateTest, EventsAreHandedOutUntilMarkedReportedAndNeverAfter) {
  auto state = OpenState();
  PolicyEvent rejected = Event("reject", "E_ROLLBACK", "baseline");
  rejected.epoch = 1;
  rejected.version = 4;
  rejected.payload_sha256 = "ab";
  auto a = state->AppendEvent(rejected);
  auto b = state->AppendEvent(Event("fetch_failed", "unavailable: down", "baseline"));
  auto c = state->AppendEvent(Event("blocked", "E_ROOT_EXPIRED"));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_LT(*a, *b);
  EXPECT_LT(*b, *c);

  auto events = state->UnreportedEvents();
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].id, *a);
  EXPECT_EQ((*events)[0].epoch, 1u);
  EXPECT_EQ((*events)[0].version, 4u);
  EXPECT_EQ((*events)[0].payload_sha256, "ab");
  EXPECT_EQ((*events)[0].reason, "E_ROLLBACK");
  EXPECT_EQ((*events)[0].ts, kNow);
  EXPECT_FALSE((*events)[1].version.has_value());
  EXPECT_EQ((*events)[2].outcome, "blocked");
  EXPECT_EQ(state->UnreportedEvents(2).value().size(), 2u);

  ASSERT_TRUE(state->MarkEventsReported(*b).ok());
  events = state->UnreportedEvents();
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].id, *c);
  auto d = state->AppendEvent(Event("noop"));
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(state->MarkEventsReported(*d).ok());
  ASSERT_TRUE(state->MarkEventsReported(*d).ok());  // idempotent
  EXPECT_TRUE(state->UnreportedEvents().value().empty());
  state.reset();
  state = OpenState();
  EXPECT_TRUE(state->UnreportedEvents().value().empty());
  auto e = state->AppendEvent(Event("accept"));
  ASSERT_TRUE(e.ok());
  EXPECT_GT(*e, *d);
  EXPECT_EQ(state->UnreportedEvents().value().size(), 1u);
}

TEST_F(AgentStateTest, EventLogKeepsOnlyTheNewestMaxEvents) {
  AgentStateOptions options;
  options.max_events = 3;
  auto state = OpenState(options);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(state->AppendEvent(Event("noop")).value());
  auto events = state->UnreportedEvents().value();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].id, ids[2]);
  EXPECT_EQ(events[2].id, ids[4]);
}

}  // namespace
}  // namespace bulwark::state
