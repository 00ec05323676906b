#include "agent/state/agent_state.h"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <system_error>
#include <utility>
#include <variant>

namespace bulwark::state {
namespace {

// Schema migrations: entry i brings user_version i to i + 1. Never edit a shipped entry; append.
constexpr const char* kMigrations[] = {
    // 0 -> 1: SIGNED-BUNDLES.md "Agent state (SQLite)", plus policy_events.id/reported.
    R"sql(
CREATE TABLE trust_root (
  version INTEGER PRIMARY KEY CHECK (version >= 1),
  envelope BLOB NOT NULL,
  payload_sha256 TEXT NOT NULL, expires TEXT NOT NULL, accepted_at TEXT NOT NULL);
CREATE TABLE policy_state (
  policy_id TEXT PRIMARY KEY,
  epoch INTEGER NOT NULL, version INTEGER NOT NULL,
  payload_sha256 TEXT NOT NULL, issued_at TEXT NOT NULL, expires TEXT NOT NULL,
  envelope BLOB NOT NULL,
  root_version INTEGER NOT NULL, accepted_at TEXT NOT NULL);
CREATE TABLE agent_clock (id INTEGER PRIMARY KEY CHECK (id = 1), last_trusted_time TEXT NOT NULL);
CREATE TABLE policy_events (id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT, policy_id TEXT,
  epoch INT, version INT, payload_sha256 TEXT, outcome TEXT, reason TEXT,
  reported INTEGER NOT NULL DEFAULT 0);
CREATE INDEX policy_events_unreported ON policy_events (reported, id);
)sql",
};
constexpr int kSchemaVersion = static_cast<int>(std::size(kMigrations));

// The triggers, created IF NOT EXISTS at every Open: defence in depth should not depend on
// nobody having dropped them.
constexpr const char* kTriggers = R"sql(
CREATE TRIGGER IF NOT EXISTS trust_root_chain BEFORE INSERT ON trust_root
  WHEN NEW.version <> COALESCE((SELECT MAX(version) FROM trust_root), NEW.version - 1) + 1
  BEGIN SELECT RAISE(ABORT, 'root version must be max+1'); END;
CREATE TRIGGER IF NOT EXISTS policy_monotonic BEFORE UPDATE ON policy_state
  WHEN NEW.epoch < OLD.epoch OR (NEW.epoch = OLD.epoch AND NEW.version <= OLD.version)
  BEGIN SELECT RAISE(ABORT, 'policy rollback'); END;
)sql";

Status SqliteStatus(int code, std::string message) {
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
      return UnavailableError(std::move(message));
    case SQLITE_CORRUPT:
      return DataLossError(std::move(message));
    case SQLITE_NOTADB:
      return FailedPreconditionError(std::move(message) + " (not a SQLite database)");
    case SQLITE_CONSTRAINT:
      return FailedPreconditionError(std::move(message));
    case SQLITE_FULL:
    case SQLITE_NOMEM:
    case SQLITE_TOOBIG:
      return ResourceExhaustedError(std::move(message));
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return PermissionDeniedError(std::move(message));
    default:
      return InternalError(std::move(message));
  }
}

// Versions and epochs are at most 2^53 - 1 (schema rule), so they fit SQLite's int64.
std::int64_t ToInt64(std::uint64_t v) {
  return v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
             ? std::numeric_limits<std::int64_t>::max()
             : static_cast<std::int64_t>(v);
}

std::uint64_t ToUint64(std::int64_t v) { return v < 0 ? 0 : static_cast<std::uint64_t>(v); }

Status RejectionStatus(StatusCode code, std::string_view what, const bundle::Rejection& r) {
  return Status(code, std::string(what) + ": " + r.ToString());
}

}  // namespace

// A thin RAII layer over one sqlite3 connection: prepared statements with bound values, and
// transactions that roll back unless committed. Messages carry SQLite's text; AgentState adds
// the path.
class AgentState::Db {
 public:
  using Value = std::variant<std::monostate, std::int64_t, std::string, std::string_view>;

  // A prepared statement; Step() returns true while a row is available.
  class Stmt {
   public:
    Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    ~Stmt() { sqlite3_finalize(stmt_); }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;

