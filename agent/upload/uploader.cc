#include "agent/upload/uploader.h"

#include <zlib.h>

#include <algorithm>
#include <boost/json.hpp>
#include <climits>
#include <optional>
#include <set>
#include <utility>

#include "agent/base/strings.h"

namespace bulwark::upload {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxErrorText = 300;

// `s` on one line (control characters become spaces), trimmed, at most kMaxErrorText bytes
// (cut on a UTF-8 character boundary).
std::string OneLine(std::string_view s) {
  std::string out;
  out.reserve(std::min(s.size(), kMaxErrorText));
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  out = std::string(TrimWhitespace(out));
  if (out.size() > kMaxErrorText) {
    std::size_t n = kMaxErrorText;
    while (n > 0 && (static_cast<unsigned char>(out[n]) & 0xC0) == 0x80) --n;
    out.resize(n);
    out += "...";
  }
  return out;
}

// The collector's explanation in an error body: `{"error": code, "message": text}` gives
// "code: text"; otherwise whichever is there, else the body's first line.
std::string ErrorText(const std::string& body) {
  std::error_code ec;
  const json::value v = json::parse(body, ec);
  if (!ec && v.is_object()) {
    const json::object& o = v.get_object();
    const json::value* error = o.if_contains("error");
    const json::value* message = o.if_contains("message");
    const bool has_error = error != nullptr && error->is_string();
    const bool has_message = message != nullptr && message->is_string();
    if (has_error && has_message) {
      return OneLine(std::string(error->get_string()) + ": " + std::string(message->get_string()));
    }
    if (has_message) return OneLine(message->get_string());
    if (has_error) return OneLine(error->get_string());
  }
  const std::string_view first = std::string_view(body).substr(0, body.find('\n'));
  return OneLine(first);
}

// The ids a 2xx body acknowledges (accepted and duplicate). nullopt if the body is not the
// expected object.
std::optional<std::set<std::string>> AcknowledgedIds(const std::string& body) {
  std::error_code ec;
  const json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  std::set<std::string> ids;
  for (const char* key : {"accepted", "duplicate"}) {
    const json::value* list = v.get_object().if_contains(key);
    if (list == nullptr) continue;
    if (!list->is_array()) return std::nullopt;
    for (const json::value& id : list->get_array()) {
      if (!id.is_string()) return std::nullopt;
      ids.emplace(id.get_string());
    }
  }
  return ids;
}

bool RefusesReports(long status) {
  return status == 400 || status == 403 || status == 415 || status == 422;
}

}  // namespace

std::string_view UploadOutcomeName(UploadOutcome outcome) {
  switch (outcome) {
    case UploadOutcome::kEmpty:
      return "empty";
    case UploadOutcome::kUploaded:
      return "uploaded";
    case UploadOutcome::kRetryLater:
      return "retry_later";
    case UploadOutcome::kUnauthorized:
      return "unauthorized";
    case UploadOutcome::kStopped:
      return "stopped";
  }
  return "unknown";
}

Result<std::string> Gzip(std::string_view data) {
  if (data.size() > UINT_MAX / 2) return ResourceExhaustedError("gzip input too large");
  z_stream zs{};
  // windowBits 15 + 16: a gzip wrapper rather than zlib's.
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return InternalError("deflateInit2 failed");
  }
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  const std::size_t produced = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return InternalError("deflate failed: " + std::to_string(rc));
  out.resize(produced);
  return out;
}

Uploader::Uploader(queue::ReportQueue& queue, net::HttpsClient& client, CredentialSource credential,
                   const Clock& clock, UploaderOptions options, std::uint64_t seed)
    : queue_(queue),
      client_(client),
      credential_(std::move(credential)),
      clock_(clock),
      options_(std::move(options)),
      backoff_(options_.backoff, seed) {}

Result<UploadResult> Uploader::UploadOnce() {
  const std::atomic<bool> never(false);
  return UploadOnce(never);
}

Result<UploadResult> Uploader::UploadOnce(const std::atomic<bool>& stop) {
  UploadResult result;
  ASSIGN_OR_RETURN(
      std::vector<queue::QueuedReport> batch,
      queue_.Peek(std::max<std::size_t>(options_.batch_max_reports, 1), options_.batch_max_bytes));
  if (batch.empty()) return result;  // kEmpty
  bool halt = false;
  RETURN_IF_ERROR(SendBatch(batch, stop, &result, &halt));
  if (!halt) result.outcome = UploadOutcome::kUploaded;
  return result;
}

Result<UploadResult> Uploader::Drain(const std::atomic<bool>& stop) {
  UploadResult total;
  while (true) {
    if (stop.load()) {
      total.outcome = UploadOutcome::kStopped;
      return total;
    }
    ASSIGN_OR_RETURN(UploadResult once, UploadOnce(stop));
    const std::size_t requests = total.requests + once.requests;
    const std::size_t acked = total.acked + once.acked;
    const std::size_t dead_lettered = total.dead_lettered + once.dead_lettered;
    total = std::move(once);
    total.requests = requests;
    total.acked = acked;
    total.dead_lettered = dead_lettered;
    // kUploaded always removed at least one report from the queue, so this loop ends.
    if (total.outcome != UploadOutcome::kUploaded) return total;
  }
}

