// The collector's HTTP API: routing, authentication and the handlers for enrolment, policy
// distribution, report ingest and the admin views. Every route is listed in docs/openapi.yaml
// (a test holds the two in step). Transport concerns (TLS, limits, timeouts) belong to
// HttpsServer; storage to Store.
//
// Errors are JSON: {"error": "<code>", "message": "<one line>"}, with 400 malformed input,
// 401 missing/bad credential, 403 authenticated but not allowed, 404, 405, 409 conflict,
// 413 too large, 415 wrong content type, 422 a policy or root the verifier rejects,
// 503 the store is unavailable (with Retry-After).
//
// Thread-safety: Handle() may be called from many threads at once.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "agent/sys/clock.h"
#include "collector/api/metrics.h"
#include "collector/api/report_batch.h"
#include "collector/http/https_server.h"
#include "collector/store/store.h"

namespace bulwark::collector {

struct CollectorApiOptions {
  // The shared secret agents present to enrol. REQUIRES: non-empty.
  std::string enroll_secret;
  // Lowercase hex SHA-256 of the admin bearer token. REQUIRES: non-empty.
  std::string admin_token_sha256;
  // Cap on a gzip request body after inflation.
  std::size_t max_inflated_body = 16 * 1024 * 1024;
  ReportBatchLimits batch_limits;
  // History entries returned by GET /api/v1/devices/{id} unless ?history= says otherwise.
  std::int64_t default_history = 50;
};

class CollectorApi {
 public:
  // `store`, `clock` and `metrics` must outlive the CollectorApi. `server_stats` feeds /metrics
  // (may be empty).
  CollectorApi(Store& store, const Clock& clock, CollectorMetrics& metrics,
               CollectorApiOptions options,
               std::function<HttpsServerStats()> server_stats = nullptr);

  HttpResponse Handle(const HttpRequest& request);

  // Every (method, path template) the API serves, e.g. {"GET", "/api/v1/devices/{id}"}.
  static std::vector<std::pair<std::string, std::string>> Routes();

 private:
  struct Context;
  HttpResponse Dispatch(Context& ctx);

  Store& store_;
  const Clock& clock_;
  CollectorMetrics& metrics_;
  CollectorApiOptions options_;
  const std::string enroll_secret_sha256_;  // compared in constant time, computed once
  std::function<HttpsServerStats()> server_stats_;
};

}  // namespace bulwark::collector
