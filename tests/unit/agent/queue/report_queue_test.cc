#include "agent/queue/report_queue.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"

namespace bulwark::queue {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using SystemTime = std::chrono::system_clock::time_point;

const SystemTime kStart = std::chrono::sys_days{std::chrono::year{2026} / 11 / 28} + hours(16);

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::uintmax_t FileSize(const std::string& path) {
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

// A realistic report document of about 6 KB.
std::string Report(int n) {
  std::string results;
  for (int i = 0; i < 30; ++i) {
    results += "{\"id\":\"linux.check-" + std::to_string(100 + i) +
               "\",\"title\":\"A reasonably descriptive title\",\"severity\":\"high\","
               "\"status\":\"pass\",\"reason\":\"observed value matches the expected one\"},";
  }
  results.pop_back();
  return "{\"schema\":\"bulwark.report/1\",\"n\":" + std::to_string(n) + ",\"results\":[" +
         results + "],\"facts\":{\"padding\":\"" + std::string(1500, 'f') + "\"}}";
}

std::vector<std::string> Ids(const std::vector<QueuedReport>& reports) {
  std::vector<std::string> ids;
  for (const QueuedReport& r : reports) ids.push_back(r.report_id);
  return ids;
}

class ReportQueueTest : public ::testing::Test {
 protected:
  std::unique_ptr<ReportQueue> Open(const QueueLimits& limits = {}) {
    auto queue = OpenReportQueue(path_, limits, clock_);
    EXPECT_TRUE(queue.ok()) << queue.status().ToString();
    return queue.ok() ? std::move(queue).value() : nullptr;
  }
  QueueStats StatsOf(ReportQueue& queue) {
    auto stats = queue.Stats();
    EXPECT_TRUE(stats.ok()) << stats.status().ToString();
    return stats.value_or(QueueStats{});
  }
  std::vector<QueuedReport> PeekAll(ReportQueue& queue) {
    auto reports = queue.Peek(1000000, std::size_t{1} << 40);
    EXPECT_TRUE(reports.ok()) << reports.status().ToString();
    return reports.value_or({});
  }

  testing::TempDir dir_;
  std::string path_ = dir_.Join("queue.db");
  testing::FakeClock clock_{kStart};
};

TEST_F(ReportQueueTest, PeekReturnsReportsInEnqueueOrderWithTheirMetadata) {
  auto queue = Open();
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(queue->Enqueue("r-b", "doc-b").ok());
  clock_.Advance(seconds(5));
  ASSERT_TRUE(queue->Enqueue("r-a", "doc-a").ok());
  ASSERT_TRUE(queue->Enqueue("r-c", "doc-c").ok());

  std::vector<QueuedReport> reports = PeekAll(*queue);
  ASSERT_EQ(Ids(reports), (std::vector<std::string>{"r-b", "r-a", "r-c"}));
  EXPECT_EQ(reports[0].document, "doc-b");
  EXPECT_EQ(reports[0].queued_at, kStart);
  EXPECT_EQ(reports[1].queued_at, kStart + seconds(5));
  EXPECT_EQ(reports[0].attempts, 0);
  EXPECT_LT(reports[0].seq, reports[1].seq);
  EXPECT_LT(reports[1].seq, reports[2].seq);

  QueueStats stats = StatsOf(*queue);
  EXPECT_EQ(stats.pending, 3u);
  EXPECT_EQ(stats.pending_bytes, 15u);
  EXPECT_EQ(stats.enqueued_total, 3u);
  EXPECT_EQ(stats.oldest_queued_at, kStart);
}

TEST_F(ReportQueueTest, DocumentsWithBinaryAndMultibyteContentRoundTripExactly) {
  auto queue = Open();
  ASSERT_NE(queue, nullptr);
  const std::string document =
      std::string("{\"name\":\"J\xc3\xbcrgen\",\"nul\":\"") + std::string(1, '\0') + "\"}";
  ASSERT_TRUE(queue->Enqueue("r-1", document).ok());
  ASSERT_TRUE(queue->Enqueue("r-2", "").ok());
  std::vector<QueuedReport> reports = PeekAll(*queue);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].document, document);
  EXPECT_EQ(reports[1].document, "");
  EXPECT_EQ(StatsOf(*queue).pending_bytes, document.size());  // bytes, not characters
}

TEST_F(ReportQueueTest, EnqueueOfAPendingIdIsANoOp) {
  auto queue = Open();
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(queue->Enqueue("r-1", "first").ok());
  ASSERT_TRUE(queue->Enqueue("r-1", "second, longer").ok());
  std::vector<QueuedReport> reports = PeekAll(*queue);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].document, "first");
  QueueStats stats = StatsOf(*queue);
  EXPECT_EQ(stats.pending, 1u);
  EXPECT_EQ(stats.pending_bytes, 5u);
  EXPECT_EQ(stats.enqueued_total, 1u);
}

