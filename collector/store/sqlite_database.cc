// SQLite backend of the SQL seam. One writer connection (SQLite allows one writer at a time
// anyway; queuing in-process is cheaper than busy-waiting on the file lock), driven by group
// commit, and a small pool of reader connections, which WAL mode lets run beside the writer.
// Each connection keeps its prepared statements.
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "collector/store/database.h"

namespace bulwark::collector::sql {
namespace {

Status SqliteStatus(int code, std::string message) {
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_PROTOCOL:
    // A full disk or no memory is the collector's trouble, and passes: callers answer 503 with
    // Retry-After. kResourceExhausted would reach agents as 413, which makes them give up on
    // the report (dead letter) rather than send it again.
    case SQLITE_FULL:
    case SQLITE_NOMEM:
      return UnavailableError(std::move(message));
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
      return InvalidArgumentError(std::move(message));
    case SQLITE_NOTADB:
      return FailedPreconditionError(std::move(message) + " (the file is not a SQLite database)");
    case SQLITE_CORRUPT:
      return DataLossError(std::move(message));
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return PermissionDeniedError(std::move(message));
    default:
      return InternalError(std::move(message));
  }
}

bool IsBlank(const char* text) {
  for (; *text != '\0'; ++text) {
    if (std::strchr(" \t\r\n", *text) == nullptr) return false;
  }
  return true;
}

constexpr std::int64_t kPageBytes = 4096;  // SQLite's default page size, which we keep

class SqliteConnection final : public Connection {
 public:
  // Opens `options.path`; `create` allows creating the file. `query_only` refuses writes.
  static Result<std::unique_ptr<SqliteConnection>> Open(const SqliteOptions& options, bool create,
                                                        bool query_only) {
    const std::string& path = options.path;
    sqlite3* db = nullptr;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    std::unique_ptr<SqliteConnection> connection(new SqliteConnection(db, path));
    if (rc != SQLITE_OK) {
      return SqliteStatus(rc, "sqlite: open " + path + ": " +
                                  (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, options.busy_timeout_ms);
    // The first statement reads the header: a file that is not SQLite fails here.
    ASSIGN_OR_RETURN(std::vector<Row> mode, connection->Query("PRAGMA journal_mode=WAL"));
    if (mode.empty() || mode[0].Text(0) != "wal") {
      return FailedPreconditionError("sqlite: " + path + ": cannot switch to WAL journal mode");
    }
    RETURN_IF_ERROR(connection->ExecSimple(options.full_sync ? "PRAGMA synchronous=FULL"
                                                             : "PRAGMA synchronous=NORMAL"));
    // No memory-mapped I/O: the database grows with every ingest, and SQLite remaps the file
    // as it grows; each munmap stalls every core for a TLB flush (-18% reports/s in the load
    // bench). The page cache below holds the hot b-tree pages (devices, indexes, latest
    // results) of a large fleet.
    RETURN_IF_ERROR(connection->ExecSimple("PRAGMA mmap_size=0"));
    // No checkpoint inside a commit: it would stall every writer queued behind it for the
    // whole copy-back and fsync (the load bench's p99). The Checkpointer thread does it.
    RETURN_IF_ERROR(connection->ExecSimple("PRAGMA wal_autocheckpoint=0"));
    // When the WAL starts over, a file grown past this (a burst, a slow disk) is cut back.
    const std::int64_t wal_limit = std::int64_t{4} * kPageBytes * options.checkpoint_pages;
    RETURN_IF_ERROR(
        connection->ExecSimple(("PRAGMA journal_size_limit=" + std::to_string(wal_limit)).c_str()));
    RETURN_IF_ERROR(connection->ExecSimple(query_only ? "PRAGMA cache_size=-8192"
                                                      : "PRAGMA cache_size=-32768"));
    RETURN_IF_ERROR(connection->ExecSimple("PRAGMA foreign_keys=ON"));
    if (query_only) RETURN_IF_ERROR(connection->ExecSimple("PRAGMA query_only=ON"));
    return connection;
  }

  ~SqliteConnection() override {
    for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
    sqlite3_close_v2(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  // Runs SQL without parameters or results (transaction control, pragmas); prepared once.
  Status ExecSimple(const char* sql) { return Run(sql, {}, nullptr); }

  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
  sqlite3* handle() const { return db_; }

 protected:
  Result<std::int64_t> DoExec(std::string_view sql, std::span<const Param> params) override {
    RETURN_IF_ERROR(Run(sql, params, nullptr));
    return static_cast<std::int64_t>(sqlite3_changes64(db_));
  }
  Result<std::vector<Row>> DoQuery(std::string_view sql, std::span<const Param> params) override {
    std::vector<Row> rows;
    RETURN_IF_ERROR(Run(sql, params, &rows));
    return rows;
  }

 private:
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    // For each SQLite parameter index i (1-based, at [i-1]): which `$N` it is (N-1).
    std::vector<std::size_t> param_of_index;
    std::size_t param_count = 0;  // the highest N
  };

  // Prepared statements kept per connection; a cap keeps ad-hoc SQL from growing it forever.
  static constexpr std::size_t kMaxCachedStatements = 256;

  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  Status Error(int rc, std::string_view sql) const {
    return SqliteStatus(rc, "sqlite: " + path_ + ": " + std::string(sqlite3_errmsg(db_)) +
                                " (in: " + std::string(sql.substr(0, 80)) + ")");
  }

  Result<Cached*> Prepare(std::string_view sql) {
    std::string key(sql);
    auto it = cache_.find(key);
    if (it != cache_.end()) return &it->second;
    if (cache_.size() >= kMaxCachedStatements) {
      for (auto& [text, cached] : cache_) sqlite3_finalize(cached.stmt);
      cache_.clear();
    }
    Cached cached;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, key.c_str(), static_cast<int>(key.size() + 1),
                                SQLITE_PREPARE_PERSISTENT, &cached.stmt, &tail);
    if (rc != SQLITE_OK) return Error(rc, sql);
    if (cached.stmt == nullptr || (tail != nullptr && !IsBlank(tail))) {
      sqlite3_finalize(cached.stmt);
      return InternalError("sqlite: expected exactly one statement in: " + key);
    }
    int count = sqlite3_bind_parameter_count(cached.stmt);
    for (int i = 1; i <= count; ++i) {
      const char* name = sqlite3_bind_parameter_name(cached.stmt, i);
      std::optional<std::size_t> n = ParsePlaceholder(name != nullptr ? name : "");
      if (!n.has_value()) {
        sqlite3_finalize(cached.stmt);
        return InternalError("sqlite: only $N placeholders are supported: " + key);
      }
      cached.param_of_index.push_back(*n - 1);
      cached.param_count = std::max(cached.param_count, *n);
    }
    return &cache_.emplace(std::move(key), cached).first->second;
  }

  Status Bind(const Cached& cached, std::span<const Param> params) {
    if (params.size() != cached.param_count) {
      return InternalError("sqlite: statement takes " + std::to_string(cached.param_count) +
                           " parameters, got " + std::to_string(params.size()));
    }
    for (std::size_t i = 0; i < cached.param_of_index.size(); ++i) {
      const Param& param = params[cached.param_of_index[i]];
      int index = static_cast<int>(i + 1);
      int rc = SQLITE_OK;
      if (std::holds_alternative<std::nullptr_t>(param)) {
        rc = sqlite3_bind_null(cached.stmt, index);
      } else if (const auto* number = std::get_if<std::int64_t>(&param)) {
        rc = sqlite3_bind_int64(cached.stmt, index, *number);
      } else {
        std::string_view text = std::get<std::string_view>(param);
        RETURN_IF_ERROR(CheckText(text));
        // A null pointer would bind NULL, so empty text gets a real (static) pointer. The text
        // outlives the statement's use: it is reset before Run returns.
        rc = sqlite3_bind_text64(cached.stmt, index, text.empty() ? "" : text.data(),
                                 static_cast<sqlite3_uint64>(text.size()), nullptr, SQLITE_UTF8);
      }
      if (rc != SQLITE_OK) return Error(rc, sqlite3_sql(cached.stmt));
    }
    return Status();
  }

  Status Run(std::string_view sql, std::span<const Param> params, std::vector<Row>* rows) {
    ASSIGN_OR_RETURN(Cached * cached, Prepare(sql));
    sqlite3_stmt* stmt = cached->stmt;
    Status status = Bind(*cached, params);
    while (status.ok()) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        status = Error(rc, sql);
        break;
      }
      if (rows == nullptr) continue;
      int columns = sqlite3_column_count(stmt);
      std::vector<std::optional<std::string>> values;
      values.reserve(static_cast<std::size_t>(columns));
      for (int c = 0; c < columns; ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
          values.emplace_back(std::nullopt);
          continue;
        }
        const unsigned char* text = sqlite3_column_text(stmt, c);
        int size = sqlite3_column_bytes(stmt, c);
        values.emplace_back(
            std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)));
      }
      rows->emplace_back(std::move(values));
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return status;
  }

  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, Cached> cache_;
};

