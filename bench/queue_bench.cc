// Agent report queue throughput: reports/s (items_per_second) through enqueue + peek + ack,
// with the documents the agent really queues (tests/testing/baseline_report: the Linux baseline
// evaluated against a recorded facts fixture), on a fresh file in $TMPDIR (WAL,
// synchronous=FULL for enqueues). Bound by the bytes written and fsync'd: each report goes to
// the WAL and again to the database at the checkpoint.
//
//   Batched/batch:N/doc:D: EnqueueBatch of N reports (one transaction), Peek(N), one Ack.
//   PerReport/batch:N/doc:D: N separate Enqueue calls (one fsync each), Peek(N), one Ack.
//   DiskCeiling/batch:N/doc:D/copies:C: no SQLite and no CPU work: the same N documents'
//     bytes written C times (a WAL then the database: 2; an ideal append-only log: 1) over a
//     preallocated region, each copy fdatasync'd once per batch. The most any queue that
//     keeps C copies can do on this disk.
//   D: 0 linux-compliant (~16 KB), 1 linux-unknown (~22 KB), 2 linux-noncompliant (~25 KB).
//
//   queue_bench [--benchmark_filter=Batched]
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "agent/queue/report_queue.h"
#include "agent/sys/clock.h"
#include "tests/testing/baseline_report.h"
#include "tests/testing/temp_dir.h"

namespace bulwark::queue {
namespace {

// Bytes this process has passed to write(2) and friends so far (/proc/self/io "wchar"; 0 where
// unreadable): what the queue writes per report, WAL and checkpoint together.
double BytesWritten() {
  std::ifstream io("/proc/self/io");
  std::string key;
  double value = 0;
  while (io >> key >> value) {
    if (key == "wchar:") return value;
  }
  return 0;
}

constexpr std::array<const char*, 3> kFixtures = {"linux-compliant", "linux-unknown",
                                                  "linux-noncompliant"};

// The agent's report for fixture `index` of kFixtures (empty if it cannot be built).
std::string Document(std::int64_t index, benchmark::State& state) {
  auto document = testing::BaselineReport(kFixtures.at(static_cast<std::size_t>(index)),
                                          "r-0123456789abcdef0123456789abcdef", "d-bench");
  if (!document.ok()) {
    state.SkipWithError(document.status().ToString().c_str());
    return "";
  }
  return *document;
}

void Run(benchmark::State& state, bool batched) {
  const std::size_t batch = static_cast<std::size_t>(state.range(0));
  const std::string document = Document(state.range(1), state);
  if (document.empty()) return;
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
  const double written_before = BytesWritten();
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
  const double done = static_cast<double>(state.iterations()) * static_cast<double>(batch);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
  state.counters["doc_bytes"] = static_cast<double>(document.size());
  state.counters["written_per_doc"] = (BytesWritten() - written_before) / done;
}

void BM_Batched(benchmark::State& state) { Run(state, true); }
void BM_PerReport(benchmark::State& state) { Run(state, false); }

// Writes `bytes` at `offset` of `fd` in full; false on error.
bool WriteAt(int fd, const char* data, std::size_t bytes, off_t offset) {
  while (bytes > 0) {
    const ssize_t n = ::pwrite(fd, data, bytes, offset);
    if (n <= 0) return false;
    data += n;
    bytes -= static_cast<std::size_t>(n);
    offset += n;
  }
  return true;
}

void BM_DiskCeiling(benchmark::State& state) {
  const std::size_t batch = static_cast<std::size_t>(state.range(0));
  const std::string document = Document(state.range(1), state);
  if (document.empty()) return;
  const int copies = static_cast<int>(state.range(2));
  const std::string payload = [&] {
    std::string all;
    for (std::size_t i = 0; i < batch; ++i) all += document;
    return all;
  }();
  // A region the size of the queue's WAL limit (24 MiB), overwritten in place as SQLite does.
  const off_t region = off_t{24} << 20;
  testing::TempDir dir;
  std::vector<int> fds;
  for (int c = 0; c < copies; ++c) {
    const std::string path = dir.Join("copy-" + std::to_string(c));
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const std::string zeros(std::size_t{1} << 20, '\0');
    bool ok = fd >= 0;
    for (off_t at = 0; ok && at < region + static_cast<off_t>(payload.size()); at += 1 << 20) {
      ok = WriteAt(fd, zeros.data(), zeros.size(), at);
    }
    if (!ok || ::fsync(fd) != 0) {
      state.SkipWithError(("cannot prepare " + path).c_str());
      return;
    }
    fds.push_back(fd);
  }
  off_t offset = 0;
  for (auto _ : state) {
    for (const int fd : fds) {
      if (!WriteAt(fd, payload.data(), payload.size(), offset) || ::fdatasync(fd) != 0) {
        state.SkipWithError("write or fdatasync failed");
        break;
      }
    }
    offset += static_cast<off_t>(payload.size());
    if (offset >= region) offset = 0;
  }
  for (const int fd : fds) ::close(fd);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
  state.counters["doc_bytes"] = static_cast<double>(document.size());
}

BENCHMARK(BM_Batched)
    ->ArgsProduct({{1, 50, 100, 500}, {0, 1, 2}})
    ->ArgNames({"batch", "doc"})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PerReport)
    ->ArgsProduct({{50}, {2}})
    ->ArgNames({"batch", "doc"})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DiskCeiling)
    ->ArgsProduct({{100}, {0, 2}, {1, 2}})
    ->ArgNames({"batch", "doc", "copies"})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace bulwark::queue

BENCHMARK_MAIN();
