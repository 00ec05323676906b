// The collector's posture store: enrolled devices, their reports and check results, published
// policy bundles and trust roots. One interface, two backends (SQLite embedded, PostgreSQL for
// fleets) that share one schema and one set of migrations, and are run through the same
// conformance tests.
//
// Thread-safety: every Store method may be called concurrently from any thread. Several
// collector processes may share one PostgreSQL store and behave as one (ingest stays idempotent,
// enrolment of one machine id yields one device).
//
// Errors: kUnavailable for a busy/unreachable database (retryable), kInvalidArgument for input
// the schema rejects, kNotFound where documented, kInternal for broken invariants. No method
// leaves a partial write behind: each is one transaction.
//
// Text: every string must be valid UTF-8 without NUL bytes (PostgreSQL stores nothing else);
// other text is kInvalidArgument under both backends. Strings otherwise round-trip exactly,
// and text compares and sorts bytewise in both.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"

namespace bulwark::collector {

// Seconds since the Unix epoch, UTC. The store never reads a clock; callers pass `now`.
using UnixSeconds = std::int64_t;

struct EnrollRequest {
  std::string machine_id;  // stable host identity (/etc/machine-id, SMBIOS UUID)
  std::string hostname;
  std::string os;               // "linux" | "windows"
  std::string os_version;       // e.g. "Debian GNU/Linux 12 (bookworm)"
  std::string credential_hash;  // lowercase hex SHA-256 of the device secret; never the secret
  UnixSeconds now = 0;
};

enum class EnrollOutcome {
  kCreated,     // a new device id was assigned
  kReenrolled,  // the machine id was known: same device id, credential replaced
  kRevoked,     // the machine id belongs to a revoked device: nothing changed
};

struct EnrollResult {
  EnrollOutcome outcome = EnrollOutcome::kCreated;
  std::string device_id;  // stable, opaque, URL-safe
};

struct DeviceAuth {
  std::string device_id;
  std::string machine_id;
  std::string credential_hash;
  std::string os;
  bool revoked = false;
};

// Per-check outcome as stored, taken from a report's `results`.
struct CheckOutcome {
  std::string check_id;
  std::string title;
  std::string severity;  // low|medium|high|critical
  std::string status;    // pass|fail|error|not_applicable
};

// One report as the ingest layer validated it. `document` is the report JSON exactly as the
// agent sent it (bulwark.report/1), kept for the device detail view.
struct ReportRecord {
  std::string report_id;  // unique per device, chosen by the agent (UUID)
  std::string device_id;
  UnixSeconds generated_at = 0;
  UnixSeconds received_at = 0;
  bool compliant = false;
  std::string policy_id;
  std::int64_t policy_epoch = 0;
  std::int64_t policy_version = 0;
  std::string hostname;    // from the report's facts, refreshes the device row
  std::string os_version;  // from the report's facts
  std::vector<CheckOutcome> results;
  std::string document;
};

struct IngestResult {
  std::vector<std::string> accepted;   // report ids stored by this call
  std::vector<std::string> duplicate;  // report ids already stored for this device
};

struct DeviceSummary {
  std::string device_id;
  std::string machine_id;
  std::string hostname;
  std::string os;
  std::string os_version;
  std::optional<bool> compliant;  // nullopt until the first report
  std::int64_t failing = 0;       // checks with status fail in the latest report
  std::int64_t errors = 0;        // checks with status error in the latest report
  UnixSeconds enrolled_at = 0;
  // The greatest received_at of the device's accepted reports (it also moves for a late,
  // out-of-order report that leaves the compliance state alone).
  std::optional<UnixSeconds> last_seen;
  std::string policy_id;
  std::optional<std::int64_t> policy_version;
  bool revoked = false;
};

struct DeviceFilter {
  std::optional<bool> compliant;
  std::optional<std::string> os;
  // Substring matched literally (%, _ and \ are not wildcards), case-insensitively for ASCII.
  std::optional<std::string> hostname_contains;
  std::optional<bool> revoked;
  std::int64_t limit = 100;     // 1..1000, else kInvalidArgument
  std::string after_device_id;  // keyset cursor: ids sorted ascending
};

struct DevicePage {
  std::vector<DeviceSummary> devices;
  std::string next_cursor;  // empty on the last page
  std::int64_t total = 0;   // devices matching the filter, ignoring paging
};

struct HistoryEntry {
  std::string report_id;
  UnixSeconds generated_at = 0;
  UnixSeconds received_at = 0;
  bool compliant = false;
  std::int64_t failing = 0;
  std::int64_t policy_version = 0;
};

struct DeviceDetail {
  DeviceSummary device;
  std::optional<std::string> latest_report;  // the latest report document, verbatim
  std::vector<CheckOutcome> latest_results;
  std::vector<HistoryEntry> history;  // newest first, at most `history_limit`
};

struct CheckSummary {
  std::string check_id;
  std::string title;
  std::string severity;
  std::int64_t pass = 0;
  std::int64_t fail = 0;
  std::int64_t error = 0;
  std::int64_t not_applicable = 0;
};

// Counts over each non-revoked device's latest report.
struct FleetSummary {
  std::int64_t devices = 0;
  std::int64_t reporting = 0;  // devices with at least one report
  std::int64_t compliant = 0;
  std::vector<CheckSummary> checks;  // sorted by check_id
};

struct PolicyRecord {
  std::string policy_id;
  std::int64_t epoch = 0;
  std::int64_t version = 0;
  std::string sha256;                  // lowercase hex of `bundle`; also the HTTP ETag
  std::vector<std::string> platforms;  // from applies_to; empty = every platform
  std::string bundle;                  // the DSSE envelope bytes, verbatim
  UnixSeconds published_at = 0;
};

enum class PublishOutcome { kPublished, kAlreadyPublished };

class Store {
 public:
  virtual ~Store() = default;

