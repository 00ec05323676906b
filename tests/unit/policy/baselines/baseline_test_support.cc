#include "tests/unit/policy/baselines/baseline_test_support.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <fstream>
#include <sstream>
#include <string_view>

#include "agent/base/strings.h"
#include "policy/bundle/policy_payload.h"

namespace bulwark::testing {
namespace json = boost::json;

std::string BaselinePath(const std::string& name) {
  return std::string(BULWARK_SOURCE_DIR) + "/policy/baselines/" + name;
}

std::string FactsPath(const std::string& name) {
  return std::string(BULWARK_SOURCE_DIR) + "/tests/unit/policy/baselines/facts/" + name;
}

std::optional<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return std::nullopt;
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

json::value LoadJson(const std::string& path) {
  auto text = ReadText(path);
  if (!text) return nullptr;
  boost::system::error_code ec;
  json::value v = json::parse(*text, ec);
  if (ec) {
    ADD_FAILURE() << path << ": " << ec.message();
    return nullptr;
  }
  return v;
}

json::value LoadBaseline(const std::string& name) {
  auto text = ReadText(BaselinePath(name));
  if (!text) return nullptr;
  auto payload = bundle::ParsePolicyPayload(*text);
  if (!payload.ok()) {
    ADD_FAILURE() << name << ": " << payload.error().ToString();
    return nullptr;
  }
  return payload->document;
}

std::vector<policy::CheckResult> Evaluate(const json::value& policy, const json::value& facts) {
  SystemTime now{};
  if (const auto* at = facts.is_object() ? facts.as_object().if_contains("collected_at") : nullptr;
      at != nullptr && at->is_string()) {
    if (auto t = ParseRfc3339(std::string(at->as_string())); t.ok()) now = *t;
  }
  return policy::EvaluateChecks(policy, facts, now);
}

std::set<std::string> IdsWith(const std::vector<policy::CheckResult>& results,
                              policy::CheckStatus status) {
  std::set<std::string> ids;
  for (const auto& r : results) {
    if (r.status == status) ids.insert(r.id);
  }
  return ids;
}

namespace {

bool IsIteration(std::string_view op) {
  return op == "map" || op == "filter" || op == "all" || op == "some" || op == "none" ||
         op == "reduce";
}

std::string Join2(const std::string& scope, std::string_view path) {
  if (scope.empty()) return std::string(path);
  return scope + "." + std::string(path);
}

// The scope ("a.b[]") that the elements of `collection` live in, or "" when unknown.
std::string ElementScope(const json::value& collection, const std::string& scope) {
  if (!collection.is_object() || collection.as_object().size() != 1) return "";
  const auto& [op, args] = *collection.as_object().begin();
  if (op == "var") {
    const json::value& path =
        args.is_array() && !args.as_array().empty() ? args.as_array()[0] : args;
    if (!path.is_string()) return "";
    return Join2(scope, path.as_string()) + "[]";
  }
  if (op == "filter" && args.is_array() && !args.as_array().empty()) {
    return ElementScope(args.as_array()[0], scope);  // filter keeps the elements as they are
  }
  return "";
}

void Collect(const json::value& rule, const std::string& scope, std::set<std::string>& out) {
  if (rule.is_array()) {
    for (const auto& item : rule.as_array()) Collect(item, scope, out);
    return;
  }
  if (!rule.is_object() || rule.as_object().size() != 1) return;
  const auto& [op, args] = *rule.as_object().begin();
  if (op == "var") {
    const json::value& path =
        args.is_array() && !args.as_array().empty() ? args.as_array()[0] : args;
    if (path.is_string() && !path.as_string().empty()) out.insert(Join2(scope, path.as_string()));
    return;
  }
  if (IsIteration(op) && args.is_array() && args.as_array().size() >= 2) {
    const auto& a = args.as_array();
    Collect(a[0], scope, out);
    const std::string inner = ElementScope(a[0], scope);
    if (!inner.empty() && op != "reduce") Collect(a[1], inner, out);
    for (std::size_t i = 2; i < a.size(); ++i) Collect(a[i], scope, out);
    return;
  }
  Collect(args, scope, out);
}

PathPresence Resolve(const json::value& node, const std::vector<std::string_view>& parts,
                     std::size_t i) {
  if (i == parts.size()) return PathPresence::kPresent;
  std::string_view part = parts[i];
  const bool each = EndsWith(part, "[]");
  if (each) part.remove_suffix(2);
  if (part == "length" && !each && i + 1 == parts.size() && (node.is_array() || node.is_string())) {
    return PathPresence::kPresent;
  }
  if (!node.is_object()) return PathPresence::kMissing;
  const json::value* member = node.as_object().if_contains(part);
  if (member == nullptr) return PathPresence::kMissing;
  if (!each) {
    if (i + 1 == parts.size()) return PathPresence::kPresent;
    if (member->is_null()) return PathPresence::kUnverifiable;
    return Resolve(*member, parts, i + 1);
  }
  if (!member->is_array() || member->as_array().empty()) return PathPresence::kUnverifiable;
  PathPresence worst = PathPresence::kPresent;
  for (const auto& element : member->as_array()) {
    PathPresence p = Resolve(element, parts, i + 1);
    if (p == PathPresence::kMissing) return p;
    if (p == PathPresence::kUnverifiable) worst = p;
  }
  return worst;
}

}  // namespace

std::set<std::string> FactPaths(const json::value& condition) {
  std::set<std::string> out;
  Collect(condition, "", out);
  return out;
}

PathPresence ResolvePath(const json::value& facts, const std::string& path) {
  return Resolve(facts, Split(path, '.'), 0);
}

}  // namespace bulwark::testing
