#include "policy/tool/policy_lint.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "policy/bundle/dsse.h"
#include "policy/bundle/policy_payload.h"
#include "policy/bundle/strict_base64.h"
#include "policy/bundle/strict_json.h"
#include "policy/bundle/verifier.h"
#include "policy/jsonlogic/jsonlogic.h"
#include "policy/tool/cli_common.h"

namespace bulwark::policy_tool {
namespace {

constexpr std::chrono::hours kDay(24);
// What lint puts in place of fields that `sign` stamps, so the schema can still be checked.
constexpr char kPlaceholderTime[] = "2000-01-01T00:00:00Z";

// The shortest decimal form that reads back as `d` ("1.5", not boost::json's "1.5E0").
std::string FormatDouble(double d) {
  char buf[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  return buf;
}

std::string Child(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

// Every number written with a fraction or an exponent (the strict parser keeps those, and only
// those below 2^64, as doubles): agents parse signed payloads integers-only (P6).
void FindNonIntegers(const boost::json::value& v, const std::string& path,
                     std::vector<std::string>* problems) {
  if (v.is_double()) {
    const std::string where = path.empty() ? "the document" : path;
    if (std::fabs(v.get_double()) >= 18446744073709551616.0) {
      problems->push_back(where + ": integer beyond 64 bits (E_SCHEMA)");
    } else {
      problems->push_back(where + ": number " + FormatDouble(v.get_double()) +
                          " has a fraction or exponent; signed payloads allow integers only "
                          "(agents reject the bundle with E_PAYLOAD_PARSE)");
    }
  } else if (const boost::json::object* o = v.if_object()) {
    for (const auto& [key, child] : *o) FindNonIntegers(child, Child(path, key), problems);
  } else if (const boost::json::array* a = v.if_array()) {
    for (std::size_t i = 0; i < a->size(); ++i) {
      FindNonIntegers((*a)[i], path + "[" + std::to_string(i) + "]", problems);
    }
  }
}

std::string RejectionLine(const bundle::Rejection& r) {
  return std::string(bundle::ReasonCode(r.reason)) + ": " + r.detail;
}

std::optional<SystemTime> TimeMember(const boost::json::object& obj, std::string_view key) {
  const boost::json::value* v = obj.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  Result<SystemTime> t = ParseRfc3339(std::string_view(v->get_string()));
  if (!t.ok()) return std::nullopt;
  return *t;
}

}  // namespace

LintReport LintPolicyText(std::string_view text, bool allow_unstamped) {
  LintReport report;
  bundle::StrictJsonOptions options;
  options.max_depth = bundle::kMaxPayloadDepth;
  options.max_string_bytes = bundle::kMaxPayloadStringBytes;
  options.integers_only = false;  // fractions are reported below, all of them, with their path
  auto doc = bundle::ParseStrictJson(text, options);
  if (!doc.ok()) {
    const bundle::Rejection r =
        bundle::JsonErrorToRejection(doc.error(), bundle::Reason::kPayloadParse);
    report.problems.push_back(DescribeOffset(text, doc.error().offset) + ": " +
                              std::string(bundle::ReasonCode(r.reason)) + ": " +
                              doc.error().message);
    return report;
  }
  report.document = *doc;
  const boost::json::object* obj = doc->if_object();
  if (obj == nullptr) {
    report.problems.push_back("E_SCHEMA: payload is not an object");
    return report;
  }
  if (const boost::json::value* checks = obj->if_contains("checks"); checks && checks->is_array()) {
    report.checks = checks->get_array().size();
  }
  FindNonIntegers(*doc, "", &report.problems);
  if (!report.problems.empty()) return report;

  // The schema, with placeholders for what `sign` stamps.
  boost::json::object probe = *obj;
  bool author_times = true;
  if (allow_unstamped) {
    if (!probe.contains("issued_at")) {
      report.unstamped.push_back("issued_at");
      if (!probe.contains("expires")) report.unstamped.push_back("expires");
      probe["issued_at"] = kPlaceholderTime;
      probe["expires"] = FormatRfc3339(*ParseRfc3339(kPlaceholderTime) + 30 * kDay);
      author_times = false;
    } else if (!probe.contains("expires")) {
      report.unstamped.push_back("expires");
      if (std::optional<SystemTime> issued = TimeMember(probe, "issued_at")) {
        probe["expires"] = FormatRfc3339(*issued + 30 * kDay);
      }
      author_times = false;
    }
    if (!probe.contains("version")) {
      report.unstamped.push_back("version");
      probe["version"] = 1;
    }
    if (!probe.contains("epoch")) {
      report.unstamped.push_back("epoch");
      probe["epoch"] = 1;
    }
  }
  bundle::Checked<bundle::PolicyPayload> payload =
      bundle::ParsePolicyPayload(boost::json::serialize(probe));
  if (!payload.ok()) {
    report.problems.push_back(RejectionLine(payload.error()));
    return report;
  }

  // P11 one check at a time, so that every broken check is named.
  const bundle::OperatorValidator validator = [](const boost::json::value& c) {
    return jsonlogic::ValidateRule(c);
  };
  const boost::json::array& checks = probe.at("checks").get_array();
  std::map<std::string, std::size_t> first_index;
  for (std::size_t i = 0; i < checks.size(); ++i) {
    boost::json::object single = probe;
    single.erase("external");
    single["checks"] = boost::json::array{checks[i]};
    bundle::Checked<bundle::Passed> ok = bundle::ValidateChecks(single, validator);
    if (!ok.ok()) {
      std::string line = RejectionLine(ok.error());
      const std::string from = "checks[0]";
      const std::string to = "checks[" + std::to_string(i) + "]";
      if (std::size_t at = line.find(from); at != std::string::npos)
        line.replace(at, from.size(), to);
      report.problems.push_back(line);
      continue;
    }
    const std::string id(checks[i].get_object().at("id").get_string());
    auto [it, inserted] = first_index.emplace(id, i);
    if (!inserted) {
      report.problems.push_back("E_SCHEMA: checks[" + std::to_string(i) +
                                "]: duplicate check id '" + id + "' (first at checks[" +
                                std::to_string(it->second) + "])");
    }
  }
  if (probe.contains("external")) {
    boost::json::object externals = probe;
    externals["checks"] = boost::json::array{};
    bundle::Checked<bundle::Passed> ok = bundle::ValidateChecks(externals, validator);
    if (!ok.ok()) report.problems.push_back(RejectionLine(ok.error()));
  }

  // P9's window, which does not depend on the clock.
  if (author_times) {
    const auto validity = payload->expires - payload->issued_at;
    if (validity <= std::chrono::seconds(0) || validity > bundle::kMaxValidity) {
      report.problems.push_back(
          "E_VALIDITY_TOO_LONG: expires - issued_at is " +
          std::to_string(std::chrono::duration_cast<std::chrono::hours>(validity).count() / 24) +
          " days; it must be more than 0 and at most 90");
    }
  }
  return report;
}

Result<std::string> PolicyTextOfInput(std::string_view bytes) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(bytes, ec);
  const boost::json::object* obj = ec ? nullptr : v.if_object();
  if (obj == nullptr || !obj->contains("payloadType")) return std::string(bytes);
  bundle::Checked<bundle::Envelope> env =
      bundle::ParseEnvelope(bytes, bundle::kMaxPolicyEnvelopeBytes);
  if (!env.ok()) return InvalidArgumentError("malformed envelope: " + env.error().ToString());
  if (env->payload_type == bundle::kTrustRootPayloadType) {
    return InvalidArgumentError("this is a trust root, not a policy");
  }
  if (env->payload_type != bundle::kPolicyPayloadType) {
    return InvalidArgumentError("E_PAYLOAD_TYPE: payloadType '" + env->payload_type + "' is not " +
                                std::string(bundle::kPolicyPayloadType));
  }
  Result<std::string> body = bundle::DecodeStrictBase64(env->payload_base64);
  if (!body.ok()) return InvalidArgumentError("E_BASE64: payload: " + body.status().message());
  return body;
}

Status StampPolicy(boost::json::value& document, const StampOptions& options) {
  boost::json::object* obj = document.if_object();
  if (obj == nullptr) return InvalidArgumentError("the policy is not a JSON object");
  const bool stamp_issued =
      options.issued_at || options.expires_in_days || !obj->contains("issued_at");
  std::optional<SystemTime> issued;
  if (stamp_issued) {
    issued = options.issued_at.value_or(WholeSeconds(options.now));
    (*obj)["issued_at"] = FormatRfc3339(*issued);
  } else {
    issued = TimeMember(*obj, "issued_at");
  }
  if (stamp_issued || !obj->contains("expires")) {
    if (!issued) {
      return InvalidArgumentError("issued_at is not YYYY-MM-DDTHH:MM:SSZ; cannot derive expires");
    }
    (*obj)["expires"] = FormatRfc3339(*issued + options.expires_in_days.value_or(30) * kDay);
  }
  if (options.version) {
    (*obj)["version"] = *options.version;
  } else if (options.version_from_time) {
    if (!issued) return InvalidArgumentError("issued_at is not YYYY-MM-DDTHH:MM:SSZ");
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(issued->time_since_epoch()).count();
    if (seconds <= 0) return InvalidArgumentError("issued_at is before 1970");
    (*obj)["version"] = static_cast<std::uint64_t>(seconds);
  } else if (!obj->contains("version")) {
    return InvalidArgumentError(
        "the policy has no version: pass --version N or "
        "--version-from-time");
  }
  if (options.epoch) {
    (*obj)["epoch"] = *options.epoch;
  } else if (!obj->contains("epoch")) {
    return InvalidArgumentError(
        "the policy has no epoch: pass --epoch N (the trust root's "
        "policy_epoch) or --trust-root ROOT.json");
  }
  return Status();
}

}  // namespace bulwark::policy_tool
