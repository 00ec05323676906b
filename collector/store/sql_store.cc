#include "collector/store/sql_store.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <set>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "agent/base/strings.h"
#include "collector/store/migrations.h"

namespace bulwark::collector {
namespace {

using sql::Connection;
using sql::Param;
using sql::Row;
using sql::TxKind;

constexpr std::int64_t kMaxPageSize = 1000;

// Set-based statements (multi-row INSERT, UPDATE ... FROM (VALUES ...), IN lists) go out in
// chunks of at most 64 rows. Under SQLite the chunks are powers of two, so a connection
// prepares at most seven statement texts per kind however large the batch.
constexpr std::size_t kMaxChunkRows = 64;

// "($1, $2), ($3, $4)" for rows = 2, columns = 2.
std::string ValuesList(std::size_t rows, std::size_t columns) {
  std::string list;
  std::size_t n = 1;
  for (std::size_t r = 0; r < rows; ++r) {
    list.append(r == 0 ? "(" : ", (");
    for (std::size_t c = 0; c < columns; ++c) {
      if (c != 0) list.append(", ");
      list.append("$").append(std::to_string(n++));
    }
    list.append(")");
  }
  return list;
}

// Runs `make(k)` — a statement over ValuesList(k, columns) — for consecutive chunks of the
// rows in `params` (row-major, `columns` per row). Appends the rows every chunk returns to
// `returned` unless it is null. `exact`: chunks of any size up to 64 rows (fewer round trips,
// for a backend that does not cache statements) instead of powers of two.
Status RunChunked(Connection& connection, std::size_t columns, const std::vector<Param>& params,
                  const std::function<std::string(std::size_t)>& make, std::vector<Row>* returned,
                  bool exact) {
  std::size_t rows = params.size() / columns;
  for (std::size_t done = 0; done < rows;) {
    std::size_t chunk = kMaxChunkRows;
    if (exact) {
      chunk = std::min(chunk, rows - done);
    } else {
      while (chunk > rows - done) chunk /= 2;
    }
    std::string statement = make(chunk);
    std::span<const Param> slice(params.data() + done * columns, chunk * columns);
    if (returned != nullptr) {
      ASSIGN_OR_RETURN(std::vector<Row> out, connection.Query(statement, slice));
      for (Row& row : out) returned->push_back(std::move(row));
    } else {
      RETURN_IF_ERROR(connection.Exec(statement, slice).status());
    }
    done += chunk;
  }
  return Status();
}

// Moves each listed device (one VALUES row per device: device_id, compliant, failing, errors,
// policy_id, policy_version, report_id, generated_at, hostname, os_version, received_at) to
// its report if that is newer (generated_at, then report_id) than the one the device holds,
// and last_seen forward. SET expressions all see the row as it was before the UPDATE.
std::string UpdateDevicesSql(std::size_t rows) {
  static constexpr std::string_view kNewer =
      "(devices.latest_generated_at IS NULL OR devices.latest_generated_at < v.column8 OR "
      "(devices.latest_generated_at = v.column8 AND devices.latest_report_id < v.column7))";
  static constexpr std::pair<std::string_view, std::string_view> kMoved[] = {
      {"compliant", "column2"},
      {"failing", "column3"},
      {"errors", "column4"},
      {"policy_id", "column5"},
      {"policy_version", "column6"},
      {"latest_report_id", "column7"},
      {"latest_generated_at", "column8"}};
  std::string sql = "UPDATE devices SET ";
  for (const auto& [column, value] : kMoved) {
    sql.append(column).append(" = CASE WHEN ").append(kNewer).append(" THEN v.");
    sql.append(value).append(" ELSE devices.").append(column).append(" END, ");
  }
  // An empty hostname or os_version in a report keeps the enrolled one.
  sql.append("hostname = CASE WHEN ")
      .append(kNewer)
      .append(" AND v.column9 <> '' THEN v.column9 ELSE devices.hostname END, ");
  sql.append("os_version = CASE WHEN ")
      .append(kNewer)
      .append(" AND v.column10 <> '' THEN v.column10 ELSE devices.os_version END, ");
  sql.append(
      "last_seen = CASE WHEN devices.last_seen IS NULL OR devices.last_seen < v.column11 "
      "THEN v.column11 ELSE devices.last_seen END FROM (VALUES ");
  sql.append(ValuesList(rows, 11));
  sql.append(
      ") AS v WHERE devices.device_id = v.column1 "
      "RETURNING devices.device_id, devices.latest_report_id");
  return sql;
}

std::int64_t Bool(bool value) { return value ? 1 : 0; }

// Columns read into a DeviceSummary, in ToSummary's order.
constexpr std::string_view kSummaryColumns =
    "device_id, machine_id, hostname, os, os_version, compliant, failing, errors, enrolled_at, "
    "last_seen, policy_id, policy_version, revoked_at";

DeviceSummary ToSummary(const Row& row) {
  DeviceSummary device;
  device.device_id = row.Text(0);
  device.machine_id = row.Text(1);
  device.hostname = row.Text(2);
  device.os = row.Text(3);
  device.os_version = row.Text(4);
  if (std::optional<std::int64_t> compliant = row.OptInt(5)) device.compliant = *compliant != 0;
  device.failing = row.Int(6);
  device.errors = row.Int(7);
  device.enrolled_at = row.Int(8);
  device.last_seen = row.OptInt(9);
  device.policy_id = row.Text(10);
  device.policy_version = row.OptInt(11);
  device.revoked = !row.IsNull(12);
  return device;
}

bool IsSeverity(std::string_view s) {
  return s == "low" || s == "medium" || s == "high" || s == "critical";
}

bool IsCheckStatus(std::string_view s) {
  return s == "pass" || s == "fail" || s == "error" || s == "not_applicable";
}

Status ValidateReport(const ReportRecord& report) {
  std::string where = "report '" + report.report_id + "'";
  if (report.device_id.empty()) return InvalidArgumentError(where + ": no device_id");
  if (report.report_id.empty()) return InvalidArgumentError("a report has no report_id");
  std::set<std::string_view> checks;
  for (const CheckOutcome& result : report.results) {
    if (result.check_id.empty()) return InvalidArgumentError(where + ": a result has no check_id");
    if (!checks.insert(result.check_id).second) {
      return InvalidArgumentError(where + ": check '" + result.check_id + "' appears twice");
    }
    if (!IsSeverity(result.severity)) {
      return InvalidArgumentError(where + ": check '" + result.check_id + "': bad severity '" +
                                  result.severity + "'");
    }
    if (!IsCheckStatus(result.status)) {
      return InvalidArgumentError(where + ": check '" + result.check_id + "': bad status '" +
                                  result.status + "'");
    }
  }
  return Status();
}

Result<std::string> Sha256Hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    return InternalError("store: SHA-256 failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0x0f]);
  }
  return hex;
}

class SqlStore final : public Store {
 public:
  explicit SqlStore(std::unique_ptr<sql::Database> database)
      : db_(std::move(database)), exact_chunks_(db_->backend() == sql::Backend::kPostgres) {}