TEST_F(ReportQueueTest, PeekStopsAtTheCountOrTheByteBudgetButReturnsAtLeastOne) {
  auto queue = Open();
  ASSERT_NE(queue, nullptr);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(queue->Enqueue("r-" + std::to_string(i), std::string(100, 'x')).ok());
  }
  auto by_count = queue->Peek(2, 100000);
  ASSERT_TRUE(by_count.ok());
  EXPECT_EQ(Ids(*by_count), (std::vector<std::string>{"r-0", "r-1"}));

  auto by_bytes = queue->Peek(10, 250);
  ASSERT_TRUE(by_bytes.ok());
  EXPECT_EQ(Ids(*by_bytes), (std::vector<std::string>{"r-0", "r-1"}));

  auto exact = queue->Peek(10, 300);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->size(), 3u);

  auto tiny = queue->Peek(10, 10);
  ASSERT_TRUE(tiny.ok());
  EXPECT_EQ(Ids(*tiny), (std::vector<std::string>{"r-0"}));

  auto none = queue->Peek(0, 1000);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(StatsOf(*queue).pending, 5u);  // Peek removes nothing
}

TEST_F(ReportQueueTest, AckDeletesKnownIdsAndIgnoresUnknownOnes) {
  auto queue = Open();
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(queue->Enqueue("r-1", "one").ok());
  ASSERT_TRUE(queue->Enqueue("r-2", "two").ok());
  ASSERT_TRUE(queue->Ack({"r-1", "never-queued"}).ok());
  ASSERT_TRUE(queue->Ack({"r-1"}).ok());  // acked twice
  EXPECT_EQ(Ids(PeekAll(*queue)), (std::vector<std::string>{"r-2"}));
  QueueStats stats = StatsOf(*queue);
  EXPECT_EQ(stats.pending, 1u);
  EXPECT_EQ(stats.pending_bytes, 3u);
  EXPECT_EQ(stats.acked_total, 1u);
  ASSERT_TRUE(queue->Ack({}).ok());
}

TEST_F(ReportQueueTest, RecordAttemptCountsEachIdOnce) {
  auto queue = Open();
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(queue->Enqueue("r-1", "one").ok());
  ASSERT_TRUE(queue->Enqueue("r-2", "two").ok());
  ASSERT_TRUE(queue->RecordAttempt({"r-1", "r-2", "unknown"}).ok());
  ASSERT_TRUE(queue->RecordAttempt({"r-2"}).ok());
  std::vector<QueuedReport> reports = PeekAll(*queue);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].attempts, 1);
  EXPECT_EQ(reports[1].attempts, 2);
}

TEST_F(ReportQueueTest, MoveToDeadLetterTakesTheReportOutOfPendingWithTheAnswer) {
  auto queue = Open();
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(queue->Enqueue("r-1", "one").ok());
  ASSERT_TRUE(queue->Enqueue("r-2", "two").ok());
  clock_.Advance(seconds(30));
  ASSERT_TRUE(queue->MoveToDeadLetter("r-1", 422, "schema mismatch:\nfield \"x\"").ok());
  ASSERT_TRUE(queue->MoveToDeadLetter("unknown", 400, "ignored").ok());

  EXPECT_EQ(Ids(PeekAll(*queue)), (std::vector<std::string>{"r-2"}));
  QueueStats stats = StatsOf(*queue);
  EXPECT_EQ(stats.pending, 1u);
  EXPECT_EQ(stats.pending_bytes, 3u);
  EXPECT_EQ(stats.dead_letters, 1u);
  EXPECT_EQ(stats.dead_lettered_total, 1u);
  EXPECT_EQ(stats.acked_total, 0u);

  auto letters = queue->DeadLetters(10);
  ASSERT_TRUE(letters.ok());
  ASSERT_EQ(letters->size(), 1u);
  EXPECT_EQ((*letters)[0].report_id, "r-1");
  EXPECT_EQ((*letters)[0].http_status, 422);
  EXPECT_EQ((*letters)[0].error, "schema mismatch: field \"x\"");
  EXPECT_EQ((*letters)[0].at, kStart + seconds(30));
}

TEST_F(ReportQueueTest, DeadLettersBeyondTheCapDropTheOldestAndListNewestFirst) {
  QueueLimits limits;
  limits.max_dead_letters = 2;
  auto queue = Open(limits);
  ASSERT_NE(queue, nullptr);
  for (int i = 0; i < 4; ++i) {
    const std::string id = "r-" + std::to_string(i);
    ASSERT_TRUE(queue->Enqueue(id, "doc").ok());
    ASSERT_TRUE(queue->MoveToDeadLetter(id, 400 + i, "refused").ok());
  }
  auto letters = queue->DeadLetters(10);
  ASSERT_TRUE(letters.ok());
  ASSERT_EQ(letters->size(), 2u);
  EXPECT_EQ((*letters)[0].report_id, "r-3");
  EXPECT_EQ((*letters)[1].report_id, "r-2");
  auto one = queue->DeadLetters(1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u);
  QueueStats stats = StatsOf(*queue);
  EXPECT_EQ(stats.dead_letters, 2u);
  EXPECT_EQ(stats.dead_lettered_total, 4u);
}

