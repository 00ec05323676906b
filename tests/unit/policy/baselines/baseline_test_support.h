// Test support for the shipped baseline policies (policy/baselines/*.json): loading them and the
// fixture facts documents, evaluating, grouping results by status, and the fact-path contract
// check (every `var` a baseline reads names a member that a facts document actually carries).
#ifndef BULWARK_TESTS_UNIT_POLICY_BASELINES_BASELINE_TEST_SUPPORT_H_
#define BULWARK_TESTS_UNIT_POLICY_BASELINES_BASELINE_TEST_SUPPORT_H_

#include <boost/json/value.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/base/time_util.h"
#include "policy/engine/engine.h"

namespace bulwark::testing {

// Absolute path of a shipped baseline, e.g. BaselinePath("linux-workstation.json").
std::string BaselinePath(const std::string& name);
// Absolute path of a fixture facts document under tests/unit/policy/baselines/facts/.
std::string FactsPath(const std::string& name);

// The file's bytes; nullopt (and a test failure) when it cannot be read.
std::optional<std::string> ReadText(const std::string& path);
// The file parsed as JSON; null (and a test failure) when unreadable or malformed.
boost::json::value LoadJson(const std::string& path);

// The baseline's payload document as bulwark::bundle::ParsePolicyPayload returns it; null (and a
// test failure) when the payload is rejected.
boost::json::value LoadBaseline(const std::string& name);

// EvaluateChecks at the facts' collected_at.
std::vector<policy::CheckResult> Evaluate(const boost::json::value& policy,
                                          const boost::json::value& facts);

// Ids of the results with `status`.
std::set<std::string> IdsWith(const std::vector<policy::CheckResult>& results,
                              policy::CheckStatus status);

// Every fact path a condition reads, relative to the facts document. Paths inside an iteration
// (filter/map/all/some/none/reduce) are prefixed with the collection's path and "[]":
// "disk_encryption.volumes[].keyslots[].pbkdf". `{"var": ""}` (the element itself) is skipped.
std::set<std::string> FactPaths(const boost::json::value& condition);

enum class PathPresence { kPresent, kMissing, kUnverifiable };

// Whether `path` (as FactPaths writes it) names a member of `facts`. Members may be null. A
// path through an array checks every element; a null or empty array on the way makes the rest
// unverifiable. A final "length" on an array or string is present.
PathPresence ResolvePath(const boost::json::value& facts, const std::string& path);

}  // namespace bulwark::testing

#endif  // BULWARK_TESTS_UNIT_POLICY_BASELINES_BASELINE_TEST_SUPPORT_H_