  Result<EnrollResult> Enroll(const EnrollRequest& request) override {
    if (request.machine_id.empty()) return InvalidArgumentError("enroll: empty machine_id");
    if (request.credential_hash.empty()) {
      return InvalidArgumentError("enroll: empty credential_hash");
    }
    ASSIGN_OR_RETURN(std::string new_id, NewDeviceId());
    EnrollResult result;
    Status tx = db_->Transact(TxKind::kWrite, [&](Connection& c) -> Status {
      ASSIGN_OR_RETURN(
          std::vector<Row> created,
          c.Query("INSERT INTO devices (device_id, machine_id, hostname, os, os_version, "
                  "credential_hash, enrolled_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                  "ON CONFLICT (machine_id) DO NOTHING RETURNING device_id",
                  {new_id, request.machine_id, request.hostname, request.os, request.os_version,
                   request.credential_hash, request.now}));
      if (!created.empty()) {
        result = {EnrollOutcome::kCreated, created[0].Text(0)};
        return Status();
      }
      // The machine is known (possibly enrolled a moment ago by another collector, whose
      // commit the INSERT waited for). Revoked devices stay as they are.
      ASSIGN_OR_RETURN(std::vector<Row> updated,
                       c.Query("UPDATE devices SET credential_hash = $2, hostname = $3, os = $4, "
                               "os_version = $5 WHERE machine_id = $1 AND revoked_at IS NULL "
                               "RETURNING device_id",
                               {request.machine_id, request.credential_hash, request.hostname,
                                request.os, request.os_version}));
      if (!updated.empty()) {
        result = {EnrollOutcome::kReenrolled, updated[0].Text(0)};
        return Status();
      }
      ASSIGN_OR_RETURN(
          std::vector<Row> revoked,
          c.Query("SELECT device_id FROM devices WHERE machine_id = $1", {request.machine_id}));
      if (revoked.empty()) return InternalError("enroll: machine id vanished during enrolment");
      result = {EnrollOutcome::kRevoked, revoked[0].Text(0)};
      return Status();
    });
    if (!tx.ok()) return tx;
    return result;
  }

