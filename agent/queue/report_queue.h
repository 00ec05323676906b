// The agent's durable report queue: reports are committed to SQLite (WAL, synchronous=FULL)
// before anything is sent, and leave it only when the collector acknowledged them (accepted
// or duplicate) or was refused for good (dead-letter table, with the collector's error).
// Acknowledgements and attempt counts commit without their own fsync: losing one to a power
// cut only re-sends a report, which the collector acknowledges as a duplicate.
//
// Caps by count and by bytes: enqueuing past either drops the oldest pending reports first;
// every drop is counted (persisted) so the next report can tell the collector. A database
// that SQLite reports as corrupt (or that is not a database) is renamed aside
// (`<path>.corrupt-<unix seconds>`, with its -wal/-shm as `<path>.corrupt-<unix seconds>-wal`
// ...), a fresh one is created, and the loss is counted.
//
// The file lives in the agent's state directory; Open creates it 0600 whatever the umask (the
// -wal and -shm files SQLite creates beside it copy that mode; an existing file keeps its
// mode). Every commit is fsync'd, so batch with EnqueueBatch where you can. Several processes may
// open the same file (the service and `bulwark-agent queue stats`): SQLite's locks and a busy
// timeout serialise their writes, and every call is one transaction.
//
// Thread-safety: one ReportQueue may be used from several threads (calls are serialised).
// Errors (all one line naming the cause and the file): kResourceExhausted for a full disk or
// a report over the byte cap; kUnavailable when the file is locked by another process past the
// busy timeout or an I/O error occurred; kDataLoss when SQLite finds the file corrupt after it
// was opened (reopen the queue to reset it); kPermissionDenied for a read-only file. A failed
// call leaves the file as it was (its transaction is rolled back).
#ifndef BULWARK_AGENT_QUEUE_REPORT_QUEUE_H_
#define BULWARK_AGENT_QUEUE_REPORT_QUEUE_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/base/status.h"
#include "agent/sys/clock.h"

namespace bulwark::queue {

// REQUIRES: every limit >= 1 (OpenReportQueue refuses 0 with kInvalidArgument).
struct QueueLimits {
  std::size_t max_reports = 10000;              // pending reports
  std::size_t max_bytes = 64u * 1024u * 1024u;  // sum of pending documents' sizes
  std::size_t max_dead_letters = 1000;          // dead letters kept (the oldest are deleted)
};

struct QueuedReport {
  std::int64_t seq = 0;   // enqueue order, strictly increasing over the file's life
  std::string report_id;  // unique; re-enqueueing an id already pending is a no-op
  std::string document;   // the bulwark.report/1 JSON text as it will be uploaded
  std::chrono::system_clock::time_point queued_at;  // the clock's Now(), microsecond precision
  int attempts = 0;                                 // upload attempts so far (RecordAttempt)
};

struct QueueStats {
  std::uint64_t pending = 0;
  std::uint64_t pending_bytes = 0;
  std::optional<std::chrono::system_clock::time_point> oldest_queued_at;
  std::uint64_t dead_letters = 0;    // rows in the dead-letter table
  std::uint64_t enqueued_total = 0;  // counters below are persisted and only grow
  std::uint64_t acked_total = 0;
  std::uint64_t dropped_total = 0;  // dropped by the caps
  std::uint64_t dead_lettered_total = 0;
  std::uint64_t corruption_resets = 0;   // times the file was found corrupt and recreated
  std::uint64_t lost_to_corruption = 0;  // pending reports known lost that way (0 if unknown)
};

struct DeadLetter {
  std::string report_id;
  int http_status = 0;
  std::string error;  // the collector's error message, one line (control characters -> ' ')
  std::chrono::system_clock::time_point at;  // when it was moved, microsecond precision
};

class ReportQueue {
 public:
  virtual ~ReportQueue() = default;

  // Adds one report, in its own committed transaction, then enforces the caps (dropping the
  // oldest pending reports, never the one just added unless it alone exceeds max_bytes, in
  // which case it is refused with kResourceExhausted and counted as dropped).
  // Re-enqueueing an id that is still pending changes nothing and is OK.
  virtual Status Enqueue(const std::string& report_id, const std::string& document) = 0;

  // Enqueue for several (report_id, document) pairs in ONE committed transaction (one fsync
  // instead of one per report; use it when several reports are ready at once). Each pair is
  // treated as Enqueue would, in order; the caps then drop the oldest pending reports, never
  // the last pair. Documents alone over max_bytes are refused and counted as dropped while the
  // others are committed; the call then returns kResourceExhausted naming the first refused
  // id. On any other error nothing is committed.
  virtual Status EnqueueBatch(const std::vector<std::pair<std::string, std::string>>& reports) = 0;

  // Up to `max_reports` oldest pending reports whose documents total at most `max_bytes`
  // (always at least one if any is pending), in enqueue order.
  virtual Result<std::vector<QueuedReport>> Peek(std::size_t max_reports,
                                                 std::size_t max_bytes) = 0;

  // Counts one more upload attempt for each id (unknown ids ignored).
  virtual Status RecordAttempt(const std::vector<std::string>& report_ids) = 0;

  // Deletes acknowledged reports (unknown ids ignored: a report acked twice is fine).
  virtual Status Ack(const std::vector<std::string>& report_ids) = 0;

  // Moves a pending report to the dead-letter table with the collector's answer (counted in
  // dead_lettered_total; beyond max_dead_letters the oldest dead letters are deleted). An id
  // that is not pending (acked, or dropped by the caps meanwhile) is ignored.
  virtual Status MoveToDeadLetter(const std::string& report_id, int http_status,
                                  const std::string& error) = 0;

  // A consistent snapshot of the counters (one read transaction).
  virtual Result<QueueStats> Stats() = 0;
  // Up to `limit` dead letters, newest first.
  virtual Result<std::vector<DeadLetter>> DeadLetters(std::size_t limit) = 0;
};

// Opens (creating 0600 if missing) the queue at `path`. Corrupt files are moved aside as
// described above and the returned queue is fresh (Stats().corruption_resets counts it).
// "Corrupt" means SQLite answers SQLITE_CORRUPT or SQLITE_NOTADB while opening, migrating or
// checking the file (PRAGMA quick_check, which reads every page once: a truncated file is
// caught here, not in the middle of an upload). Stats().lost_to_corruption is the pending count
// the old file still showed, or 0 if it could not be read.
// Schema: PRAGMA user_version; older files are migrated step by step in one transaction, a
// file from a newer agent is kFailedPrecondition (left untouched).
// kUnavailable when the directory is missing or unwritable; kResourceExhausted on a full disk;
// kInvalidArgument for an empty path or a zero limit. `clock` must outlive the queue.
Result<std::unique_ptr<ReportQueue>> OpenReportQueue(const std::string& path,
                                                     const QueueLimits& limits, const Clock& clock);

}  // namespace bulwark::queue

#endif  // BULWARK_AGENT_QUEUE_REPORT_QUEUE_H_
