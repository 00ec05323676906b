// Shared by the store suites: a backend parameter (SQLite in a temp dir, PostgreSQL in a fresh
// database from tests/testing/postgres.h) and report/enrolment builders.
#ifndef BULWARK_TESTS_UNIT_COLLECTOR_STORE_STORE_FIXTURE_H_
#define BULWARK_TESTS_UNIT_COLLECTOR_STORE_STORE_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "collector/store/store.h"
#include "tests/testing/postgres.h"
#include "tests/testing/temp_dir.h"

namespace bulwark::collector {

enum class BackendKind { kSqlite, kPostgres };

inline void PrintTo(BackendKind kind, std::ostream* os) {
  *os << (kind == BackendKind::kSqlite ? "sqlite" : "postgresql");
}

inline std::string BackendName(const ::testing::TestParamInfo<BackendKind>& info) {
  return info.param == BackendKind::kSqlite ? "Sqlite" : "Postgres";
}

// Owns the database a test runs against: url() names it for OpenStore.
class BackendFixture : public ::testing::TestWithParam<BackendKind> {
 protected:
  void SetUp() override {
    if (GetParam() == BackendKind::kSqlite) {
      url_ = "sqlite:" + temp_.Join("store.db");
      return;
    }
    postgres_ = std::make_unique<testing::TestPostgresDatabase>();
    ASSERT_TRUE(postgres_->ok()) << "no PostgreSQL test database (see the failure above)";
    url_ = postgres_->url();
  }

  const std::string& url() const { return url_; }

  // Opens a store on url(), failing the test on error.
  std::unique_ptr<Store> OpenOrDie(int pool_size = 0) {
    Result<std::unique_ptr<Store>> store = OpenStore({url_, pool_size});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

 private:
  testing::TempDir temp_;
  std::unique_ptr<testing::TestPostgresDatabase> postgres_;
  std::string url_;
};

inline EnrollRequest MakeEnroll(std::string machine_id, std::string hostname = "host",
                                std::string os = "linux", UnixSeconds now = 1000) {
  EnrollRequest request;
  request.machine_id = std::move(machine_id);
  request.hostname = std::move(hostname);
  request.os = std::move(os);
  request.os_version = "Debian GNU/Linux 12 (bookworm)";
  request.credential_hash = std::string(64, 'a');
  request.now = now;
  return request;
}

// A report whose results are `statuses` (check ids c00, c01, ...); compliant when none fails.
inline ReportRecord MakeReport(const std::string& device_id, std::string report_id,
                               UnixSeconds generated_at, std::vector<std::string> statuses = {},
                               UnixSeconds received_at = 0) {
  ReportRecord report;
  report.report_id = std::move(report_id);
  report.device_id = device_id;
  report.generated_at = generated_at;
  report.received_at = received_at != 0 ? received_at : generated_at + 1;
  report.compliant = true;
  report.policy_id = "linux-baseline";
  report.policy_epoch = 1;
  report.policy_version = 7;
  report.hostname = "";
  report.os_version = "";
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    CheckOutcome outcome;
    outcome.check_id = (i < 10 ? "c0" : "c") + std::to_string(i);
    outcome.title = "Check " + std::to_string(i);
    outcome.severity = "high";
    outcome.status = statuses[i];
    if (statuses[i] == "fail" || statuses[i] == "error") report.compliant = false;
    report.results.push_back(outcome);
  }
  report.document = "{\"report_id\":\"" + report.report_id + "\"}";
  return report;
}

}  // namespace bulwark::collector

#endif  // BULWARK_TESTS_UNIT_COLLECTOR_STORE_STORE_FIXTURE_H_