  Result<DeviceAuth> GetDeviceAuth(std::string_view device_id) override {
    DeviceAuth auth;
    Status tx = db_->Transact(TxKind::kRead, [&](Connection& c) -> Status {
      ASSIGN_OR_RETURN(std::vector<Row> rows,
                       c.Query("SELECT device_id, credential_hash, os, revoked_at, machine_id "
                               "FROM devices WHERE device_id = $1",
                               {device_id}));
      if (rows.empty()) return NotFoundError("device '" + std::string(device_id) + "'");
      auth.device_id = rows[0].Text(0);
      auth.credential_hash = rows[0].Text(1);
      auth.os = rows[0].Text(2);
      auth.revoked = !rows[0].IsNull(3);
      auth.machine_id = rows[0].Text(4);
      return Status();
    });
    if (!tx.ok()) return tx;
    return auth;
  }

  Status RevokeDevice(std::string_view device_id, UnixSeconds now) override {
    return db_->Transact(TxKind::kWrite, [&](Connection& c) -> Status {
      ASSIGN_OR_RETURN(std::int64_t changed,
                       c.Exec("UPDATE devices SET revoked_at = COALESCE(revoked_at, $2) "
                              "WHERE device_id = $1",
                              {device_id, now}));
      if (changed == 0) return NotFoundError("device '" + std::string(device_id) + "'");
      return Status();
    });
  }

  Result<IngestResult> IngestReports(const std::vector<ReportRecord>& reports) override;

  Result<DevicePage> ListDevices(const DeviceFilter& filter) override;

  Result<DeviceDetail> GetDevice(std::string_view device_id, std::int64_t history_limit) override;

  Result<FleetSummary> Summarize() override;

  Result<std::int64_t> PruneHistory(UnixSeconds cutoff) override {
    std::int64_t deleted = 0;
    Status tx = db_->Transact(TxKind::kWrite, [&](Connection& c) -> Status {
      ASSIGN_OR_RETURN(deleted,
                       c.Exec("DELETE FROM reports WHERE received_at < $1 AND NOT EXISTS ("
                              "SELECT 1 FROM devices d WHERE d.device_id = reports.device_id "
                              "AND d.latest_report_id = reports.report_id)",
                              {cutoff}));
      return Status();
    });
    if (!tx.ok()) return tx;
    return deleted;
  }

  Result<PublishOutcome> PublishPolicy(const PolicyRecord& policy) override;

  Result<PolicyRecord> CurrentPolicy(std::string_view platform) override;

  Status PutTrustRoot(std::int64_t version, std::string_view envelope, UnixSeconds now) override {
    if (version < 1) return InvalidArgumentError("trust root: version must be >= 1");
    return db_->Transact(TxKind::kWrite, [&](Connection& c) -> Status {
      ASSIGN_OR_RETURN(std::int64_t inserted,
                       c.Exec("INSERT INTO trust_roots (version, envelope, published_at) "
                              "VALUES ($1, $2, $3) ON CONFLICT (version) DO NOTHING",
                              {version, envelope, now}));
      if (inserted == 1) return Status();
      ASSIGN_OR_RETURN(std::vector<Row> rows,
                       c.Query("SELECT envelope FROM trust_roots WHERE version = $1", {version}));
      if (!rows.empty() && rows[0].Text(0) == envelope) return Status();
      return AlreadyExistsError("trust root version " + std::to_string(version) +
                                " is already stored with different contents");
    });
  }

