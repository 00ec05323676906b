// Time formatting and parsing in the one form Bulwark writes: RFC 3339 UTC with a 'Z' and
// whole seconds ("2026-11-28T16:00:00Z"). Pure functions, no clock access.
#ifndef BULWARK_AGENT_BASE_TIME_UTIL_H_
#define BULWARK_AGENT_BASE_TIME_UTIL_H_

#include <chrono>
#include <string>
#include <string_view>

#include "agent/base/status.h"

namespace bulwark {

using SystemTime = std::chrono::system_clock::time_point;

// Formats as "YYYY-MM-DDTHH:MM:SSZ", truncating sub-second precision.
std::string FormatRfc3339(SystemTime t);

// Parses exactly "YYYY-MM-DDTHH:MM:SSZ" (no offsets, no fractions, no lower-case 't'/'z'),
// validating ranges including the day of the month, in years 1970-2261 (what a 64-bit
// nanosecond clock can hold). Errors are kInvalidArgument.
Result<SystemTime> ParseRfc3339(std::string_view text);

}  // namespace bulwark

#endif  // BULWARK_AGENT_BASE_TIME_UTIL_H_