// Runs `body` between `begin` and COMMIT on `connection`, rolling back on any error.
Status RunTransaction(SqliteConnection& connection, const char* begin, const TxBody& body) {
  RETURN_IF_ERROR(connection.ExecSimple(begin));
  Status status = body(connection);
  if (status.ok()) {
    status = connection.ExecSimple("COMMIT");
    if (status.ok()) return status;
  }
  // Some errors (SQLITE_FULL, SQLITE_IOERR) end the transaction themselves.
  if (connection.in_transaction()) static_cast<void>(connection.ExecSimple("ROLLBACK"));
  return status;
}

// Copies the WAL back into the database on its own connection and thread, so commits never
// wait for the bulk of it. A PASSIVE checkpoint takes no lock that writers or readers wait on,
// but it only copies what was committed when it started, and SQLite starts the WAL over only
// when a writer finds every frame copied, which never happens while commits keep coming (the
// WAL then grew by everything written). So after each PASSIVE pass the write path, between two
// group commits, runs a RESTART checkpoint: it copies only the frames committed during the pass
// and waits (at most kRestartWaitMs) for readers to leave the WAL, which then starts over.
class Checkpointer {
 public:
  static constexpr int kRestartWaitMs = 50;
  static constexpr int kMaxPasses = 4;
  static constexpr int kSmallTailPages = 256;

