// The store's SQL seam: a transaction runner over a pool of connections, with one SQLite and
// one PostgreSQL implementation, so the store logic (sql_store.cc) and the schema
// (migrations.cc) are written once.
//
// SQL text uses PostgreSQL's positional placeholders `$1`, `$2`, ... for both backends (SQLite
// reads `$1` as a named parameter; a placeholder may appear several times). Values are always
// bound, never spliced into SQL text. Parameters are NULL, a 64-bit integer or text; results
// come back as text (integers in decimal), NULL as nullopt.
//
// Text must be valid UTF-8 without NUL bytes (PostgreSQL cannot store either); both backends
// reject other text with kInvalidArgument so they behave alike.
//
// Errors: kUnavailable for a busy, locked or unreachable database (retryable), kInvalidArgument
// for a constraint or data error the database reported, kFailedPrecondition for a file that is
// not a database or a schema newer than this build, kInternal otherwise.
//
// Internal to collector/store: the API layer only sees store.h.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "agent/base/status.h"

namespace bulwark::collector::sql {

// One bound parameter. Text is borrowed: it must outlive the Exec/Query call.
using Param = std::variant<std::nullptr_t, std::int64_t, std::string_view>;

// NULL when `value` is empty.
inline Param OptionalInt(const std::optional<std::int64_t>& value) {
  if (value.has_value()) return *value;
  return nullptr;
}

// One result row; column i as text, nullopt for NULL.
class Row {
 public:
  explicit Row(std::vector<std::optional<std::string>> columns) : columns_(std::move(columns)) {}

  std::size_t size() const { return columns_.size(); }
  bool IsNull(std::size_t i) const { return !columns_.at(i).has_value(); }
  // The text of column i; empty for NULL.
  const std::string& Text(std::size_t i) const;
  // Column i as an integer; nullopt for NULL or text that is not a decimal integer.
  std::optional<std::int64_t> OptInt(std::size_t i) const;
  // OptInt(i), 0 when absent.
  std::int64_t Int(std::size_t i) const { return OptInt(i).value_or(0); }

 private:
  std::vector<std::optional<std::string>> columns_;
};

// A connection inside a transaction. Not thread-safe; valid only during the transaction body.
class Connection {
 public:
  virtual ~Connection() = default;

  // Runs one statement and returns the number of rows it inserted, updated or deleted.
  Result<std::int64_t> Exec(std::string_view sql, std::span<const Param> params) {
    return DoExec(sql, params);
  }
  Result<std::int64_t> Exec(std::string_view sql, std::initializer_list<Param> params = {}) {
    return DoExec(sql, std::span<const Param>(params.begin(), params.size()));
  }
  // Runs one statement and returns its rows (SELECT, or a statement with RETURNING).
  Result<std::vector<Row>> Query(std::string_view sql, std::span<const Param> params) {
    return DoQuery(sql, params);
  }
  Result<std::vector<Row>> Query(std::string_view sql, std::initializer_list<Param> params = {}) {
    return DoQuery(sql, std::span<const Param>(params.begin(), params.size()));
  }

 protected:
  virtual Result<std::int64_t> DoExec(std::string_view sql, std::span<const Param> params) = 0;
  virtual Result<std::vector<Row>> DoQuery(std::string_view sql, std::span<const Param> params) = 0;
};

enum class Backend { kSqlite, kPostgres };

enum class TxKind {
  kRead,   // a consistent snapshot; writes are refused
  kWrite,  // serialised per database file (SQLite); row locks (PostgreSQL)
};

// The body of a transaction. Returning a non-OK status rolls the transaction back.
using TxBody = std::function<Status(Connection&)>;

// Thread-safety: every method may be called concurrently; each transaction gets its own
// connection from the pool (waiting for one to be free).
class Database {
 public:
  virtual ~Database() = default;

  virtual Backend backend() const = 0;

  // Runs `body` in one transaction and commits it if `body` returns OK. The body may run more
  // than once: PostgreSQL serialization failures and deadlocks (SQLSTATE 40001/40P01) and a
  // connection lost before COMMIT are retried a few times. So a body must reset whatever it
  // reports back through captured variables at its start. SQLite commits concurrent write
  // transactions together (group commit, possibly running `body` on another caller's thread):
  // each body stays atomic — it runs in its own savepoint — and Transact returns after the
  // shared COMMIT.
  virtual Status Transact(TxKind kind, const TxBody& body) = 0;

  // A cheap round trip to the database.
  virtual Status Ping() = 0;
};

struct SqliteOptions {
  std::string path;  // the database file; created if missing
  int readers = 2;   // reader connections (>= 1)
  int busy_timeout_ms = 5000;
  // WAL size (4 KiB pages) at which a commit wakes the checkpointer; the WAL is started over
  // from its beginning after each checkpoint, so its file stays near this size.
  int checkpoint_pages = 4096;
  // true: fsync the WAL at every commit (synchronous=FULL), so no committed transaction is
  // lost to a power cut or kernel crash. false (NORMAL): a commit survives the process dying,
  // but the last ones before a power cut may be lost; about twice the commit rate.
  bool full_sync = false;
};

// Opens (creating if needed) a SQLite database in WAL mode. kFailedPrecondition if `path`
// exists but is not a SQLite database; kUnavailable if it cannot be opened.
Result<std::unique_ptr<Database>> OpenSqliteDatabase(const SqliteOptions& options);

struct PostgresOptions {
  std::string url;  // libpq URI or key=value string
  int connections = 4;
};

// Connects to PostgreSQL (one connection at once, more on demand up to `connections`).
// kUnavailable if the server cannot be reached; kFailedPrecondition if its encoding is not
// UTF8.
Result<std::unique_ptr<Database>> OpenPostgresDatabase(const PostgresOptions& options);

// OK if `text` is valid UTF-8 and holds no NUL byte; kInvalidArgument otherwise.
Status CheckText(std::string_view text);

// Parses the name of a `$N` placeholder (N >= 1); nullopt if `name` is not one.
std::optional<std::size_t> ParsePlaceholder(std::string_view name);

}  // namespace bulwark::collector::sql
