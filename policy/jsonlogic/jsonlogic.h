// JSON Logic evaluator for policy conditions (jsonlogic.com), bounded and side-effect free.
//
// A rule is a JSON value: an object with exactly one member is an operator application
// ({"op": args}); an array is evaluated element by element; anything else (scalars, {} and
// objects with two or more members) is a constant. The operator set is the classic
// jsonlogic.com one plus `val`; semantics follow the json-logic/compat-tables suites, which
// the project ships in testdata/jsonlogic/ and which this module passes in full. Where those
// suites differ from plain JavaScript (NaN is an error, null compares as 0, ...) the suites
// win; docs/jsonlogic.md lists every rule and the reasons.
//
// Bulwark additions:
//   * Evaluation is bounded by EvalLimits. Exceeding a limit returns kResourceExhausted; no
//     input can crash the evaluator, recurse without bound or run without bound.
//   * EvaluateStrict() refuses to let a null fact decide a comparison: SPEC §5 says a rule that
//     reads a null fact where it needs a value is `error`, never `pass`.
//   * ValidateRule() is the static check used at sign, lint and verify time: unknown
//     operators, malformed arities and ambiguous objects are rejected before any evaluation.
//
// Errors (Status codes):
//   kInvalidArgument    the rule is malformed or an operand has the wrong type (an unknown
//                       operator, "Invalid Arguments", a value that is not a number where one
//                       is needed — the suites' "NaN" — or a division by zero);
//   kResourceExhausted  an EvalLimits bound was hit;
//   kFailedPrecondition (strict mode only) a null fact reached an operator that needs a value;
//                       the message reads "fact <path> is null/unknown (operand of '<op>')".
//
// Thread-safety: all functions are pure and reentrant; they keep no state between calls.
// Inputs are only read; results are independent copies.
#ifndef BULWARK_POLICY_JSONLOGIC_JSONLOGIC_H_
#define BULWARK_POLICY_JSONLOGIC_JSONLOGIC_H_

#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "agent/base/status.h"

namespace bulwark::jsonlogic {

// Hard ceiling on EvalLimits::max_depth, so that no configuration can make the evaluator's
// recursion deep enough to exhaust a thread's stack.
inline constexpr std::size_t kMaxSupportedDepth = 256;

// Bounds on one evaluation. The defaults are generous for policy conditions over a facts
// document and small enough that a hostile rule costs milliseconds.
struct EvalLimits {
  // Nesting of operators and rule arrays; checked before descending. Also bounds the nesting
  // of values that are copied, compared or stringified (deep equality, `cat` of nested
  // arrays). Values above kMaxSupportedDepth are treated as kMaxSupportedDepth.
  std::size_t max_depth = 64;
  // Work units: one per operator or rule node evaluated, one per iteration of map, filter,
  // reduce, all, some and none, and one per node (plus one per 64 string bytes) of every
  // value copied out of the data or the rule.
  std::uint64_t max_operations = 100000;
  // Longest array that may be iterated over or produced (merge, map, filter, missing, rule
  // arrays).
  std::size_t max_array_len = 10000;
  // Longest string that may be produced (cat, substr), in bytes.
  std::size_t max_string_len = 65536;
};

// Evaluates `rule` against `data` with classic JSON Logic semantics. Operators are resolved
// lazily: an unknown operator is an error only when evaluation reaches it (use ValidateRule
// to reject it up front). Numbers come back as int64 when integral and within ±2^53 ({"+":
// [6.0]} and {"+": ["6", 0]} both give 6), otherwise as double; values read from `data` keep
// their kind.
Result<boost::json::value> Evaluate(const boost::json::value& rule, const boost::json::value& data,
                                    const EvalLimits& limits = {});

// As Evaluate(), plus the policy rule of SPEC §5: a null that comes from a `var`/`val` lookup
// (a missing path or an explicit JSON null in the facts) is an error when it reaches
//   * a comparison: <, <=, >, >=; ==, !=, ===, !== unless the other operand is a null that
//     does not come from a lookup (an explicit null literal: {"===": [{"var": "x"}, null]}),
//   * arithmetic: +, -, *, /, %, max, min,
//   * a string or membership operator: cat, substr, in,
//   * the collection argument of map, filter, reduce, all, some, none,
//   * the path argument of var/val.
// Null-tolerant on purpose: the default of `var`, missing, missing_some, truthiness tests
// (!, !!, and, or, if/?: conditions), merge and log. The lookup's full path (relative to the
// data root where it is known, e.g. "disk_encryption.volumes.0.encrypted") names the fact.
Result<boost::json::value> EvaluateStrict(const boost::json::value& rule,
                                          const boost::json::value& data,
                                          const EvalLimits& limits = {});

// Static check of a policy condition, without data:
//   * every one-member object names a known operator (IsKnownOperator);
//   * objects with two or more members are rejected (JSON Logic would treat them as a
//     constant, which is truthy: a typo would make a check always pass);
//   * arities that can never evaluate: comparisons with fewer than 2 operands, and/or/if
//     without an argument array, map/filter/reduce/all/some/none without [collection, rule]
//     or with a constant non-array collection, map/filter/reduce with a null rule, % with
//     fewer than 2 operands, - / max min with none, ! and !! with more than one, var with
//     more than two, in and missing_some with other than two, substr with other than 1-3;
//   * nesting deeper than limits.max_depth (kResourceExhausted).
// Returns kInvalidArgument naming the operator and the problem otherwise.
Status ValidateRule(const boost::json::value& rule, const EvalLimits& limits = {});

// JSON Logic truthiness: null, false, 0, "" and [] are falsy; everything else (including
// "0", "false" and {}) is truthy.
bool IsTruthy(const boost::json::value& value);

// True for the operators this evaluator implements.
bool IsKnownOperator(std::string_view name);

// The operators this evaluator implements, in documentation order.
std::span<const std::string_view> KnownOperators();

}  // namespace bulwark::jsonlogic

#endif  // BULWARK_POLICY_JSONLOGIC_JSONLOGIC_H_
