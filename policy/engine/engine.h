// The policy engine: evaluates a verified policy document's checks against a facts document
// and builds the report (SPEC.md §3, schema "bulwark.report/1").
//
// Each check's `condition` is a JSON Logic rule evaluated in strict mode over the facts:
// truthy is `pass`, falsy is `fail`, and a rule that reads a null (unknown) fact where it needs
// a value is `error` with the reason — never `pass`. A check whose `platforms` list does not
// contain the facts' os.family is `not_applicable`. Severity, remediation, grace_days and
// references are carried into each result. Evaluation is bounded (jsonlogic::EvalLimits), so
// no signed policy can hang an agent.
//
// Pure functions; thread-safe.
#ifndef BULWARK_POLICY_ENGINE_ENGINE_H_
#define BULWARK_POLICY_ENGINE_ENGINE_H_

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "agent/base/time_util.h"

namespace bulwark::policy {

inline constexpr char kReportSchema[] = "bulwark.report/1";

enum class CheckStatus { kPass, kFail, kError, kNotApplicable };

// "pass" | "fail" | "error" | "not_applicable".
std::string_view CheckStatusName(CheckStatus status);

struct CheckResult {
  std::string id;
  std::string title;
  std::string severity;  // low|medium|high|critical
  CheckStatus status = CheckStatus::kError;
  std::optional<std::string> reason;  // why error / not_applicable
  boost::json::object remediation;    // {summary, steps?, url?} as signed
  std::optional<std::int64_t> grace_days;
  std::optional<SystemTime> deadline;  // for fail: when the fix is due
  boost::json::object references;
};

// What identifies the policy a report was made with.
struct PolicyRef {
  std::string policy_id;
  std::uint64_t epoch = 0;
  std::uint64_t version = 0;
  std::string sha256;
};

// Evaluates every check of `policy_document` (a payload that passed bundle verification or
// `bulwark-policy lint`) against `facts`. `first_failed` gives, per check id, when the check was
// first seen failing (the agent's memory); a failing check's deadline is that time (or `now`
// when unknown) plus grace_days. Malformed checks yield `error` results, never exceptions.
std::vector<CheckResult> EvaluateChecks(const boost::json::value& policy_document,
                                        const boost::json::value& facts, SystemTime now,
                                        const std::map<std::string, SystemTime>& first_failed = {});

// True when every applicable check passed (no fail, no error).
bool IsCompliant(const std::vector<CheckResult>& results);

// The report document: {"schema","policy":{policy_id,epoch,version,sha256},"compliant",
// "results":[{id,title,severity,status,reason,remediation,deadline,grace_days,references}],
// "facts"}. `remediation` is the check's object for fail and error, null for pass and
// not_applicable.
boost::json::object BuildReport(const PolicyRef& policy, const std::vector<CheckResult>& results,
                                const boost::json::value& facts);

// A human-readable compliance table: one line per check, then the remediation of each failure.
std::string RenderResultsTable(const std::vector<CheckResult>& results);

}  // namespace bulwark::policy

#endif  // BULWARK_POLICY_ENGINE_ENGINE_H_
