// A fresh PostgreSQL database per test on the server named by $BULWARK_TEST_POSTGRES_URL
// (scripts/test starts one with scripts/lib/postgres.sh). Test-only.
//
// The PostgreSQL suites never skip: without the variable, or with a server that cannot be
// reached, TestPostgresDatabase records a test failure saying how to get a server.
#ifndef BULWARK_TESTS_TESTING_POSTGRES_H_
#define BULWARK_TESTS_TESTING_POSTGRES_H_

#include <string>
#include <string_view>

#include "agent/base/status.h"

namespace bulwark::testing {

// The environment variable holding the server's admin URL,
// e.g. postgresql://postgres@127.0.0.1:5432/postgres.
inline constexpr char kTestPostgresUrlVariable[] = "BULWARK_TEST_POSTGRES_URL";

// Creates a uniquely named UTF8 database on the server `admin_url` points at and returns its
// URL (admin_url with the database name replaced). No gtest involvement: usable from benches.
Result<std::string> CreateTestDatabase(const std::string& admin_url);

// Drops database `name` (closing its remaining sessions).
Status DropTestDatabase(const std::string& admin_url, std::string_view name);

// `url` with its database name replaced by `database`.
std::string ReplaceDatabaseName(std::string_view url, std::string_view database);

// Creates a database in the constructor and drops it in the destructor. On failure (no
// variable, server down) ADD_FAILURE()s with instructions and ok() is false; callers then
// FAIL() / return.
class TestPostgresDatabase {
 public:
  TestPostgresDatabase();
  ~TestPostgresDatabase();
  TestPostgresDatabase(const TestPostgresDatabase&) = delete;
  TestPostgresDatabase& operator=(const TestPostgresDatabase&) = delete;

  bool ok() const { return !url_.empty(); }
  // postgresql://USER@HOST:PORT/<fresh database>; empty if !ok().
  const std::string& url() const { return url_; }

 private:
  std::string admin_url_;
  std::string url_;
};

}  // namespace bulwark::testing

#endif  // BULWARK_TESTS_TESTING_POSTGRES_H_