  Result<std::string> GetTrustRoot(std::int64_t version) override {
    std::string envelope;
    Status tx = db_->Transact(TxKind::kRead, [&](Connection& c) -> Status {
      ASSIGN_OR_RETURN(std::vector<Row> rows,
                       c.Query("SELECT envelope FROM trust_roots WHERE version = $1", {version}));
      if (rows.empty()) {
        return NotFoundError("trust root version " + std::to_string(version));
      }
      envelope = rows[0].Text(0);
      return Status();
    });
    if (!tx.ok()) return tx;
    return envelope;
  }

  Result<std::int64_t> LatestTrustRootVersion() override {
    std::int64_t latest = 0;
    Status tx = db_->Transact(TxKind::kRead, [&](Connection& c) -> Status {
      ASSIGN_OR_RETURN(std::vector<Row> rows,
                       c.Query("SELECT COALESCE(MAX(version), 0) FROM trust_roots"));
      latest = rows.empty() ? 0 : rows[0].Int(0);
      return Status();
    });
    if (!tx.ok()) return tx;
    return latest;
  }

  Status Ping() override { return db_->Ping(); }

  std::string_view backend() const override {
    return db_->backend() == sql::Backend::kSqlite ? "sqlite" : "postgresql";
  }

 private:
  std::unique_ptr<sql::Database> db_;
  // PostgreSQL parses every statement anyway: fewer, exactly sized statements save round trips.
  const bool exact_chunks_;
};

Result<IngestResult> SqlStore::IngestReports(const std::vector<ReportRecord>& reports) {
  IngestResult result;
  if (reports.empty()) return result;
  std::size_t n = reports.size();
  std::vector<std::int64_t> failing(n, 0);
  std::vector<std::int64_t> errors(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    RETURN_IF_ERROR(ValidateReport(reports[i]));
    for (const CheckOutcome& outcome : reports[i].results) {
      if (outcome.status == "fail") ++failing[i];
      if (outcome.status == "error") ++errors[i];
    }
  }
  // Rows go in (device_id, report_id) order so that concurrent batches take their locks in
  // one order (no deadlocks under PostgreSQL); the sort is stable, so of two equal ids in one
  // batch the first one listed is the one stored.
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::tie(reports[a].device_id, reports[a].report_id) <
           std::tie(reports[b].device_id, reports[b].report_id);
  });

  std::vector<Param> report_params;
  report_params.reserve(n * 11);
  for (std::size_t i : order) {
    const ReportRecord& r = reports[i];
    report_params.insert(
        report_params.end(),
        {r.device_id, r.report_id, r.generated_at, r.received_at, Bool(r.compliant), failing[i],
         errors[i], r.policy_id, r.policy_epoch, r.policy_version, r.document});
  }

  Status tx = db_->Transact(TxKind::kWrite, [&](Connection& c) -> Status {
    result = IngestResult();
    std::vector<Row> inserted;
    RETURN_IF_ERROR(RunChunked(
        c, 11, report_params,
        [](std::size_t rows) {
          return "INSERT INTO reports (device_id, report_id, generated_at, received_at, "
                 "compliant, failing, errors, policy_id, policy_epoch, policy_version, document) "
                 "VALUES " +
                 ValuesList(rows, 11) +
                 " ON CONFLICT (device_id, report_id) DO NOTHING RETURNING device_id, report_id";
        },
        &inserted, exact_chunks_));
    std::set<std::pair<std::string, std::string>> fresh;
    for (const Row& row : inserted) fresh.emplace(row.Text(0), row.Text(1));

    // Per device: the newest accepted report and the latest receive time.
    struct DeviceUpdate {
      std::size_t newest = 0;
      UnixSeconds received = 0;
    };
    std::map<std::string_view, DeviceUpdate> devices;
    for (std::size_t i = 0; i < n; ++i) {
      const ReportRecord& r = reports[i];
      auto it = fresh.find({r.device_id, r.report_id});
      if (it == fresh.end()) {
        result.duplicate.push_back(r.report_id);
        continue;
      }
      fresh.erase(it);
      result.accepted.push_back(r.report_id);
      auto [entry, added] = devices.try_emplace(r.device_id, DeviceUpdate{i, r.received_at});
      if (added) continue;
      const ReportRecord& held = reports[entry->second.newest];
      if (std::tie(r.generated_at, r.report_id) > std::tie(held.generated_at, held.report_id)) {
        entry->second.newest = i;
      }
      entry->second.received = std::max(entry->second.received, r.received_at);
    }
    if (devices.empty()) return Status();

    // Devices in id order (the map's), one row each. A device row moves only to a report
    // newer (generated_at, then report_id) than the one it holds; last_seen only forward.
    std::vector<Param> device_params;
    for (const auto& [device_id, update] : devices) {
      const ReportRecord& r = reports[update.newest];
      device_params.insert(device_params.end(),
                           {r.device_id, Bool(r.compliant), failing[update.newest],
                            errors[update.newest], r.policy_id, r.policy_version, r.report_id,
                            r.generated_at, r.hostname, r.os_version, update.received});
    }
    std::vector<Row> updated;
    RETURN_IF_ERROR(RunChunked(c, 11, device_params, UpdateDevicesSql, &updated, exact_chunks_));
    std::vector<std::size_t> moved;
    for (const Row& row : updated) {
      std::size_t newest = devices.at(row.Text(0)).newest;
      // The report was stored just now, so holding its id means the device moved to it.
      if (row.Text(1) == reports[newest].report_id) moved.push_back(newest);
    }
    if (moved.empty()) return Status();
    // RETURNING order is unspecified; rows are written in device order (lock order).
    std::sort(moved.begin(), moved.end(), [&](std::size_t x, std::size_t y) {
      return reports[x].device_id < reports[y].device_id;
    });

    // The moved devices' latest results. Upsert rather than delete + insert, and leave rows
    // that did not change alone: between two reports of a device nearly every check keeps its
    // outcome, and an untouched row costs a lookup instead of a page write.
    std::vector<Param> result_params;
    std::vector<Param> moved_ids;
    for (std::size_t i : moved) {
      const ReportRecord& r = reports[i];
      moved_ids.emplace_back(r.device_id);
      for (const CheckOutcome& outcome : r.results) {
        result_params.insert(result_params.end(), {r.device_id, outcome.check_id, outcome.title,
                                                   outcome.severity, outcome.status});
      }
    }
    RETURN_IF_ERROR(RunChunked(
        c, 5, result_params,
        [](std::size_t rows) {
          return "INSERT INTO latest_results (device_id, check_id, title, severity, status) "
                 "VALUES " +
                 ValuesList(rows, 5) +
                 " ON CONFLICT (device_id, check_id) DO UPDATE SET title = excluded.title, "
                 "severity = excluded.severity, status = excluded.status "
                 "WHERE latest_results.status <> excluded.status OR "
                 "latest_results.title <> excluded.title OR "
                 "latest_results.severity <> excluded.severity";
        },
        nullptr, exact_chunks_));

    // Rows of checks a new report no longer has: such a device holds more rows than its
    // report has results. Rare (a policy change), so found by counting first.
    std::vector<Row> counts;
    RETURN_IF_ERROR(RunChunked(
        c, 1, moved_ids,
        [](std::size_t rows) {
          return "SELECT device_id, count(*) FROM latest_results WHERE device_id IN (" +
                 ValuesList(rows, 1) + ") GROUP BY device_id";
        },
        &counts, exact_chunks_));
    for (const Row& row : counts) {
      const ReportRecord& r = reports[devices.at(row.Text(0)).newest];
      if (row.Int(1) <= static_cast<std::int64_t>(r.results.size())) continue;
      std::string sql = "DELETE FROM latest_results WHERE device_id = $1";
      std::vector<Param> params = {r.device_id};
      if (!r.results.empty()) {
        sql += " AND check_id NOT IN (";
        for (const CheckOutcome& outcome : r.results) {
          sql += params.size() == 1 ? "$" : ", $";
          params.emplace_back(outcome.check_id);
          sql += std::to_string(params.size());
        }
        sql += ")";
      }
      RETURN_IF_ERROR(c.Exec(sql, params).status());
    }
    return Status();
  });
  if (!tx.ok()) return tx;
  return result;
}

