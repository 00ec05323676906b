// Store ingest throughput: reports/s (items_per_second) from 50 concurrent clients, in batches
// of 1 and 50, into SQLite (a fresh file in $TMPDIR) and PostgreSQL (a fresh database on the
// server named by $BULWARK_TEST_POSTGRES_URL; the PostgreSQL cases report an error without it).
//
// Each report is ~5 KB of JSON with 30 check results, for one of 1,000 enrolled devices, and
// newer than the device's current one, so every report also replaces the device's latest
// results (the expensive path).
//
//   store_bench [--benchmark_filter=Sqlite]
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "collector/store/store.h"
#include "tests/testing/postgres.h"
#include "tests/testing/temp_dir.h"

namespace bulwark::collector {
namespace {

constexpr int kDevices = 1000;
constexpr int kChecks = 30;
constexpr int kClients = 50;

enum class Backend { kSqlite, kPostgres };

struct Env {
  std::unique_ptr<testing::TempDir> dir;
  std::string admin_url;      // PostgreSQL only
  std::string database_name;  // PostgreSQL only
  std::unique_ptr<Store> store;
  std::vector<ReportRecord> templates;  // one per device
  std::atomic<std::int64_t> next_report{0};
  std::string error;
};

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

ReportRecord Template(const std::string& device_id, int device) {
  ReportRecord report;
  report.device_id = device_id;
  report.compliant = false;
  report.policy_id = "linux-workstation";
  report.policy_epoch = 1;
  report.policy_version = 12;
  report.hostname = "host-" + std::to_string(device);
  report.os_version = "Debian GNU/Linux 12 (bookworm)";
  std::string results;
  static constexpr const char* kStatuses[] = {"pass", "pass", "pass", "fail", "not_applicable"};
  for (int i = 0; i < kChecks; ++i) {
    CheckOutcome outcome;
    outcome.check_id = "linux.check-" + std::to_string(100 + i);
    outcome.title = "A reasonably descriptive title for check number " + std::to_string(i);
    outcome.severity = i % 3 == 0 ? "high" : "medium";
    outcome.status = kStatuses[(i + device) % 5];
    report.results.push_back(outcome);
    results += "{\"id\":\"" + outcome.check_id + "\",\"title\":\"" + outcome.title +
               "\",\"severity\":\"" + outcome.severity + "\",\"status\":\"" + outcome.status +
               "\",\"detail\":\"observed value differs from the expected one\"},";
  }
  report.document = "{\"schema\":\"bulwark.report/1\",\"results\":[" + results +
                    "],\"facts\":{\"padding\":\"" + std::string(100, 'f') + "\"}}";
  return report;
}

Env* Setup(Backend backend) {
  auto env = std::make_unique<Env>();
  std::string url;
  if (backend == Backend::kSqlite) {
    env->dir = std::make_unique<testing::TempDir>();
    url = "sqlite:" + env->dir->Join("bench.db");
  } else {
    const char* admin = std::getenv(testing::kTestPostgresUrlVariable);
    if (admin == nullptr || *admin == '\0') {
      env->error =
          "BULWARK_TEST_POSTGRES_URL is not set (source scripts/lib/postgres.sh and "
          "run start_test_postgres DIR)";
      return env.release();
    }
    env->admin_url = admin;
    Result<std::string> created = testing::CreateTestDatabase(env->admin_url);
    if (!created.ok()) {
      env->error = created.status().ToString();
      return env.release();
    }
    url = *created;
    env->database_name = url.substr(url.rfind('/') + 1);
  }
  Result<std::unique_ptr<Store>> store = OpenStore({url, 0});
  if (!store.ok()) {
    env->error = store.status().ToString();
    return env.release();
  }
  env->store = std::move(store).value();
  for (int d = 0; d < kDevices; ++d) {
    EnrollRequest request;
    request.machine_id = "machine-" + std::to_string(d);
    request.hostname = "host-" + std::to_string(d);
    request.os = "linux";
    request.os_version = "Debian GNU/Linux 12 (bookworm)";
    request.credential_hash = std::string(64, 'a');
    request.now = 1;
    Result<EnrollResult> enrolled = env->store->Enroll(request);
    if (!enrolled.ok()) {
      env->error = enrolled.status().ToString();
      return env.release();
    }
    env->templates.push_back(Template(enrolled->device_id, d));
  }
  return env.release();
}

void Teardown(Env* env) {
  env->store.reset();
  if (!env->database_name.empty()) {
    static_cast<void>(testing::DropTestDatabase(env->admin_url, env->database_name));
  }
  delete env;
}

// One database per backend for the whole process (benchmark runs repeat with growing
// iteration counts; enrolling the fleet once keeps that out of the figures).
Env*& EnvFor(Backend backend) {
  static Env* envs[2] = {nullptr, nullptr};
  return envs[backend == Backend::kSqlite ? 0 : 1];
}

void BM_Ingest(benchmark::State& state, Backend backend) {
  const auto batch = static_cast<std::size_t>(state.range(0));
  static double cpu_start = 0;
  static std::int64_t first_report = 0;
  if (state.thread_index() == 0) {
    if (EnvFor(backend) == nullptr) EnvFor(backend) = Setup(backend);
    cpu_start = ProcessCpuSeconds();
    first_report = EnvFor(backend)->next_report.load();
  }
  std::vector<ReportRecord> records(batch);
  // After an error the remaining iterations do nothing: leaving the loop early would skip
  // the barrier the other threads wait at.
  bool failed = false;
  std::int64_t done = 0;
  for (auto _ : state) {
    Env* env = EnvFor(backend);
    if (failed) continue;
    if (!env->error.empty()) {
      state.SkipWithError(env->error.c_str());
      failed = true;
      continue;
    }
    for (ReportRecord& record : records) {
      std::int64_t n = env->next_report.fetch_add(1);
      record = env->templates[static_cast<std::size_t>(n % kDevices)];
      record.report_id = "report-" + std::to_string(n);
      record.generated_at = 1000 + n;
      record.received_at = 1000 + n;
    }
    Result<IngestResult> result = env->store->IngestReports(records);
    if (!result.ok() || result->accepted.size() != batch) {
      state.SkipWithError(result.ok() ? "a fresh report was not accepted"
                                      : result.status().ToString().c_str());
      failed = true;
      continue;
    }
    done += static_cast<std::int64_t>(batch);
  }
  state.SetItemsProcessed(done);
  if (state.thread_index() == 0) {
    // Process CPU (all threads, client side included) per report: meaningful even when
    // the machine is shared, unlike the wall-clock rate.
    std::int64_t total = EnvFor(backend)->next_report.load() - first_report;
    if (total > 0) {
      state.counters["cpu_us_per_report"] =
          (ProcessCpuSeconds() - cpu_start) * 1e6 / static_cast<double>(total);
    }
  }
}

BENCHMARK_CAPTURE(BM_Ingest, Sqlite, Backend::kSqlite)
    ->ArgName("batch")
    ->Arg(1)
    ->Arg(50)
    ->Threads(kClients)
    ->UseRealTime()
    ->MinTime(2.0);
BENCHMARK_CAPTURE(BM_Ingest, Postgres, Backend::kPostgres)
    ->ArgName("batch")
    ->Arg(1)
    ->Arg(50)
    ->Threads(kClients)
    ->UseRealTime()
    ->MinTime(2.0);

}  // namespace
}  // namespace bulwark::collector

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  for (auto backend :
       {bulwark::collector::Backend::kSqlite, bulwark::collector::Backend::kPostgres}) {
    if (bulwark::collector::EnvFor(backend) != nullptr) {
      bulwark::collector::Teardown(bulwark::collector::EnvFor(backend));
    }
  }
  return 0;
}