  // `trigger_pages`: WAL size (pages) after a commit that asks for a checkpoint.
  Checkpointer(std::unique_ptr<SqliteConnection> connection, int trigger_pages)
      : connection_(std::move(connection)),
        trigger_pages_(std::max(trigger_pages, 1)),
        thread_([this] { Run(); }) {}
  ~Checkpointer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // sqlite3_wal_hook callback of the writer connection: runs after each commit.
  // True after a PASSIVE pass until RestartDone(): the writer should restart the WAL before its
  // next group. No other pass starts in between (it would hold the checkpoint lock).
  bool RestartDue() const { return restart_due_.load(std::memory_order_acquire); }
  void RestartDone() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      restart_due_.store(false, std::memory_order_release);
    }
    cv_.notify_one();
  }

  static int OnCommit(void* self, sqlite3* /*db*/, const char* /*schema*/, int wal_pages) {
    auto* checkpointer = static_cast<Checkpointer*>(self);
    if (wal_pages >= checkpointer->trigger_pages_) checkpointer->Request();
    return SQLITE_OK;
  }

 private:
  void Request() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      requested_ = true;
    }
    cv_.notify_one();
  }
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [this] { return stop_ || (requested_ && !RestartDue()); });
      if (stop_) return;
      requested_ = false;
      lock.unlock();
      // Passes repeat while the commits made during the last one are many, so that the
      // restart, which writers wait for, copies little. A failure (busy, I/O) is retried at
      // the next trigger; the data is safe in the WAL.
      bool copied = false;
      int last_log = 0;
      for (int pass = 0; pass < kMaxPasses; ++pass) {
        int log = 0;
        int checkpointed = 0;
        if (sqlite3_wal_checkpoint_v2(connection_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                      &log, &checkpointed) != SQLITE_OK) {
          break;
        }
        copied = true;
        if (pass > 0 && log - last_log < kSmallTailPages) break;
        last_log = log;
      }
      lock.lock();
      if (copied) restart_due_.store(true, std::memory_order_release);
    }
  }

  std::unique_ptr<SqliteConnection> connection_;  // used by thread_ only
  const int trigger_pages_;
  std::atomic<bool> restart_due_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool requested_ = false;  // guarded by mu_
  bool stop_ = false;       // guarded by mu_
  std::thread thread_;
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::unique_ptr<SqliteConnection> writer,
                 std::vector<std::unique_ptr<SqliteConnection>> readers,
                 std::unique_ptr<SqliteConnection> checkpoint_connection, int checkpoint_pages,
                 int busy_timeout_ms)
      : busy_timeout_ms_(busy_timeout_ms),
        writer_(std::move(writer)),
        checkpointer_(
            std::make_unique<Checkpointer>(std::move(checkpoint_connection), checkpoint_pages)),
        idle_readers_(std::move(readers)) {
    sqlite3_wal_hook(writer_->handle(), &Checkpointer::OnCommit, checkpointer_.get());
  }
  ~SqliteDatabase() override {
    sqlite3_wal_hook(writer_->handle(), nullptr, nullptr);
    checkpointer_.reset();
  }

  Backend backend() const override { return Backend::kSqlite; }

  Status Transact(TxKind kind, const TxBody& body) override {
    if (kind == TxKind::kWrite) return TransactWrite(body);
    std::unique_ptr<SqliteConnection> reader;
    {
      std::unique_lock<std::mutex> lock(readers_mu_);
      readers_cv_.wait(lock, [this] { return !idle_readers_.empty(); });
      reader = std::move(idle_readers_.back());
      idle_readers_.pop_back();
    }
    Status status = RunTransaction(*reader, "BEGIN", body);
    {
      std::lock_guard<std::mutex> lock(readers_mu_);
      idle_readers_.push_back(std::move(reader));
    }
    readers_cv_.notify_one();
    return status;
  }

  Status Ping() override {
    return Transact(TxKind::kRead,
                    [](Connection& connection) { return connection.Query("SELECT 1").status(); });
  }

 private:
  // A write transaction waiting for (or being run by) the leader.
  struct PendingWrite {
    const TxBody* body = nullptr;
    Status status;
    bool done = false;             // guarded by queue_mu_
    std::condition_variable wake;  // signalled when done, or when it should lead
  };

  // Most write transactions committed together.
  static constexpr std::size_t kMaxGroup = 64;

  // Group commit: callers queue their bodies; whoever finds no leader becomes it and runs
  // everything queued (up to kMaxGroup) in one SQLite transaction, each body inside its own
  // savepoint, so a failing body is undone alone while the others share one COMMIT. Under
  // many concurrent small writes this turns N commits into one.
  Status TransactWrite(const TxBody& body) {
    PendingWrite me;
    me.body = &body;
    std::unique_lock<std::mutex> lock(queue_mu_);
    queue_.push_back(&me);
    while (!me.done) {
      if (leader_active_) {
        me.wake.wait(lock);
        continue;
      }
      leader_active_ = true;
      std::vector<PendingWrite*> group;
      while (!queue_.empty() && group.size() < kMaxGroup) {
        group.push_back(queue_.front());
        queue_.pop_front();
      }
      lock.unlock();
      if (checkpointer_->RestartDue()) {
        RestartWal();
        checkpointer_->RestartDone();
      }
      RunGroup(group);
      lock.lock();
      leader_active_ = false;
      // Wake exactly the callers that are done, and the next one in line to lead.
      for (PendingWrite* pending : group) {
        pending->done = true;
        pending->wake.notify_one();
      }
      if (!queue_.empty()) queue_.front()->wake.notify_one();
    }
    return me.status;
  }

  // Copies what the last PASSIVE pass left and starts the WAL over. Only the leader calls this,
  // between groups: no write is in progress, and the next group waits for it.
  void RestartWal() {
    sqlite3* db = writer_->handle();
    sqlite3_busy_timeout(db, Checkpointer::kRestartWaitMs);
    // SQLITE_BUSY (a long reader) leaves the WAL as it is until the next pass.
    sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
    sqlite3_busy_timeout(db, busy_timeout_ms_);
  }

  // Runs `group` on the writer. Only the leader calls this, so it has the writer to itself.
  void RunGroup(const std::vector<PendingWrite*>& group) {
    SqliteConnection& writer = *writer_;
    if (group.size() == 1) {
      group[0]->status = RunTransaction(writer, "BEGIN IMMEDIATE", *group[0]->body);
      return;
    }
    Status begun = writer.ExecSimple("BEGIN IMMEDIATE");
    if (!begun.ok()) {
      for (PendingWrite* pending : group) pending->status = begun;
      return;
    }
    for (std::size_t i = 0; i < group.size(); ++i) {
      PendingWrite& pending = *group[i];
      pending.status = writer.ExecSimple("SAVEPOINT body");
      if (pending.status.ok()) pending.status = (*pending.body)(writer);
      if (pending.status.ok()) pending.status = writer.ExecSimple("RELEASE body");
      if (pending.status.ok()) continue;
      if (writer.in_transaction()) {
        static_cast<void>(writer.ExecSimple("ROLLBACK TO body"));
        static_cast<void>(writer.ExecSimple("RELEASE body"));
        continue;
      }
      // The error ended the whole transaction (disk full, I/O error): nothing of the group
      // was kept.
      for (PendingWrite* other : group) {
        if (other != &pending) other->status = pending.status;
      }
      return;
    }
    Status committed = writer.ExecSimple("COMMIT");
    if (committed.ok()) return;
    if (writer.in_transaction()) static_cast<void>(writer.ExecSimple("ROLLBACK"));
    for (PendingWrite* pending : group) {
      if (pending->status.ok()) pending->status = committed;
    }
  }

  const int busy_timeout_ms_;
  std::unique_ptr<SqliteConnection> writer_;  // used by the group-commit leader only
  std::unique_ptr<Checkpointer> checkpointer_;

  std::mutex queue_mu_;
  std::deque<PendingWrite*> queue_;  // guarded by queue_mu_
  bool leader_active_ = false;       // guarded by queue_mu_

  std::mutex readers_mu_;
  std::condition_variable readers_cv_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_readers_;  // guarded by readers_mu_
};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqliteDatabase(const SqliteOptions& options) {
  if (options.path.empty()) return InvalidArgumentError("sqlite: empty database path");
  if (options.readers < 1) return InvalidArgumentError("sqlite: need at least one reader");
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> writer,
                   SqliteConnection::Open(options, /*create=*/true, /*query_only=*/false));
  std::vector<std::unique_ptr<SqliteConnection>> readers;
  for (int i = 0; i < options.readers; ++i) {
    ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> reader,
                     SqliteConnection::Open(options, /*create=*/false, /*query_only=*/true));
    readers.push_back(std::move(reader));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> checkpoint_connection,
                   SqliteConnection::Open(options, /*create=*/false, /*query_only=*/false));
  return std::unique_ptr<Database>(
      new SqliteDatabase(std::move(writer), std::move(readers), std::move(checkpoint_connection),
                         options.checkpoint_pages, options.busy_timeout_ms));
}

}  // namespace bulwark::collector::sql