    Result<bool> Step() {
      const int rc = sqlite3_step(stmt_);
      if (rc == SQLITE_ROW) return true;
      if (rc == SQLITE_DONE) return false;
      return SqliteStatus(rc, sqlite3_errmsg(db_));
    }
    bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
    std::int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
    std::string Text(int col) const {
      const void* data = sqlite3_column_blob(stmt_, col);
      const int size = sqlite3_column_bytes(stmt_, col);
      if (data == nullptr || size <= 0) return "";
      return std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
    }

   private:
    sqlite3* db_;
    sqlite3_stmt* stmt_;
  };

  static Result<std::unique_ptr<Db>> Open(const std::string& path, int busy_timeout_ms) {
    sqlite3* handle = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &handle,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    auto db = std::unique_ptr<Db>(new Db(handle));
    if (rc != SQLITE_OK) {
      return SqliteStatus(rc, handle != nullptr ? sqlite3_errmsg(handle) : sqlite3_errstr(rc));
    }
    sqlite3_extended_result_codes(handle, 1);
    sqlite3_busy_timeout(handle, busy_timeout_ms);
    return db;
  }

  ~Db() { sqlite3_close_v2(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Result<std::unique_ptr<Stmt>> Prepare(std::string_view sql, std::initializer_list<Value> args) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
    if (rc != SQLITE_OK) return SqliteStatus(rc, sqlite3_errmsg(db_));
    auto stmt = std::make_unique<Stmt>(db_, raw);
    int index = 1;
    for (const Value& v : args) {
      int brc = SQLITE_OK;
      if (std::holds_alternative<std::int64_t>(v)) {
        brc = sqlite3_bind_int64(raw, index, std::get<std::int64_t>(v));
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        brc = sqlite3_bind_text64(raw, index, s->data(), s->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      } else if (const auto* b = std::get_if<std::string_view>(&v)) {
        // std::string_view marks BLOB columns (envelopes: exact bytes, never re-encoded).
        brc = sqlite3_bind_blob64(raw, index, b->data(), b->size(), SQLITE_TRANSIENT);
      } else {
        brc = sqlite3_bind_null(raw, index);
      }
      if (brc != SQLITE_OK) return SqliteStatus(brc, sqlite3_errmsg(db_));
      ++index;
    }
    return stmt;
  }

  // Runs one statement to completion.
  Status Exec(std::string_view sql, std::initializer_list<Value> args = {}) {
    ASSIGN_OR_RETURN(auto stmt, Prepare(sql, args));
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) return Status();
    }
  }

  // Runs a script of statements without parameters.
  Status ExecScript(const char* sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
    if (rc == SQLITE_OK) return Status();
    std::string message = err != nullptr ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return SqliteStatus(rc, std::move(message));
  }

  // Single-value query; nullopt when there is no row.
  Result<std::optional<std::int64_t>> QueryInt(std::string_view sql,
                                               std::initializer_list<Value> args = {}) {
    ASSIGN_OR_RETURN(auto stmt, Prepare(sql, args));
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row || stmt->IsNull(0)) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(stmt->Int(0));
  }

  // BEGIN IMMEDIATE: take the write lock up front so a transaction never fails half-way on a
  // lock upgrade. The transaction rolls back on destruction unless Commit() succeeded.
  class Transaction {
   public:
    explicit Transaction(Db& db) : db_(db) {}
    ~Transaction() {
      if (open_) (void)db_.ExecScript("ROLLBACK");
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    Status Begin() {
      RETURN_IF_ERROR(db_.ExecScript("BEGIN IMMEDIATE"));
      open_ = true;
      return Status();
    }
    Status Commit() {
      RETURN_IF_ERROR(db_.ExecScript("COMMIT"));
      open_ = false;
      return Status();
    }

   private:
    Db& db_;
    bool open_ = false;
  };

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

namespace {

// Creates the file 0600 before SQLite sees it (SQLite would create it 0644 & ~umask), or
// tightens an existing file. std::filesystem keeps this portable; on Windows the directory's
// protected DACL is what matters and is set up by platform code.
Result<bool> PrepareFile(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(path, ec);
  bool created = false;
  if (ec || !fs::exists(st)) {
    std::ofstream create(path, std::ios::binary | std::ios::app);
    if (!create) return NotFoundError("cannot create the file (does its directory exist?)");
    create.close();
    created = true;
  } else if (!fs::is_regular_file(st)) {
    return FailedPreconditionError("not a regular file");
  }
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace,
                  ec);
  if (ec) return PermissionDeniedError("chmod 0600: " + ec.message());
  return created;
}

Status EnableWal(AgentState::Db& db) {
  ASSIGN_OR_RETURN(auto stmt, db.Prepare("PRAGMA journal_mode=WAL", {}));
  ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row || stmt->Text(0) != "wal") {
    return FailedPreconditionError("cannot switch to WAL journal mode");
  }
  return Status();
}

