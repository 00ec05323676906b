// The JSON Logic interpreter. One Evaluator object per call holds the limits and the work
// counter; the rule and the data are only read. Every intermediate result is an owned
// boost::json::value, and every copy out of the rule or the data is charged to the work
// budget, so the cost of an evaluation is bounded by EvalLimits whatever the input.
#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/base/status.h"
#include "policy/jsonlogic/coercion.h"
#include "policy/jsonlogic/jsonlogic.h"

namespace bulwark::jsonlogic {
namespace {

namespace json = boost::json;

// An intermediate result. `fact` is set when the value was read by var/val: the path that was
// looked up, relative to the data root when known. Strict mode uses it to name a null fact.
struct Val {
  json::value v;
  std::optional<std::string> fact;
};

// What an expression is evaluated against: the data root, an element of an iterated array, or
// reduce's {"current", "accumulator"}. `path` is the fact path of `*data` when known ("" for
// the root), so that lookups inside map/all/... can name "volumes.0.encrypted".
struct Frame {
  const json::value* data;
  std::optional<std::string> path;
};

std::string_view View(const json::string& s) { return {s.data(), s.size()}; }

std::string JoinPath(std::string_view base, std::string_view rel) {
  if (base.empty()) return std::string(rel);
  if (rel.empty()) return std::string(base);
  std::string out(base);
  out += '.';
  out += rel;
  return out;
}

// Operator names and fact paths come from the rule or the data: keep messages short and
// printable whatever they contain.
std::string Printable(std::string_view s, std::size_t max_len = 64) {
  std::string out;
  for (char c : s.substr(0, max_len)) {
    out += (c >= 0x20 && c != 0x7f) || (c & 0x80) ? c : '?';
  }
  if (s.size() > max_len) out += "...";
  return out;
}

std::string FactName(std::string_view path) {
  return path.empty() ? std::string("(the data itself)") : Printable(path, 200);
}

// A short description of an operand for error messages; never serializes large values.
std::string Describe(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return v.get_bool() ? "true" : "false";
    case json::kind::int64:
      return std::to_string(v.get_int64());
    case json::kind::uint64:
      return std::to_string(v.get_uint64());
    case json::kind::double_:
      return NumberToString(v.get_double());
    case json::kind::string:
      return "\"" + Printable(View(v.get_string()), 40) + "\"";
    case json::kind::array:
      return v.get_array().empty() ? "[]" : "an array";
    case json::kind::object:
      return v.get_object().empty() ? "{}" : "an object";
  }
  return "a value";
}

// Operators take a list of arguments; a single non-array argument is a list of one
// ({"!": true} is {"!": [true]}), as in json-logic-js.
std::span<const json::value> ArgList(const json::value& raw) {
  if (raw.is_array()) return {raw.get_array().data(), raw.get_array().size()};
  return {&raw, 1};
}

bool IsRule(const json::value& v) { return v.is_object() && v.get_object().size() == 1; }

// A constant that can never evaluate to an array (the collection of map/filter/... written
// as null, 5, "x" or a multi-member object).
bool IsConstantNonArray(const json::value& v) { return !v.is_array() && !IsRule(v); }

// "0" or [1-9][0-9]* as an array index; nullopt otherwise (JavaScript ignores "01", "-1").
std::optional<std::size_t> CanonicalIndex(std::string_view s) {
  if (s.empty() || s.size() > 15) return std::nullopt;
  if (s.size() > 1 && s[0] == '0') return std::nullopt;
  std::size_t value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::size_t>(c - '0');
  }
  return value;
}

// String length in UTF-16 code units, as JavaScript's "length" reports it.
std::size_t Utf16Length(std::string_view s) {
  std::size_t units = 0;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c & 0xC0) != 0x80) ++units;  // a code point starts here
    if (c >= 0xF0) ++units;           // four-byte sequences are surrogate pairs
  }
  return units;
}

// One step of a path: an object member, an array index, or "length" of an array or a string
// (which is synthesized into `scratch`). nullptr when there is nothing there.
const json::value* Step(const json::value& container, std::string_view key, json::value& scratch) {
  if (container.is_object()) return container.get_object().if_contains(key);
  if (container.is_array()) {
    const json::array& items = container.get_array();
    if (key == "length") {
      scratch = static_cast<std::int64_t>(items.size());
      return &scratch;
    }
    std::optional<std::size_t> index = CanonicalIndex(key);
    if (!index || *index >= items.size()) return nullptr;
    return &items[*index];
  }
  if (container.is_string() && key == "length") {
    scratch = static_cast<std::int64_t>(Utf16Length(View(container.get_string())));
    return &scratch;
  }
  return nullptr;
}

// json-logic-js `var` lookup of a dotted path: a null or missing intermediate means "not
// found"; a null leaf is found (and is null).
const json::value* WalkDotted(const json::value& root, std::string_view path,
                              json::value& scratch) {
  const json::value* cur = &root;
  while (true) {
    std::size_t dot = path.find('.');
    std::string_view key = path.substr(0, dot);
    if (cur->is_null()) return nullptr;
    cur = Step(*cur, key, scratch);
    if (cur == nullptr || dot == std::string_view::npos) return cur;
    path.remove_prefix(dot + 1);
  }
}

enum class Cmp { kLess, kLessEq, kGreater, kGreaterEq, kEq, kNe, kStrictEq, kStrictNe };
enum class Iter { kMap, kFilter, kReduce, kAll, kSome, kNone };

class Evaluator {
 public:
  using Op = Result<Val> (Evaluator::*)(std::string_view op, const json::value& raw,
                                        const Frame& frame, std::size_t depth);

  Evaluator(const EvalLimits& limits, bool strict) : limits_(limits), strict_(strict) {}

  // Evaluates `rule` at nesting `depth` (0 for the root).
  Result<Val> Eval(const json::value& rule, const Frame& frame, std::size_t depth);

