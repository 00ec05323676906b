#include "tests/testing/postgres.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>

namespace bulwark::testing {
namespace {

constexpr char kHowTo[] =
    "the PostgreSQL tests need a server: run scripts/test (it starts one), or\n"
    "  source scripts/lib/postgres.sh && start_test_postgres \"$(mktemp -d)\"\n"
    "and run the tests from that shell (it exports BULWARK_TEST_POSTGRES_URL)";

struct ConnDeleter {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};

Status RunAdmin(const std::string& admin_url, const std::string& sql) {
  std::unique_ptr<PGconn, ConnDeleter> conn(PQconnectdb(admin_url.c_str()));
  if (conn == nullptr || PQstatus(conn.get()) != CONNECTION_OK) {
    return UnavailableError("cannot connect to " + admin_url + ": " +
                            (conn ? PQerrorMessage(conn.get()) : "out of memory"));
  }
  std::unique_ptr<PGresult, ResultDeleter> result(PQexec(conn.get(), sql.c_str()));
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    return InternalError(sql + ": " + PQerrorMessage(conn.get()));
  }
  return Status();
}

std::string UniqueName() {
  static std::atomic<unsigned> counter{0};
  std::random_device random;
  char name[64];
  std::snprintf(name, sizeof(name), "bulwark_test_%d_%u_%08x", static_cast<int>(::getpid()),
                counter.fetch_add(1), random());
  return name;
}

}  // namespace

std::string ReplaceDatabaseName(std::string_view url, std::string_view database) {
  std::size_t scheme = url.find("://");
  std::size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  std::size_t slash = url.find('/', start);
  std::size_t query = url.find('?', start);
  if (slash == std::string_view::npos || (query != std::string_view::npos && query < slash)) {
    // No path: insert one before the query (if any).
    std::size_t at = query == std::string_view::npos ? url.size() : query;
    return std::string(url.substr(0, at)) + "/" + std::string(database) +
           std::string(url.substr(at));
  }
  std::size_t end = query == std::string_view::npos ? url.size() : query;
  return std::string(url.substr(0, slash + 1)) + std::string(database) +
         std::string(url.substr(end));
}

Result<std::string> CreateTestDatabase(const std::string& admin_url) {
  std::string name = UniqueName();
  RETURN_IF_ERROR(
      RunAdmin(admin_url, "CREATE DATABASE \"" + name + "\" TEMPLATE template0 ENCODING 'UTF8'"));
  return ReplaceDatabaseName(admin_url, name);
}

Status DropTestDatabase(const std::string& admin_url, std::string_view name) {
  return RunAdmin(admin_url, "DROP DATABASE IF EXISTS \"" + std::string(name) + "\" WITH (FORCE)");
}

TestPostgresDatabase::TestPostgresDatabase() {
  const char* admin = std::getenv(kTestPostgresUrlVariable);
  if (admin == nullptr || *admin == '\0') {
    ADD_FAILURE() << kTestPostgresUrlVariable << " is not set: " << kHowTo;
    return;
  }
  admin_url_ = admin;
  Result<std::string> url = CreateTestDatabase(admin_url_);
  if (!url.ok()) {
    ADD_FAILURE() << "cannot create a test database: " << url.status().ToString() << "\n" << kHowTo;
    return;
  }
  url_ = *url;
}

TestPostgresDatabase::~TestPostgresDatabase() {
  if (url_.empty()) return;
  std::string_view rest = std::string_view(url_).substr(url_.rfind('/') + 1);
  Status dropped = DropTestDatabase(admin_url_, rest.substr(0, rest.find('?')));
  if (!dropped.ok()) ADD_FAILURE() << "dropping the test database: " << dropped.ToString();
}

}  // namespace bulwark::testing
