// The SQL seam (database.h) and the schema migrations, against both backends; plus the
// SQLite- and PostgreSQL-specific failure modes (a file that is not SQLite, lost connections,
// serialization failures).
#include "collector/store/database.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <limits>
#include <thread>

#include "collector/store/migrations.h"
#include "collector/store/sql_store.h"
#include "tests/unit/collector/store/store_fixture.h"

namespace bulwark::collector::sql {
namespace {

using ::testing::HasSubstr;

class DatabaseTest : public BackendFixture {
 protected:
  void SetUp() override {
    BackendFixture::SetUp();
    if (HasFatalFailure()) return;
    Result<std::unique_ptr<Database>> database = Open();
    ASSERT_TRUE(database.ok()) << database.status().ToString();
    db_ = std::move(database).value();
  }

  Result<std::unique_ptr<Database>> Open() {
    if (GetParam() == BackendKind::kSqlite) {
      return OpenSqliteDatabase({url().substr(7), 2, 5000});
    }
    return OpenPostgresDatabase({url(), 3});
  }

  Status Write(const TxBody& body) { return db_->Transact(TxKind::kWrite, body); }

  Result<std::vector<Row>> ReadQuery(std::string_view sql,
                                     std::initializer_list<Param> params = {}) {
    std::vector<Row> rows;
    std::vector<Param> copy(params);
    Status status = db_->Transact(TxKind::kRead, [&](Connection& c) -> Status {
      ASSIGN_OR_RETURN(rows, c.Query(sql, copy));
      return Status();
    });
    if (!status.ok()) return status;
    return rows;
  }

  Status CreateTable() {
    return Write([&](Connection& c) {
      return c
          .Exec(ExpandDialect("CREATE TABLE t (k BIGINT PRIMARY KEY, v {text}, n BIGINT)",
                              db_->backend()))
          .status();
    });
  }

  std::unique_ptr<Database> db_;
};

TEST_P(DatabaseTest, BindsPlaceholdersByNumberWhateverTheirOrderAndRepetition) {
  Result<std::vector<Row>> rows =
      ReadQuery("SELECT $2, $1, $2 || $1", {std::string_view("one"), std::string_view("two")});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].Text(0), "two");
  EXPECT_EQ((*rows)[0].Text(1), "one");
  EXPECT_EQ((*rows)[0].Text(2), "twoone");
}

TEST_P(DatabaseTest, RoundTripsNullsIntegerExtremesAndText) {
  ASSERT_TRUE(CreateTable().ok());
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  Status status = Write([&](Connection& c) -> Status {
    ASSIGN_OR_RETURN(std::int64_t inserted,
                     c.Exec("INSERT INTO t (k, v, n) VALUES ($1, $2, $3), ($4, $5, $6)",
                            {kMin, std::string_view(""), nullptr, kMax, nullptr,
                             OptionalInt(std::int64_t{-1})}));
    if (inserted != 2) return InternalError("inserted " + std::to_string(inserted));
    return Status();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  Result<std::vector<Row>> rows = ReadQuery("SELECT k, v, n FROM t ORDER BY k");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].OptInt(0), kMin);
  EXPECT_FALSE((*rows)[0].IsNull(1));
  EXPECT_EQ((*rows)[0].Text(1), "");
  EXPECT_TRUE((*rows)[0].IsNull(2));
  EXPECT_EQ((*rows)[1].OptInt(0), kMax);
  EXPECT_TRUE((*rows)[1].IsNull(1));
  EXPECT_EQ((*rows)[1].Int(2), -1);
}