  // Operators. `raw` is the operator's argument exactly as written in the rule; children are
  // evaluated at `depth`.
  Result<Val> OpVar(std::string_view op, const json::value& raw, const Frame& f, std::size_t d);
  Result<Val> OpVal(std::string_view op, const json::value& raw, const Frame& f, std::size_t d);
  Result<Val> OpMissing(std::string_view op, const json::value& raw, const Frame& f, std::size_t d);
  Result<Val> OpMissingSome(std::string_view op, const json::value& raw, const Frame& f,
                            std::size_t d);
  Result<Val> OpIf(std::string_view op, const json::value& raw, const Frame& f, std::size_t d);
  Result<Val> OpAnd(std::string_view op, const json::value& raw, const Frame& f, std::size_t d);
  Result<Val> OpOr(std::string_view op, const json::value& raw, const Frame& f, std::size_t d);
  Result<Val> OpNot(std::string_view op, const json::value& raw, const Frame& f, std::size_t d);
  Result<Val> OpNotNot(std::string_view op, const json::value& raw, const Frame& f, std::size_t d);
  Result<Val> OpEq(std::string_view op, const json::value& raw, const Frame& f, std::size_t d) {
    return Chain(op, raw, f, d, Cmp::kEq);
  }
  Result<Val> OpNe(std::string_view op, const json::value& raw, const Frame& f, std::size_t d) {
    return Chain(op, raw, f, d, Cmp::kNe);
  }
  Result<Val> OpStrictEq(std::string_view op, const json::value& raw, const Frame& f,
                         std::size_t d) {
    return Chain(op, raw, f, d, Cmp::kStrictEq);
  }
  Result<Val> OpStrictNe(std::string_view op, const json::value& raw, const Frame& f,
                         std::size_t d) {
    return Chain(op, raw, f, d, Cmp::kStrictNe);
  }
  Result<Val> OpLess(std::string_view op, const json::value& raw, const Frame& f, std::size_t d) {
    return Chain(op, raw, f, d, Cmp::kLess);
  }
  Result<Val> OpLessEq(std::string_view op, const json::value& raw, const Frame& f, std::size_t d) {
    return Chain(op, raw, f, d, Cmp::kLessEq);
  }
  Result<Val> OpGreater(std::string_view op, const json::value& raw, const Frame& f,
                        std::size_t d) {
    return Chain(op, raw, f, d, Cmp::kGreater);
  }
  Result<Val> OpGreaterEq(std::string_view op, const json::value& raw, const Frame& f,
                          std::size_t d) {
    return Chain(op, raw, f, d, Cmp::kGreaterEq);
  }
  Result<Val> OpAdd(std::string_view op, const json::value& raw, const Frame& f, std::size_t d);
  Result<Val> OpSub(std::string_view op, const json::value& raw, const Frame& f, std::size_t d);
  Result<Val> OpMul(std::string_view op, const json::value& raw, const Frame& f, std::size_t d);
  Result<Val> OpDiv(std::string_view op, const json::value& raw, const Frame& f, std::size_t d);
  Result<Val> OpMod(std::string_view op, const json::value& raw, const Frame& f, std::size_t d);
  Result<Val> OpMax(std::string_view op, const json::value& raw, const Frame& f, std::size_t d) {
    return MinMax(op, raw, f, d, /*want_max=*/true);
  }
  Result<Val> OpMin(std::string_view op, const json::value& raw, const Frame& f, std::size_t d) {
    return MinMax(op, raw, f, d, /*want_max=*/false);
  }
  Result<Val> OpMap(std::string_view op, const json::value& raw, const Frame& f, std::size_t d) {
    return Iterate(op, raw, f, d, Iter::kMap);
  }
  Result<Val> OpFilter(std::string_view op, const json::value& raw, const Frame& f, std::size_t d) {
    return Iterate(op, raw, f, d, Iter::kFilter);
  }
  Result<Val> OpReduce(std::string_view op, const json::value& raw, const Frame& f, std::size_t d) {
    return Iterate(op, raw, f, d, Iter::kReduce);
  }
  Result<Val> OpAll(std::string_view op, const json::value& raw, const Frame& f, std::size_t d) {
    return Iterate(op, raw, f, d, Iter::kAll);
  }
  Result<Val> OpSome(std::string_view op, const json::value& raw, const Frame& f, std::size_t d) {
    return Iterate(op, raw, f, d, Iter::kSome);
  }
  Result<Val> OpNone(std::string_view op, const json::value& raw, const Frame& f, std::size_t d) {
    return Iterate(op, raw, f, d, Iter::kNone);
  }
  Result<Val> OpMerge(std::string_view op, const json::value& raw, const Frame& f, std::size_t d);
  Result<Val> OpIn(std::string_view op, const json::value& raw, const Frame& f, std::size_t d);
  Result<Val> OpCat(std::string_view op, const json::value& raw, const Frame& f, std::size_t d);
  Result<Val> OpSubstr(std::string_view op, const json::value& raw, const Frame& f, std::size_t d);
  Result<Val> OpLog(std::string_view op, const json::value& raw, const Frame& f, std::size_t d);

 private:
  static Op FindOp(std::string_view name);

  // Budget accounting.
  Status Tick(std::uint64_t units = 1);
  Status ChargeCopy(const json::value& v);
  Status CheckDepth(std::size_t depth) const;
  Status CheckArrayLen(std::size_t len, std::string_view what) const;

  // Strict mode: OK unless `x` is a null read by var/val.
  Status Known(const Val& x, std::string_view op) const;
  // Strict mode for equality: a looked-up null may only be compared with a null literal.
  Status KnownUnlessNullLiteral(const Val& a, const Val& b, std::string_view op) const;