  // --- devices ---
  // Creates the device, or re-enrols a known machine id (replacing its credential hash and
  // refreshing hostname, os and os_version; enrolled_at stays). kInvalidArgument for an empty
  // machine_id or credential_hash.
  virtual Result<EnrollResult> Enroll(const EnrollRequest& request) = 0;
  // kNotFound if the device id is unknown.
  virtual Result<DeviceAuth> GetDeviceAuth(std::string_view device_id) = 0;
  // kNotFound if unknown. Revoking twice is not an error.
  virtual Status RevokeDevice(std::string_view device_id, UnixSeconds now) = 0;

  // --- reports ---
  // Stores every report not already stored for its device, all in one transaction; every
  // record must carry `device_id`. The device's latest state (compliance, failing count, last
  // seen, latest results) moves only to a report newer (generated_at, then report_id) than the
  // one it holds, so reports arriving out of order never roll the dashboard back. A report id
  // repeated within one call is accepted once (the first) and then listed as duplicate.
  // kInvalidArgument, with nothing stored, if any record has an empty device_id or report_id,
  // an unknown device_id, a severity or status outside the lists above, or a check id twice.
  // An empty hostname/os_version in a record keeps the device's.
  virtual Result<IngestResult> IngestReports(const std::vector<ReportRecord>& reports) = 0;

  // --- admin views ---
  virtual Result<DevicePage> ListDevices(const DeviceFilter& filter) = 0;
  // kNotFound if unknown; kInvalidArgument if history_limit < 0.
  virtual Result<DeviceDetail> GetDevice(std::string_view device_id,
                                         std::int64_t history_limit) = 0;
  virtual Result<FleetSummary> Summarize() = 0;
  // Deletes reports received before `cutoff`, except each device's latest report.
  // Returns the number of reports deleted.
  virtual Result<std::int64_t> PruneHistory(UnixSeconds cutoff) = 0;

  // --- policy distribution ---
  // Stores a verified bundle; publishing the same (policy_id, sha256) again is kAlreadyPublished.
  // kAlreadyExists if (policy_id, epoch, version) is already published with other bytes (agents
  // would raise an equivocation alert); kInvalidArgument if `sha256` is not the bundle's digest.
  virtual Result<PublishOutcome> PublishPolicy(const PolicyRecord& policy) = 0;
  // The newest (epoch, version) bundle whose platforms include `platform` (or are empty);
  // ties go to the latest published_at. kNotFound if none.
  virtual Result<PolicyRecord> CurrentPolicy(std::string_view platform) = 0;
  // Trust roots by version (>= 1, else kInvalidArgument). The same bytes again are OK;
  // kAlreadyExists if `version` holds different bytes.
  virtual Status PutTrustRoot(std::int64_t version, std::string_view envelope, UnixSeconds now) = 0;
  // kNotFound if absent.
  virtual Result<std::string> GetTrustRoot(std::int64_t version) = 0;
  // 0 if no root was published yet.
  virtual Result<std::int64_t> LatestTrustRootVersion() = 0;

  // --- health ---
  virtual Status Ping() = 0;
  virtual std::string_view backend() const = 0;  // "sqlite" | "postgresql"
};

struct StoreOptions {
  // "sqlite:PATH" or "postgresql://..." (libpq URI; also "postgres://").
  std::string url;
  // Connections kept open (PostgreSQL) or reader connections (SQLite). 0 = pick by cores
  // (PostgreSQL: 4 per core, 8..32; SQLite: 1 per core, 2..8). Negative: kInvalidArgument.
  int pool_size = 0;
  // SQLite only: fsync every commit (see sql::SqliteOptions::full_sync).
  bool sqlite_full_sync = false;
};

// Opens the store named by `options.url` and brings its schema up to date (migrations run
// once even when several collectors start at the same time). kInvalidArgument for an unknown
// scheme, kUnavailable if the database cannot be reached, kFailedPrecondition if the file is
// not a SQLite database, the PostgreSQL database is not UTF8, or its schema is newer than
// this build.
Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options);

}  // namespace bulwark::collector
