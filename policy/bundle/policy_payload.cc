#include "policy/bundle/policy_payload.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <set>

#include "policy/bundle/schema_util.h"
#include "policy/bundle/strict_json.h"

namespace bulwark::bundle {
namespace {

constexpr std::string_view kPolicyType = "bulwark/policy/v1";

std::string_view View(const boost::json::string& s) { return {s.data(), s.size()}; }

Rejection Schema(std::string detail) { return Reject(Reason::kSchema, std::move(detail)); }

bool IsStringArray(const boost::json::value* v) {
  if (v == nullptr || !v->is_array()) return false;
  for (const boost::json::value& e : v->get_array()) {
    if (!e.is_string()) return false;
  }
  return true;
}

bool IsHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsSeverity(std::string_view s) {
  return s == "low" || s == "medium" || s == "high" || s == "critical";
}

// `ids` holds views of the ids of the checks before this one; they point into the document,
// which outlives the call. Error texts are only built on the (rare) error path.
Checked<Passed> ValidateCheck(const boost::json::value& v, std::size_t index,
                              std::set<std::string_view>* ids, const OperatorValidator& validator) {
  const auto where = [index] { return "checks[" + std::to_string(index) + "]"; };
  const boost::json::object* check = v.if_object();
  if (check == nullptr) return Schema(where() + " is not an object");
  const boost::json::value* id = check->if_contains("id");
  if (id == nullptr || !id->is_string() || id->get_string().empty()) {
    return Schema(where() + ".id missing or not a non-empty string");
  }
  const std::string_view id_str = View(id->get_string());
  if (!ids->insert(id_str).second) {
    return Schema(where() + ": duplicate check id '" + std::string(id_str) + "'");
  }
  const auto named = [&] { return where() + " ('" + std::string(id_str) + "')"; };
  const boost::json::value* title = check->if_contains("title");
  if (title == nullptr || !title->is_string()) return Schema(named() + ".title missing");
  const boost::json::value* severity = check->if_contains("severity");
  if (severity == nullptr || !severity->is_string() || !IsSeverity(View(severity->get_string()))) {
    return Schema(named() + ".severity not one of low|medium|high|critical");
  }
  const boost::json::value* condition = check->if_contains("condition");
  if (condition == nullptr) return Schema(named() + ".condition missing");
  const boost::json::value* remediation = check->if_contains("remediation");
  if (remediation == nullptr || !remediation->is_object()) {
    return Schema(named() + ".remediation missing or not an object");
  }
  const boost::json::object& rem = remediation->get_object();
  const boost::json::value* summary = rem.if_contains("summary");
  if (summary == nullptr || !summary->is_string()) {
    return Schema(named() + ".remediation.summary missing");
  }
  if (const boost::json::value* steps = rem.if_contains("steps"); steps && !IsStringArray(steps)) {
    return Schema(named() + ".remediation.steps not an array of strings");
  }
  if (const boost::json::value* url = rem.if_contains("url"); url && !url->is_string()) {
    return Schema(named() + ".remediation.url not a string");
  }
  if (const boost::json::value* platforms = check->if_contains("platforms");
      platforms && !IsStringArray(platforms)) {
    return Schema(named() + ".platforms not an array of strings");
  }
  if (const boost::json::value* grace = check->if_contains("grace_days")) {
    bool negative = false;
    if (!NonNegativeInteger(*grace, &negative)) {
      return Schema(named() + ".grace_days not an integer >= 0");
    }
  }
  if (const boost::json::value* refs = check->if_contains("references");
      refs && !refs->is_object()) {
    return Schema(named() + ".references not an object");
  }
  if (validator) {
    Status s = validator(*condition);
    if (!s.ok()) return Schema(named() + ".condition: " + s.message());
  }
  return Passed{};
}

}  // namespace

Checked<PolicyPayload> ParsePolicyPayload(std::string_view body) {
  StrictJsonOptions options;
  options.max_depth = kMaxPayloadDepth;
  options.max_string_bytes = kMaxPayloadStringBytes;
  options.integers_only = true;
  auto doc = ParseStrictJson(body, options);
  if (!doc.ok()) return JsonErrorToRejection(doc.error(), Reason::kPayloadParse);

  const boost::json::object* obj = doc->if_object();
  if (obj == nullptr) return Schema("payload is not an object");
  const auto str = [&](std::string_view k) -> std::optional<std::string_view> {
    const boost::json::value* v = obj->if_contains(k);
    if (v == nullptr || !v->is_string()) return std::nullopt;
    return View(v->get_string());
  };
  PolicyPayload p;
  if (str("_type") != kPolicyType) return Schema("_type is not bulwark/policy/v1");
  std::optional<std::string_view> spec = str("spec_version");
  if (!spec || !IsSpecVersionMajor1(*spec)) return Schema("spec_version missing or not 1.x");
  std::optional<std::string_view> org = str("org_id");
  if (!org || !IsIdentifier(*org)) return Schema("org_id missing or invalid");
  p.org_id = std::string(*org);
  std::optional<std::string_view> pid = str("policy_id");
  if (!pid || !IsIdentifier(*pid)) return Schema("policy_id missing or invalid");
  p.policy_id = std::string(*pid);
  const boost::json::value* epoch = obj->if_contains("epoch");
  std::optional<std::uint64_t> e = epoch ? SafePositiveInteger(*epoch) : std::nullopt;
  if (!e) return Schema("epoch not an integer in [1, 2^53-1]");
  p.epoch = *e;
  const boost::json::value* version = obj->if_contains("version");
  std::optional<std::uint64_t> v = version ? SafePositiveInteger(*version) : std::nullopt;
  if (!v) return Schema("version not an integer in [1, 2^53-1]");
  p.version = *v;
  std::optional<SystemTime> issued = Timestamp(obj->if_contains("issued_at"));
  if (!issued) return Schema("issued_at missing or not YYYY-MM-DDTHH:MM:SSZ");
  p.issued_at = *issued;
  std::optional<SystemTime> expires = Timestamp(obj->if_contains("expires"));
  if (!expires) return Schema("expires missing or not YYYY-MM-DDTHH:MM:SSZ");
  p.expires = *expires;

  const boost::json::value* applies = obj->if_contains("applies_to");
  if (applies == nullptr || !applies->is_object()) return Schema("applies_to not an object");
  const boost::json::value* platforms = applies->get_object().if_contains("platforms");
  if (!IsStringArray(platforms)) return Schema("applies_to.platforms not an array of strings");
  for (const boost::json::value& pl : platforms->get_array()) {
    p.platforms.emplace_back(View(pl.get_string()));
  }
  if (applies->get_object().contains("groups") &&
      !IsStringArray(applies->get_object().if_contains("groups"))) {
    return Schema("applies_to.groups not an array of strings");
  }
  if (obj->contains("min_agent_version") && !str("min_agent_version")) {
    return Schema("min_agent_version not a string");
  }
  const boost::json::value* checks = obj->if_contains("checks");
  if (checks == nullptr || !checks->is_array()) return Schema("checks not an array");
  if (checks->get_array().size() > kMaxChecks) {
    return Schema(std::to_string(checks->get_array().size()) + " checks, limit " +
                  std::to_string(kMaxChecks));
  }
  if (const boost::json::value* external = obj->if_contains("external")) {
    if (!external->is_array()) return Schema("external not an array");
  }
  p.document = std::move(doc).value();
  return p;
}

Checked<Passed> ValidateChecks(const boost::json::value& document,
                               const OperatorValidator& validator) {
  const boost::json::object* obj = document.if_object();
  const boost::json::value* checks = obj ? obj->if_contains("checks") : nullptr;
  if (checks == nullptr || !checks->is_array()) return Schema("checks not an array");
  std::set<std::string_view> ids;
  std::size_t index = 0;
  for (const boost::json::value& check : checks->get_array()) {
    Checked<Passed> c = ValidateCheck(check, index++, &ids, validator);
    if (!c.ok()) return c.error();
  }
  if (const boost::json::value* external = obj->if_contains("external")) {
    std::set<std::string> names;
    std::size_t i = 0;
    for (const boost::json::value& entry : external->get_array()) {
      const std::string where = "external[" + std::to_string(i++) + "]";
      const boost::json::object* e = entry.if_object();
      if (e == nullptr) return Schema(where + " is not an object");
      const boost::json::value* name = e->if_contains("name");
      const boost::json::value* sha = e->if_contains("sha256");
      const boost::json::value* length = e->if_contains("length");
      if (name == nullptr || !name->is_string() || name->get_string().empty()) {
        return Schema(where + ".name missing");
      }
      if (!names.insert(std::string(View(name->get_string()))).second) {
        return Schema(where + ": duplicate name");
      }
      if (sha == nullptr || !sha->is_string() || !IsHex64(View(sha->get_string()))) {
        return Schema(where + ".sha256 not 64 lowercase hex digits");
      }
      bool negative = false;
      if (length == nullptr || !NonNegativeInteger(*length, &negative)) {
        return Schema(where + ".length not an integer >= 0");
      }
    }
  }
  return Passed{};
}

}  // namespace bulwark::bundle