Status Migrate(AgentState::Db& db) {
  ASSIGN_OR_RETURN(std::optional<std::int64_t> user_version, db.QueryInt("PRAGMA user_version"));
  const std::int64_t from = user_version.value_or(0);
  if (from > kSchemaVersion) {
    return FailedPreconditionError("schema version " + std::to_string(from) +
                                   " is newer than this agent's " + std::to_string(kSchemaVersion));
  }
  for (std::int64_t v = from; v < kSchemaVersion; ++v) {
    AgentState::Db::Transaction txn(db);
    RETURN_IF_ERROR(txn.Begin());
    RETURN_IF_ERROR(db.ExecScript(kMigrations[v]));
    RETURN_IF_ERROR(db.ExecScript(("PRAGMA user_version=" + std::to_string(v + 1)).c_str()));
    RETURN_IF_ERROR(txn.Commit());
  }
  return db.ExecScript(kTriggers);
}

Result<SystemTime> ParseStoredTime(const std::string& text, std::string_view column) {
  Result<SystemTime> t = ParseRfc3339(text);
  if (!t.ok()) return DataLossError(std::string(column) + " '" + text + "' is not a timestamp");
  return t;
}

}  // namespace

AgentState::AgentState(std::string path, bool created, const AgentStateOptions& options,
                       std::unique_ptr<Db> db)
    : path_(std::move(path)), created_(created), options_(options), db_(std::move(db)) {}

AgentState::~AgentState() = default;

Status AgentState::Error(std::string_view what, const Status& cause) const {
  return Status(cause.code(),
                "state db " + path_ + ": " + std::string(what) + ": " + cause.message());
}

Result<std::unique_ptr<AgentState>> AgentState::Open(const std::string& path,
                                                     const AgentStateOptions& options) {
  auto fail = [&path](std::string_view what, const Status& cause) {
    return Status(cause.code(),
                  "state db " + path + ": " + std::string(what) + ": " + cause.message());
  };
  Result<bool> created = PrepareFile(path);
  if (!created.ok()) return fail("open", created.status());
  Result<std::unique_ptr<Db>> db = Db::Open(path, options.busy_timeout_ms);
  if (!db.ok()) return fail("open", db.status());
  // The first statement reads the header: a file that is not SQLite fails here.
  if (Status s = EnableWal(**db); !s.ok()) return fail("open", s);
  if (Status s = (*db)->ExecScript("PRAGMA synchronous=FULL"); !s.ok()) return fail("open", s);
  if (Status s = Migrate(**db); !s.ok()) return fail("migrate schema", s);
  return std::unique_ptr<AgentState>(
      new AgentState(path, *created, options, std::move(db).value()));
}

// --- Trust roots ------------------------------------------------------------------------------

