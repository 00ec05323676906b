// Agent report queue throughput: reports/s (items_per_second) through enqueue + peek + ack,
// with ~6 KB report documents, on a fresh file in $TMPDIR (WAL, synchronous=FULL: every
// commit is fsync'd, so the figures are bound by the disk's fsync latency).
//
//   Batched/N: EnqueueBatch of N reports (one transaction), Peek(N), one Ack of the N ids.
//   PerReport/N: N separate Enqueue calls (one transaction each), Peek(N), one Ack.
//
//   queue_bench [--benchmark_filter=Batched]
#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "agent/queue/report_queue.h"
#include "tests/testing/temp_dir.h"

namespace bulwark::queue {
namespace {

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::now();
  }
  std::chrono::steady_clock::time_point SteadyNow() const override {
    return std::chrono::steady_clock::now();
  }
};

// A report document of about 6 KB: 30 check results plus some facts.
std::string Document(std::int64_t n) {
  std::string results;
  for (int i = 0; i < 30; ++i) {
    results += "{\"id\":\"linux.check-" + std::to_string(100 + i) +
               "\",\"title\":\"A reasonably descriptive title for check number " +
               std::to_string(i) +
               "\",\"severity\":\"high\",\"status\":\"fail\",\"reason\":\"observed value "
               "differs from the expected one\",\"remediation\":\"run the fix\"},";
  }
  results.pop_back();
  return "{\"schema\":\"bulwark.report/1\",\"seq\":" + std::to_string(n) + ",\"results\":[" +
         results + "],\"facts\":{\"padding\":\"" + std::string(1200, 'f') + "\"}}";
}

void Run(benchmark::State& state, bool batched) {
  const std::size_t batch = static_cast<std::size_t>(state.range(0));
  testing::TempDir dir;
  SystemClock clock;
  auto opened = OpenReportQueue(dir.Join("queue.db"), {}, clock);
  if (!opened.ok()) {
    state.SkipWithError(opened.status().ToString().c_str());
    return;
  }
  std::unique_ptr<ReportQueue> queue = std::move(opened).value();
  const std::string document = Document(0);
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

BENCHMARK(BM_Batched)->Arg(1)->Arg(50)->Arg(100)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PerReport)->Arg(1)->Arg(50)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace bulwark::queue

BENCHMARK_MAIN();
