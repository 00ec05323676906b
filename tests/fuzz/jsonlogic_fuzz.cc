// libFuzzer target for the JSON Logic evaluator (policy/jsonlogic).
//
// Input: a JSON document {"rule": ..., "data": ...}; anything else is split at the first
// newline into a rule and a data document (unparsable data becomes null). Each input is run
// through ValidateRule, Evaluate and EvaluateStrict with small limits. Besides "no crash, no
// sanitizer report, no hang", it checks two invariants and traps when they break:
//   * a result never holds a NaN or an infinity that the inputs did not contain;
//   * strict mode differs from classic mode only by failing with kFailedPrecondition (a null
//     fact); any other outcome is identical.
//
// Not built by CMake; build by hand, e.g.
//   clang++-14 -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. \
//     tests/fuzz/jsonlogic_fuzz.cc policy/jsonlogic/*.cc agent/base/*.cc -lboost_json
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/base/status.h"
#include "policy/jsonlogic/jsonlogic.h"

namespace {

namespace json = boost::json;
using bulwark::Result;
using bulwark::StatusCode;

bool Parse(std::string_view text, json::value& out) {
  json::parse_options options;
  options.max_depth = 512;  // deeper than EvalLimits::max_depth, to exercise the limit
  boost::system::error_code ec;
  out = json::parse(text, ec, json::storage_ptr(), options);
  return !ec;
}

bool AllFinite(const json::value& v, int depth = 0) {
  if (depth > 600) return true;  // deeper than anything Parse can produce
  if (v.is_double()) return std::isfinite(v.get_double());
  if (v.is_array()) {
    for (const json::value& item : v.get_array()) {
      if (!AllFinite(item, depth + 1)) return false;
    }
  }
  if (v.is_object()) {
    for (const auto& member : v.get_object()) {
      if (!AllFinite(member.value(), depth + 1)) return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(bytes), size);
  json::value rule;
  json::value data;
  json::value whole;
  const json::object* document = nullptr;
  if (Parse(input, whole) && (document = whole.if_object()) != nullptr &&
      document->contains("rule")) {
    rule = document->at("rule");
    if (const json::value* d = document->if_contains("data")) data = *d;
  } else {
    const std::size_t newline = input.find('\n');
    if (!Parse(input.substr(0, newline), rule)) return 0;
    if (newline != std::string_view::npos && !Parse(input.substr(newline + 1), data)) {
      data = nullptr;
    }
  }

  bulwark::jsonlogic::EvalLimits limits;
  limits.max_operations = 20000;
  limits.max_array_len = 2000;
  limits.max_string_len = 8192;

  (void)bulwark::jsonlogic::ValidateRule(rule, limits);
  Result<json::value> classic = bulwark::jsonlogic::Evaluate(rule, data, limits);
  Result<json::value> strict = bulwark::jsonlogic::EvaluateStrict(rule, data, limits);

  if (classic.ok()) {
    // Values are passed through unchanged (the parser turns 1e999 into an infinity); only
    // computed non-finite numbers are bugs.
    if (!AllFinite(*classic) && AllFinite(rule) && AllFinite(data)) __builtin_trap();
    (void)bulwark::jsonlogic::IsTruthy(*classic);
  }
  if (strict.ok()) {
    // Compared as text: a NaN passed through from the input is not equal to itself.
    if (!classic.ok() || json::serialize(*strict) != json::serialize(*classic)) __builtin_trap();
  } else if (strict.status().code() != StatusCode::kFailedPrecondition) {
    if (classic.ok() || !(classic.status() == strict.status())) __builtin_trap();
  }
  return 0;
}
