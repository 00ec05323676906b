// ValidateRule: the static check a policy condition must pass before it is signed, linted or
// accepted by the verifier. It looks only at the rule's shape, never at data, and reports the
// first problem with its location as a JSON-Pointer-like path ("/and/1/==").
#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "policy/jsonlogic/jsonlogic.h"

namespace bulwark::jsonlogic {
namespace {

namespace json = boost::json;

std::span<const json::value> ArgList(const json::value& raw) {
  if (raw.is_array()) return {raw.get_array().data(), raw.get_array().size()};
  return {&raw, 1};
}

bool IsRule(const json::value& v) { return v.is_object() && v.get_object().size() == 1; }

std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 64)) out += (c >= 0x20 && c != 0x7f) || (c & 0x80) ? c : '?';
  if (s.size() > 64) out += "...";
  return out;
}

bool OneOf(std::string_view name, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names) {
    if (n == name) return true;
  }
  return false;
}

// The arity and argument-shape rules of one operator application (see jsonlogic.h). Returns
// the problem, or "" when the shape is fine.
std::string ShapeProblem(std::string_view name, const json::value& raw) {
  const std::span<const json::value> args = ArgList(raw);
  const std::size_t n = args.size();
  if (OneOf(name, {"==", "!=", "===", "!==", "<", "<=", ">", ">="})) {
    if (n < 2) return "needs at least 2 operands";
  } else if (OneOf(name, {"and", "or", "if", "?:"})) {
    if (!raw.is_array()) return "needs an array of arguments";
  } else if (OneOf(name, {"map", "filter", "reduce", "all", "some", "none"})) {
    const bool reduce = name == "reduce";
    if (!raw.is_array() || n < 2 || n > (reduce ? 3 : 2)) {
      return reduce ? "needs [collection, rule] or [collection, rule, initial]"
                    : "needs [collection, rule]";
    }
    if (!args[0].is_array() && !IsRule(args[0]))
      return "the collection is a constant, not an array";
    if (args[1].is_null() && OneOf(name, {"map", "filter", "reduce"})) {
      return "the rule must not be null";
    }
  } else if (name == "%") {
    if (n < 2) return "needs at least 2 operands";
  } else if (OneOf(name, {"-", "/", "max", "min"})) {
    if (n < 1) return "needs at least 1 operand";
  } else if (OneOf(name, {"!", "!!"})) {
    if (n > 1) return "takes one operand";
  } else if (name == "var") {
    if (n > 2) return "takes [path] or [path, default]";
  } else if (OneOf(name, {"in", "missing_some"})) {
    if (n != 2) return name == "in" ? "needs [needle, haystack]" : "needs [minimum, [keys...]]";
  } else if (name == "substr") {
    if (n < 1 || n > 3) return "needs [string], [string, start] or [string, start, length]";
  }
  return std::string();
}

// One step of the location of a node, as the error messages spell it: "/<index>" for an
// element of a rule array, "/<op>/<index>" for an operand in an operator's argument array and
// "/<op>" for an operator's single non-array operand. Steps are kept as views and only turned
// into text when there is an error to report.
struct Step {
  std::string_view op;  // the operator; unused for a rule-array element
  std::size_t index = 0;
  bool has_op = false;
  bool has_index = false;
};

std::string Location(const std::vector<Step>& path) {
  if (path.empty()) return "/";
  std::string out;
  for (const Step& step : path) {
    if (step.has_op) out += "/" + std::string(step.op);
    if (step.has_index) out += "/" + std::to_string(step.index);
  }
  return out;
}

Status Validate(const json::value& node, std::size_t depth, const EvalLimits& limits,
                std::vector<Step>& path) {
  auto at = [&] { return Location(path); };
  if (node.is_array()) {
    if (depth >= limits.max_depth) {
      return ResourceExhaustedError("rule nesting exceeds max_depth (" +
                                    std::to_string(limits.max_depth) + ") at " + at());
    }
    const json::array& items = node.get_array();
    for (std::size_t i = 0; i < items.size(); ++i) {
      path.push_back(Step{{}, i, false, true});
      RETURN_IF_ERROR(Validate(items[i], depth + 1, limits, path));
      path.pop_back();
    }
    return Status();
  }
  if (!node.is_object() || node.get_object().empty()) return Status();  // a constant
  const json::object& object = node.get_object();
  if (object.size() > 1) {
    return InvalidArgumentError(
        "an object with " + std::to_string(object.size()) + " members (first \"" +
        Printable(std::string_view(object.begin()->key().data(), object.begin()->key().size())) +
        "\") at " + at() +
        " is not a rule: an operator application has exactly one member, and JSON Logic "
        "would treat this object as an always-true constant");
  }
  if (depth >= limits.max_depth) {
    return ResourceExhaustedError("rule nesting exceeds max_depth (" +
                                  std::to_string(limits.max_depth) + ") at " + at());
  }
  const json::key_value_pair& member = *object.begin();
  const std::string_view name(member.key().data(), member.key().size());
  if (!IsKnownOperator(name)) {
    return InvalidArgumentError("unknown operator '" + Printable(name) + "' at " + at());
  }
  const std::string problem = ShapeProblem(name, member.value());
  if (!problem.empty()) {
    return InvalidArgumentError("'" + std::string(name) + "' at " + at() + ": " + problem);
  }
  // Operands are checked at the depth the evaluator gives them (the argument array itself
  // is not a level), so ValidateRule accepts exactly the nesting Evaluate accepts.
  const std::span<const json::value> args = ArgList(member.value());
  const bool indexed = member.value().is_array();
  for (std::size_t i = 0; i < args.size(); ++i) {
    path.push_back(Step{name, i, true, indexed});
    RETURN_IF_ERROR(Validate(args[i], depth + 1, limits, path));
    path.pop_back();
  }
  return Status();
}

}  // namespace

Status ValidateRule(const json::value& rule, const EvalLimits& limits) {
  EvalLimits effective = limits;
  effective.max_depth = std::min(limits.max_depth, kMaxSupportedDepth);
  std::vector<Step> path;
  path.reserve(16);
  return Validate(rule, 0, effective, path);
}

}  // namespace bulwark::jsonlogic