  Result<std::vector<Val>> EvalAll(std::span<const json::value> args, const Frame& frame,
                                   std::size_t depth, std::string_view op);
  Result<double> Number(const Val& x, std::string_view op) const;
  Result<std::string> PathOf(const Val& x, std::string_view op) const;
  Result<Val> WholeData(const Frame& frame);
  Result<json::array> Missing(std::span<const json::value> keys, const Frame& frame,
                              std::string_view op);
  Result<Val> Chain(std::string_view op, const json::value& raw, const Frame& frame,
                    std::size_t depth, Cmp cmp);
  Result<bool> Holds(std::string_view op, Cmp cmp, const Val& a, const Val& b) const;
  Result<Val> MinMax(std::string_view op, const json::value& raw, const Frame& frame,
                     std::size_t depth, bool want_max);
  Result<Val> Iterate(std::string_view op, const json::value& raw, const Frame& frame,
                      std::size_t depth, Iter kind);

  const EvalLimits& limits_;
  const bool strict_;
  std::uint64_t operations_ = 0;
};

struct OpEntry {
  std::string_view name;
  Evaluator::Op fn;
};

// Documentation order (docs/jsonlogic.md).
constexpr OpEntry kOps[] = {
    {"var", &Evaluator::OpVar},         {"val", &Evaluator::OpVal},
    {"missing", &Evaluator::OpMissing}, {"missing_some", &Evaluator::OpMissingSome},
    {"if", &Evaluator::OpIf},           {"?:", &Evaluator::OpIf},
    {"and", &Evaluator::OpAnd},         {"or", &Evaluator::OpOr},
    {"!", &Evaluator::OpNot},           {"!!", &Evaluator::OpNotNot},
    {"==", &Evaluator::OpEq},           {"!=", &Evaluator::OpNe},
    {"===", &Evaluator::OpStrictEq},    {"!==", &Evaluator::OpStrictNe},
    {"<", &Evaluator::OpLess},          {"<=", &Evaluator::OpLessEq},
    {">", &Evaluator::OpGreater},       {">=", &Evaluator::OpGreaterEq},
    {"+", &Evaluator::OpAdd},           {"-", &Evaluator::OpSub},
    {"*", &Evaluator::OpMul},           {"/", &Evaluator::OpDiv},
    {"%", &Evaluator::OpMod},           {"max", &Evaluator::OpMax},
    {"min", &Evaluator::OpMin},         {"map", &Evaluator::OpMap},
    {"filter", &Evaluator::OpFilter},   {"reduce", &Evaluator::OpReduce},
    {"all", &Evaluator::OpAll},         {"some", &Evaluator::OpSome},
    {"none", &Evaluator::OpNone},       {"merge", &Evaluator::OpMerge},
    {"in", &Evaluator::OpIn},           {"cat", &Evaluator::OpCat},
    {"substr", &Evaluator::OpSubstr},   {"log", &Evaluator::OpLog},
};

constexpr auto kOpNames = [] {
  std::array<std::string_view, std::size(kOps)> names{};
  for (std::size_t i = 0; i < names.size(); ++i) names[i] = kOps[i].name;
  return names;
}();

Evaluator::Op Evaluator::FindOp(std::string_view name) {
  for (const OpEntry& entry : kOps) {
    if (entry.name == name) return entry.fn;
  }
  return nullptr;
}

Status InvalidArgs(std::string_view op, std::string_view what) {
  return InvalidArgumentError("'" + Printable(op) + "': " + std::string(what));
}

Val Bool(bool b) { return Val{json::value(b), std::nullopt}; }

// ---------------------------------------------------------------------------------------
// Budget, depth and strictness.

Status Evaluator::Tick(std::uint64_t units) {
  operations_ += units;
  if (operations_ > limits_.max_operations) {
    return ResourceExhaustedError("evaluation exceeds max_operations (" +
                                  std::to_string(limits_.max_operations) + ")");
  }
  return Status();
}

Status Evaluator::ChargeCopy(const json::value& v) {
  // Walk the value without recursion, stopping as soon as the budget is spent.
  const std::uint64_t left =
      limits_.max_operations > operations_ ? limits_.max_operations - operations_ : 0;
  auto cost_of = [](const json::value& x) -> std::uint64_t {
    return 1 + (x.is_string() ? x.get_string().size() / 64 : 0);
  };
  std::uint64_t cost = cost_of(v);
  struct Cursor {
    const json::value* container;
    std::size_t next;
  };
  std::vector<Cursor> stack;
  if (v.is_array() || v.is_object()) stack.push_back({&v, 0});
  while (!stack.empty() && cost <= left) {
    // Copies (and later comparisons) of the value recurse: bound its nesting too.
    if (stack.size() > limits_.max_depth) {
      return ResourceExhaustedError("a value nests deeper than max_depth (" +
                                    std::to_string(limits_.max_depth) + ")");
    }
    Cursor& top = stack.back();
    const json::value* child = nullptr;
    if (top.container->is_array()) {
      const json::array& items = top.container->get_array();
      if (top.next < items.size()) child = &items[top.next];
    } else {
      const json::object& members = top.container->get_object();
      if (top.next < members.size()) {
        const json::key_value_pair& member = members.begin()[top.next];
        child = &member.value();
        cost += member.key().size() / 64;
      }
    }
    if (child == nullptr) {
      stack.pop_back();
      continue;
    }
    ++top.next;
    cost += cost_of(*child);
    if (child->is_array() || child->is_object()) stack.push_back({child, 0});
  }
  return Tick(cost);
}

Status Evaluator::CheckDepth(std::size_t depth) const {
  if (depth >= limits_.max_depth) {
    return ResourceExhaustedError("rule nesting exceeds max_depth (" +
                                  std::to_string(limits_.max_depth) + ")");
  }
  return Status();
}

Status Evaluator::CheckArrayLen(std::size_t len, std::string_view what) const {
  if (len > limits_.max_array_len) {
    return ResourceExhaustedError(std::string(what) + ": array of " + std::to_string(len) +
                                  " elements exceeds max_array_len (" +
                                  std::to_string(limits_.max_array_len) + ")");
  }
  return Status();
}

bool IsLookupNull(const Val& x) { return x.v.is_null() && x.fact.has_value(); }