Result<bundle::TrustRoot> AgentState::CurrentRoot(std::string_view anchor_envelope,
                                                  SystemTime accepted_at) {
  bundle::Checked<bundle::TrustRoot> anchor = bundle::LoadTrustedRoot(anchor_envelope);
  if (!anchor.ok()) {
    return Error("anchor trust root",
                 RejectionStatus(StatusCode::kFailedPrecondition, "invalid", anchor.error()));
  }
  std::lock_guard lock(mu_);
  {
    auto newest =
        db_->Prepare("SELECT version, envelope FROM trust_root ORDER BY version DESC LIMIT 1", {});
    if (!newest.ok()) return Error("read trust root", newest.status());
    Result<bool> row = (*newest)->Step();
    if (!row.ok()) return Error("read trust root", row.status());
    if (*row) {
      const std::uint64_t version = ToUint64((*newest)->Int(0));
      bundle::Checked<bundle::TrustRoot> stored = bundle::LoadTrustedRoot((*newest)->Text(1));
      if (!stored.ok()) {
        return Error("stored trust root v" + std::to_string(version),
                     RejectionStatus(StatusCode::kDataLoss, "no longer loads", stored.error()));
      }
      if (stored->version != version) {
        return Error("stored trust root v" + std::to_string(version),
                     DataLossError("its payload says version " + std::to_string(stored->version)));
      }
      if (stored->version >= anchor->version) return std::move(stored).value();
    }
  }
  // The anchor wins: it becomes the base of the stored chain (the chain trigger accepts any
  // version into an empty table).
  Db::Transaction txn(*db_);
  Status s = txn.Begin();
  if (s.ok()) s = db_->Exec("DELETE FROM trust_root");
  if (s.ok()) {
    s = db_->Exec(
        "INSERT INTO trust_root (version, envelope, payload_sha256, expires, accepted_at) "
        "VALUES (?, ?, ?, ?, ?)",
        {ToInt64(anchor->version), std::string_view(anchor->envelope), anchor->payload_sha256,
         FormatRfc3339(anchor->expires), FormatRfc3339(accepted_at)});
  }
  if (s.ok()) s = txn.Commit();
  if (!s.ok()) return Error("store anchor trust root v" + std::to_string(anchor->version), s);
  return std::move(anchor).value();
}

Status AgentState::PersistRoot(const bundle::TrustRoot& root, SystemTime accepted_at) {
  std::lock_guard lock(mu_);
  Db::Transaction txn(*db_);
  Status s = txn.Begin();
  if (s.ok()) {
    s = db_->Exec(
        "INSERT INTO trust_root (version, envelope, payload_sha256, expires, accepted_at) "
        "VALUES (?, ?, ?, ?, ?)",
        {ToInt64(root.version), std::string_view(root.envelope), root.payload_sha256,
         FormatRfc3339(root.expires), FormatRfc3339(accepted_at)});
  }
  if (s.ok()) s = txn.Commit();
  if (!s.ok()) return Error("store trust root v" + std::to_string(root.version), s);
  return Status();
}

Result<std::optional<bundle::TrustRoot>> AgentState::StoredRoot(std::uint64_t version) {
  std::lock_guard lock(mu_);
  auto stmt = db_->Prepare("SELECT envelope FROM trust_root WHERE version = ?", {ToInt64(version)});
  if (!stmt.ok()) return Error("read trust root", stmt.status());
  Result<bool> row = (*stmt)->Step();
  if (!row.ok()) return Error("read trust root", row.status());
  if (!*row) return std::optional<bundle::TrustRoot>();
  bundle::Checked<bundle::TrustRoot> root = bundle::LoadTrustedRoot((*stmt)->Text(0));
  if (!root.ok() || root->version != version) {
    return Error("stored trust root v" + std::to_string(version),
                 root.ok()
                     ? DataLossError("its payload says another version")
                     : RejectionStatus(StatusCode::kDataLoss, "no longer loads", root.error()));
  }
  return std::optional<bundle::TrustRoot>(std::move(root).value());
}

Result<std::vector<std::uint64_t>> AgentState::StoredRootVersions() {
  std::lock_guard lock(mu_);
  auto stmt = db_->Prepare("SELECT version FROM trust_root ORDER BY version", {});
  if (!stmt.ok()) return Error("read trust roots", stmt.status());
  std::vector<std::uint64_t> out;
  while (true) {
    Result<bool> row = (*stmt)->Step();
    if (!row.ok()) return Error("read trust roots", row.status());
    if (!*row) return out;
    out.push_back(ToUint64((*stmt)->Int(0)));
  }
}

// --- Policy state -----------------------------------------------------------------------------