TEST_F(ReportQueueTest, CountCapDropsTheOldestReportsAndCountsThem) {
  QueueLimits limits;
  limits.max_reports = 3;
  auto queue = Open(limits);
  ASSERT_NE(queue, nullptr);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(queue->Enqueue("r-" + std::to_string(i), "doc").ok());
  }
  EXPECT_EQ(Ids(PeekAll(*queue)), (std::vector<std::string>{"r-2", "r-3", "r-4"}));
  QueueStats stats = StatsOf(*queue);
  EXPECT_EQ(stats.pending, 3u);
  EXPECT_EQ(stats.pending_bytes, 9u);
  EXPECT_EQ(stats.dropped_total, 2u);
  EXPECT_EQ(stats.enqueued_total, 5u);
}

TEST_F(ReportQueueTest, ByteCapDropsTheOldestReportsButNeverTheNewOne) {
  QueueLimits limits;
  limits.max_bytes = 250;
  auto queue = Open(limits);
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(queue->Enqueue("r-0", std::string(100, 'a')).ok());
  ASSERT_TRUE(queue->Enqueue("r-1", std::string(100, 'b')).ok());
  ASSERT_TRUE(queue->Enqueue("r-2", std::string(100, 'c')).ok());
  EXPECT_EQ(Ids(PeekAll(*queue)), (std::vector<std::string>{"r-1", "r-2"}));
  ASSERT_TRUE(queue->Enqueue("r-3", std::string(250, 'd')).ok());  // exactly the cap
  EXPECT_EQ(Ids(PeekAll(*queue)), (std::vector<std::string>{"r-3"}));
  QueueStats stats = StatsOf(*queue);
  EXPECT_EQ(stats.pending_bytes, 250u);
  EXPECT_EQ(stats.dropped_total, 3u);
}

TEST_F(ReportQueueTest, DocumentOverTheByteCapIsRefusedAndCountedAsDropped) {
  QueueLimits limits;
  limits.max_bytes = 100;
  auto queue = Open(limits);
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(queue->Enqueue("r-0", "small").ok());
  Status status = queue->Enqueue("r-big", std::string(101, 'x'));
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted) << status.ToString();
  EXPECT_NE(status.message().find("r-big"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find(path_), std::string::npos) << status.message();
  EXPECT_EQ(Ids(PeekAll(*queue)), (std::vector<std::string>{"r-0"}));  // nothing else dropped
  QueueStats stats = StatsOf(*queue);
  EXPECT_EQ(stats.dropped_total, 1u);
  EXPECT_EQ(stats.enqueued_total, 1u);
}

TEST_F(ReportQueueTest, EnqueueBatchCommitsEveryFittingReportAndNamesTheRefusedOne) {
  QueueLimits limits;
  limits.max_bytes = 100;
  limits.max_reports = 3;
  auto queue = Open(limits);
  ASSERT_NE(queue, nullptr);
  Status status = queue->EnqueueBatch({{"r-0", "a"},
                                       {"r-1", "b"},
                                       {"r-huge", std::string(200, 'x')},
                                       {"r-1", "duplicate"},
                                       {"r-2", "c"},
                                       {"r-3", "d"}});
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted) << status.ToString();
  EXPECT_NE(status.message().find("r-huge"), std::string::npos) << status.message();
  EXPECT_EQ(Ids(PeekAll(*queue)), (std::vector<std::string>{"r-1", "r-2", "r-3"}));
  QueueStats stats = StatsOf(*queue);
  EXPECT_EQ(stats.enqueued_total, 4u);
  EXPECT_EQ(stats.dropped_total, 2u);  // r-huge refused, r-0 dropped by the count cap
  EXPECT_TRUE(queue->EnqueueBatch({}).ok());
}

TEST_F(ReportQueueTest, CountersAndReportsSurviveReopening) {
  {
    QueueLimits limits;
    limits.max_reports = 2;
    auto queue = Open(limits);
    ASSERT_NE(queue, nullptr);
    for (int i = 0; i < 4; ++i) {
      ASSERT_TRUE(queue->Enqueue("r-" + std::to_string(i), "doc").ok());
    }
    ASSERT_TRUE(queue->Ack({"r-2"}).ok());
    ASSERT_TRUE(queue->Enqueue("r-4", "doc").ok());
    ASSERT_TRUE(queue->MoveToDeadLetter("r-3", 400, "bad").ok());
    ASSERT_TRUE(queue->RecordAttempt({"r-4"}).ok());
  }
  auto queue = Open();
  ASSERT_NE(queue, nullptr);
  QueueStats stats = StatsOf(*queue);
  EXPECT_EQ(stats.pending, 1u);
  EXPECT_EQ(stats.enqueued_total, 5u);
  EXPECT_EQ(stats.dropped_total, 2u);
  EXPECT_EQ(stats.acked_total, 1u);
  EXPECT_EQ(stats.dead_lettered_total, 1u);
  EXPECT_EQ(stats.dead_letters, 1u);
  EXPECT_EQ(stats.corruption_resets, 0u);
  std::vector<QueuedReport> reports = PeekAll(*queue);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].report_id, "r-4");
  EXPECT_EQ(reports[0].attempts, 1);
}