Result<DevicePage> SqlStore::ListDevices(const DeviceFilter& filter) {
  if (filter.limit < 1 || filter.limit > kMaxPageSize) {
    return InvalidArgumentError("list devices: limit must be within 1..1000");
  }
  std::string where;
  std::vector<Param> params;
  auto add = [&](std::string_view condition) {
    where.append(where.empty() ? " WHERE " : " AND ");
    where.append(condition);
  };
  auto placeholder = [&]() { return "$" + std::to_string(params.size() + 1); };
  if (filter.compliant.has_value()) {
    add("compliant = " + placeholder());
    params.emplace_back(Bool(*filter.compliant));
  }
  if (filter.os.has_value()) {
    add("os = " + placeholder());
    params.emplace_back(*filter.os);
  }
  std::string pattern;
  if (filter.hostname_contains.has_value()) {
    pattern = "%" + EscapeLike(AsciiLower(*filter.hostname_contains)) + "%";
    add("lower(hostname) LIKE " + placeholder() + " ESCAPE '\\'");
    params.emplace_back(pattern);
  }
  if (filter.revoked.has_value()) {
    add(*filter.revoked ? "revoked_at IS NOT NULL" : "revoked_at IS NULL");
  }
  std::vector<Param> count_params = params;
  std::string count_sql = "SELECT count(*) FROM devices" + where;
  if (!filter.after_device_id.empty()) {
    add("device_id > " + placeholder());
    params.emplace_back(filter.after_device_id);
  }
  std::string page_sql = "SELECT " + std::string(kSummaryColumns) + " FROM devices" + where +
                         " ORDER BY device_id LIMIT " + placeholder();
  params.emplace_back(filter.limit + 1);

  DevicePage page;
  Status tx = db_->Transact(TxKind::kRead, [&](Connection& c) -> Status {
    page = DevicePage();
    ASSIGN_OR_RETURN(std::vector<Row> total, c.Query(count_sql, count_params));
    page.total = total.empty() ? 0 : total[0].Int(0);
    ASSIGN_OR_RETURN(std::vector<Row> rows, c.Query(page_sql, params));
    for (const Row& row : rows) page.devices.push_back(ToSummary(row));
    return Status();
  });
  if (!tx.ok()) return tx;
  if (page.devices.size() > static_cast<std::size_t>(filter.limit)) {
    page.devices.pop_back();
    page.next_cursor = page.devices.back().device_id;
  }
  return page;
}