Result<bundle::PolicyState> AgentState::LoadPolicyState() {
  std::lock_guard lock(mu_);
  bundle::PolicyState state;
  {
    auto stmt =
        db_->Prepare("SELECT policy_id, epoch, version, payload_sha256 FROM policy_state", {});
    if (!stmt.ok()) return Error("read policy state", stmt.status());
    while (true) {
      Result<bool> row = (*stmt)->Step();
      if (!row.ok()) return Error("read policy state", row.status());
      if (!*row) break;
      state.highest[(*stmt)->Text(0)] = bundle::PolicyHighWater{
          ToUint64((*stmt)->Int(1)), ToUint64((*stmt)->Int(2)), (*stmt)->Text(3)};
    }
  }
  auto stmt = db_->Prepare("SELECT last_trusted_time FROM agent_clock WHERE id = 1", {});
  if (!stmt.ok()) return Error("read agent clock", stmt.status());
  Result<bool> row = (*stmt)->Step();
  if (!row.ok()) return Error("read agent clock", row.status());
  if (*row) {
    Result<SystemTime> t = ParseStoredTime((*stmt)->Text(0), "last_trusted_time");
    if (!t.ok()) return Error("read agent clock", t.status());
    state.last_trusted_time = *t;
  }
  return state;
}

Status AgentState::PersistAccepted(const bundle::VerifiedPolicy& policy,
                                   const bundle::PolicyState& state, SystemTime accepted_at) {
  const bundle::PolicyPayload& p = policy.payload;
  auto hw = state.highest.find(p.policy_id);
  if (hw == state.highest.end() ||
      hw->second != bundle::PolicyHighWater{p.epoch, p.version, policy.sha256} ||
      !state.last_trusted_time || *state.last_trusted_time < p.issued_at) {
    return Error("store accepted policy",
                 InvalidArgumentError("state is not ApplyAccepted(state, policy) for '" +
                                      p.policy_id + "'"));
  }
  std::lock_guard lock(mu_);
  Db::Transaction txn(*db_);
  Status s = txn.Begin();
  if (s.ok()) {
    s = db_->Exec(
        "INSERT INTO policy_state (policy_id, epoch, version, payload_sha256, issued_at, expires, "
        "envelope, root_version, accepted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (policy_id) DO UPDATE SET epoch = excluded.epoch, "
        "version = excluded.version, payload_sha256 = excluded.payload_sha256, "
        "issued_at = excluded.issued_at, expires = excluded.expires, "
        "envelope = excluded.envelope, root_version = excluded.root_version, "
        "accepted_at = excluded.accepted_at",
        {p.policy_id, ToInt64(p.epoch), ToInt64(p.version), policy.sha256,
         FormatRfc3339(p.issued_at), FormatRfc3339(p.expires), std::string_view(policy.envelope),
         ToInt64(policy.root_version), FormatRfc3339(accepted_at)});
  }
  if (s.ok()) {
    // RFC 3339 'Z' strings of one fixed width order like the times they name.
    s = db_->Exec(
        "INSERT INTO agent_clock (id, last_trusted_time) VALUES (1, ?) "
        "ON CONFLICT (id) DO UPDATE SET "
        "last_trusted_time = MAX(last_trusted_time, excluded.last_trusted_time)",
        {FormatRfc3339(*state.last_trusted_time)});
  }
  if (s.ok()) s = txn.Commit();
  if (!s.ok()) {
    return Error("store accepted policy '" + p.policy_id + "' v" + std::to_string(p.version), s);
  }
  return Status();
}

Result<std::optional<StoredPolicy>> AgentState::SelectPolicy(std::string_view where_and_order,
                                                             std::string_view policy_id) {
  const std::string sql =
      "SELECT policy_id, epoch, version, payload_sha256, issued_at, expires, envelope, "
      "root_version, accepted_at FROM policy_state " +
      std::string(where_and_order);
  std::lock_guard lock(mu_);
  auto stmt =
      policy_id.empty() ? db_->Prepare(sql, {}) : db_->Prepare(sql, {std::string(policy_id)});
  if (!stmt.ok()) return Error("read policy state", stmt.status());
  Result<bool> row = (*stmt)->Step();
  if (!row.ok()) return Error("read policy state", row.status());
  if (!*row) return std::optional<StoredPolicy>();
  Db::Stmt& r = **stmt;
  StoredPolicy out;
  out.policy_id = r.Text(0);
  out.epoch = ToUint64(r.Int(1));
  out.version = ToUint64(r.Int(2));
  out.payload_sha256 = r.Text(3);
  out.envelope = r.Text(6);
  out.root_version = ToUint64(r.Int(7));
  Result<SystemTime> issued = ParseStoredTime(r.Text(4), "issued_at");
  Result<SystemTime> expires = ParseStoredTime(r.Text(5), "expires");
  Result<SystemTime> accepted = ParseStoredTime(r.Text(8), "accepted_at");
  for (const Status& s : {issued.status(), expires.status(), accepted.status()}) {
    if (!s.ok()) return Error("read policy '" + out.policy_id + "'", s);
  }
  out.issued_at = *issued;
  out.expires = *expires;
  out.accepted_at = *accepted;
  return std::optional<StoredPolicy>(std::move(out));
}

