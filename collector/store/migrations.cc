#include "collector/store/migrations.h"

#include <set>
#include <utility>
#include <vector>

namespace bulwark::collector::sql {
namespace {

// Advisory lock key under PostgreSQL: "bulwark" in ASCII, arbitrary but fixed.
constexpr std::int64_t kMigrationLockKey = 0x62756c7761726bLL;

// Version 1. Booleans are BIGINT 0/1 (one spelling for both backends); times are Unix seconds.
constexpr std::string_view kInitialSchema[] = {
    // One row per enrolled machine. The latest_* columns mirror the newest report (by
    // generated_at, then report_id) so the device list needs no join.
    R"sql(CREATE TABLE devices (
  device_id {text} PRIMARY KEY,
  machine_id {text} NOT NULL UNIQUE,
  hostname {text} NOT NULL,
  os {text} NOT NULL,
  os_version {text} NOT NULL,
  credential_hash {text} NOT NULL,
  enrolled_at BIGINT NOT NULL,
  revoked_at BIGINT,
  last_seen BIGINT,
  compliant BIGINT,
  failing BIGINT NOT NULL DEFAULT 0,
  errors BIGINT NOT NULL DEFAULT 0,
  policy_id {text} NOT NULL DEFAULT '',
  policy_version BIGINT,
  latest_report_id {text},
  latest_generated_at BIGINT
))sql",
    // Filters of the device list, each ending in the keyset column.
    "CREATE INDEX devices_by_compliant ON devices (compliant, device_id)",
    "CREATE INDEX devices_by_os ON devices (os, device_id)",
    R"sql(CREATE TABLE reports (
  device_id {text} NOT NULL REFERENCES devices (device_id),
  report_id {text} NOT NULL,
  generated_at BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  compliant BIGINT NOT NULL,
  failing BIGINT NOT NULL,
  errors BIGINT NOT NULL,
  policy_id {text} NOT NULL,
  policy_epoch BIGINT NOT NULL,
  policy_version BIGINT NOT NULL,
  document {text} NOT NULL,
  PRIMARY KEY (device_id, report_id)
))sql",
    // Retention deletes by received_at.
    "CREATE INDEX reports_by_received ON reports (received_at)",
    // The latest report's results, replaced when a newer report arrives; the summary
    // aggregates over it. Only written after the device row was updated (and locked).
    // Clustered by its key under SQLite, so replacing a device's rows touches one page.
    R"sql(CREATE TABLE latest_results (
  device_id {text} NOT NULL,
  check_id {text} NOT NULL,
  title {text} NOT NULL,
  severity {text} NOT NULL,
  status {text} NOT NULL,
  PRIMARY KEY (device_id, check_id)
){without_rowid})sql",
    // A bundle version is published once: equal (policy_id, epoch, version) with different
    // bytes would make agents raise an equivocation alert.
    R"sql(CREATE TABLE policies (
  policy_id {text} NOT NULL,
  epoch BIGINT NOT NULL,
  version BIGINT NOT NULL,
  sha256 {text} NOT NULL,
  all_platforms BIGINT NOT NULL,
  bundle {text} NOT NULL,
  published_at BIGINT NOT NULL,
  PRIMARY KEY (policy_id, epoch, version),
  UNIQUE (policy_id, sha256)
))sql",
    "CREATE INDEX policies_by_version ON policies (epoch, version)",
    R"sql(CREATE TABLE policy_platforms (
  policy_id {text} NOT NULL,
  sha256 {text} NOT NULL,
  position BIGINT NOT NULL,
  platform {text} NOT NULL,
  PRIMARY KEY (policy_id, sha256, position),
  FOREIGN KEY (policy_id, sha256) REFERENCES policies (policy_id, sha256)
))sql",
    "CREATE INDEX policy_platforms_by_platform ON policy_platforms (platform)",
    R"sql(CREATE TABLE trust_roots (
  version BIGINT PRIMARY KEY,
  envelope {text} NOT NULL,
  published_at BIGINT NOT NULL
))sql",
};

constexpr Migration kMigrations[] = {
    {1, "initial schema", kInitialSchema},
};

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

std::int64_t LatestSchemaVersion() { return Migrations().back().version; }

std::string ExpandDialect(std::string_view statement, Backend backend) {
  const bool postgres = backend == Backend::kPostgres;
  const std::pair<std::string_view, std::string_view> kTokens[] = {
      {"{text}", postgres ? "TEXT COLLATE \"C\"" : "TEXT"},
      {"{without_rowid}", postgres ? "" : " WITHOUT ROWID"},
  };
  std::string out(statement);
  for (const auto& [token, replacement] : kTokens) {
    for (std::size_t pos = out.find(token); pos != std::string::npos;
         pos = out.find(token, pos + replacement.size())) {
      out.replace(pos, token.size(), replacement);
    }
  }
  return out;
}

Status Migrate(Database& database) {
  Backend backend = database.backend();
  return database.Transact(TxKind::kWrite, [&](Connection& connection) -> Status {
    if (backend == Backend::kPostgres) {
      RETURN_IF_ERROR(
          connection.Query("SELECT pg_advisory_xact_lock($1)", {kMigrationLockKey}).status());
    }
    RETURN_IF_ERROR(connection
                        .Exec(ExpandDialect("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                            "version BIGINT PRIMARY KEY, name {text} NOT NULL)",
                                            backend))
                        .status());
    ASSIGN_OR_RETURN(std::vector<Row> rows,
                     connection.Query("SELECT version FROM schema_migrations"));
    std::set<std::int64_t> applied;
    for (const Row& row : rows) applied.insert(row.Int(0));
    if (!applied.empty() && *applied.rbegin() > LatestSchemaVersion()) {
      return FailedPreconditionError(
          "store: the database schema is at version " + std::to_string(*applied.rbegin()) +
          ", newer than this collector's " + std::to_string(LatestSchemaVersion()));
    }
    for (const Migration& migration : Migrations()) {
      if (applied.contains(migration.version)) continue;
      for (std::string_view statement : migration.statements) {
        Status status = connection.Exec(ExpandDialect(statement, backend)).status();
        if (!status.ok()) {
          return status.WithContext("store: migration " + std::to_string(migration.version));
        }
      }
      RETURN_IF_ERROR(connection
                          .Exec("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                                {migration.version, migration.name})
                          .status());
    }
    return Status();
  });
}

}  // namespace bulwark::collector::sql