void Uploader::RetryLater(Status why, std::optional<std::chrono::seconds> retry_after,
                          UploadResult* result, bool* halt) {
  result->outcome = UploadOutcome::kRetryLater;
  result->last_error = std::move(why);
  result->server_retry_after = retry_after;
  result->retry_after = backoff_.NextDelay(retry_after);
  *halt = true;
}

Status Uploader::SendBatch(const std::vector<queue::QueuedReport>& reports,
                           const std::atomic<bool>& stop, UploadResult* result, bool* halt) {
  if (stop.load()) {
    result->outcome = UploadOutcome::kStopped;
    *halt = true;
    return Status();
  }
  const std::string credential = credential_();
  if (credential.empty()) {
    result->outcome = UploadOutcome::kUnauthorized;
    result->last_error = UnauthenticatedError("no device credential: the agent is not enrolled");
    *halt = true;
    return Status();
  }

  std::vector<std::string> ids;
  std::size_t size = 16;
  for (const queue::QueuedReport& r : reports) {
    ids.push_back(r.report_id);
    size += r.document.size() + 1;
  }
  // The documents go out byte for byte as they were queued.
  std::string body;
  body.reserve(size);
  body += "{\"reports\":[";
  for (std::size_t i = 0; i < reports.size(); ++i) {
    if (i > 0) body += ',';
    body += reports[i].document;
  }
  body += "]}";
  net::HttpRequest request;
  request.method = "POST";
  request.path = options_.path;
  request.max_response_bytes = options_.max_response_bytes;
  request.headers = {{"Content-Type", "application/json"},
                     {"Content-Encoding", "gzip"},
                     {"Authorization", "Bearer " + credential}};
  ASSIGN_OR_RETURN(request.body, Gzip(body));
  RETURN_IF_ERROR(queue_.RecordAttempt(ids));

  ++result->requests;
  Result<net::HttpResponse> response = client_.Send(request);
  if (!response.ok()) {
    RetryLater(response.status(), std::nullopt, result, halt);
    return Status();
  }
  const long status = response->status;
  result->http_status = static_cast<int>(status);
  const std::string what = "POST " + options_.path + " answered HTTP " + std::to_string(status);

  if (status >= 200 && status <= 299) {
    const std::optional<std::set<std::string>> listed = AcknowledgedIds(response->body);
    if (!listed) {
      RetryLater(InternalError(what + " with an unreadable body"), std::nullopt, result, halt);
      return Status();
    }
    std::vector<std::string> acked;
    for (const std::string& id : ids) {
      if (listed->count(id) != 0) acked.push_back(id);
    }
    if (acked.empty()) {
      RetryLater(UnavailableError(what + " but acknowledged none of " + std::to_string(ids.size()) +
                                  " reports"),
                 std::nullopt, result, halt);
      return Status();
    }
    RETURN_IF_ERROR(queue_.Ack(acked));
    result->acked += acked.size();
    backoff_.Reset();
    return Status();
  }
  if (status == 401) {
    result->outcome = UploadOutcome::kUnauthorized;
    result->last_error = UnauthenticatedError(what + ": " + ErrorText(response->body));
    *halt = true;
    return Status();
  }
  if (status == 413 || RefusesReports(status)) {
    backoff_.Reset();  // the collector is up and answering; the reports are the problem
    if (reports.size() == 1) {
      RETURN_IF_ERROR(
          queue_.MoveToDeadLetter(ids[0], static_cast<int>(status), ErrorText(response->body)));
      ++result->dead_lettered;
      return Status();
    }
    if (status == 413) {  // halve
      const auto middle = reports.begin() + static_cast<std::ptrdiff_t>(reports.size() / 2);
      for (const auto& part : {std::vector<queue::QueuedReport>(reports.begin(), middle),
                               std::vector<queue::QueuedReport>(middle, reports.end())}) {
        RETURN_IF_ERROR(SendBatch(part, stop, result, halt));
        if (*halt) return Status();
      }
      return Status();
    }
    for (const queue::QueuedReport& one : reports) {  // find the bad one(s)
      RETURN_IF_ERROR(SendBatch({one}, stop, result, halt));
      if (*halt) return Status();
    }
    return Status();
  }
  // 429, 5xx, and statuses that say nothing about the reports (404, 3xx, ...).
  RetryLater(UnavailableError(what + ": " + ErrorText(response->body)),
             ParseRetryAfter(response->Header("retry-after"), clock_.Now(),
                             options_.backoff.max_retry_after),
             result, halt);
  return Status();
}

}  // namespace bulwark::upload
