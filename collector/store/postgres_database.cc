// PostgreSQL backend of the SQL seam (libpq). A pool of connections opened on demand; a
// connection found broken is dropped and replaced. Write transactions run at READ COMMITTED
// (the store's statements are written for it: ON CONFLICT and row locks), read transactions at
// REPEATABLE READ READ ONLY so a page and its total come from one snapshot. Serialization
// failures and deadlocks roll back and rerun the body.
//
// Parameters go out in binary format: for `text` that is the UTF-8 bytes themselves (no copy,
// no NUL terminator needed), for `int8` eight big-endian bytes. Results come back as text.
#include <libpq-fe.h>

#include <array>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "collector/store/database.h"

namespace bulwark::collector::sql {
namespace {

constexpr Oid kInt8Oid = 20;
constexpr Oid kTextOid = 25;
constexpr int kMaxAttempts = 5;

std::string TrimMessage(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

Status StatusForSqlState(std::string_view state, std::string message) {
  std::string_view klass = state.substr(0, std::min<std::size_t>(2, state.size()));
  if (state == "40001" || state == "40P01" || state == "55P03" || klass == "08" || klass == "53" ||
      klass == "57") {
    return UnavailableError(std::move(message));
  }
  if (klass == "23" || klass == "22") return InvalidArgumentError(std::move(message));
  if (klass == "28" || klass == "42501") return PermissionDeniedError(std::move(message));
  return InternalError(std::move(message));
}

class PgConnection final : public Connection {
 public:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  ~PgConnection() override { PQfinish(conn_); }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  bool broken() const { return PQstatus(conn_) != CONNECTION_OK; }
  // The SQLSTATE of the last failed statement since ResetError().
  const std::string& last_sqlstate() const { return last_sqlstate_; }
  void ResetError() { last_sqlstate_.clear(); }

  // Runs SQL without parameters (transaction control).
  Status ExecSimple(const char* sql) { return Run(sql, {}, nullptr).status(); }

 protected:
  Result<std::int64_t> DoExec(std::string_view sql, std::span<const Param> params) override {
    return Run(sql, params, nullptr);
  }
  Result<std::vector<Row>> DoQuery(std::string_view sql, std::span<const Param> params) override {
    std::vector<Row> rows;
    RETURN_IF_ERROR(Run(sql, params, &rows).status());
    return rows;
  }

 private:
  struct ResultDeleter {
    void operator()(PGresult* result) const { PQclear(result); }
  };

  Result<std::int64_t> Run(std::string_view sql, std::span<const Param> params,
                           std::vector<Row>* rows) {
    std::size_t n = params.size();
    std::vector<Oid> types(n, 0);
    std::vector<const char*> values(n, nullptr);
    std::vector<int> lengths(n, 0);
    std::vector<int> formats(n, 1);
    std::vector<std::array<char, 8>> numbers(n);
    for (std::size_t i = 0; i < n; ++i) {
      const Param& param = params[i];
      if (const auto* number = std::get_if<std::int64_t>(&param)) {
        auto bits = static_cast<std::uint64_t>(*number);
        for (int b = 0; b < 8; ++b) {
          numbers[i][static_cast<std::size_t>(b)] =
              static_cast<char>((bits >> (56 - 8 * b)) & 0xff);
        }
        types[i] = kInt8Oid;
        values[i] = numbers[i].data();
        lengths[i] = 8;
      } else if (const auto* text = std::get_if<std::string_view>(&param)) {
        RETURN_IF_ERROR(CheckText(*text));
        if (text->size() > static_cast<std::size_t>(INT32_MAX)) {
          return InvalidArgumentError("postgresql: parameter too large");
        }
        types[i] = kTextOid;
        values[i] = text->empty() ? "" : text->data();
        lengths[i] = static_cast<int>(text->size());
      }
    }
    std::string statement(sql);
    std::unique_ptr<PGresult, ResultDeleter> result(
        PQexecParams(conn_, statement.c_str(), static_cast<int>(n), types.data(), values.data(),
                     lengths.data(), formats.data(), /*resultFormat=*/0));
    ExecStatusType state = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (state != PGRES_COMMAND_OK && state != PGRES_TUPLES_OK) {
      const char* sqlstate = result ? PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
      std::string message = "postgresql: " + TrimMessage(PQerrorMessage(conn_)) +
                            " (in: " + statement.substr(0, 80) + ")";
      if (sqlstate == nullptr || broken()) {
        last_sqlstate_ = "08000";  // connection failure
        return UnavailableError(std::move(message));
      }
      last_sqlstate_ = sqlstate;
      return StatusForSqlState(last_sqlstate_, std::move(message));
    }
    if (rows != nullptr) {
      int count = PQntuples(result.get());
      int columns = PQnfields(result.get());
      rows->reserve(static_cast<std::size_t>(count));
      for (int r = 0; r < count; ++r) {
        std::vector<std::optional<std::string>> row;
        row.reserve(static_cast<std::size_t>(columns));
        for (int c = 0; c < columns; ++c) {
          if (PQgetisnull(result.get(), r, c) != 0) {
            row.emplace_back(std::nullopt);
          } else {
            row.emplace_back(
                std::string(PQgetvalue(result.get(), r, c),
                            static_cast<std::size_t>(PQgetlength(result.get(), r, c))));
          }
        }
        rows->emplace_back(std::move(row));
      }
    }
    const char* affected = PQcmdTuples(result.get());
    std::int64_t count = 0;
    for (const char* p = affected; p != nullptr && *p >= '0' && *p <= '9'; ++p) {
      count = count * 10 + (*p - '0');
    }
    return count;
  }

  PGconn* conn_;
  std::string last_sqlstate_;
};

Result<std::unique_ptr<PgConnection>> Connect(const std::string& url) {
  // Defaults first (the URL may override them), then what the store relies on.
  const char* keywords[] = {"connect_timeout", "application_name", "dbname", "client_encoding",
                            nullptr};
  const char* values[] = {"10", "bulwark-collector", url.c_str(), "UTF8", nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) return UnavailableError("postgresql: out of memory");
  auto connection = std::make_unique<PgConnection>(conn);
  // Library code does not log: drop server notices ("relation already exists, skipping").
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  if (PQstatus(conn) != CONNECTION_OK) {
    return UnavailableError("postgresql: connect: " + TrimMessage(PQerrorMessage(conn)));
  }
  return connection;
}

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(std::string url, int max_connections, std::unique_ptr<PgConnection> first)
      : url_(std::move(url)), max_connections_(max_connections), open_(1) {
    idle_.push_back(std::move(first));
  }

  Backend backend() const override { return Backend::kPostgres; }

  Status Transact(TxKind kind, const TxBody& body) override {
    const char* begin = kind == TxKind::kWrite ? "BEGIN ISOLATION LEVEL READ COMMITTED"
                                               : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    Status status;
    for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
      ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> connection, Acquire());
      connection->ResetError();
      bool committing = false;
      status = connection->ExecSimple(begin);
      if (status.ok()) status = body(*connection);
      if (status.ok()) {
        committing = true;
        status = connection->ExecSimple("COMMIT");
      }
      // The failure's SQLSTATE decides on a retry; ROLLBACK must not overwrite it.
      std::string state = connection->last_sqlstate();
      if (!status.ok() && !connection->broken()) {
        static_cast<void>(connection->ExecSimple("ROLLBACK"));
      }
      bool broken = connection->broken();
      Release(std::move(connection));
      if (status.ok()) return status;
      bool retry = state == "40001" || state == "40P01" || (broken && !committing);
      if (!retry) break;
    }
    return status;
  }

