// The store's schema as an ordered list of migrations, the same SQL for SQLite and PostgreSQL.
// Applied versions are recorded in `schema_migrations`; a migration runs once, in its own
// transaction together with its record.
//
// Dialect: statements write `{text}` for a text column. It becomes `TEXT` under SQLite and
// `TEXT COLLATE "C"` under PostgreSQL, so that ordering, comparison and lower() are bytewise /
// ASCII-only in both, whatever the server's locale (keyset pagination relies on it).
// `{without_rowid}` after a table's closing parenthesis makes it a WITHOUT ROWID (clustered)
// table under SQLite and is dropped under PostgreSQL.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "agent/base/status.h"
#include "collector/store/database.h"

namespace bulwark::collector::sql {

struct Migration {
  std::int64_t version;  // 1, 2, ... in order, never reused
  std::string_view name;
  std::span<const std::string_view> statements;
};

// Every migration, oldest first.
std::span<const Migration> Migrations();

// The schema version this build writes (the last migration's version).
std::int64_t LatestSchemaVersion();

// `statement` with `{text}` replaced for `backend`.
std::string ExpandDialect(std::string_view statement, Backend backend);

// Applies the missing migrations in one write transaction. Under PostgreSQL the transaction
// first takes a transaction-scoped advisory lock, so collectors starting together migrate
// once; under SQLite the write lock does the same. Idempotent.
// kFailedPrecondition if the database records a version newer than this build knows.
Status Migrate(Database& database);

}  // namespace bulwark::collector::sql
