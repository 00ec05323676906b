// SQLite implementation of ReportQueue: one connection per queue, guarded by a mutex, with its
// prepared statements cached for the connection's life. Pending count and bytes are kept in
// the counters row, updated in the same transaction as every insert and delete of a pending
// report, so the caps cost O(1) per Enqueue and stay right even when another process (the
// `queue flush` command) writes to the same file: every writer is this code.
#include "agent/queue/report_queue.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <mutex>
#include <string_view>
#include <thread>

#include "agent/base/file_util.h"

namespace bulwark::queue {
namespace {

using SystemTime = std::chrono::system_clock::time_point;

constexpr int kBusyTimeoutMs = 5000;
// Page size of a new file. A report document (6-30 KB of JSON) spans fewer pages than at
// SQLite's 4 KiB default, so each insert writes fewer WAL frames: +15% reports/s in
// bench/queue_bench. An existing file keeps the page size it was created with.
constexpr int kPageSize = 8192;
// Pages in the WAL before a commit checkpoints it (SQLite's default count, 8 MiB at kPageSize).
constexpr int kAutoCheckpointPages = 1000;
// WAL bytes kept after a checkpoint: more than the WAL grows to between two checkpoints, so it
// is overwritten in place rather than cut back and grown again. Cutting it back each time made
// every checkpoint allocate the file's blocks anew, and the next fsync write ext4's metadata
// with them (-25% reports/s).
constexpr std::int64_t kJournalSizeLimit = std::int64_t{3} * kAutoCheckpointPages * kPageSize;

// kMigrations[v] takes the schema from user_version v to v + 1; append, never edit.
constexpr std::array<const char*, 2> kMigrations = {
    R"sql(
CREATE TABLE pending(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- AUTOINCREMENT: never reused, even once empty
  report_id TEXT NOT NULL UNIQUE,
  document BLOB NOT NULL,                 -- BLOB so that length() is bytes
  queued_at INTEGER NOT NULL,             -- microseconds since the Unix epoch
  attempts INTEGER NOT NULL DEFAULT 0);
CREATE TABLE dead_letters(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  report_id TEXT NOT NULL,
  http_status INTEGER NOT NULL,
  error TEXT NOT NULL,
  at INTEGER NOT NULL,
  document BLOB NOT NULL);
CREATE TABLE counters(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  pending INTEGER NOT NULL,
  pending_bytes INTEGER NOT NULL,
  enqueued_total INTEGER NOT NULL,
  acked_total INTEGER NOT NULL,
  dropped_total INTEGER NOT NULL,
  dead_lettered_total INTEGER NOT NULL,
  corruption_resets INTEGER NOT NULL,
  lost_to_corruption INTEGER NOT NULL);
INSERT INTO counters VALUES(1, 0, 0, 0, 0, 0, 0, 0, 0);
CREATE TRIGGER pending_added AFTER INSERT ON pending BEGIN
  UPDATE counters SET pending = pending + 1, pending_bytes = pending_bytes + length(NEW.document);
END;
CREATE TRIGGER pending_removed AFTER DELETE ON pending BEGIN
  UPDATE counters SET pending = pending - 1, pending_bytes = pending_bytes - length(OLD.document);
END;
)sql",
    // The triggers made every insert into and delete from `pending` a statement that may fail
    // after changing a row, which SQLite guards with a statement journal. With ~25 KB reports
    // (eight to a leaf page) it spilled to a temporary file outside the 0700 state directory
    // and more than doubled the bytes the queue wrote (bench/queue_bench: 76.6 -> 34.5 KB per
    // report). From version 2 on the queue updates the counters itself.
    R"sql(
DROP TRIGGER pending_added;
DROP TRIGGER pending_removed;
UPDATE counters SET pending = (SELECT count(*) FROM pending),
                    pending_bytes = (SELECT coalesce(sum(length(document)), 0) FROM pending);
)sql",
};
constexpr int kSchemaVersion = static_cast<int>(kMigrations.size());

// Every statement the queue runs after opening; prepared once, on first use.
enum Sql : std::size_t {
  kBegin,
  kBeginRead,
  kCommit,
  kRollback,
  kInsert,
  kAddEnqueued,
  kAddRefused,
  kReadSizes,
  kScanSizes,
  kDropUpTo,
  kAddDropped,
  kPeek,
  kAttempt,
  kDelete,
  kAddAcked,
  kCopyToDeadLetter,
  kAddDeadLettered,
  kTrimDeadLetters,
  kReadCounters,
  kOldest,
  kCountDeadLetters,
  kListDeadLetters,
  kSqlCount,
};

