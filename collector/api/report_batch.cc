#include "collector/api/report_batch.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <set>

#include "agent/base/time_util.h"

namespace bulwark::collector {
namespace {

namespace json = boost::json;

Status Bad(std::size_t index, std::string_view what) {
  return Status(StatusCode::kInvalidArgument,
                "report " + std::to_string(index) + ": " + std::string(what));
}

bool ValidReportId(std::string_view id) {
  if (id.size() < 8 || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool OneOf(std::string_view s, std::initializer_list<std::string_view> options) {
  for (auto o : options) {
    if (s == o) return true;
  }
  return false;
}

const json::string* StringMember(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? &v->get_string() : nullptr;
}

// A non-negative integer member that fits in int64.
bool IntMember(const json::object& o, std::string_view key, std::int64_t& out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return false;
  if (v->is_int64() && v->get_int64() >= 0) {
    out = v->get_int64();
    return true;
  }
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    out = static_cast<std::int64_t>(v->get_uint64());
    return true;
  }
  return false;
}

// Strings the store keeps must be valid UTF-8 without NUL (Boost.JSON guarantees UTF-8).
bool Printable(std::string_view s, std::size_t max) {
  return s.size() <= max && s.find('\0') == std::string_view::npos;
}

std::string Text(const json::object& o, std::string_view key) {
  const json::string* s = StringMember(o, key);
  return s != nullptr ? std::string(*s) : std::string();
}

}  // namespace

Result<std::vector<ReportRecord>> ParseReportBatch(std::string_view body, const ReportOwner& owner,
                                                   UnixSeconds now,
                                                   const ReportBatchLimits& limits) {
  json::parse_options options;
  options.max_depth = limits.max_json_depth;
  boost::system::error_code ec;
  // The whole document is dropped at once: one arena instead of a malloc per node, which was
  // most of this function's cost under load (a 6 KB report holds a few hundred nodes).
  json::monotonic_resource arena(body.size() * 2 + 1024);
  json::value doc = json::parse(body, ec, &arena, options);
  if (ec) {
    return Status(StatusCode::kInvalidArgument, "body is not valid JSON: " + ec.message());
  }
  if (!doc.is_object()) return Status(StatusCode::kInvalidArgument, "body is not a JSON object");
  const json::value* reports = doc.as_object().if_contains("reports");
  if (reports == nullptr || !reports->is_array()) {
    return Status(StatusCode::kInvalidArgument, "body has no \"reports\" array");
  }
  const json::array& items = reports->get_array();
  if (items.empty()) return Status(StatusCode::kInvalidArgument, "\"reports\" is empty");
  if (items.size() > limits.max_reports) {
    return Status(StatusCode::kResourceExhausted,
                  "batch holds " + std::to_string(items.size()) + " reports; at most " +
                      std::to_string(limits.max_reports) + " are accepted per request");
  }

  std::vector<ReportRecord> records;
  records.reserve(items.size());
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_object()) return Bad(i, "is not an object");
    const json::object& r = items[i].get_object();
    if (Text(r, "schema") != "bulwark.report/1")
      return Bad(i, "schema is not \"bulwark.report/1\"");

    ReportRecord rec;
    rec.device_id = owner.device_id;
    if (const json::value* claimed = r.if_contains("device_id");
        claimed != nullptr && !(claimed->is_string() && claimed->get_string() == owner.device_id)) {
      return Status(StatusCode::kPermissionDenied,
                    "report " + std::to_string(i) + " names another device than the credential's");
    }
    rec.received_at = now;
    rec.report_id = Text(r, "report_id");
    if (!ValidReportId(rec.report_id)) {
      return Bad(i, "report_id must be 8-64 characters of A-Z a-z 0-9 . _ -");
    }
    if (!seen.insert(StringMember(r, "report_id")->c_str()).second) {
      return Bad(i, "report_id '" + rec.report_id + "' appears twice in the batch");
    }
    auto generated = ParseRfc3339(Text(r, "generated_at"));
    if (!generated.ok()) return Bad(i, "generated_at is not an RFC 3339 UTC time");
    rec.generated_at =
        std::chrono::duration_cast<std::chrono::seconds>(generated.value().time_since_epoch())
            .count();
    if (rec.generated_at > now + limits.max_future_seconds) {
      return Bad(i, "generated_at is more than a day in the future");
    }