Result<DeviceDetail> SqlStore::GetDevice(std::string_view device_id, std::int64_t history_limit) {
  if (history_limit < 0) return InvalidArgumentError("device detail: negative history limit");
  DeviceDetail detail;
  Status tx = db_->Transact(TxKind::kRead, [&](Connection& c) -> Status {
    detail = DeviceDetail();
    ASSIGN_OR_RETURN(std::vector<Row> rows,
                     c.Query("SELECT " + std::string(kSummaryColumns) +
                                 ", latest_report_id FROM devices WHERE device_id = $1",
                             {device_id}));
    if (rows.empty()) return NotFoundError("device '" + std::string(device_id) + "'");
    detail.device = ToSummary(rows[0]);
    if (!rows[0].IsNull(13)) {
      ASSIGN_OR_RETURN(std::vector<Row> document,
                       c.Query("SELECT document FROM reports WHERE device_id = $1 AND "
                               "report_id = $2",
                               {device_id, rows[0].Text(13)}));
      if (!document.empty()) detail.latest_report = document[0].Text(0);
    }
    ASSIGN_OR_RETURN(std::vector<Row> results,
                     c.Query("SELECT check_id, title, severity, status FROM latest_results "
                             "WHERE device_id = $1 ORDER BY check_id",
                             {device_id}));
    for (const Row& row : results) {
      detail.latest_results.push_back({row.Text(0), row.Text(1), row.Text(2), row.Text(3)});
    }
    if (history_limit == 0) return Status();
    ASSIGN_OR_RETURN(std::vector<Row> history,
                     c.Query("SELECT report_id, generated_at, received_at, compliant, failing, "
                             "policy_version FROM reports WHERE device_id = $1 "
                             "ORDER BY generated_at DESC, report_id DESC LIMIT $2",
                             {device_id, history_limit}));
    for (const Row& row : history) {
      detail.history.push_back(
          {row.Text(0), row.Int(1), row.Int(2), row.Int(3) != 0, row.Int(4), row.Int(5)});
    }
    return Status();
  });
  if (!tx.ok()) return tx;
  return detail;
}