Result<std::optional<StoredPolicy>> AgentState::LastKnownGood(std::string_view policy_id) {
  if (policy_id.empty()) return std::optional<StoredPolicy>();
  return SelectPolicy("WHERE policy_id = ?", policy_id);
}

Result<std::optional<StoredPolicy>> AgentState::LatestPolicy() {
  return SelectPolicy("ORDER BY accepted_at DESC, rowid DESC LIMIT 1", "");
}

// --- Policy events ----------------------------------------------------------------------------

Result<std::int64_t> AgentState::AppendEvent(const PolicyEvent& event) {
  auto optional_int = [](const std::optional<std::uint64_t>& v) -> Db::Value {
    if (!v) return std::monostate();
    return ToInt64(*v);
  };
  auto optional_text = [](const std::string& v) -> Db::Value {
    if (v.empty()) return std::monostate();
    return v;
  };
  std::lock_guard lock(mu_);
  Db::Transaction txn(*db_);
  Status s = txn.Begin();
  if (s.ok()) {
    s = db_->Exec(
        "INSERT INTO policy_events (ts, policy_id, epoch, version, payload_sha256, outcome, "
        "reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {FormatRfc3339(event.ts), optional_text(event.policy_id), optional_int(event.epoch),
         optional_int(event.version), optional_text(event.payload_sha256), event.outcome,
         optional_text(event.reason)});
  }
  std::int64_t id = 0;
  if (s.ok()) {
    Result<std::optional<std::int64_t>> last = db_->QueryInt("SELECT last_insert_rowid()");
    if (!last.ok()) s = last.status();
    if (s.ok()) id = last->value_or(0);
  }
  if (s.ok()) {
    // Ids are never reused (AUTOINCREMENT), so the newest max_events rows are those above this.
    s = db_->Exec("DELETE FROM policy_events WHERE id <= ?",
                  {id - static_cast<std::int64_t>(std::max<std::size_t>(1, options_.max_events))});
  }
  if (s.ok()) s = txn.Commit();
  if (!s.ok()) return Error("append policy event", s);
  return id;
}

Result<std::vector<PolicyEvent>> AgentState::UnreportedEvents(std::size_t limit) {
  std::lock_guard lock(mu_);
  auto stmt = db_->Prepare(
      "SELECT id, ts, policy_id, epoch, version, payload_sha256, outcome, reason "
      "FROM policy_events WHERE reported = 0 ORDER BY id LIMIT ?",
      {ToInt64(limit)});
  if (!stmt.ok()) return Error("read policy events", stmt.status());
  std::vector<PolicyEvent> out;
  while (true) {
    Result<bool> row = (*stmt)->Step();
    if (!row.ok()) return Error("read policy events", row.status());
    if (!*row) return out;
    Db::Stmt& r = **stmt;
    PolicyEvent e;
    e.id = r.Int(0);
    Result<SystemTime> ts = ParseStoredTime(r.Text(1), "ts");
    if (!ts.ok()) return Error("read policy event " + std::to_string(e.id), ts.status());
    e.ts = *ts;
    e.policy_id = r.Text(2);
    if (!r.IsNull(3)) e.epoch = ToUint64(r.Int(3));
    if (!r.IsNull(4)) e.version = ToUint64(r.Int(4));
    e.payload_sha256 = r.Text(5);
    e.outcome = r.Text(6);
    e.reason = r.Text(7);
    out.push_back(std::move(e));
  }
}

Status AgentState::MarkEventsReported(std::int64_t up_to_id) {
  std::lock_guard lock(mu_);
  Status s =
      db_->Exec("UPDATE policy_events SET reported = 1 WHERE id <= ? AND reported = 0", {up_to_id});
  if (!s.ok()) return Error("mark policy events reported", s);
  return Status();
}

}  // namespace bulwark::state