Status NullFactError(const Val& x, std::string_view op) {
  return FailedPreconditionError("fact " + FactName(*x.fact) + " is null/unknown (operand of '" +
                                 Printable(op) + "')");
}

Status Evaluator::Known(const Val& x, std::string_view op) const {
  if (strict_ && IsLookupNull(x)) return NullFactError(x, op);
  return Status();
}

Status Evaluator::KnownUnlessNullLiteral(const Val& a, const Val& b, std::string_view op) const {
  if (!strict_) return Status();
  auto is_null_literal = [](const Val& x) { return x.v.is_null() && !x.fact.has_value(); };
  if (IsLookupNull(a) && !is_null_literal(b)) return NullFactError(a, op);
  if (IsLookupNull(b) && !is_null_literal(a)) return NullFactError(b, op);
  return Status();
}

// ---------------------------------------------------------------------------------------
// Core.

Result<Val> Evaluator::Eval(const json::value& rule, const Frame& frame, std::size_t depth) {
  RETURN_IF_ERROR(Tick());
  if (rule.is_array()) {
    // Rule arrays evaluate element by element: [1, {"var": "x"}] -> [1, 2].
    RETURN_IF_ERROR(CheckDepth(depth));
    const json::array& items = rule.get_array();
    RETURN_IF_ERROR(CheckArrayLen(items.size(), "rule array"));
    json::array out;
    out.reserve(items.size());
    for (const json::value& item : items) {
      ASSIGN_OR_RETURN(Val x, Eval(item, frame, depth + 1));
      out.push_back(std::move(x.v));
    }
    return Val{json::value(std::move(out)), std::nullopt};
  }
  if (IsRule(rule)) {
    RETURN_IF_ERROR(CheckDepth(depth));
    const json::key_value_pair& member = *rule.get_object().begin();
    std::string_view name(member.key().data(), member.key().size());
    Op op = FindOp(name);
    if (op == nullptr) return InvalidArgumentError("unknown operator '" + Printable(name) + "'");
    return (this->*op)(name, member.value(), frame, depth + 1);
  }
  RETURN_IF_ERROR(ChargeCopy(rule));
  return Val{rule, std::nullopt};
}

Result<std::vector<Val>> Evaluator::EvalAll(std::span<const json::value> args, const Frame& frame,
                                            std::size_t depth, std::string_view op) {
  RETURN_IF_ERROR(CheckArrayLen(args.size(), "'" + Printable(op) + "' arguments"));
  std::vector<Val> out;
  out.reserve(args.size());
  for (const json::value& arg : args) {
    ASSIGN_OR_RETURN(Val x, Eval(arg, frame, depth));
    out.push_back(std::move(x));
  }
  return out;
}

Result<double> Evaluator::Number(const Val& x, std::string_view op) const {
  RETURN_IF_ERROR(Known(x, op));
  std::optional<double> n = ToNumber(x.v);
  if (!n) return InvalidArgs(op, Describe(x.v) + " is not a number");
  return *n;
}

Result<Val> Finish(std::string_view op, double result) {
  if (!std::isfinite(result)) return InvalidArgs(op, "the result is not a finite number");
  return Val{NumberToJson(result), std::nullopt};
}

// ---------------------------------------------------------------------------------------
// Data access.

// A var/val path or a missing key as a string: numbers as JavaScript prints them, null as
// "" (the whole data).
Result<std::string> PathString(const json::value& p, std::string_view op) {
  switch (p.kind()) {
    case json::kind::null:
      return std::string();
    case json::kind::string:
      return std::string(View(p.get_string()));
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return NumberToString(NumberAsDouble(p));
    case json::kind::bool_:
      return std::string(p.get_bool() ? "true" : "false");
    default:
      return InvalidArgs(op, "a path must be a string or a number, not " + Describe(p));
  }
}

Result<std::string> Evaluator::PathOf(const Val& x, std::string_view op) const {
  RETURN_IF_ERROR(Known(x, op));
  return PathString(x.v, op);
}

Result<Val> Evaluator::WholeData(const Frame& frame) {
  RETURN_IF_ERROR(ChargeCopy(*frame.data));
  return Val{*frame.data, frame.path.value_or(std::string())};
}

std::string FactPath(const Frame& frame, std::string_view rel) {
  return frame.path ? JoinPath(*frame.path, rel) : std::string(rel);
}

Result<Val> Evaluator::OpVar(std::string_view op, const json::value& raw, const Frame& frame,
                             std::size_t depth) {
  ASSIGN_OR_RETURN(std::vector<Val> args, EvalAll(ArgList(raw), frame, depth, op));
  if (args.empty()) return WholeData(frame);
  ASSIGN_OR_RETURN(std::string path, PathOf(args[0], op));
  if (path.empty()) return WholeData(frame);
  json::value scratch;
  const json::value* found = WalkDotted(*frame.data, path, scratch);
  if (found == nullptr) {
    // The default is returned as evaluated, keeping its own provenance.
    if (args.size() >= 2) return std::move(args[1]);
    return Val{json::value(nullptr), FactPath(frame, path)};
  }
  RETURN_IF_ERROR(ChargeCopy(*found));
  return Val{*found, FactPath(frame, path)};
}

Result<Val> Evaluator::OpVal(std::string_view op, const json::value& raw, const Frame& frame,
                             std::size_t depth) {
  ASSIGN_OR_RETURN(std::vector<Val> args, EvalAll(ArgList(raw), frame, depth, op));
  if (args.empty()) return WholeData(frame);
  // Each argument is one key, never split on dots: {"val": ["a.b", "c"]}.
  const json::value* cur = frame.data;
  std::string rel;
  json::value scratch;
  for (const Val& key : args) {
    if (key.v.is_array() || key.v.is_object() || key.v.is_null()) {
      RETURN_IF_ERROR(Known(key, op));
      return InvalidArgs(op, "keys must be strings or numbers (scope traversal is not supported)");
    }
    ASSIGN_OR_RETURN(std::string name, PathOf(key, op));
    rel = rel.empty() ? name : rel + "." + name;
    if (cur != nullptr) cur = cur->is_null() ? nullptr : Step(*cur, name, scratch);
  }
  if (cur == nullptr) return Val{json::value(nullptr), FactPath(frame, rel)};
  RETURN_IF_ERROR(ChargeCopy(*cur));
  return Val{*cur, FactPath(frame, rel)};
}