TEST_F(ReportQueueTest, SeqKeepsIncreasingAfterTheQueueWasEmptied) {
  std::int64_t first_seq = 0;
  {
    auto queue = Open();
    ASSERT_NE(queue, nullptr);
    ASSERT_TRUE(queue->Enqueue("r-1", "doc").ok());
    ASSERT_TRUE(queue->Enqueue("r-2", "doc").ok());
    first_seq = PeekAll(*queue).back().seq;
    ASSERT_TRUE(queue->Ack({"r-1", "r-2"}).ok());
  }
  auto queue = Open();
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(queue->Enqueue("r-3", "doc").ok());
  std::vector<QueuedReport> reports = PeekAll(*queue);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_GT(reports[0].seq, first_seq);
}

TEST_F(ReportQueueTest, FileIsCreated0600WhateverTheUmask) {
  const mode_t old_umask = ::umask(0);
  auto queue = Open();
  ::umask(old_umask);
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(queue->Enqueue("r-1", "doc").ok());
  for (const std::string& file : {path_, path_ + "-wal", path_ + "-shm"}) {
    struct stat info {};
    ASSERT_EQ(::stat(file.c_str(), &info), 0) << file;
    EXPECT_EQ(info.st_mode & 07777, 0600u) << file;
  }
}

TEST_F(ReportQueueTest, MissingDirectoryIsUnavailableAndBadLimitsAreInvalid) {
  auto missing = OpenReportQueue(dir_.Join("no/such/dir/queue.db"), {}, clock_);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(missing.status().message().find("no/such/dir"), std::string::npos);

  QueueLimits zero;
  zero.max_reports = 0;
  auto bad = OpenReportQueue(path_, zero, clock_);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(ReportQueueTest, EmptyFileIsMigratedToTheCurrentSchemaVersion) {
  WriteAll(path_, "");  // a zero-byte file is an empty SQLite database at user_version 0
  {
    auto queue = Open();
    ASSERT_NE(queue, nullptr);
    ASSERT_TRUE(queue->Enqueue("r-1", "doc").ok());
    EXPECT_EQ(StatsOf(*queue).corruption_resets, 0u);
  }
  const std::string header = ReadAll(path_).substr(0, 100);
  ASSERT_EQ(header.size(), 100u);
  EXPECT_EQ(header.substr(0, 16), std::string("SQLite format 3\0", 16));
  EXPECT_EQ(header.substr(60, 4), std::string("\0\0\0\2", 4));  // PRAGMA user_version
  EXPECT_EQ(header[18], 2);                                     // WAL
  auto queue = Open();
  ASSERT_NE(queue, nullptr);
  EXPECT_EQ(Ids(PeekAll(*queue)), (std::vector<std::string>{"r-1"}));
}

// The page size a SQLite file records in its header (offset 16, big-endian).
int PageSizeOf(const std::string& path) {
  const std::string header = ReadAll(path).substr(0, 18);
  if (header.size() < 18) return 0;
  return (static_cast<unsigned char>(header[16]) << 8) | static_cast<unsigned char>(header[17]);
}

TEST_F(ReportQueueTest, NewFilesUse8KiBPagesAndA4KiBFileFromAnOlderAgentKeepsWorking) {
  { ASSERT_NE(Open(), nullptr); }
  EXPECT_EQ(PageSizeOf(path_), 8192);

  // A file made at SQLite's default page size, as agents before 8 KiB pages made them.
  const std::string old_path = dir_.Join("old-queue.db");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(old_path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA page_size=4096; PRAGMA journal_mode=WAL; CREATE TABLE t(x);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  ASSERT_EQ(PageSizeOf(old_path), 4096);
  const std::string big(20000, 'x');  // spans overflow pages at either size
  {
    auto queue = OpenReportQueue(old_path, {}, clock_);
    ASSERT_TRUE(queue.ok()) << queue.status().ToString();
    ASSERT_TRUE((*queue)->EnqueueBatch({{"r-1", big}, {"r-2", Report(2)}}).ok());
    ASSERT_TRUE((*queue)->Ack({"r-2"}).ok());
  }
  EXPECT_EQ(PageSizeOf(old_path), 4096);  // never rewritten
  auto queue = OpenReportQueue(old_path, {}, clock_);
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  std::vector<QueuedReport> reports = PeekAll(**queue);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].report_id, "r-1");
  EXPECT_EQ(reports[0].document, big);
}

// Bytes this process has handed to write(2) so far (/proc/self/io "wchar"), or -1.
long long BytesWrittenByThisProcess() {
  std::ifstream io("/proc/self/io");
  std::string key;
  long long value = 0;
  while (io >> key >> value) {
    if (key == "wchar:") return value;
  }
  return -1;
}

// A document of 25,034 bytes, a failing Linux workstation's report. At 8 KiB pages SQLite keeps
// its first 1,003 bytes in the table's leaf page and the rest in three overflow pages, so
// eight reports share a leaf: each insert or delete changes a page the transaction already
// changed, which is what a statement journal has to save.
std::string LargeReport(int n) {
  std::string text = Report(n);
  while (text.size() < 25034) text += " " + Report(n);
  text.resize(25034);
  return text;
}