TEST_P(DatabaseTest, ExecCountsAffectedRows) {
  ASSERT_TRUE(CreateTable().ok());
  Status status = Write([&](Connection& c) -> Status {
    RETURN_IF_ERROR(
        c.Exec("INSERT INTO t (k, v, n) VALUES (1, 'a', 0), (2, 'b', 0), (3, 'c', 1)").status());
    ASSIGN_OR_RETURN(std::int64_t updated, c.Exec("UPDATE t SET n = 5 WHERE n = $1", {0}));
    ASSIGN_OR_RETURN(std::int64_t none, c.Exec("DELETE FROM t WHERE k > $1", {100}));
    if (updated != 2 || none != 0) return InternalError("wrong counts");
    return Status();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST_P(DatabaseTest, RollsBackEverythingWhenTheBodyFails) {
  ASSERT_TRUE(CreateTable().ok());
  Status status = Write([&](Connection& c) -> Status {
    RETURN_IF_ERROR(c.Exec("INSERT INTO t (k, v) VALUES (1, 'kept?')").status());
    return InvalidArgumentError("changed my mind");
  });
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  // A constraint violation mid-transaction also undoes the earlier statements.
  status = Write([&](Connection& c) -> Status {
    RETURN_IF_ERROR(c.Exec("INSERT INTO t (k, v) VALUES (2, 'x')").status());
    return c.Exec("INSERT INTO t (k, v) VALUES (2, 'y')").status();
  });
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  Result<std::vector<Row>> rows = ReadQuery("SELECT count(*) FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].Int(0), 0);
}

TEST_P(DatabaseTest, ConcurrentWritesCommitOrRollBackEachOnItsOwn) {
  // SQLite commits concurrent writers together; a failing one must still be undone alone.
  ASSERT_TRUE(CreateTable().ok());
  ASSERT_TRUE(Write([](Connection& c) {
                return c.Exec("INSERT INTO t (k, v) VALUES (-1, 'taken')").status();
              }).ok());
  constexpr int kThreads = 8;
  constexpr int kWrites = 25;
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int w = 0; w < kWrites; ++w) {
        std::int64_t key = t * 1000 + w;
        Status status = Write([&](Connection& c) -> Status {
          RETURN_IF_ERROR(c.Exec("INSERT INTO t (k, v) VALUES ($1, 'x')", {key}).status());
          RETURN_IF_ERROR(c.Exec("UPDATE t SET n = $1 WHERE k = $1", {key}).status());
          if (w % 3 == 1) return InvalidArgumentError("body gives up");
          // A constraint violation after the insert: the insert must go too.
          if (w % 3 == 2) return c.Exec("INSERT INTO t (k, v) VALUES (-1, 'dup')").status();
          return Status();
        });
        if (status.ok() != (w % 3 == 0)) ++unexpected;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(unexpected.load(), 0);
  Result<std::vector<Row>> rows = ReadQuery("SELECT k, n FROM t WHERE k >= 0 ORDER BY k");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  std::vector<std::int64_t> keys;
  for (const Row& row : *rows) {
    keys.push_back(row.Int(0));
    EXPECT_EQ(row.Int(1), row.Int(0));
  }
  std::vector<std::int64_t> expected;
  for (int t = 0; t < kThreads; ++t) {
    for (int w = 0; w < kWrites; w += 3) expected.push_back(t * 1000 + w);
  }
  EXPECT_EQ(keys, expected);
}

TEST_P(DatabaseTest, RejectsTextWithNulOrInvalidUtf8BeforeItReachesTheDatabase) {
  for (std::string bad : {std::string("a\0b", 3), std::string("\xc3"), std::string("\xed\xa0\x80"),
                          std::string("\xc0\xaf"), std::string("\xf4\x90\x80\x80")}) {
    Result<std::vector<Row>> rows = ReadQuery("SELECT $1", {std::string_view(bad)});
    EXPECT_EQ(rows.status().code(), StatusCode::kInvalidArgument);
  }
  Result<std::vector<Row>> rows = ReadQuery("SELECT $1", {std::string_view("\xf0\x9f\x9a\x80")});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ((*rows)[0].Text(0), "\xf0\x9f\x9a\x80");
}

TEST_P(DatabaseTest, ReadTransactionsRefuseWrites) {
  ASSERT_TRUE(CreateTable().ok());
  Status status = db_->Transact(TxKind::kRead, [&](Connection& c) {
    return c.Exec("INSERT INTO t (k) VALUES (1)").status();
  });
  EXPECT_FALSE(status.ok());
  Result<std::vector<Row>> rows = ReadQuery("SELECT count(*) FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].Int(0), 0);
}

TEST_P(DatabaseTest, MigrateIsIdempotentAndRecordsEachVersionOnce) {
  ASSERT_TRUE(Migrate(*db_).ok());
  ASSERT_TRUE(Migrate(*db_).ok());
  Result<std::vector<Row>> rows = ReadQuery("SELECT count(*), max(version) FROM schema_migrations");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ((*rows)[0].Int(0), static_cast<std::int64_t>(Migrations().size()));
  EXPECT_EQ((*rows)[0].Int(1), LatestSchemaVersion());
}

TEST_P(DatabaseTest, OpenStoreRefusesASchemaNewerThanThisBuild) {
  ASSERT_TRUE(Migrate(*db_).ok());
  ASSERT_TRUE(
      Write([](Connection& c) {
        return c.Exec("INSERT INTO schema_migrations (version, name) VALUES (999, 'x')").status();
      }).ok());
  Result<std::unique_ptr<Store>> store = OpenStore({url(), 1});
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("999"));
}

TEST_P(DatabaseTest, RejectsStatementsWithoutExactlyTheirParameters) {
  EXPECT_FALSE(ReadQuery("SELECT $1, $2", {std::int64_t{1}}).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseTest,
                         ::testing::Values(BackendKind::kSqlite, BackendKind::kPostgres),
                         BackendName);

// --- backend specifics ---

class PostgresDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(postgres_.ok()) << "no PostgreSQL test database (see the failure above)";
    Result<std::unique_ptr<Database>> database = OpenPostgresDatabase({postgres_.url(), 2});
    ASSERT_TRUE(database.ok()) << database.status().ToString();
    db_ = std::move(database).value();
  }

  testing::TestPostgresDatabase postgres_;
  std::unique_ptr<Database> db_;
};

TEST_F(PostgresDatabaseTest, RetriesTheBodyAfterASerializationFailure) {
  int runs = 0;
  Status status = db_->Transact(TxKind::kWrite, [&](Connection& c) -> Status {
    ++runs;
    if (runs < 3) {
      return c.Exec("DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$")
          .status();
    }
    return c.Query("SELECT 1").status();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(runs, 3);
}

TEST_F(PostgresDatabaseTest, GivesUpWithUnavailableWhenConflictsPersist) {
  int runs = 0;
  Status status = db_->Transact(TxKind::kWrite, [&](Connection& c) -> Status {
    ++runs;
    return c.Exec("DO $$ BEGIN RAISE EXCEPTION 'deadlock' USING ERRCODE = '40P01'; END $$")
        .status();
  });
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_GT(runs, 1);
  EXPECT_LT(runs, 10);
}

TEST_F(PostgresDatabaseTest, ReconnectsWhenTheServerDropsTheConnection) {
  int runs = 0;
  Status status = db_->Transact(TxKind::kWrite, [&](Connection& c) -> Status {
    ++runs;
    if (runs == 1) return c.Query("SELECT pg_terminate_backend(pg_backend_pid())").status();
    return c.Query("SELECT 1").status();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(runs, 2);
  // The pool replaced the dead connection.
  EXPECT_TRUE(db_->Ping().ok());
  EXPECT_TRUE(db_->Ping().ok());
}

// Under writes that never pause, a passive checkpoint never catches up with the end of the
// WAL, so SQLite never starts it over: the file grew by every byte written (434 MB after 18 s
// of the load bench). The WAL must start over, and shrink back, while the writes go on.
TEST(SqliteDatabaseTest, TheWalStartsOverWhileWritesNeverPause) {
  testing::TempDir dir;
  SqliteOptions options;
  options.path = dir.Join("wal.db");
  options.checkpoint_pages = 64;  // 256 KiB; the file is cut back to 1 MiB when it starts over
  Result<std::unique_ptr<Database>> db = OpenSqliteDatabase(options);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE(
      (*db)
          ->Transact(TxKind::kWrite,
                     [](Connection& c) {
                       return c.Exec("CREATE TABLE blobs (k INTEGER PRIMARY KEY, v TEXT)").status();
                     })
          .ok());
  // A watcher counts the times the WAL file shrank while 4 writers add 40 MiB, leaving the
  // checkpointer no pause to catch up in.
  std::atomic<bool> writing{true};
  int shrinks = 0;
  std::uintmax_t peak = 0;
  std::thread watcher([&] {
    std::uintmax_t last = 0;
    while (writing.load()) {
      std::error_code ec;
      const std::uintmax_t size = std::filesystem::file_size(dir.Join("wal.db-wal"), ec);
      if (!ec) {
        if (size < last) ++shrinks;
        peak = std::max(peak, size);
        last = size;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  constexpr int kThreads = 4;
  constexpr int kWrites = 1280;
  const std::string payload(8192, 'p');
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int w = 0; w < kWrites; ++w) {
        const std::int64_t key = std::int64_t{t} * kWrites + w;
        Status status = (*db)->Transact(TxKind::kWrite, [&](Connection& c) {
          return c.Exec("INSERT INTO blobs (k, v) VALUES ($1, $2)", {key, payload}).status();
        });
        if (!status.ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  writing.store(false);
  watcher.join();
  EXPECT_EQ(failures.load(), 0);
  // Each start-over cuts a file grown past 1 MiB back; without them it only ever grows
  // (to ~100 MiB here: each row is three pages plus frame headers).
  EXPECT_GE(shrinks, 2) << "peak WAL " << peak << " bytes";
}

TEST(SqliteDatabaseTest, FullSyncFsyncsEveryCommit) {
  for (bool full_sync : {false, true}) {
    testing::TempDir dir;
    SqliteOptions options;
    options.path = dir.Join("sync.db");
    options.full_sync = full_sync;
    Result<std::unique_ptr<Database>> db = OpenSqliteDatabase(options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    std::string level;
    ASSERT_TRUE((*db)
                    ->Transact(TxKind::kWrite,
                               [&](Connection& c) -> Status {
                                 ASSIGN_OR_RETURN(std::vector<Row> rows,
                                                  c.Query("PRAGMA synchronous"));
                                 level = rows.at(0).Text(0);
                                 return Status();
                               })
                    .ok());
    EXPECT_EQ(level, full_sync ? "2" : "1");  // FULL : NORMAL
  }
}

TEST(OpenStoreTest, FailsClearlyWhenTheFileIsNotSqlite) {
  testing::TempDir dir;
  dir.WriteFile("not.db", std::string(4096, 'x') + "this is not a database");
  Result<std::unique_ptr<Store>> store = OpenStore({"sqlite:" + dir.Join("not.db"), 1});
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("not a SQLite database"));
  EXPECT_THAT(store.status().message(), HasSubstr(dir.Join("not.db")));
}

TEST(OpenStoreTest, FailsWithUnavailableWhenTheSqliteDirectoryIsMissing) {
  testing::TempDir dir;
  Result<std::unique_ptr<Store>> store = OpenStore({"sqlite:" + dir.Join("no/such/dir/x.db")});
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable) << store.status().ToString();
}

TEST(OpenStoreTest, RejectsUnknownSchemesAndEmptyPaths) {
  EXPECT_EQ(OpenStore({"mysql://localhost/x"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenStore({"/var/lib/bulwark.db"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenStore({"sqlite:"}).status().code(), StatusCode::kInvalidArgument);
  testing::TempDir dir;
  EXPECT_EQ(OpenStore({"sqlite:" + dir.Join("x.db"), -1}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(OpenStoreTest, FailsWithUnavailableWhenPostgresIsUnreachable) {
  // Port 1 on loopback: nothing listens there.
  Result<std::unique_ptr<Store>> store =
      OpenStore({"postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"});
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable) << store.status().ToString();
  EXPECT_EQ(OpenStore({"postgres://nobody@127.0.0.1:1/none?connect_timeout=2"}).status().code(),
            StatusCode::kUnavailable);
}

TEST(DeviceIdTest, IsDevPrefixedLowercaseBase32AndUnique) {
  std::set<std::string> ids;
  std::set<char> seen;
  for (int i = 0; i < 2000; ++i) {
    Result<std::string> id = NewDeviceId();
    ASSERT_TRUE(id.ok());
    ASSERT_EQ(id->size(), 30u);
    ASSERT_EQ(id->substr(0, 4), "dev_");
    for (char c : id->substr(4)) {
      ASSERT_TRUE((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')) << *id;
      seen.insert(c);
    }
    ids.insert(*id);
  }
  EXPECT_EQ(ids.size(), 2000u);
  EXPECT_EQ(seen.size(), 32u);  // every symbol of the alphabet shows up
}

TEST(EscapeLikeTest, EscapesWildcardsAndTheEscapeCharacter) {
  EXPECT_EQ(EscapeLike("plain"), "plain");
  EXPECT_EQ(EscapeLike("100%_a\\b"), "100\\%\\_a\\\\b");
  EXPECT_EQ(EscapeLike(""), "");
}

TEST(PlaceholderTest, ParsesDollarNumbersOnly) {
  EXPECT_EQ(ParsePlaceholder("$1"), 1u);
  EXPECT_EQ(ParsePlaceholder("$42"), 42u);
  EXPECT_EQ(ParsePlaceholder("$0"), std::nullopt);
  EXPECT_EQ(ParsePlaceholder("$01"), std::nullopt);
  EXPECT_EQ(ParsePlaceholder(":a"), std::nullopt);
  EXPECT_EQ(ParsePlaceholder("$"), std::nullopt);
  EXPECT_EQ(ParsePlaceholder("$1a"), std::nullopt);
}

TEST(ExpandDialectTest, UsesBytewiseCollationUnderPostgres) {
  EXPECT_EQ(ExpandDialect("a {text}, b {text}", Backend::kSqlite), "a TEXT, b TEXT");
  EXPECT_EQ(ExpandDialect("a {text}", Backend::kPostgres), "a TEXT COLLATE \"C\"");
  EXPECT_EQ(ExpandDialect("(a){without_rowid}", Backend::kSqlite), "(a) WITHOUT ROWID");
  EXPECT_EQ(ExpandDialect("(a){without_rowid}", Backend::kPostgres), "(a)");
}

}  // namespace
}  // namespace bulwark::collector::sql