Result<json::array> Evaluator::Missing(std::span<const json::value> keys, const Frame& frame,
                                       std::string_view op) {
  RETURN_IF_ERROR(CheckArrayLen(keys.size(), "'" + Printable(op) + "' keys"));
  json::array missing;
  json::value scratch;
  for (const json::value& key : keys) {
    RETURN_IF_ERROR(Tick());
    ASSIGN_OR_RETURN(std::string path, PathString(key, op));
    const json::value* found = path.empty() ? frame.data : WalkDotted(*frame.data, path, scratch);
    // json-logic-js counts null and "" as missing.
    if (found == nullptr || found->is_null() ||
        (found->is_string() && found->get_string().empty())) {
      RETURN_IF_ERROR(ChargeCopy(key));
      missing.push_back(key);
    }
  }
  return missing;
}

Result<Val> Evaluator::OpMissing(std::string_view op, const json::value& raw, const Frame& frame,
                                 std::size_t depth) {
  ASSIGN_OR_RETURN(std::vector<Val> args, EvalAll(ArgList(raw), frame, depth, op));
  // {"missing": [["a", "b"]]} and {"missing": {"merge": ...}} take the keys from an array.
  if (!args.empty() && args[0].v.is_array()) {
    const json::array& keys = args[0].v.get_array();
    ASSIGN_OR_RETURN(json::array out, Missing({keys.data(), keys.size()}, frame, op));
    return Val{json::value(std::move(out)), std::nullopt};
  }
  std::vector<json::value> keys;
  keys.reserve(args.size());
  for (Val& arg : args) keys.push_back(std::move(arg.v));
  ASSIGN_OR_RETURN(json::array out, Missing(keys, frame, op));
  return Val{json::value(std::move(out)), std::nullopt};
}

Result<Val> Evaluator::OpMissingSome(std::string_view op, const json::value& raw,
                                     const Frame& frame, std::size_t depth) {
  ASSIGN_OR_RETURN(std::vector<Val> args, EvalAll(ArgList(raw), frame, depth, op));
  if (args.size() < 2 || !args[1].v.is_array()) {
    return InvalidArgs(op, "needs [minimum, [keys...]]");
  }
  std::optional<double> need = ToNumber(args[0].v);
  if (!need) return InvalidArgs(op, "the minimum " + Describe(args[0].v) + " is not a number");
  const json::array& keys = args[1].v.get_array();
  ASSIGN_OR_RETURN(json::array missing, Missing({keys.data(), keys.size()}, frame, op));
  const double present = static_cast<double>(keys.size() - missing.size());
  if (present >= *need) return Val{json::value(json::array()), std::nullopt};
  return Val{json::value(std::move(missing)), std::nullopt};
}

// ---------------------------------------------------------------------------------------
// Logic.

Result<Val> Evaluator::OpIf(std::string_view op, const json::value& raw, const Frame& frame,
                            std::size_t depth) {
  if (!raw.is_array()) return InvalidArgs(op, "needs an array of arguments");
  const json::array& args = raw.get_array();
  // [cond, then, cond, then, ..., else]: only the branches taken are evaluated.
  std::size_t i = 0;
  for (; i + 1 < args.size(); i += 2) {
    ASSIGN_OR_RETURN(Val cond, Eval(args[i], frame, depth));
    if (IsTruthy(cond.v)) return Eval(args[i + 1], frame, depth);
  }
  if (i < args.size()) return Eval(args[i], frame, depth);
  return Val{json::value(nullptr), std::nullopt};
}

Result<Val> Evaluator::OpAnd(std::string_view op, const json::value& raw, const Frame& frame,
                             std::size_t depth) {
  if (!raw.is_array()) return InvalidArgs(op, "needs an array of arguments");
  const json::array& args = raw.get_array();
  if (args.empty()) return Bool(false);
  Val last;
  for (const json::value& arg : args) {
    ASSIGN_OR_RETURN(last, Eval(arg, frame, depth));
    if (!IsTruthy(last.v)) return last;
  }
  return last;
}

Result<Val> Evaluator::OpOr(std::string_view op, const json::value& raw, const Frame& frame,
                            std::size_t depth) {
  if (!raw.is_array()) return InvalidArgs(op, "needs an array of arguments");
  const json::array& args = raw.get_array();
  if (args.empty()) return Bool(false);
  Val last;
  for (const json::value& arg : args) {
    ASSIGN_OR_RETURN(last, Eval(arg, frame, depth));
    if (IsTruthy(last.v)) return last;
  }
  return last;
}

Result<Val> Evaluator::OpNot(std::string_view, const json::value& raw, const Frame& frame,
                             std::size_t depth) {
  std::span<const json::value> args = ArgList(raw);
  if (args.empty()) return Bool(true);
  ASSIGN_OR_RETURN(Val x, Eval(args[0], frame, depth));
  return Bool(!IsTruthy(x.v));
}

Result<Val> Evaluator::OpNotNot(std::string_view, const json::value& raw, const Frame& frame,
                                std::size_t depth) {
  std::span<const json::value> args = ArgList(raw);
  if (args.empty()) return Bool(false);
  ASSIGN_OR_RETURN(Val x, Eval(args[0], frame, depth));
  return Bool(IsTruthy(x.v));
}

// ---------------------------------------------------------------------------------------
// Comparison. All eight operators chain over their operands, left to right and lazily:
// {"<": [a, b, c]} is a < b && b < c, and c is not evaluated when a < b fails.