TEST_F(ReportQueueTest, EnqueueAndAckWriteEachReportAboutOnce) {
  // Counters kept by triggers made each insert and delete a statement SQLite guards with a
  // statement journal, which spilled to a temporary file: 2.8 times the reports' bytes were
  // written for this batch. The WAL alone writes each document once plus a few b-tree pages
  // (1.1 times); the checkpoint copies them later, outside this measurement.
  if (BytesWrittenByThisProcess() < 0) GTEST_SKIP() << "no /proc/self/io on this system";
  auto queue = Open();
  ASSERT_NE(queue, nullptr);
  std::vector<std::pair<std::string, std::string>> batch;
  std::vector<std::string> ids;
  long long payload = 0;
  for (int i = 0; i < 100; ++i) {
    batch.emplace_back("r-" + std::to_string(i), LargeReport(i));
    ids.push_back(batch.back().first);
    payload += static_cast<long long>(batch.back().second.size());
  }
  const long long before = BytesWrittenByThisProcess();
  ASSERT_TRUE(queue->EnqueueBatch(batch).ok());
  ASSERT_EQ(PeekAll(*queue).size(), 100u);
  ASSERT_TRUE(queue->Ack(ids).ok());
  const long long written = BytesWrittenByThisProcess() - before;
  EXPECT_LT(written, payload * 13 / 10)
      << written << " bytes written for " << payload << " bytes of reports";
  EXPECT_EQ(StatsOf(*queue).pending_bytes, 0u);
}

TEST_F(ReportQueueTest, FileFromTheTriggerCountedSchemaKeepsItsReportsAndCounters) {
  // Schema version 1 exactly as agents before version 2 wrote it, with two pending reports
  // counted by its triggers.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  const char* v1 = R"sql(
PRAGMA journal_mode=WAL;
CREATE TABLE pending(seq INTEGER PRIMARY KEY AUTOINCREMENT, report_id TEXT NOT NULL UNIQUE,
  document BLOB NOT NULL, queued_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);
CREATE TABLE dead_letters(id INTEGER PRIMARY KEY AUTOINCREMENT, report_id TEXT NOT NULL,
  http_status INTEGER NOT NULL, error TEXT NOT NULL, at INTEGER NOT NULL, document BLOB NOT NULL);
CREATE TABLE counters(id INTEGER PRIMARY KEY CHECK (id = 1), pending INTEGER NOT NULL,
  pending_bytes INTEGER NOT NULL, enqueued_total INTEGER NOT NULL, acked_total INTEGER NOT NULL,
  dropped_total INTEGER NOT NULL, dead_lettered_total INTEGER NOT NULL,
  corruption_resets INTEGER NOT NULL, lost_to_corruption INTEGER NOT NULL);
INSERT INTO counters VALUES(1, 0, 0, 0, 0, 7, 0, 0, 0);
CREATE TRIGGER pending_added AFTER INSERT ON pending BEGIN
  UPDATE counters SET pending = pending + 1, pending_bytes = pending_bytes + length(NEW.document);
END;
CREATE TRIGGER pending_removed AFTER DELETE ON pending BEGIN
  UPDATE counters SET pending = pending - 1, pending_bytes = pending_bytes - length(OLD.document);
END;
INSERT INTO pending(report_id, document, queued_at) VALUES('old-1', 'abcd', 1), ('old-2', 'efg', 2);
UPDATE counters SET enqueued_total = 2;
PRAGMA user_version=1;
)sql";
  ASSERT_EQ(sqlite3_exec(db, v1, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);

  auto queue = Open();
  ASSERT_NE(queue, nullptr);
  QueueStats stats = StatsOf(*queue);
  EXPECT_EQ(stats.pending, 2u);
  EXPECT_EQ(stats.pending_bytes, 7u);
  EXPECT_EQ(stats.dropped_total, 7u);
  ASSERT_TRUE(queue->Enqueue("new-1", "0123456789").ok());
  ASSERT_TRUE(queue->Ack({"old-1"}).ok());
  ASSERT_TRUE(queue->MoveToDeadLetter("old-2", 400, "bad").ok());
  stats = StatsOf(*queue);
  EXPECT_EQ(stats.pending, 1u);
  EXPECT_EQ(stats.pending_bytes, 10u);  // counted once: no trigger left to count it again
  EXPECT_EQ(stats.enqueued_total, 3u);
  EXPECT_EQ(stats.acked_total, 1u);
  EXPECT_EQ(stats.dead_lettered_total, 1u);
  EXPECT_EQ(Ids(PeekAll(*queue)), (std::vector<std::string>{"new-1"}));
}

