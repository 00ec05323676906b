// Validation of an uploaded report batch (POST /api/v1/reports). A batch is accepted whole or
// not at all: the first bad report rejects it, naming the report and the member.
//
// Batch: {"reports": [REPORT, ...]} with 1..max_reports entries. REPORT is the document
// `bulwark-agent check --json` prints (schema "bulwark.report/1") plus the two members the
// agent's queue adds: "report_id" (8-64 characters of [A-Za-z0-9._-], unique per device) and
// "generated_at" (RFC 3339, UTC, "Z"). Unknown members are kept.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "collector/store/store.h"

namespace bulwark::collector {

struct ReportBatchLimits {
  std::size_t max_reports = 500;
  std::size_t max_results_per_report = 10'000;
  std::size_t max_json_depth = 64;
  // How far in the future generated_at may be (agent clocks drift).
  std::int64_t max_future_seconds = 24 * 3600;
};

// The authenticated sender of a batch.
struct ReportOwner {
  std::string device_id;
  std::string machine_id;  // as enrolled; empty skips the check below
};

// Parses and validates `body` for `owner`, stamping received_at = `now`.
// kInvalidArgument with a one-line message for malformed JSON, a wrong schema, or a report id
// repeated within the batch; kResourceExhausted when a count limit is exceeded;
// kPermissionDenied when a report names another device (`device_id`) or another machine
// (`facts.host.machine_id`) than the credential's.
Result<std::vector<ReportRecord>> ParseReportBatch(std::string_view body, const ReportOwner& owner,
                                                   UnixSeconds now,
                                                   const ReportBatchLimits& limits);

}  // namespace bulwark::collector