Result<bool> Evaluator::Holds(std::string_view op, Cmp cmp, const Val& a, const Val& b) const {
  switch (cmp) {
    case Cmp::kLess:
    case Cmp::kLessEq:
    case Cmp::kGreater:
    case Cmp::kGreaterEq: {
      RETURN_IF_ERROR(Known(a, op));
      RETURN_IF_ERROR(Known(b, op));
      std::optional<int> order = CompareLoose(a.v, b.v);
      if (!order) {
        return InvalidArgs(op, Describe(a.v) + " and " + Describe(b.v) + " are not comparable");
      }
      if (cmp == Cmp::kLess) return *order < 0;
      if (cmp == Cmp::kLessEq) return *order <= 0;
      if (cmp == Cmp::kGreater) return *order > 0;
      return *order >= 0;
    }
    case Cmp::kEq:
    case Cmp::kNe: {
      RETURN_IF_ERROR(KnownUnlessNullLiteral(a, b, op));
      std::optional<bool> eq = LooseEquals(a.v, b.v);
      if (!eq) {
        return InvalidArgs(op, Describe(a.v) + " and " + Describe(b.v) + " are not comparable");
      }
      return cmp == Cmp::kEq ? *eq : !*eq;
    }
    case Cmp::kStrictEq:
    case Cmp::kStrictNe: {
      RETURN_IF_ERROR(KnownUnlessNullLiteral(a, b, op));
      std::optional<bool> eq = StrictEquals(a.v, b.v, limits_.max_depth);
      if (!eq) {
        return ResourceExhaustedError("'" + Printable(op) +
                                      "': operands nest deeper than max_depth");
      }
      return cmp == Cmp::kStrictEq ? *eq : !*eq;
    }
  }
  return InternalError("unreachable comparison");
}

Result<Val> Evaluator::Chain(std::string_view op, const json::value& raw, const Frame& frame,
                             std::size_t depth, Cmp cmp) {
  std::span<const json::value> args = ArgList(raw);
  if (args.size() < 2) return InvalidArgs(op, "needs at least 2 arguments");
  ASSIGN_OR_RETURN(Val prev, Eval(args[0], frame, depth));
  for (std::size_t i = 1; i < args.size(); ++i) {
    ASSIGN_OR_RETURN(Val cur, Eval(args[i], frame, depth));
    ASSIGN_OR_RETURN(bool holds, Holds(op, cmp, prev, cur));
    if (!holds) return Bool(false);
    prev = std::move(cur);
  }
  return Bool(true);
}

// ---------------------------------------------------------------------------------------
// Arithmetic. Operands go through ToNumber; anything that is not a number, and any result
// that is not finite (x / 0, x % 0), is an error.

Result<Val> Evaluator::OpAdd(std::string_view op, const json::value& raw, const Frame& frame,
                             std::size_t depth) {
  ASSIGN_OR_RETURN(std::vector<Val> args, EvalAll(ArgList(raw), frame, depth, op));
  double sum = 0;
  for (const Val& arg : args) {
    ASSIGN_OR_RETURN(double n, Number(arg, op));
    sum += n;
  }
  return Finish(op, sum);
}

Result<Val> Evaluator::OpMul(std::string_view op, const json::value& raw, const Frame& frame,
                             std::size_t depth) {
  ASSIGN_OR_RETURN(std::vector<Val> args, EvalAll(ArgList(raw), frame, depth, op));
  double product = 1;
  for (const Val& arg : args) {
    ASSIGN_OR_RETURN(double n, Number(arg, op));
    product *= n;
  }
  return Finish(op, product);
}

Result<Val> Evaluator::OpSub(std::string_view op, const json::value& raw, const Frame& frame,
                             std::size_t depth) {
  ASSIGN_OR_RETURN(std::vector<Val> args, EvalAll(ArgList(raw), frame, depth, op));
  if (args.empty()) return InvalidArgs(op, "needs at least 1 argument");
  ASSIGN_OR_RETURN(double result, Number(args[0], op));
  if (args.size() == 1) return Finish(op, -result);
  for (std::size_t i = 1; i < args.size(); ++i) {
    ASSIGN_OR_RETURN(double n, Number(args[i], op));
    result -= n;
  }
  return Finish(op, result);
}

Result<Val> Evaluator::OpDiv(std::string_view op, const json::value& raw, const Frame& frame,
                             std::size_t depth) {
  ASSIGN_OR_RETURN(std::vector<Val> args, EvalAll(ArgList(raw), frame, depth, op));
  if (args.empty()) return InvalidArgs(op, "needs at least 1 argument");
  // One operand is a reciprocal, as in the compat-tables suites: {"/": 2} is 0.5.
  double result = 1;
  for (std::size_t i = 0; i < args.size(); ++i) {
    ASSIGN_OR_RETURN(double n, Number(args[i], op));
    if (i == 0 && args.size() > 1) {
      result = n;
      continue;
    }
    if (n == 0) return InvalidArgs(op, "division by zero");
    result /= n;
  }
  return Finish(op, result);
}

Result<Val> Evaluator::OpMod(std::string_view op, const json::value& raw, const Frame& frame,
                             std::size_t depth) {
  ASSIGN_OR_RETURN(std::vector<Val> args, EvalAll(ArgList(raw), frame, depth, op));
  if (args.size() < 2) return InvalidArgs(op, "needs at least 2 arguments");
  ASSIGN_OR_RETURN(double result, Number(args[0], op));
  for (std::size_t i = 1; i < args.size(); ++i) {
    ASSIGN_OR_RETURN(double n, Number(args[i], op));
    if (n == 0) return InvalidArgs(op, "modulo by zero");
    result = std::fmod(result, n);  // the sign follows the dividend, as in JavaScript
  }
  return Finish(op, result);
}

