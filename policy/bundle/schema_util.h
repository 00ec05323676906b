// Field checks shared by the trust-root and policy-payload schemas. Pure functions.
#ifndef BULWARK_POLICY_BUNDLE_SCHEMA_UTIL_H_
#define BULWARK_POLICY_BUNDLE_SCHEMA_UTIL_H_

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string_view>

#include "agent/base/time_util.h"

namespace bulwark::bundle {

// 2^53 - 1: the largest integer every JSON implementation represents exactly.
inline constexpr std::uint64_t kMaxSafeInteger = (std::uint64_t{1} << 53) - 1;

// org_id / policy_id spelling: 1-128 characters of [A-Za-z0-9._-], starting with a letter or
// digit. Compared byte for byte (case-sensitive).
bool IsIdentifier(std::string_view s);

// The value when `v` is a JSON integer (int64/uint64, never a double or string) in
// [1, 2^53 - 1]; nullopt otherwise.
std::optional<std::uint64_t> SafePositiveInteger(const boost::json::value& v);

// The value when `v` is a JSON integer (int64 or uint64) of any magnitude; doubles and strings
// give nullopt. Negative values come back as nullopt through `negative` set to true.
std::optional<std::uint64_t> NonNegativeInteger(const boost::json::value& v, bool* negative);

// "1", "1.0", "1.2.3": a dotted decimal version whose major part is 1.
bool IsSpecVersionMajor1(std::string_view s);

// The time when `v` is non-null and a string in the exact "YYYY-MM-DDTHH:MM:SSZ" form.
std::optional<SystemTime> Timestamp(const boost::json::value* v);

}  // namespace bulwark::bundle

#endif  // BULWARK_POLICY_BUNDLE_SCHEMA_UTIL_H_