constexpr std::array<const char*, kSqlCount> kSqlText = {
    "BEGIN IMMEDIATE",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "INSERT INTO pending(report_id, document, queued_at) VALUES(?1, ?2, ?3) "
    "ON CONFLICT(report_id) DO NOTHING",
    // ?1 reports of ?2 bytes in all were added to `pending`.
    "UPDATE counters SET enqueued_total = enqueued_total + ?1, pending = pending + ?1, "
    "pending_bytes = pending_bytes + ?2",
    // ?1 reports were refused (never pending).
    "UPDATE counters SET dropped_total = dropped_total + ?1",
    "SELECT pending, pending_bytes FROM counters",
    "SELECT seq, length(document) FROM pending ORDER BY seq",
    "DELETE FROM pending WHERE seq <= ?1",
    // ?1 pending reports of ?2 bytes were dropped by the caps.
    "UPDATE counters SET dropped_total = dropped_total + ?1, pending = pending - ?1, "
    "pending_bytes = pending_bytes - ?2",
    "SELECT seq, report_id, document, queued_at, attempts FROM pending ORDER BY seq LIMIT ?1",
    "UPDATE pending SET attempts = attempts + 1 WHERE report_id = ?1",
    "DELETE FROM pending WHERE report_id = ?1 RETURNING length(document)",
    "UPDATE counters SET acked_total = acked_total + ?1, pending = pending - ?1, "
    "pending_bytes = pending_bytes - ?2",
    "INSERT INTO dead_letters(report_id, http_status, error, at, document) "
    "SELECT report_id, ?2, ?3, ?4, document FROM pending WHERE report_id = ?1",
    "UPDATE counters SET dead_lettered_total = dead_lettered_total + 1, pending = pending - 1, "
    "pending_bytes = pending_bytes - ?1",
    "DELETE FROM dead_letters WHERE id IN "
    "(SELECT id FROM dead_letters ORDER BY id DESC LIMIT -1 OFFSET ?1)",
    "SELECT pending, pending_bytes, enqueued_total, acked_total, dropped_total, "
    "dead_lettered_total, corruption_resets, lost_to_corruption FROM counters",
    "SELECT queued_at FROM pending ORDER BY seq LIMIT 1",
    "SELECT count(*) FROM dead_letters",
    "SELECT report_id, http_status, error, at FROM dead_letters ORDER BY id DESC LIMIT ?1",
};

std::int64_t ToMicros(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

SystemTime FromMicros(std::int64_t micros) {
  return SystemTime(
      std::chrono::duration_cast<SystemTime::duration>(std::chrono::microseconds(micros)));
}

std::int64_t ClampToInt64(std::size_t n) {
  return n > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())
             ? std::numeric_limits<std::int64_t>::max()
             : static_cast<std::int64_t>(n);
}

std::uint64_t ToCount(std::int64_t n) { return n < 0 ? 0 : static_cast<std::uint64_t>(n); }

std::string OneLine(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out;
}

bool IsDiskFull(int sys_errno) {
#ifdef EDQUOT  // not in mingw-w64's <errno.h>
  if (sys_errno == EDQUOT) return true;
#endif
  return sys_errno == ENOSPC;
}