    const json::value* compliant = r.if_contains("compliant");
    if (compliant == nullptr || !compliant->is_bool()) return Bad(i, "compliant must be a boolean");
    rec.compliant = compliant->get_bool();

    const json::value* policy = r.if_contains("policy");
    if (policy == nullptr || !policy->is_object()) return Bad(i, "policy must be an object");
    const json::object& p = policy->get_object();
    rec.policy_id = Text(p, "policy_id");
    if (rec.policy_id.empty() || !Printable(rec.policy_id, 128)) {
      return Bad(i, "policy.policy_id must be a non-empty string");
    }
    if (!IntMember(p, "epoch", rec.policy_epoch) || !IntMember(p, "version", rec.policy_version)) {
      return Bad(i, "policy.epoch and policy.version must be non-negative integers");
    }

    const json::value* results = r.if_contains("results");
    if (results == nullptr || !results->is_array()) return Bad(i, "results must be an array");
    if (results->get_array().size() > limits.max_results_per_report) {
      return Status(StatusCode::kResourceExhausted,
                    "report " + std::to_string(i) + " holds more than " +
                        std::to_string(limits.max_results_per_report) + " results");
    }
    std::set<std::string_view> check_ids;
    for (const json::value& item : results->get_array()) {
      if (!item.is_object()) return Bad(i, "a result is not an object");
      const json::object& o = item.get_object();
      CheckOutcome outcome;
      outcome.check_id = Text(o, "id");
      outcome.title = Text(o, "title");
      outcome.severity = Text(o, "severity");
      outcome.status = Text(o, "status");
      if (outcome.check_id.empty() || !Printable(outcome.check_id, 256)) {
        return Bad(i, "a result has no id");
      }
      if (!check_ids.insert(StringMember(o, "id")->c_str()).second) {
        return Bad(i, "result id '" + outcome.check_id + "' appears twice");
      }
      if (!Printable(outcome.title, 1024)) return Bad(i, "result '" + outcome.check_id + "' title");
      if (!OneOf(outcome.severity, {"low", "medium", "high", "critical"})) {
        return Bad(i,
                   "result '" + outcome.check_id + "' severity must be low|medium|high|critical");
      }
      if (!OneOf(outcome.status, {"pass", "fail", "error", "not_applicable"})) {
        return Bad(
            i, "result '" + outcome.check_id + "' status must be pass|fail|error|not_applicable");
      }
      rec.results.push_back(std::move(outcome));
    }

    const json::value* facts = r.if_contains("facts");
    if (facts == nullptr || !facts->is_object()) return Bad(i, "facts must be an object");
    if (const json::value* host = facts->get_object().if_contains("host");
        host != nullptr && host->is_object()) {
      rec.hostname = Text(host->get_object(), "hostname");
      const json::value* machine = host->get_object().if_contains("machine_id");
      if (!owner.machine_id.empty() && machine != nullptr && !machine->is_null() &&
          !(machine->is_string() && machine->get_string() == owner.machine_id)) {
        return Status(StatusCode::kPermissionDenied,
                      "report " + std::to_string(i) +
                          " describes another machine than the one this device enrolled as");
      }
    }
    if (const json::value* os = facts->get_object().if_contains("os");
        os != nullptr && os->is_object()) {
      rec.os_version = Text(os->get_object(), "name");
    }
    if (!Printable(rec.hostname, 255) || !Printable(rec.os_version, 255)) {
      return Bad(i, "facts.host.hostname or facts.os.name is too long or holds NUL");
    }
    rec.document = json::serialize(items[i]);
    records.push_back(std::move(rec));
  }
  return records;
}

}  // namespace bulwark::collector