TEST_F(ReportQueueTest, PendingCountersMatchTheTableAfterEveryKindOfChange) {
  QueueLimits limits;
  limits.max_reports = 3;
  limits.max_bytes = 100;
  auto queue = Open(limits);
  ASSERT_NE(queue, nullptr);
  auto check = [&](const char* step) {
    const std::vector<QueuedReport> pending = PeekAll(*queue);
    std::uint64_t bytes = 0;
    for (const QueuedReport& r : pending) bytes += r.document.size();
    const QueueStats stats = StatsOf(*queue);
    EXPECT_EQ(stats.pending, pending.size()) << step;
    EXPECT_EQ(stats.pending_bytes, bytes) << step;
  };
  ASSERT_TRUE(queue->EnqueueBatch({{"a", std::string(30, 'a')}, {"b", std::string(20, 'b')}}).ok());
  check("batch");
  ASSERT_TRUE(queue->Enqueue("a", std::string(5, 'x')).ok());  // already pending: no change
  check("duplicate");
  ASSERT_TRUE(queue->Enqueue("c", std::string(60, 'c')).ok());  // over 100 bytes: drops "a"
  check("byte cap");
  ASSERT_TRUE(queue->EnqueueBatch({{"d", "d"}, {"e", "e"}}).ok());  // over 3 reports
  check("count cap");
  EXPECT_EQ(queue->Enqueue("f", std::string(101, 'f')).code(), StatusCode::kResourceExhausted);
  check("refused");
  ASSERT_TRUE(queue->Ack({"d", "nope"}).ok());
  check("ack");
  ASSERT_TRUE(queue->MoveToDeadLetter("e", 422, "no").ok());
  ASSERT_TRUE(queue->MoveToDeadLetter("e", 422, "again").ok());  // no longer pending
  check("dead letter");
  EXPECT_EQ(StatsOf(*queue).dropped_total, 3u);  // a and b by the caps, f refused
}

TEST_F(ReportQueueTest, FileFromANewerAgentIsRefusedAndLeftAlone) {
  { ASSERT_NE(Open(), nullptr); }  // closed cleanly: everything is in the main file
  {
    // Set user_version (big-endian, header offset 60) as a newer agent's migration would.
    std::fstream file(path_, std::ios::binary | std::ios::in | std::ios::out);
    file.seekp(60);
    const char version[4] = {0, 0, 0, 99};
    file.write(version, 4);
  }
  const std::string before = ReadAll(path_);
  auto queue = OpenReportQueue(path_, {}, clock_);
  ASSERT_FALSE(queue.ok());
  EXPECT_EQ(queue.status().code(), StatusCode::kFailedPrecondition) << queue.status().ToString();
  EXPECT_NE(queue.status().message().find("99"), std::string::npos);
  EXPECT_EQ(ReadAll(path_), before);
}

// ---- Corruption: real damaged files -------------------------------------------------------

class ReportQueueCorruptionTest : public ReportQueueTest {
 protected:
  std::string AsidePath() const {
    const auto secs = std::chrono::duration_cast<seconds>(kStart.time_since_epoch()).count();
    return path_ + ".corrupt-" + std::to_string(secs);
  }
  // A real queue with `n` ~6 KB reports, closed cleanly (checkpointed into the main file).
  void MakeRealQueue(int n) {
    auto queue = Open();
    ASSERT_NE(queue, nullptr);
    std::vector<std::pair<std::string, std::string>> reports;
    for (int i = 0; i < n; ++i) reports.emplace_back("r-" + std::to_string(i), Report(i));
    ASSERT_TRUE(queue->EnqueueBatch(reports).ok());
  }
  // Opens the damaged file and checks it was replaced by a fresh, working queue.
  void ExpectReset(const std::string& damaged, std::uint64_t expected_lost) {
    auto queue = Open();
    ASSERT_NE(queue, nullptr);
    QueueStats stats = StatsOf(*queue);
    EXPECT_EQ(stats.corruption_resets, 1u);
    EXPECT_EQ(stats.lost_to_corruption, expected_lost);
    EXPECT_EQ(stats.pending, 0u);
    EXPECT_EQ(stats.enqueued_total, 0u);
    EXPECT_EQ(ReadAll(AsidePath()), damaged) << "the damaged file must be kept as found";
    ASSERT_TRUE(queue->Enqueue("after", "doc").ok());
    EXPECT_EQ(Ids(PeekAll(*queue)), (std::vector<std::string>{"after"}));
    queue.reset();
    // The reset is recorded once: reopening the fresh file is not another reset.
    auto again = Open();
    ASSERT_NE(again, nullptr);
    EXPECT_EQ(StatsOf(*again).corruption_resets, 1u);
    EXPECT_EQ(StatsOf(*again).pending, 1u);
  }
};