bool IsCorruption(int rc) {
  const int primary = rc & 0xff;
  return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

// Converts a SQLite result code, once, into a Status naming the file and the operation.
Status SqliteError(int rc, sqlite3* db, const std::string& path, std::string_view what) {
  const int sys_errno = db != nullptr ? sqlite3_system_errno(db) : 0;
  std::string message = "report queue " + path + ": " + std::string(what) + ": " +
                        OneLine(db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_FULL:
    case SQLITE_NOMEM:
      return ResourceExhaustedError(std::move(message));
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      // A write that hit ENOSPC/EDQUOT outside the pager (WAL index, journal) is a full disk.
      if (IsDiskFull(sys_errno)) {
        return ResourceExhaustedError(std::move(message) + " (disk full)");
      }
      return UnavailableError(std::move(message));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_PROTOCOL:
      return UnavailableError(std::move(message));
    case SQLITE_CORRUPT:
      return DataLossError(std::move(message));
    case SQLITE_NOTADB:
      return DataLossError(std::move(message) + " (not a SQLite database)");
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return PermissionDeniedError(std::move(message));
    default:
      return InternalError(std::move(message));
  }
}

// One open connection plus its statement cache. Not thread-safe: SqliteQueue serialises it.
class Connection {
 public:
  ~Connection() {
    for (sqlite3_stmt* stmt : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Opens `path`, which must exist (OpenReportQueue creates it 0600 first).
  static Result<std::unique_ptr<Connection>> Open(const std::string& path) {
    sqlite3* db = nullptr;
    const int rc =
        sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    std::unique_ptr<Connection> connection(new Connection(db, path));
    if (rc != SQLITE_OK) return connection->Error(rc, "open");
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
    return connection;
  }

  sqlite3* db() const { return db_; }
  const std::string& path() const { return path_; }
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
  std::int64_t changes() const { return sqlite3_changes64(db_); }

  // Remembers whether an error said "corrupt", so Open can tell damage from other failures.
  Status Error(int rc, std::string_view what) {
    if (IsCorruption(rc)) corrupt_ = true;
    return SqliteError(rc, db_, path_, what);
  }
  bool saw_corruption() const { return corrupt_; }

  // Runs one or more statements without parameters (schema, pragmas); not cached.
  Status ExecScript(const char* sql, std::string_view what) {
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? Status() : Error(rc, what);
  }

  // Runs `sql` and returns the first column of its first row as an integer (0 if no row).
  Result<std::int64_t> QueryInt(const char* sql, std::string_view what) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr);
    if (rc != SQLITE_OK) return Error(rc, what);
    std::int64_t value = 0;
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return Error(rc, what);
    return value;
  }

  // Runs `sql` once; `rc` is SQLITE_ROW when it gave a row, whose first column is `text`.
  // The raw code lets a caller retry on SQLITE_BUSY before turning it into a Status.
  struct TextRow {
    int rc = SQLITE_OK;
    std::string text;
  };
  TextRow QueryText(const char* sql) {
    TextRow row;
    sqlite3_stmt* stmt = nullptr;
    row.rc = sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr);
    if (row.rc == SQLITE_OK) {
      row.rc = sqlite3_step(stmt);
      if (row.rc == SQLITE_ROW) {
        const unsigned char* text = sqlite3_column_text(stmt, 0);
        if (text != nullptr) row.text = reinterpret_cast<const char*>(text);
      }
    }
    sqlite3_finalize(stmt);
    return row;
  }

  // The cached statement for `id`, reset and with its bindings cleared.
  Result<sqlite3_stmt*> Prepare(Sql id) {
    sqlite3_stmt*& stmt = cache_[id];
    if (stmt == nullptr) {
      const int rc =
          sqlite3_prepare_v3(db_, kSqlText[id], -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
      if (rc != SQLITE_OK) {
        stmt = nullptr;
        return Error(rc, "prepare");
      }
    }
    return stmt;
  }

 private:
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {
    cache_.fill(nullptr);
  }

  sqlite3* db_;
  std::string path_;
  std::array<sqlite3_stmt*, kSqlCount> cache_{};
  bool corrupt_ = false;
};

// Steps a cached statement and resets it when it goes out of scope, so a statement never
// keeps a read transaction open between calls.
class Statement {
 public:
  Statement(Connection& connection, sqlite3_stmt* stmt, std::string_view what)
      : connection_(connection), stmt_(stmt), what_(what) {}
  ~Statement() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // A failed bind (SQLITE_TOOBIG) is reported by the next Step.
  void Bind(int index, std::int64_t value) { Keep(sqlite3_bind_int64(stmt_, index, value)); }
  // SQLITE_STATIC: the caller's string outlives the statement's use of it.
  void BindText(int index, const std::string& text) {
    Keep(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8));
  }
  void BindBlob(int index, const std::string& bytes) {
    Keep(sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_STATIC));
  }

  // True for a row, false when done.
  Result<bool> Step() {
    if (bind_rc_ != SQLITE_OK) return connection_.Error(bind_rc_, what_);
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return connection_.Error(rc, what_);
  }
  // Runs a statement that returns no rows.
  Status Run() {
    ASSIGN_OR_RETURN(bool row, Step());
    (void)row;
    return Status();
  }

  std::int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string Text(int column) const {
    // column_blob before column_bytes: no text conversion, and bytes stays valid.
    const void* data = sqlite3_column_blob(stmt_, column);
    const int size = sqlite3_column_bytes(stmt_, column);
    if (data == nullptr || size <= 0) return std::string();
    return std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
  }

 private:
  void Keep(int rc) {
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }

  Connection& connection_;
  sqlite3_stmt* stmt_;
  std::string_view what_;
  int bind_rc_ = SQLITE_OK;
};

