// Agent report queue throughput: reports/s (items_per_second) through enqueue + peek + ack,
// with report documents shaped as the agent makes them, on a fresh file in $TMPDIR (WAL,
// synchronous=FULL for enqueues). Bound by the bytes written and fsync'd: each report goes to
// the WAL and again to the database at the checkpoint.
//
//   Batched/batch:N/failing:F: EnqueueBatch of N reports (one transaction), Peek(N), one Ack.
//   PerReport/batch:N/failing:F: N separate Enqueue calls (one fsync each), Peek(N), one Ack.
//
//   queue_bench [--benchmark_filter=Batched]
#include <benchmark/benchmark.h>

#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "agent/queue/report_queue.h"
#include "agent/sys/clock.h"
#include "tests/testing/realistic_report.h"
#include "tests/testing/temp_dir.h"

namespace bulwark::queue {
namespace {

namespace json = boost::json;
using testing::RealisticReport;

// A report as the agent queues it: tests/testing/realistic_report (29 checks, facts of a
// workstation with three volumes), each failing check carrying a remediation of the size the
// Linux baseline's have (~750 bytes). `failing`: 0 (a compliant machine, ~6.5 KB), 5 (a
// typical one, ~12 KB) or 29 (one failing everything, ~29 KB).
std::string Document(int failing) {
  json::object report = RealisticReport("report-0", "0123456789abcdef0123456789abcdef");
  const json::object remediation = {
      {"summary", std::string(330, 's')},
      {"steps", json::array{std::string(120, 'a'), std::string(140, 'b'), std::string(90, 'c')}}};
  int i = 0;
  for (json::value& result : report.at("results").as_array()) {
    json::object& r = result.as_object();
    const bool fail = failing >= 29 || (failing > 0 && i % 7 == 0);
    r["status"] = fail ? "fail" : "pass";
    r["remediation"] = fail ? json::value(remediation) : json::value(nullptr);
    r["references"] = json::object{{"cis", "CIS Critical Security Controls v8 4.1"}};
    ++i;
  }
  return json::serialize(report);
}

void Run(benchmark::State& state, bool batched) {
  const std::size_t batch = static_cast<std::size_t>(state.range(0));
  const std::string document = Document(static_cast<int>(state.range(1)));
  testing::TempDir dir;
  SystemClock clock;
  auto opened = OpenReportQueue(dir.Join("queue.db"), {}, clock);
  if (!opened.ok()) {
    state.SkipWithError(opened.status().ToString().c_str());
    return;
  }
  std::unique_ptr<ReportQueue> queue = std::move(opened).value();
  std::int64_t next = 0;
  std::vector<std::pair<std::string, std::string>> reports(batch);
  std::vector<std::string> ids;
  for (auto _ : state) {
    for (auto& [id, doc] : reports) {
      id = "report-" + std::to_string(next++);
      doc = document;
    }
    Status status;
    if (batched) {
      status = queue->EnqueueBatch(reports);
    } else {
      for (const auto& [id, doc] : reports) {
        status = queue->Enqueue(id, doc);
        if (!status.ok()) break;
      }
    }
    auto peeked = queue->Peek(batch, std::size_t{64} << 20);
    if (!status.ok() || !peeked.ok() || peeked->size() != batch) {
      state.SkipWithError(status.ok() ? "peek failed" : status.ToString().c_str());
      return;
    }
    ids.clear();
    for (const QueuedReport& report : *peeked) ids.push_back(report.report_id);
    status = queue->Ack(ids);
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(batch) *
                          static_cast<std::int64_t>(document.size()));
  state.counters["doc_bytes"] = static_cast<double>(document.size());
}

void BM_Batched(benchmark::State& state) { Run(state, true); }
void BM_PerReport(benchmark::State& state) { Run(state, false); }

BENCHMARK(BM_Batched)
    ->ArgsProduct({{1, 50, 100, 500}, {0, 5, 29}})
    ->ArgNames({"batch", "failing"})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PerReport)
    ->ArgsProduct({{50}, {5}})
    ->ArgNames({"batch", "failing"})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace bulwark::queue

BENCHMARK_MAIN();