TEST_F(ReportQueueCorruptionTest, RandomBytesAreMovedAsideAndAFreshQueueCreated) {
  std::mt19937 rng(42);
  std::string garbage(16384, '\0');
  for (char& c : garbage) c = static_cast<char>(rng() & 0xff);
  WriteAll(path_, garbage);
  ExpectReset(garbage, 0);
  struct stat info {};
  ASSERT_EQ(::stat(path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0600u);
}

TEST_F(ReportQueueCorruptionTest, TruncatedCopyOfARealQueueIsReset) {
  MakeRealQueue(200);
  ASSERT_FALSE(std::filesystem::exists(path_ + "-wal"));  // checkpointed on close
  const std::string full = ReadAll(path_);
  ASSERT_GT(full.size(), 1000000u);
  const std::string truncated = full.substr(0, full.size() / 2);
  WriteAll(path_, truncated);
  // The counters row sits on an early page, so the old pending count is still readable.
  ExpectReset(truncated, 200);
}

TEST_F(ReportQueueCorruptionTest, OverwrittenHeaderPageIsReset) {
  MakeRealQueue(20);
  std::string damaged = ReadAll(path_);
  ASSERT_GT(damaged.size(), 4096u);
  std::fill(damaged.begin(), damaged.begin() + 4096, '\xa5');
  WriteAll(path_, damaged);
  ExpectReset(damaged, 0);
}

TEST_F(ReportQueueCorruptionTest, DamagedInteriorPageIsResetAndItsWalMovedAlongside) {
  MakeRealQueue(50);
  std::string damaged = ReadAll(path_);
  // Page 2 onwards holds the tables' b-tree pages; scribble over pages 2 to 4.
  ASSERT_GT(damaged.size(), 5u * 4096u);
  std::fill(damaged.begin() + 4096, damaged.begin() + 4 * 4096, '\x5a');
  WriteAll(path_, damaged);
  const std::string stray_wal = "not a wal";
  WriteAll(path_ + "-wal", stray_wal);
  auto queue = Open();
  ASSERT_NE(queue, nullptr);
  QueueStats stats = StatsOf(*queue);
  EXPECT_EQ(stats.corruption_resets, 1u);
  EXPECT_EQ(stats.pending, 0u);
  EXPECT_EQ(ReadAll(AsidePath()), damaged);
  EXPECT_EQ(ReadAll(AsidePath() + "-wal"), stray_wal);
}

TEST_F(ReportQueueCorruptionTest, SecondResetInTheSameSecondKeepsTheFirstEvidence) {
  WriteAll(path_, std::string(8192, 'A'));
  { ASSERT_NE(Open(), nullptr); }
  WriteAll(path_, std::string(8192, 'B'));
  auto queue = Open();
  ASSERT_NE(queue, nullptr);
  EXPECT_EQ(ReadAll(AsidePath()), std::string(8192, 'A'));
  EXPECT_EQ(ReadAll(AsidePath() + ".1"), std::string(8192, 'B'));
}

// ---- Concurrency and crashes ---------------------------------------------------------------

TEST_F(ReportQueueTest, ConcurrentEnqueueFromFourThreadsLosesNothing) {
  auto queue = Open();
  ASSERT_NE(queue, nullptr);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 60;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (!queue->Enqueue(id, Report(i)).ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  std::vector<QueuedReport> reports = PeekAll(*queue);
  ASSERT_EQ(reports.size(), std::size_t{kThreads * kPerThread});
  std::set<std::string> ids;
  for (const QueuedReport& r : reports) ids.insert(r.report_id);
  EXPECT_EQ(ids.size(), std::size_t{kThreads * kPerThread});
  // Each thread's reports keep their order.
  for (int t = 0; t < kThreads; ++t) {
    int last = -1;
    for (const QueuedReport& r : reports) {
      const std::string prefix = "t" + std::to_string(t) + "-";
      if (r.report_id.rfind(prefix, 0) != 0) continue;
      const int i = std::stoi(r.report_id.substr(prefix.size()));
      EXPECT_EQ(i, last + 1);
      last = i;
    }
  }
  EXPECT_EQ(StatsOf(*queue).enqueued_total, std::uint64_t{kThreads * kPerThread});
}

TEST_F(ReportQueueTest, QueuesOnTheSameFileInFourThreadsShareItSafely) {
  // Four connections to one file, as the service and the `queue` command would have.
  std::vector<std::unique_ptr<ReportQueue>> queues;
  for (int t = 0; t < 4; ++t) {
    queues.push_back(Open());
    ASSERT_NE(queues.back(), nullptr);
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        const std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (!queues[static_cast<std::size_t>(t)]->Enqueue(id, "doc").ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  QueueStats stats = StatsOf(*queues[0]);
  EXPECT_EQ(stats.pending, 100u);
  EXPECT_EQ(stats.enqueued_total, 100u);
  EXPECT_EQ(PeekAll(*queues[3]).size(), 100u);
}

TEST_F(ReportQueueTest, TwoProcessesOpeningANewFileAtOnceBothSucceed) {
  // The service creating queue.db while `bulwark-agent queue stats` opens it: one process
  // switches the new file to WAL (an exclusive lock) while the other reads its header.
  for (int round = 0; round < 100; ++round) {
    const std::string path = dir_.Join("race-" + std::to_string(round) + ".db");
    int go[2];
    ASSERT_EQ(::pipe(go), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0) << std::strerror(errno);
    if (child == 0) {
      char byte = 0;
      ::close(go[1]);
      if (::read(go[0], &byte, 1) != 1) ::_exit(2);  // both start together
      auto queue = OpenReportQueue(path, {}, clock_);
      ::_exit(queue.ok() ? 0 : 1);
    }
    ::close(go[0]);
    ASSERT_EQ(::write(go[1], "x", 1), 1);
    ::close(go[1]);
    auto queue = OpenReportQueue(path, {}, clock_);
    EXPECT_TRUE(queue.ok()) << "round " << round << ": " << queue.status().ToString();
    int wstatus = 0;
    ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
    EXPECT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) << "round " << round;
  }
}

TEST_F(ReportQueueTest, ReopenAfterACrashSeesEveryCommittedReport) {
  constexpr int kReports = 40;
  const pid_t child = ::fork();
  ASSERT_GE(child, 0) << std::strerror(errno);
  if (child == 0) {
    // The child commits reports and dies without closing the database (no checkpoint).
    auto queue = OpenReportQueue(path_, {}, clock_);
    if (!queue.ok()) ::_exit(2);
    for (int i = 0; i < kReports; ++i) {
      if (!(*queue)->Enqueue("r-" + std::to_string(i), Report(i)).ok()) ::_exit(3);
    }
    if (!(*queue)->Ack({"r-0"}).ok()) ::_exit(4);
    ::_exit(0);
  }
  int wstatus = 0;
  ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(WIFEXITED(wstatus));
  ASSERT_EQ(WEXITSTATUS(wstatus), 0);
  // The commits live only in the WAL: the main file was never checkpointed.
  ASSERT_GT(FileSize(path_ + "-wal"), std::uintmax_t{kReports} * 6000u);

  auto queue = Open();
  ASSERT_NE(queue, nullptr);
  std::vector<QueuedReport> reports = PeekAll(*queue);
  ASSERT_EQ(reports.size(), std::size_t{kReports - 1});
  for (int i = 1; i < kReports; ++i) {
    EXPECT_EQ(reports[static_cast<std::size_t>(i - 1)].report_id, "r-" + std::to_string(i));
    EXPECT_EQ(reports[static_cast<std::size_t>(i - 1)].document, Report(i));
  }
  QueueStats stats = StatsOf(*queue);
  EXPECT_EQ(stats.enqueued_total, std::uint64_t{kReports});
  EXPECT_EQ(stats.acked_total, 1u);
  EXPECT_EQ(stats.corruption_resets, 0u);
}

// ---- Full disk: a real, small tmpfs --------------------------------------------------------

class ReportQueueFullDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mount_point_ = dir_.Join("small");
    dir_.MakeDirs("small");
    if (::geteuid() != 0 ||
        ::mount("tmpfs", mount_point_.c_str(), "tmpfs", 0, "size=512k,mode=0700") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN): "
                   << std::strerror(errno);
    }
    mounted_ = true;
    path_ = mount_point_ + "/queue.db";
  }
  void TearDown() override {
    if (mounted_) ::umount2(mount_point_.c_str(), MNT_DETACH);
  }
  // Fills the file system until write(2) fails with ENOSPC.
  void FillDisk() {
    std::ofstream filler(mount_point_ + "/filler", std::ios::binary);
    const std::string block(4096, 'z');
    while (filler.write(block.data(), static_cast<std::streamsize>(block.size())) &&
           filler.flush()) {
    }
  }
  void FreeDisk() { std::filesystem::remove(mount_point_ + "/filler"); }

  testing::TempDir dir_;
  std::string mount_point_;
  std::string path_;
  bool mounted_ = false;
  testing::FakeClock clock_{kStart};
};