#define ASSIGN_STATEMENT(name, connection, id, what)                    \
  ASSIGN_OR_RETURN(sqlite3_stmt* name##_raw, (connection).Prepare(id)); \
  Statement name(connection, name##_raw, what)

// Runs a single-row-less cached statement with integer parameters.
Status RunInts(Connection& c, Sql id, std::string_view what,
               std::initializer_list<std::int64_t> args) {
  ASSIGN_STATEMENT(stmt, c, id, what);
  int index = 1;
  for (std::int64_t arg : args) stmt.Bind(index++, arg);
  return stmt.Run();
}

// Runs `body` inside BEGIN IMMEDIATE (write) or BEGIN (read) ... COMMIT; rolls back on error
// so that a failed call leaves no partial state.
template <typename Body>
Status InTransaction(Connection& c, bool write, std::string_view what, Body&& body) {
  RETURN_IF_ERROR(RunInts(c, write ? kBegin : kBeginRead, what, {}));
  Status status = body();
  if (status.ok()) status = RunInts(c, kCommit, what, {});
  // Some errors (SQLITE_FULL, SQLITE_IOERR) end the transaction themselves.
  if (!status.ok() && c.in_transaction()) {
    sqlite3_exec(c.db(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  return status;
}

// A write whose loss to a power cut costs nothing but a resend: an acknowledgement (the report
// goes again and the collector answers "duplicate") or an attempt count. It commits without
// an fsync (synchronous=NORMAL in WAL mode: still atomic, and durable against a crash of the
// process); the next FULL commit, an enqueue, makes it durable with its own fsync. Half the
// fsyncs per uploaded batch.
template <typename Body>
Status InLightTransaction(Connection& c, std::string_view what, Body&& body) {
  sqlite3_exec(c.db(), "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
  Status status = InTransaction(c, true, what, std::forward<Body>(body));
  sqlite3_exec(c.db(), "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr);
  return status;
}

// Brings the schema to kSchemaVersion and checks every page once.
Status PrepareSchema(Connection& c) {
  // The first statements read the header: a file that is not SQLite fails here.
  ASSIGN_OR_RETURN(std::int64_t version, c.QueryInt("PRAGMA user_version", "read schema"));
  // A newer agent's file is left exactly as it is.
  if (version > kSchemaVersion) {
    return FailedPreconditionError("report queue " + c.path() + ": schema version " +
                                   std::to_string(version) + " is newer than this agent's (" +
                                   std::to_string(kSchemaVersion) + ")");
  }
  // Only a file without pages yet takes it (before WAL mode is set and the schema written).
  RETURN_IF_ERROR(
      c.ExecScript(("PRAGMA page_size=" + std::to_string(kPageSize)).c_str(), "set page size"));
  {
    // Switching a new file to WAL takes an exclusive lock, and SQLite answers SQLITE_BUSY at
    // once, without its busy handler, when another process holds any lock: the service
    // creating queue.db while `queue stats` opens it. Retry for as long as the busy timeout.
    const auto give_up =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
    Connection::TextRow mode;
    while (true) {
      mode = c.QueryText("PRAGMA journal_mode=WAL");
      const int primary = mode.rc & 0xff;
      if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) ||
          std::chrono::steady_clock::now() >= give_up) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (mode.rc != SQLITE_ROW) return c.Error(mode.rc, "enable WAL");
    if (mode.text != "wal") {
      return FailedPreconditionError("report queue " + c.path() +
                                     ": cannot switch to WAL journal mode (got " + mode.text + ")");
    }
  }
  // FULL: a commit is on disk (WAL fsync'd) before Enqueue returns, so nothing is sent that a
  // power cut could lose.
  RETURN_IF_ERROR(c.ExecScript("PRAGMA synchronous=FULL", "set synchronous"));
  // 8 MiB of page cache: a batch of 100 ~6 KB reports, read back by Peek and freed by Ack,
  // stays in memory (-30% CPU per report against the 2 MiB default in bench/queue_bench).
  RETURN_IF_ERROR(c.ExecScript("PRAGMA cache_size=-8192", "set cache size"));
  RETURN_IF_ERROR(
      c.ExecScript(("PRAGMA wal_autocheckpoint=" + std::to_string(kAutoCheckpointPages) +
                    ";PRAGMA journal_size_limit=" + std::to_string(kJournalSizeLimit))
                       .c_str(),
                   "set limits"));
  // Debian's SQLite overwrites deleted content with zeros (SECURE_DELETE), which made every
  // acknowledgement write each freed overflow page once more: 40% of the queue's I/O. FAST
  // still zeroes deleted rows in pages a delete writes anyway. Reports hold posture facts, not
  // secrets, and the file is 0600 in a 0700 directory.
  RETURN_IF_ERROR(c.ExecScript("PRAGMA secure_delete=FAST", "set secure_delete"));
  if (version < kSchemaVersion) {
    RETURN_IF_ERROR(c.ExecScript("BEGIN IMMEDIATE", "migrate schema"));
    Status status;
    // Re-read under the write lock: another process may have migrated meanwhile.
    Result<std::int64_t> current = c.QueryInt("PRAGMA user_version", "migrate schema");
    status = current.status();
    for (std::int64_t v = current.value_or(0); status.ok() && v < kSchemaVersion; ++v) {
      status = c.ExecScript(kMigrations[static_cast<std::size_t>(v)], "migrate schema");
    }
    if (status.ok()) {
      status = c.ExecScript(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str(),
                            "migrate schema");
    }
    if (status.ok()) status = c.ExecScript("COMMIT", "migrate schema");
    if (!status.ok() && c.in_transaction()) {
      sqlite3_exec(c.db(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
    RETURN_IF_ERROR(status);
  }
  // Reads every page once (cheap next to an upload), so damage such as a truncated file is
  // found now, where it can be handled, rather than midway through the agent's work.
  const Connection::TextRow verdict = c.QueryText("PRAGMA quick_check(1)");
  if (verdict.rc != SQLITE_ROW) return c.Error(verdict.rc, "check integrity");
  if (verdict.text != "ok") {
    return c.Error(SQLITE_CORRUPT, "check integrity: " + OneLine(verdict.text));
  }
  return Status();
}

class SqliteQueue final : public ReportQueue {
 public:
  SqliteQueue(std::unique_ptr<Connection> connection, const QueueLimits& limits, const Clock& clock)
      : connection_(std::move(connection)), limits_(limits), clock_(clock) {}

  Status Enqueue(const std::string& report_id, const std::string& document) override {
    const Item item{&report_id, &document};
    return EnqueueItems(&item, 1);
  }

  Status EnqueueBatch(const std::vector<std::pair<std::string, std::string>>& reports) override {
    std::vector<Item> items;
    items.reserve(reports.size());
    for (const auto& [id, document] : reports) items.push_back(Item{&id, &document});
    return EnqueueItems(items.data(), items.size());
  }

  Result<std::vector<QueuedReport>> Peek(std::size_t max_reports, std::size_t max_bytes) override {
    std::lock_guard lock(mu_);
    Connection& c = *connection_;
    std::vector<QueuedReport> reports;
    if (max_reports == 0) return reports;
    ASSIGN_STATEMENT(stmt, c, kPeek, "peek");
    stmt.Bind(1, ClampToInt64(max_reports));
    std::size_t bytes = 0;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      QueuedReport report;
      report.document = stmt.Text(2);
      if (!reports.empty() && report.document.size() > max_bytes - bytes) break;
      bytes += report.document.size();
      report.seq = stmt.Int(0);
      report.report_id = stmt.Text(1);
      report.queued_at = FromMicros(stmt.Int(3));
      report.attempts = static_cast<int>(stmt.Int(4));
      reports.push_back(std::move(report));
      if (bytes >= max_bytes) break;
    }
    return reports;
  }

  Status RecordAttempt(const std::vector<std::string>& report_ids) override {
    std::lock_guard lock(mu_);
    Connection& c = *connection_;
    return InLightTransaction(c, "record attempt", [&]() -> Status {
      for (const std::string& id : report_ids) {
        ASSIGN_STATEMENT(stmt, c, kAttempt, "record attempt");
        stmt.BindText(1, id);
        RETURN_IF_ERROR(stmt.Run());
      }
      return Status();
    });
  }

  Status Ack(const std::vector<std::string>& report_ids) override {
    std::lock_guard lock(mu_);
    Connection& c = *connection_;
    return InLightTransaction(c, "ack", [&]() -> Status {
      std::int64_t deleted = 0;
      std::int64_t bytes = 0;
      for (const std::string& id : report_ids) {
        ASSIGN_OR_RETURN(std::optional<std::int64_t> size, DeletePending(c, id, "ack"));
        if (!size) continue;
        ++deleted;
        bytes += *size;
      }
      if (deleted == 0) return Status();
      return RunInts(c, kAddAcked, "ack", {deleted, bytes});
    });
  }

  Status MoveToDeadLetter(const std::string& report_id, int http_status,
                          const std::string& error) override {
    std::lock_guard lock(mu_);
    Connection& c = *connection_;
    const std::string line = OneLine(error);
    const std::int64_t now = ToMicros(clock_.Now());
    return InTransaction(c, true, "dead-letter", [&]() -> Status {
      {
        ASSIGN_STATEMENT(copy, c, kCopyToDeadLetter, "dead-letter");
        copy.BindText(1, report_id);
        copy.Bind(2, http_status);
        copy.BindText(3, line);
        copy.Bind(4, now);
        RETURN_IF_ERROR(copy.Run());
      }
      if (c.changes() == 0) return Status();  // not pending: nothing to move
      ASSIGN_OR_RETURN(std::optional<std::int64_t> size,
                       DeletePending(c, report_id, "dead-letter"));
      if (!size) return c.Error(SQLITE_CORRUPT, "dead-letter: the copied report is not pending");
      RETURN_IF_ERROR(RunInts(c, kAddDeadLettered, "dead-letter", {*size}));
      return RunInts(c, kTrimDeadLetters, "dead-letter", {ClampToInt64(limits_.max_dead_letters)});
    });
  }

  Result<QueueStats> Stats() override {
    std::lock_guard lock(mu_);
    Connection& c = *connection_;
    QueueStats stats;
    RETURN_IF_ERROR(InTransaction(c, false, "stats", [&]() -> Status {
      {
        ASSIGN_STATEMENT(counters, c, kReadCounters, "stats");
        ASSIGN_OR_RETURN(bool row, counters.Step());
        if (!row) return c.Error(SQLITE_CORRUPT, "stats: the counters row is missing");
        stats.pending = ToCount(counters.Int(0));
        stats.pending_bytes = ToCount(counters.Int(1));
        stats.enqueued_total = ToCount(counters.Int(2));
        stats.acked_total = ToCount(counters.Int(3));
        stats.dropped_total = ToCount(counters.Int(4));
        stats.dead_lettered_total = ToCount(counters.Int(5));
        stats.corruption_resets = ToCount(counters.Int(6));
        stats.lost_to_corruption = ToCount(counters.Int(7));
      }
      {
        ASSIGN_STATEMENT(oldest, c, kOldest, "stats");
        ASSIGN_OR_RETURN(bool row, oldest.Step());
        if (row) stats.oldest_queued_at = FromMicros(oldest.Int(0));
      }
      ASSIGN_STATEMENT(dead, c, kCountDeadLetters, "stats");
      ASSIGN_OR_RETURN(bool row, dead.Step());
      if (row) stats.dead_letters = ToCount(dead.Int(0));
      return Status();
    }));
    return stats;
  }

  Result<std::vector<DeadLetter>> DeadLetters(std::size_t limit) override {
    std::lock_guard lock(mu_);
    Connection& c = *connection_;
    std::vector<DeadLetter> letters;
    ASSIGN_STATEMENT(stmt, c, kListDeadLetters, "list dead letters");
    stmt.Bind(1, ClampToInt64(limit));
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      DeadLetter letter;
      letter.report_id = stmt.Text(0);
      letter.http_status = static_cast<int>(stmt.Int(1));
      letter.error = stmt.Text(2);
      letter.at = FromMicros(stmt.Int(3));
      letters.push_back(std::move(letter));
    }
    return letters;
  }

 private:
  struct Item {
    const std::string* id;
    const std::string* document;
  };

  // Deletes the pending report `id`: its document's size, or nullopt if it was not pending.
  static Result<std::optional<std::int64_t>> DeletePending(Connection& c, const std::string& id,
                                                           std::string_view what) {
    ASSIGN_STATEMENT(stmt, c, kDelete, what);
    stmt.BindText(1, id);
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return std::optional<std::int64_t>();
    const std::int64_t size = stmt.Int(0);
    ASSIGN_OR_RETURN(bool more, stmt.Step());  // runs the statement to its end
    (void)more;
    return std::optional<std::int64_t>(size);
  }

  Status EnqueueItems(const Item* items, std::size_t count) {
    std::lock_guard lock(mu_);
    Connection& c = *connection_;
    const std::int64_t now = ToMicros(clock_.Now());
    Status refused;
    Status status = InTransaction(c, true, "enqueue", [&]() -> Status {
      refused = Status();
      std::int64_t added = 0;
      std::int64_t added_bytes = 0;
      std::int64_t too_big = 0;
      for (std::size_t i = 0; i < count; ++i) {
        const Item& item = items[i];
        if (item.document->size() > limits_.max_bytes) {
          ++too_big;
          if (refused.ok()) {
            refused = ResourceExhaustedError(
                "report queue " + c.path() + ": report " + OneLine(*item.id) + " is " +
                std::to_string(item.document->size()) + " bytes, over the cap of " +
                std::to_string(limits_.max_bytes));
          }
          continue;
        }
        ASSIGN_STATEMENT(insert, c, kInsert, "enqueue");
        insert.BindText(1, *item.id);
        insert.BindBlob(2, *item.document);
        insert.Bind(3, now);
        RETURN_IF_ERROR(insert.Run());
        if (c.changes() == 0) continue;  // already pending
        ++added;
        added_bytes += static_cast<std::int64_t>(item.document->size());
      }
      if (too_big > 0) RETURN_IF_ERROR(RunInts(c, kAddRefused, "enqueue", {too_big}));
      if (added == 0) return Status();
      RETURN_IF_ERROR(RunInts(c, kAddEnqueued, "enqueue", {added, added_bytes}));
      return EnforceCaps(c);
    });
    RETURN_IF_ERROR(status);
    return refused;
  }

  // Drops the oldest pending reports until both caps hold. The newest report always stays:
  // it fits max_bytes on its own (checked before inserting) and max_reports >= 1.
  Status EnforceCaps(Connection& c) {
    std::int64_t pending = 0;
    std::int64_t bytes = 0;
    {
      ASSIGN_STATEMENT(sizes, c, kReadSizes, "enqueue");
      ASSIGN_OR_RETURN(bool row, sizes.Step());
      if (!row) return c.Error(SQLITE_CORRUPT, "enqueue: the counters row is missing");
      pending = sizes.Int(0);
      bytes = sizes.Int(1);
    }
    const std::int64_t max_reports = ClampToInt64(limits_.max_reports);
    const std::int64_t max_bytes = ClampToInt64(limits_.max_bytes);
    if (pending <= max_reports && bytes <= max_bytes) return Status();
    std::int64_t last_dropped = -1;
    std::int64_t dropped = 0;
    std::int64_t dropped_bytes = 0;
    {
      ASSIGN_STATEMENT(scan, c, kScanSizes, "enqueue");
      while ((pending > max_reports || bytes > max_bytes) && pending > 1) {
        ASSIGN_OR_RETURN(bool row, scan.Step());
        if (!row) break;
        last_dropped = scan.Int(0);
        bytes -= scan.Int(1);
        dropped_bytes += scan.Int(1);
        --pending;
        ++dropped;
      }
    }
    if (dropped == 0) return Status();
    RETURN_IF_ERROR(RunInts(c, kDropUpTo, "enqueue", {last_dropped}));
    return RunInts(c, kAddDropped, "enqueue", {dropped, dropped_bytes});
  }

  std::mutex mu_;
  std::unique_ptr<Connection> connection_;  // guarded by mu_
  const QueueLimits limits_;
  const Clock& clock_;
};

Status CheckLimits(const std::string& path, const QueueLimits& limits) {
  if (path.empty()) return InvalidArgumentError("report queue: empty path");
  if (limits.max_reports == 0 || limits.max_bytes == 0 || limits.max_dead_letters == 0) {
    return InvalidArgumentError("report queue " + path + ": every limit must be at least 1");
  }
  return Status();
}

// Creates `path` 0600 (exactly, whatever the umask) if it does not exist yet.
Status CreateIfMissing(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path file(path);
  const std::filesystem::path dir =
      file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  if (!std::filesystem::is_directory(dir, ec)) {
    return UnavailableError("report queue " + path + ": directory " + dir.string() +
                            " does not exist");
  }
  if (std::filesystem::exists(std::filesystem::symlink_status(file, ec))) return Status();
  Status status = CreateFileExclusive(path, "", 0600);
  if (status.ok() || status.code() == StatusCode::kAlreadyExists) return Status();
  std::string message = "report queue: create " + status.message();
  switch (status.code()) {
    case StatusCode::kResourceExhausted:
      return ResourceExhaustedError(std::move(message));
    case StatusCode::kNotFound:
    case StatusCode::kPermissionDenied:
      return UnavailableError(std::move(message));
    default:
      return Status(status.code(), std::move(message));
  }
}

// Opens an existing file and brings it to the current schema.
Result<std::unique_ptr<Connection>> OpenConnection(const std::string& path, bool& corrupt) {
  corrupt = false;
  Result<std::unique_ptr<Connection>> opened = Connection::Open(path);
  if (!opened.ok()) return opened.status();
  std::unique_ptr<Connection> connection = std::move(opened).value();
  Status status = PrepareSchema(*connection);
  if (!status.ok()) {
    corrupt = connection->saw_corruption();
    if (corrupt) {
      // Leave the damaged file (and its WAL) exactly as found for whoever investigates.
      sqlite3_db_config(connection->db(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    }
    return status;
  }
  return connection;
}

// Best effort: how many reports the damaged file still says are pending (0 if unreadable).
std::uint64_t PendingInDamagedFile(const std::string& path) {
  sqlite3* db = nullptr;
  std::uint64_t pending = 0;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    // Relaxes the "file shorter than its header says" check, so the counters row of a
    // truncated file can still be read (the connection is read-only: nothing is written).
    sqlite3_exec(db, "PRAGMA writable_schema=ON", nullptr, nullptr, nullptr);
    for (const char* sql : {"SELECT pending FROM counters", "SELECT count(*) FROM pending"}) {
      sqlite3_stmt* stmt = nullptr;
      bool found = false;
      if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
          sqlite3_step(stmt) == SQLITE_ROW) {
        pending = ToCount(sqlite3_column_int64(stmt, 0));
        found = true;
      }
      sqlite3_finalize(stmt);
      if (found) break;
    }
  }
  sqlite3_close_v2(db);
  return pending;
}

// Renames `path` and its -wal/-shm/-journal to `<path>.corrupt-<unix seconds>[-wal...]`.
Status MoveAside(const std::string& path, const Clock& clock) {
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(clock.Now().time_since_epoch()).count();
  std::string aside = path + ".corrupt-" + std::to_string(seconds);
  std::error_code ec;
  // Two resets within a second must not overwrite the first one's evidence.
  for (int n = 1; std::filesystem::exists(std::filesystem::symlink_status(aside, ec)); ++n) {
    aside = path + ".corrupt-" + std::to_string(seconds) + "." + std::to_string(n);
  }
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    const std::string from = path + suffix;
    if (!std::filesystem::exists(std::filesystem::symlink_status(from, ec))) continue;
    std::filesystem::rename(from, aside + suffix, ec);
    if (ec) {
      return UnavailableError("report queue " + path + ": cannot move damaged " + from +
                              " aside: " + ec.message());
    }
  }
  std::filesystem::rename(path, aside, ec);
  if (ec) {
    return UnavailableError("report queue " + path +
                            ": cannot move the damaged file aside: " + ec.message());
  }
  return Status();
}

}  // namespace

Result<std::unique_ptr<ReportQueue>> OpenReportQueue(const std::string& path,
                                                     const QueueLimits& limits,
                                                     const Clock& clock) {
  RETURN_IF_ERROR(CheckLimits(path, limits));
  RETURN_IF_ERROR(CreateIfMissing(path));
  bool corrupt = false;
  Result<std::unique_ptr<Connection>> opened = OpenConnection(path, corrupt);
  if (opened.ok()) {
    return std::unique_ptr<ReportQueue>(
        std::make_unique<SqliteQueue>(std::move(opened).value(), limits, clock));
  }
  if (!corrupt) return opened.status();

  // The file is damaged: keep it for investigation and start a fresh queue, counting the loss.
  const std::uint64_t lost = PendingInDamagedFile(path);
  RETURN_IF_ERROR(MoveAside(path, clock));
  RETURN_IF_ERROR(CreateIfMissing(path));
  Result<std::unique_ptr<Connection>> fresh = OpenConnection(path, corrupt);
  if (!fresh.ok()) return fresh.status();
  std::unique_ptr<Connection> connection = std::move(fresh).value();
  const std::string record =
      "UPDATE counters SET corruption_resets = corruption_resets + 1, "
      "lost_to_corruption = lost_to_corruption + " +
      std::to_string(lost);
  RETURN_IF_ERROR(connection->ExecScript(record.c_str(), "record corruption reset"));
  return std::unique_ptr<ReportQueue>(
      std::make_unique<SqliteQueue>(std::move(connection), limits, clock));
}

}  // namespace bulwark::queue
