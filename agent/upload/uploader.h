// The report uploader: moves reports from the durable queue to the collector.
//
// One UploadOnce() peeks the oldest batch (default 100 reports / 4 MiB), counts an attempt
// for each report sent, and POSTs `{"reports":[<documents exactly as stored>]}` gzip-encoded
// to /api/v1/reports with `Authorization: Bearer <credential>`. The collector's answer decides
// what happens to the batch:
//
//   2xx {"accepted":[ids],"duplicate":[ids]}  Ack exactly the listed ids of the batch; the rest
//                                             stay queued (a 2xx acknowledging none of the
//                                             batch, or an unreadable 2xx body, is retried
//                                             later like a 5xx).
//   401                                       kUnauthorized: the caller re-enrols; nothing
//                                             changes in the queue.
//   413                                       The batch is halved and each half sent; a single
//                                             report still refused is dead-lettered.
//   400, 403, 415, 422                        A batch of several is re-sent one report per
//                                             request to find the bad one(s); a single report
//                                             refused is dead-lettered with the status and the
//                                             body's JSON "error"/"message" (one line).
//   429, 503, other 5xx, network/TLS errors   kRetryLater: wait `retry_after`, the jittered
//   and any other status (404, 3xx, ...)      backoff but at least the server's Retry-After.
//
// Other 4xx statuses (404, 405, 408, ...) are retried rather than dead-lettered: they point at
// a misrouted URL or a proxy, not at a bad report, and must not cost reports.
//
// The stop flag is read before every request, so a SIGTERM handler that sets it ends an upload
// after the request in flight (bounded by the client's timeouts). Each report counts one
// attempt (RecordAttempt) per request that carries it.
//
// Thread-safety: an Uploader is used from one thread at a time (like its HttpsClient). The
// queue, client and clock are not owned and must outlive it.
#ifndef BULWARK_AGENT_UPLOAD_UPLOADER_H_
#define BULWARK_AGENT_UPLOAD_UPLOADER_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "agent/net/https_client.h"
#include "agent/queue/report_queue.h"
#include "agent/sys/clock.h"
#include "agent/upload/backoff.h"

namespace bulwark::upload {

struct UploaderOptions {
  std::size_t batch_max_reports = 100;
  std::size_t batch_max_bytes = 4u * 1024u * 1024u;  // sum of the documents' sizes
  std::string path = "/api/v1/reports";
  std::size_t max_response_bytes = 1024 * 1024;
  BackoffOptions backoff;
};

enum class UploadOutcome {
  kEmpty,         // nothing was pending
  kUploaded,      // the batch was handled: reports acknowledged and/or dead-lettered
  kRetryLater,    // wait `retry_after`, then call again
  kUnauthorized,  // the collector refused the credential (or there is none): re-enrol
  kStopped,       // the stop flag was set before a request
};

// "empty", "uploaded", "retry_later", "unauthorized", "stopped".
std::string_view UploadOutcomeName(UploadOutcome outcome);

struct UploadResult {
  UploadOutcome outcome = UploadOutcome::kEmpty;
  std::size_t requests = 0;       // HTTP requests sent (failed ones included)
  std::size_t acked = 0;          // reports the collector acknowledged (accepted or duplicate)
  std::size_t dead_lettered = 0;  // reports moved to the dead-letter table
  // kRetryLater: how long to wait: the jittered backoff, at least the server's Retry-After
  // (which is capped at backoff.max_retry_after).
  std::chrono::milliseconds retry_after{0};
  // kRetryLater: the server's own Retry-After, when it sent a readable one.
  std::optional<std::chrono::seconds> server_retry_after;
  int http_status = 0;  // of the last response received (0 when none)
  // Why the last request failed (kRetryLater, kUnauthorized), for the caller's log line; OK
  // otherwise. Never contains the credential.
  Status last_error;
};

// Returns the current device credential ("" when the agent is not enrolled). Called once per
// request, so re-enrolment can swap the credential between requests.
using CredentialSource = std::function<std::string()>;

class Uploader {
 public:
  // `clock` turns a Retry-After HTTP-date into a wait; `seed` seeds the backoff jitter (tests
  // fix it; the service passes a random value).
  Uploader(queue::ReportQueue& queue, net::HttpsClient& client, CredentialSource credential,
           const Clock& clock, UploaderOptions options, std::uint64_t seed);

  // Uploads one batch as described above. Errors are local only (the queue failed, gzip
  // failed); everything the network or the collector does is an outcome.
  Result<UploadResult> UploadOnce();
  // Same, stopping before any further request once `stop` is set (outcome kStopped).
  Result<UploadResult> UploadOnce(const std::atomic<bool>& stop);

  // UploadOnce until the queue is empty (kEmpty), a kRetryLater or kUnauthorized, or `stop`
  // is set (kStopped). The counters are summed over the whole drain; the other fields come
  // from the last batch.
  Result<UploadResult> Drain(const std::atomic<bool>& stop);

  // Consecutive failed attempts since the last successful response (see Backoff).
  int consecutive_failures() const { return backoff_.failures(); }

 private:
  // Sends `reports` (splitting as described above); sets *halt when the upload must end now
  // (retry later, unauthorized, stopped) with result->outcome saying why.
  Status SendBatch(const std::vector<queue::QueuedReport>& reports, const std::atomic<bool>& stop,
                   UploadResult* result, bool* halt);
  void RetryLater(Status why, std::optional<std::chrono::seconds> retry_after, UploadResult* result,
                  bool* halt);

  queue::ReportQueue& queue_;
  net::HttpsClient& client_;
  CredentialSource credential_;
  const Clock& clock_;
  UploaderOptions options_;
  Backoff backoff_;
};

// gzip (RFC 1952) of `data`. kInternal if zlib fails.
Result<std::string> Gzip(std::string_view data);

}  // namespace bulwark::upload

#endif  // BULWARK_AGENT_UPLOAD_UPLOADER_H_