Result<FleetSummary> SqlStore::Summarize() {
  FleetSummary summary;
  Status tx = db_->Transact(TxKind::kRead, [&](Connection& c) -> Status {
    summary = FleetSummary();
    ASSIGN_OR_RETURN(std::vector<Row> totals,
                     c.Query("SELECT count(*), count(latest_report_id), "
                             "COALESCE(SUM(CASE WHEN compliant = 1 THEN 1 ELSE 0 END), 0) "
                             "FROM devices WHERE revoked_at IS NULL"));
    if (!totals.empty()) {
      summary.devices = totals[0].Int(0);
      summary.reporting = totals[0].Int(1);
      summary.compliant = totals[0].Int(2);
    }
    // Title and severity: the greatest seen; they differ only while devices run different
    // policy versions.
    ASSIGN_OR_RETURN(std::vector<Row> checks,
                     c.Query("SELECT r.check_id, MAX(r.title), MAX(r.severity), "
                             "SUM(CASE WHEN r.status = 'pass' THEN 1 ELSE 0 END), "
                             "SUM(CASE WHEN r.status = 'fail' THEN 1 ELSE 0 END), "
                             "SUM(CASE WHEN r.status = 'error' THEN 1 ELSE 0 END), "
                             "SUM(CASE WHEN r.status = 'not_applicable' THEN 1 ELSE 0 END) "
                             "FROM latest_results r JOIN devices d ON d.device_id = r.device_id "
                             "WHERE d.revoked_at IS NULL GROUP BY r.check_id ORDER BY r.check_id"));
    for (const Row& row : checks) {
      summary.checks.push_back(
          {row.Text(0), row.Text(1), row.Text(2), row.Int(3), row.Int(4), row.Int(5), row.Int(6)});
    }
    return Status();
  });
  if (!tx.ok()) return tx;
  return summary;
}

Result<PublishOutcome> SqlStore::PublishPolicy(const PolicyRecord& policy) {
  if (policy.policy_id.empty()) return InvalidArgumentError("publish: empty policy_id");
  ASSIGN_OR_RETURN(std::string digest, Sha256Hex(policy.bundle));
  if (digest != policy.sha256) {
    return InvalidArgumentError("publish: sha256 does not match the bundle");
  }
  for (const std::string& platform : policy.platforms) {
    if (platform.empty()) return InvalidArgumentError("publish: empty platform name");
  }
  PublishOutcome outcome = PublishOutcome::kPublished;
  Status tx = db_->Transact(TxKind::kWrite, [&](Connection& c) -> Status {
    ASSIGN_OR_RETURN(
        std::int64_t inserted,
        c.Exec("INSERT INTO policies (policy_id, epoch, version, sha256, all_platforms, "
               "bundle, "
               "published_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
               {policy.policy_id, policy.epoch, policy.version, policy.sha256,
                Bool(policy.platforms.empty()), policy.bundle, policy.published_at}));
    if (inserted == 0) {
      ASSIGN_OR_RETURN(std::vector<Row> same,
                       c.Query("SELECT 1 FROM policies WHERE policy_id = $1 AND sha256 = $2",
                               {policy.policy_id, policy.sha256}));
      if (same.empty()) {
        return AlreadyExistsError("publish: policy '" + policy.policy_id + "' epoch " +
                                  std::to_string(policy.epoch) + " version " +
                                  std::to_string(policy.version) +
                                  " is already published with different contents");
      }
      outcome = PublishOutcome::kAlreadyPublished;
      return Status();
    }
    outcome = PublishOutcome::kPublished;
    std::vector<Param> params;
    for (std::size_t i = 0; i < policy.platforms.size(); ++i) {
      params.insert(params.end(), {policy.policy_id, policy.sha256, static_cast<std::int64_t>(i),
                                   policy.platforms[i]});
    }
    return RunChunked(
        c, 4, params,
        [](std::size_t rows) {
          return "INSERT INTO policy_platforms (policy_id, sha256, position, platform) VALUES " +
                 ValuesList(rows, 4);
        },
        nullptr, exact_chunks_);
  });
  if (!tx.ok()) return tx;
  return outcome;
}