  Status Ping() override {
    return Transact(TxKind::kRead,
                    [](Connection& connection) { return connection.Query("SELECT 1").status(); });
  }

 private:
  Result<std::unique_ptr<PgConnection>> Acquire() {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return !idle_.empty() || open_ < max_connections_; });
      while (!idle_.empty()) {
        std::unique_ptr<PgConnection> connection = std::move(idle_.back());
        idle_.pop_back();
        if (!connection->broken()) return connection;
        --open_;  // dropped; replaced below
      }
      ++open_;
    }
    Result<std::unique_ptr<PgConnection>> connection = Connect(url_);
    if (!connection.ok()) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        --open_;
      }
      cv_.notify_one();
    }
    return connection;
  }

  void Release(std::unique_ptr<PgConnection> connection) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (connection->broken()) {
        --open_;
        connection.reset();
      } else {
        idle_.push_back(std::move(connection));
      }
    }
    cv_.notify_one();
  }

  const std::string url_;
  const int max_connections_;

  std::mutex mu_;
  std::condition_variable cv_;
  int open_;                                         // guarded by mu_: idle + in use
  std::vector<std::unique_ptr<PgConnection>> idle_;  // guarded by mu_
};

}  // namespace

Result<std::unique_ptr<Database>> OpenPostgresDatabase(const PostgresOptions& options) {
  if (options.connections < 1) {
    return InvalidArgumentError("postgresql: need at least one connection");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> first, Connect(options.url));
  ASSIGN_OR_RETURN(std::vector<Row> encoding, first->Query("SHOW server_encoding"));
  if (encoding.empty() || encoding[0].Text(0) != "UTF8") {
    return FailedPreconditionError("postgresql: the database encoding must be UTF8, not " +
                                   (encoding.empty() ? std::string("?") : encoding[0].Text(0)));
  }
  return std::unique_ptr<Database>(
      new PostgresDatabase(options.url, options.connections, std::move(first)));
}

}  // namespace bulwark::collector::sql
