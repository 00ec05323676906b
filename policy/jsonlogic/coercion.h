// Value coercions of the JSON Logic evaluator: JavaScript's ToNumber and ToString, and the
// loose/strict equality and ordering the compat-tables suites define on top of them.
//
// "Not a number" is modelled as std::nullopt, never as a NaN double: in Bulwark's dialect a
// NaN is an error at the operator that produced it (the suites' {"error": {"type": "NaN"}}),
// so no operator ever produces a NaN or an infinity. Arrays and objects are never numbers here
// (JavaScript would turn [1] into 1; the suites require an error).
//
// Pure functions, no allocation beyond their results; thread-safe.
#ifndef BULWARK_POLICY_JSONLOGIC_COERCION_H_
#define BULWARK_POLICY_JSONLOGIC_COERCION_H_

#include <boost/json/value.hpp>
#include <compare>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace bulwark::jsonlogic {

// JavaScript StringToNumber: surrounding whitespace is ignored, "" is 0, decimal literals
// ("1e2", ".5", "-1.5", "5."), and 0x/0o/0b integer literals. Returns nullopt for anything
// else and for results that are not finite ("Infinity", "1e400").
std::optional<double> StringToNumber(std::string_view s);

// ToNumber as the evaluator uses it: null -> 0, false/true -> 0/1, numbers as themselves,
// strings via StringToNumber; arrays, objects and non-finite doubles -> nullopt.
std::optional<double> ToNumber(const boost::json::value& v);

// The numeric value of a number-kind value (int64, uint64 or double). REQUIRES: v.is_number().
double NumberAsDouble(const boost::json::value& v);

// A number result as JSON: int64 when `d` is integral and |d| <= 2^53 (so -0 becomes 0),
// double otherwise. REQUIRES: std::isfinite(d).
boost::json::value NumberToJson(double d);

// ECMAScript Number::toString(10): 1 -> "1", 1.5 -> "1.5", 1e21 -> "1e+21", 1e-7 -> "1e-7".
std::string NumberToString(double d);

// JavaScript String(v): null -> "null", booleans, numbers as NumberToString (integers exactly),
// strings unchanged, arrays joined with "," (null elements as ""), objects "[object Object]".
// Returns nullopt when arrays nest deeper than `max_depth` or the result would exceed
// `max_len` bytes.
std::optional<std::string> ToJsString(const boost::json::value& v, std::size_t max_depth,
                                      std::size_t max_len);

// Three-way comparison of two number-kind values; exact when both are integers (int64 or
// uint64), IEEE double comparison otherwise (unordered when a double is NaN).
// REQUIRES: a.is_number() && b.is_number().
std::partial_ordering CompareNumbers(const boost::json::value& a, const boost::json::value& b);

// Ordering for <, <=, >, >=: two strings compare by UTF-8 bytes (code point order); otherwise
// both sides go through ToNumber (null -> 0). Returns -1/0/1, or nullopt when either side is
// an array or an object or is not a number (the suites' NaN error).
std::optional<int> CompareLoose(const boost::json::value& a, const boost::json::value& b);

// Equality for == and !=:
//   null == null; two strings compare as strings; two booleans as booleans;
//   null against a string, array or object is unequal;
//   any other array or object operand is not comparable (nullopt: the suites' NaN error);
//   everything else compares numerically after ToNumber (null -> 0, so null == 0 and
//   null == false, as the suites require), nullopt when a side is not a number.
std::optional<bool> LooseEquals(const boost::json::value& a, const boost::json::value& b);

// Equality for === and !==: same type and value; numbers compare numerically whatever their
// JSON kind (1 === 1.0); arrays and objects compare structurally (member order does not
// matter). Returns nullopt when the values nest deeper than `max_depth`.
std::optional<bool> StrictEquals(const boost::json::value& a, const boost::json::value& b,
                                 std::size_t max_depth);

}  // namespace bulwark::jsonlogic

#endif  // BULWARK_POLICY_JSONLOGIC_COERCION_H_
