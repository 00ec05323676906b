#include "policy/engine/engine.h"

#include <algorithm>
#include <sstream>

#include "policy/jsonlogic/jsonlogic.h"

namespace bulwark::policy {
namespace json = boost::json;
namespace {

std::string StringMember(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool AppliesTo(const json::object& check, const json::value& facts) {
  const json::value* platforms = check.if_contains("platforms");
  if (platforms == nullptr || !platforms->is_array()) return true;
  std::string family;
  if (facts.is_object()) {
    if (const json::value* os = facts.as_object().if_contains("os"); os && os->is_object()) {
      family = StringMember(os->as_object(), "family");
    }
  }
  for (const auto& p : platforms->as_array()) {
    if (p.is_string() && p.as_string() == family) return true;
  }
  return false;
}

CheckResult EvaluateOne(const json::value& check_value, const json::value& facts, SystemTime now,
                        const std::map<std::string, SystemTime>& first_failed) {
  CheckResult r;
  if (!check_value.is_object()) {
    r.reason = "check is not an object";
    return r;
  }
  const json::object& check = check_value.as_object();
  r.id = StringMember(check, "id");
  r.title = StringMember(check, "title");
  r.severity = StringMember(check, "severity");
  if (const json::value* rem = check.if_contains("remediation"); rem && rem->is_object()) {
    r.remediation = rem->as_object();
  }
  if (const json::value* refs = check.if_contains("references"); refs && refs->is_object()) {
    r.references = refs->as_object();
  }
  if (const json::value* grace = check.if_contains("grace_days"); grace && grace->is_int64()) {
    r.grace_days = grace->as_int64();
  }
  if (!AppliesTo(check, facts)) {
    r.status = CheckStatus::kNotApplicable;
    r.reason = "not for this platform";
    return r;
  }
  const json::value* condition = check.if_contains("condition");
  if (condition == nullptr) {
    r.reason = "check has no condition";
    return r;
  }
  auto outcome = jsonlogic::EvaluateStrict(*condition, facts);
  if (!outcome.ok()) {
    r.status = CheckStatus::kError;
    r.reason = outcome.status().message();
    return r;
  }
  if (jsonlogic::IsTruthy(*outcome)) {
    r.status = CheckStatus::kPass;
    return r;
  }
  r.status = CheckStatus::kFail;
  SystemTime since = now;
  if (auto it = first_failed.find(r.id); it != first_failed.end())
    since = std::min(it->second, now);
  // A century of grace is already meaningless; the clamp keeps the time arithmetic defined.
  const std::int64_t grace = std::clamp<std::int64_t>(r.grace_days.value_or(0), 0, 36500);
  r.deadline = since + std::chrono::hours(24) * grace;
  return r;
}

}  // namespace

std::string_view CheckStatusName(CheckStatus status) {
  switch (status) {
    case CheckStatus::kPass:
      return "pass";
    case CheckStatus::kFail:
      return "fail";
    case CheckStatus::kError:
      return "error";
    case CheckStatus::kNotApplicable:
      return "not_applicable";
  }
  return "error";
}

std::vector<CheckResult> EvaluateChecks(const json::value& policy_document,
                                        const json::value& facts, SystemTime now,
                                        const std::map<std::string, SystemTime>& first_failed) {
  std::vector<CheckResult> results;
  if (!policy_document.is_object()) return results;
  const json::value* checks = policy_document.as_object().if_contains("checks");
  if (checks == nullptr || !checks->is_array()) return results;
  results.reserve(checks->as_array().size());
  for (const auto& check : checks->as_array()) {
    results.push_back(EvaluateOne(check, facts, now, first_failed));
  }
  return results;
}

bool IsCompliant(const std::vector<CheckResult>& results) {
  return std::none_of(results.begin(), results.end(), [](const CheckResult& r) {
    return r.status == CheckStatus::kFail || r.status == CheckStatus::kError;
  });
}

json::object BuildReport(const PolicyRef& policy, const std::vector<CheckResult>& results,
                         const json::value& facts) {
  json::array items;
  for (const auto& r : results) {
    json::object o;
    o["id"] = r.id;
    o["title"] = r.title;
    o["severity"] = r.severity;
    o["status"] = CheckStatusName(r.status);
    o["reason"] = r.reason ? json::value(*r.reason) : json::value(nullptr);
    // Only a check that needs fixing carries its remediation: the collector has the policy,
    // and on a typical machine the passing checks' texts were over half of every report.
    const bool to_fix = r.status == CheckStatus::kFail || r.status == CheckStatus::kError;
    o["remediation"] = to_fix ? json::value(r.remediation) : json::value(nullptr);
    o["deadline"] = r.deadline ? json::value(FormatRfc3339(*r.deadline)) : json::value(nullptr);
    o["grace_days"] = r.grace_days ? json::value(*r.grace_days) : json::value(nullptr);
    o["references"] = r.references;
    items.push_back(std::move(o));
  }
  json::object report;
  report["schema"] = kReportSchema;
  report["policy"] = json::object{{"policy_id", policy.policy_id},
                                  {"epoch", policy.epoch},
                                  {"version", policy.version},
                                  {"sha256", policy.sha256}};
  report["compliant"] = IsCompliant(results);
  report["results"] = std::move(items);
  report["facts"] = facts;
  return report;
}

std::string RenderResultsTable(const std::vector<CheckResult>& results) {
  std::ostringstream out;
  std::size_t width = 4;
  for (const auto& r : results) width = std::max(width, r.id.size());
  int counts[4] = {0, 0, 0, 0};
  for (const auto& r : results) {
    ++counts[static_cast<int>(r.status)];
    std::string status(CheckStatusName(r.status));
    out << "  " << status << std::string(16 - std::min<std::size_t>(15, status.size()), ' ') << r.id
        << std::string(width - r.id.size() + 2, ' ') << "[" << r.severity << "] " << r.title
        << "\n";
    if (r.status == CheckStatus::kError && r.reason) out << "      unknown: " << *r.reason << "\n";
  }
  out << "\n  " << counts[0] << " passed, " << counts[1] << " failed, " << counts[2] << " error, "
      << counts[3] << " not applicable\n";
  bool header = false;
  for (const auto& r : results) {
    if (r.status != CheckStatus::kFail) continue;
    if (!header) {
      out << "\nHow to fix:\n";
      header = true;
    }
    out << "  " << r.id << ": ";
    if (const auto* s = r.remediation.if_contains("summary"); s && s->is_string()) {
      out << std::string(s->as_string());
    }
    if (r.deadline) out << " (due " << FormatRfc3339(*r.deadline) << ")";
    out << "\n";
    if (const auto* steps = r.remediation.if_contains("steps"); steps && steps->is_array()) {
      int n = 0;
      for (const auto& step : steps->as_array()) {
        if (step.is_string())
          out << "      " << ++n << ". " << std::string(step.as_string()) << "\n";
      }
    }
    if (const auto* url = r.remediation.if_contains("url"); url && url->is_string()) {
      out << "      more: " << std::string(url->as_string()) << "\n";
    }
  }
  return out.str();
}

}  // namespace bulwark::policy