Result<Val> Evaluator::MinMax(std::string_view op, const json::value& raw, const Frame& frame,
                              std::size_t depth, bool want_max) {
  ASSIGN_OR_RETURN(std::vector<Val> args, EvalAll(ArgList(raw), frame, depth, op));
  if (args.empty()) return InvalidArgs(op, "needs at least 1 argument");
  ASSIGN_OR_RETURN(double result, Number(args[0], op));
  for (std::size_t i = 1; i < args.size(); ++i) {
    ASSIGN_OR_RETURN(double n, Number(args[i], op));
    result = want_max ? std::max(result, n) : std::min(result, n);
  }
  return Finish(op, result);
}

// ---------------------------------------------------------------------------------------
// Arrays.

Result<Val> Evaluator::Iterate(std::string_view op, const json::value& raw, const Frame& frame,
                               std::size_t depth, Iter kind) {
  if (!raw.is_array()) return InvalidArgs(op, "needs an array of arguments [collection, rule]");
  const json::array& args = raw.get_array();
  if (args.size() < 2) return InvalidArgs(op, "needs [collection, rule]");
  const json::value& rule = args[1];
  const bool builds = kind == Iter::kMap || kind == Iter::kFilter || kind == Iter::kReduce;
  if (builds && rule.is_null()) return InvalidArgs(op, "the rule must not be null");
  if (IsConstantNonArray(args[0])) {
    return InvalidArgs(op, "the collection must be an array, not " + Describe(args[0]));
  }
  ASSIGN_OR_RETURN(Val collection, Eval(args[0], frame, depth));
  if (collection.v.is_null()) {
    // Missing data: classic JSON Logic maps/filters/reduces it as []; the quantifiers
    // (all/some/none) cannot answer about a collection they do not have.
    RETURN_IF_ERROR(Known(collection, op));
    switch (kind) {
      case Iter::kMap:
      case Iter::kFilter:
        return Val{json::value(json::array()), std::nullopt};
      case Iter::kReduce:
        if (args.size() >= 3) return Eval(args[2], frame, depth);
        return Val{json::value(nullptr), std::nullopt};
      default:
        return InvalidArgs(op, "the collection is null");
    }
  }
  if (!collection.v.is_array()) {
    return InvalidArgs(op, "the collection must be an array, not " + Describe(collection.v));
  }
  const json::array& items = collection.v.get_array();
  RETURN_IF_ERROR(CheckArrayLen(items.size(), "'" + Printable(op) + "' collection"));
  auto element = [&](std::size_t i) {
    std::optional<std::string> path;
    if (collection.fact) path = JoinPath(*collection.fact, std::to_string(i));
    return Frame{&items[i], std::move(path)};
  };

  if (kind == Iter::kReduce) {
    Val acc;
    std::size_t start = 0;
    if (args.size() >= 3) {
      ASSIGN_OR_RETURN(acc, Eval(args[2], frame, depth));
    } else if (!items.empty()) {
      // No initial value: the first element is the accumulator (Array.prototype.reduce).
      RETURN_IF_ERROR(ChargeCopy(items[0]));
      acc = Val{items[0], std::nullopt};
      start = 1;
    }
    for (std::size_t i = start; i < items.size(); ++i) {
      RETURN_IF_ERROR(Tick());
      RETURN_IF_ERROR(ChargeCopy(items[i]));
      json::object context;
      context["current"] = items[i];
      context["accumulator"] = std::move(acc.v);
      const json::value context_value(std::move(context));
      ASSIGN_OR_RETURN(acc, Eval(rule, Frame{&context_value, std::nullopt}, depth));
    }
    return acc;
  }

  if (kind == Iter::kMap || kind == Iter::kFilter) {
    json::array out;
    out.reserve(kind == Iter::kMap ? items.size() : 0);
    for (std::size_t i = 0; i < items.size(); ++i) {
      RETURN_IF_ERROR(Tick());
      ASSIGN_OR_RETURN(Val x, Eval(rule, element(i), depth));
      if (kind == Iter::kMap) {
        out.push_back(std::move(x.v));
      } else if (IsTruthy(x.v)) {
        RETURN_IF_ERROR(ChargeCopy(items[i]));
        out.push_back(items[i]);
      }
    }
    return Val{json::value(std::move(out)), std::nullopt};
  }

  // all / some / none. `all` of nothing is false (compat-tables), `none` of nothing is true.
  if (kind == Iter::kAll && items.empty()) return Bool(false);
  for (std::size_t i = 0; i < items.size(); ++i) {
    RETURN_IF_ERROR(Tick());
    ASSIGN_OR_RETURN(Val x, Eval(rule, element(i), depth));
    const bool truthy = IsTruthy(x.v);
    if (kind == Iter::kAll && !truthy) return Bool(false);
    if (kind == Iter::kSome && truthy) return Bool(true);
    if (kind == Iter::kNone && truthy) return Bool(false);
  }
  return Bool(kind != Iter::kSome);
}

Result<Val> Evaluator::OpMerge(std::string_view op, const json::value& raw, const Frame& frame,
                               std::size_t depth) {
  ASSIGN_OR_RETURN(std::vector<Val> args, EvalAll(ArgList(raw), frame, depth, op));
  json::array out;
  for (Val& arg : args) {
    if (arg.v.is_array()) {
      json::array& items = arg.v.get_array();
      RETURN_IF_ERROR(CheckArrayLen(out.size() + items.size(), "'merge' result"));
      for (json::value& item : items) out.push_back(std::move(item));
    } else {
      RETURN_IF_ERROR(CheckArrayLen(out.size() + 1, "'merge' result"));
      out.push_back(std::move(arg.v));
    }
  }
  return Val{json::value(std::move(out)), std::nullopt};
}

// ---------------------------------------------------------------------------------------
// Strings.