TEST_F(ReportQueueFullDiskTest, EnqueueOnAFullDiskFailsCleanlyAndWorksOnceSpaceIsBack) {
  auto opened = OpenReportQueue(path_, {}, clock_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<ReportQueue> queue = std::move(opened).value();
  ASSERT_TRUE(queue->Enqueue("r-0", Report(0)).ok());
  FillDisk();

  Status status = Status();
  int accepted = 0;
  // The WAL may have a little slack; the disk is full within a few reports.
  for (int i = 1; i < 50 && status.ok(); ++i) {
    status = queue->Enqueue("r-" + std::to_string(i), Report(i));
    if (status.ok()) ++accepted;
  }
  ASSERT_EQ(status.code(), StatusCode::kResourceExhausted) << status.ToString();
  EXPECT_NE(status.message().find(path_), std::string::npos) << status.message();
  EXPECT_EQ(status.message().find('\n'), std::string::npos);

  // No partial state: exactly the reports that were accepted are pending.
  auto stats = queue->Stats();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->pending, std::uint64_t(1 + accepted));
  EXPECT_EQ(stats->enqueued_total, std::uint64_t(1 + accepted));

  FreeDisk();
  ASSERT_TRUE(queue->Enqueue("r-after", Report(99)).ok());
  queue.reset();
  auto reopened = OpenReportQueue(path_, {}, clock_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  auto reports = (*reopened)->Peek(1000, std::size_t{1} << 30);
  ASSERT_TRUE(reports.ok());
  ASSERT_EQ(reports->size(), std::size_t(2 + accepted));
  EXPECT_EQ(reports->back().report_id, "r-after");
  auto after = (*reopened)->Stats();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->corruption_resets, 0u);
}

TEST_F(ReportQueueFullDiskTest, OpenOnAFullDiskIsResourceExhaustedNamingTheFile) {
  FillDisk();
  auto opened = OpenReportQueue(path_, {}, clock_);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kResourceExhausted) << opened.status().ToString();
  EXPECT_NE(opened.status().message().find(path_), std::string::npos);
  FreeDisk();
  auto retried = OpenReportQueue(path_, {}, clock_);
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  auto stats = (*retried)->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->pending, 0u);
  EXPECT_EQ(stats->corruption_resets, 0u);
}

}  // namespace
}  // namespace bulwark::queue