Result<PolicyRecord> SqlStore::CurrentPolicy(std::string_view platform) {
  PolicyRecord policy;
  Status tx = db_->Transact(TxKind::kRead, [&](Connection& c) -> Status {
    policy = PolicyRecord();
    ASSIGN_OR_RETURN(
        std::vector<Row> rows,
        c.Query("SELECT policy_id, epoch, version, sha256, bundle, published_at FROM "
                "policies p "
                "WHERE p.all_platforms = 1 OR EXISTS (SELECT 1 FROM policy_platforms pp "
                "WHERE pp.policy_id = p.policy_id AND pp.sha256 = p.sha256 AND "
                "pp.platform = $1) "
                "ORDER BY epoch DESC, version DESC, published_at DESC, policy_id LIMIT 1",
                {platform}));
    if (rows.empty()) {
      return NotFoundError("no policy published for platform '" + std::string(platform) + "'");
    }
    policy.policy_id = rows[0].Text(0);
    policy.epoch = rows[0].Int(1);
    policy.version = rows[0].Int(2);
    policy.sha256 = rows[0].Text(3);
    policy.bundle = rows[0].Text(4);
    policy.published_at = rows[0].Int(5);
    ASSIGN_OR_RETURN(std::vector<Row> platforms,
                     c.Query("SELECT platform FROM policy_platforms WHERE policy_id = $1 AND "
                             "sha256 = $2 ORDER BY position",
                             {policy.policy_id, policy.sha256}));
    for (const Row& row : platforms) policy.platforms.push_back(row.Text(0));
    return Status();
  });
  if (!tx.ok()) return tx;
  return policy;
}

// `per_core` connections per core, within [low, high].
int DefaultPoolSize(int per_core, int low, int high) {
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::clamp(cores * per_core, low, high);
}

}  // namespace

Result<std::string> NewDeviceId() {
  std::array<unsigned char, 17> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    return InternalError("store: RAND_bytes failed");
  }
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::string id = "dev_";
  // 26 groups of 5 bits from the first 130 bits.
  for (std::size_t group = 0; group < 26; ++group) {
    std::size_t bit = group * 5;
    unsigned window = (static_cast<unsigned>(random[bit / 8]) << 8) |
                      (bit / 8 + 1 < random.size() ? random[bit / 8 + 1] : 0u);
    unsigned value = (window >> (11 - bit % 8)) & 0x1fu;
    id.push_back(kAlphabet[value]);
  }
  return id;
}

std::string EscapeLike(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::unique_ptr<Store> NewSqlStore(std::unique_ptr<sql::Database> database) {
  return std::make_unique<SqlStore>(std::move(database));
}

Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options) {
  if (options.pool_size < 0) return InvalidArgumentError("store: negative pool size");
  std::unique_ptr<sql::Database> database;
  if (StartsWith(options.url, "sqlite:")) {
    sql::SqliteOptions sqlite;
    sqlite.path = options.url.substr(std::string_view("sqlite:").size());
    sqlite.readers = options.pool_size > 0 ? options.pool_size : DefaultPoolSize(1, 2, 8);
    sqlite.full_sync = options.sqlite_full_sync;
    ASSIGN_OR_RETURN(database, sql::OpenSqliteDatabase(sqlite));
  } else if (StartsWith(options.url, "postgresql://") || StartsWith(options.url, "postgres://")) {
    sql::PostgresOptions postgres;
    postgres.url = options.url;
    // Transactions wait on round trips more than on the CPU: several per core.
    postgres.connections = options.pool_size > 0 ? options.pool_size : DefaultPoolSize(4, 8, 32);
    ASSIGN_OR_RETURN(database, sql::OpenPostgresDatabase(postgres));
  } else {
    return InvalidArgumentError(
        "store: unknown database url scheme (want sqlite:PATH or postgresql://...)");
  }
  RETURN_IF_ERROR(sql::Migrate(*database));
  return NewSqlStore(std::move(database));
}

}  // namespace bulwark::collector