Result<Val> Evaluator::OpIn(std::string_view op, const json::value& raw, const Frame& frame,
                            std::size_t depth) {
  ASSIGN_OR_RETURN(std::vector<Val> args, EvalAll(ArgList(raw), frame, depth, op));
  if (args.size() < 2) return InvalidArgs(op, "needs [needle, haystack]");
  RETURN_IF_ERROR(Known(args[0], op));
  RETURN_IF_ERROR(Known(args[1], op));
  const json::value& needle = args[0].v;
  const json::value& haystack = args[1].v;
  if (haystack.is_string()) {
    std::optional<std::string> text = ToJsString(needle, limits_.max_depth, limits_.max_string_len);
    if (!text) return ResourceExhaustedError("'in': the needle is too large or too deep");
    return Bool(View(haystack.get_string()).find(*text) != std::string_view::npos);
  }
  if (haystack.is_array()) {
    for (const json::value& item : haystack.get_array()) {
      RETURN_IF_ERROR(Tick());
      std::optional<bool> eq = StrictEquals(needle, item, limits_.max_depth);
      if (!eq) return ResourceExhaustedError("'in': operands nest deeper than max_depth");
      if (*eq) return Bool(true);
    }
    return Bool(false);
  }
  if (haystack.is_null()) return Bool(false);
  return InvalidArgs(op, "the haystack must be a string or an array, not " + Describe(haystack));
}

Result<Val> Evaluator::OpCat(std::string_view op, const json::value& raw, const Frame& frame,
                             std::size_t depth) {
  ASSIGN_OR_RETURN(std::vector<Val> args, EvalAll(ArgList(raw), frame, depth, op));
  std::string out;
  for (const Val& arg : args) {
    RETURN_IF_ERROR(Known(arg, op));
    if (arg.v.is_null()) continue;  // compat-tables: null contributes nothing
    std::optional<std::string> text =
        ToJsString(arg.v, limits_.max_depth, limits_.max_string_len - out.size());
    if (!text) {
      return ResourceExhaustedError("'cat': result exceeds max_string_len (" +
                                    std::to_string(limits_.max_string_len) + ")");
    }
    out += *text;
  }
  RETURN_IF_ERROR(Tick(out.size() / 64));
  return Val{json::value(out), std::nullopt};
}

Result<Val> Evaluator::OpSubstr(std::string_view op, const json::value& raw, const Frame& frame,
                                std::size_t depth) {
  ASSIGN_OR_RETURN(std::vector<Val> args, EvalAll(ArgList(raw), frame, depth, op));
  if (args.empty()) return InvalidArgs(op, "needs [string, start, length]");
  RETURN_IF_ERROR(Known(args[0], op));
  std::optional<std::string> source =
      ToJsString(args[0].v, limits_.max_depth, limits_.max_string_len);
  if (!source) return ResourceExhaustedError("'substr': the string is too large or too deep");
  // Positions count code points (JavaScript counts UTF-16 units; the two agree below U+10000).
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < source->size(); ++i) {
    if ((static_cast<unsigned char>((*source)[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  const double size = static_cast<double>(starts.size());
  double begin = 0;
  if (args.size() >= 2) {
    ASSIGN_OR_RETURN(double start, Number(args[1], op));
    begin = std::trunc(start);
    if (begin < 0) begin = std::max(size + begin, 0.0);
    begin = std::min(begin, size);
  }
  double end = size;
  if (args.size() >= 3) {
    ASSIGN_OR_RETURN(double length, Number(args[2], op));
    length = std::trunc(length);
    // A negative length drops that many characters from the end (json-logic-js).
    end = length < 0 ? std::max(size + length, begin) : std::min(begin + length, size);
  }
  auto offset = [&](double position) {
    const auto index = static_cast<std::size_t>(position);
    return index < starts.size() ? starts[index] : source->size();
  };
  const std::size_t from = offset(begin);
  const std::size_t to = offset(end);
  return Val{json::value(std::string_view(*source).substr(from, to - from)), std::nullopt};
}

Result<Val> Evaluator::OpLog(std::string_view op, const json::value& raw, const Frame& frame,
                             std::size_t depth) {
  // Accepted for compatibility; library code does not log, so `log` is the identity.
  ASSIGN_OR_RETURN(std::vector<Val> args, EvalAll(ArgList(raw), frame, depth, op));
  if (args.empty()) return Val{json::value(nullptr), std::nullopt};
  return std::move(args[0]);
}

Result<json::value> Run(const json::value& rule, const json::value& data, const EvalLimits& limits,
                        bool strict) {
  try {
    EvalLimits effective = limits;
    effective.max_depth = std::min(limits.max_depth, kMaxSupportedDepth);
    Evaluator evaluator(effective, strict);
    ASSIGN_OR_RETURN(Val result, evaluator.Eval(rule, Frame{&data, std::string()}, 0));
    return std::move(result.v);
  } catch (const std::bad_alloc&) {
    return ResourceExhaustedError("out of memory while evaluating a JSON Logic rule");
  } catch (const std::exception& e) {
    return InternalError(std::string("JSON Logic evaluation failed: ") + e.what());
  }
}

}  // namespace

Result<json::value> Evaluate(const json::value& rule, const json::value& data,
                             const EvalLimits& limits) {
  return Run(rule, data, limits, /*strict=*/false);
}

Result<json::value> EvaluateStrict(const json::value& rule, const json::value& data,
                                   const EvalLimits& limits) {
  return Run(rule, data, limits, /*strict=*/true);
}

bool IsTruthy(const json::value& value) {
  switch (value.kind()) {
    case json::kind::null:
      return false;
    case json::kind::bool_:
      return value.get_bool();
    case json::kind::int64:
      return value.get_int64() != 0;
    case json::kind::uint64:
      return value.get_uint64() != 0;
    case json::kind::double_:
      return value.get_double() != 0 && !std::isnan(value.get_double());
    case json::kind::string:
      return !value.get_string().empty();
    case json::kind::array:
      return !value.get_array().empty();
    case json::kind::object:
      return true;
  }
  return false;
}

bool IsKnownOperator(std::string_view name) {
  return std::find(kOpNames.begin(), kOpNames.end(), name) != kOpNames.end();
}

std::span<const std::string_view> KnownOperators() { return kOpNames; }

}  // namespace bulwark::jsonlogic
