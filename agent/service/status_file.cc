#include "agent/service/status_file.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/base/file_util.h"

namespace bulwark {
namespace json = boost::json;

namespace {

std::string Str(const json::object& o, std::string_view key, std::string fallback = "") {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : fallback;
}

std::int64_t Int(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  return 0;
}

const json::object* Obj(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? &v->get_object() : nullptr;
}

// "in 3 days", "2 days ago", "today".
std::string Relative(SystemTime when, SystemTime now) {
  using std::chrono::duration_cast;
  using std::chrono::hours;
  const auto delta = duration_cast<hours>(when - now).count();
  if (delta >= 0 && delta < 24) return "due within a day";
  if (delta < 0 && delta > -24) return "overdue";
  const auto days = (delta >= 0 ? delta : -delta) / 24;
  const std::string n = std::to_string(days) + (days == 1 ? " day" : " days");
  return delta >= 0 ? "in " + n : "overdue by " + n;
}

}  // namespace

Status WriteStatusFile(const std::string& path, json::object status, SystemTime now) {
  status["schema"] = kStatusSchema;
  status["updated_at"] = FormatRfc3339(now);
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec)
      return Status(StatusCode::kUnavailable,
                    "cannot create " + parent.string() + ": " + ec.message());
  }
  return WriteFileAtomic(path, json::serialize(status) + "\n", 0644);
}

Result<json::object> ReadStatusFile(const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    return Status(StatusCode::kNotFound,
                  "no status yet (" + path + "): is the bulwark-agent service running?");
  }
  std::stringstream text;
  text << file.rdbuf();
  boost::system::error_code ec;
  json::value doc = json::parse(text.str(), ec);
  if (ec || !doc.is_object() || Str(doc.get_object(), "schema") != kStatusSchema) {
    return Status(StatusCode::kDataLoss, path + " is not a bulwark.status/1 document");
  }
  return std::move(doc.get_object());
}

std::string RenderStatus(const json::object& s, SystemTime now) {
  std::ostringstream out;
  out << "Device " << Str(s, "device_id", "(not enrolled)") << " on "
      << Str(s, "hostname", "this machine") << ", collector " << Str(s, "server", "(none)") << "\n";
  if (const json::object* p = Obj(s, "policy")) {
    out << "Policy " << Str(*p, "policy_id") << " version " << Int(*p, "version") << " (epoch "
        << Int(*p, "epoch") << ")\n";
  } else {
    out << "Policy: none accepted yet\n";
  }
  const std::string outcome = Str(s, "policy_outcome");
  if (outcome == "reject" || outcome == "blocked" || outcome == "fetch_failed") {
    out << "Last policy update " << outcome << ": " << Str(s, "policy_reason") << "\n";
  }
  const json::value* compliant = s.if_contains("compliant");
  out << "Last scan: " << Str(s, "last_scan_at", "never");
  if (compliant != nullptr && compliant->is_bool()) {
    out << " — " << (compliant->get_bool() ? "compliant" : "NOT COMPLIANT");
  }
  out << "\n";
  int failing = 0;
  if (const json::value* results = s.if_contains("results"); results && results->is_array()) {
    for (const json::value& r : results->get_array()) {
      if (!r.is_object()) continue;
      const json::object& o = r.get_object();
      const std::string status = Str(o, "status");
      if (status != "fail" && status != "error") continue;
      if (failing++ == 0) out << "\nTo fix:\n";
      out << "  [" << Str(o, "severity") << "] " << Str(o, "title", Str(o, "id")) << " ("
          << Str(o, "id") << ")" << (status == "error" ? " — could not be checked" : "") << "\n";
      if (status == "error" && !Str(o, "reason").empty()) {
        out << "      Why: " << Str(o, "reason") << "\n";
      }
      if (const json::object* fix = Obj(o, "remediation")) {
        if (!Str(*fix, "summary").empty()) out << "      Fix: " << Str(*fix, "summary") << "\n";
        if (const json::value* steps = fix->if_contains("steps"); steps && steps->is_array()) {
          for (const json::value& step : steps->get_array()) {
            if (step.is_string()) out << "        - " << std::string(step.get_string()) << "\n";
          }
        }
        if (!Str(*fix, "url").empty()) out << "      More: " << Str(*fix, "url") << "\n";
      }
      if (auto deadline = ParseRfc3339(Str(o, "deadline")); deadline.ok()) {
        out << "      Deadline: " << Str(o, "deadline") << " (" << Relative(*deadline, now)
            << ")\n";
      }
    }
  }
  if (failing == 0 && compliant != nullptr && compliant->is_bool()) {
    out << "Every check passed.\n";
  }
  if (const json::object* q = Obj(s, "queue")) {
    out << "\nReports waiting to upload: " << Int(*q, "pending");
    if (Int(*q, "dead_letters") > 0)
      out << ", refused by the collector: " << Int(*q, "dead_letters");
    if (Int(*q, "dropped_total") > 0) out << ", dropped (queue full): " << Int(*q, "dropped_total");
    out << "\n";
  }
  if (const json::object* u = Obj(s, "last_upload")) {
    out << "Last upload: " << Str(*u, "at") << " " << Str(*u, "outcome");
    if (!Str(*u, "error").empty()) out << " (" << Str(*u, "error") << ")";
    out << "\n";
  }
  if (!Str(s, "next_scan_at").empty()) out << "Next scan: " << Str(s, "next_scan_at") << "\n";
  return out.str();
}

}  // namespace bulwark
