// Calendar arithmetic for the posture parsers (dates in ClamAV headers, support-end dates).
// Pure functions; proleptic Gregorian calendar, UTC.
#ifndef BULWARK_AGENT_PROBES_POSTURE_CIVIL_TIME_H_
#define BULWARK_AGENT_PROBES_POSTURE_CIVIL_TIME_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace bulwark {

// Days since 1970-01-01 of year-month-day (Howard Hinnant's days_from_civil).
// REQUIRES: 1 <= month <= 12, 1 <= day <= 31.
std::int64_t DaysFromCivil(std::int64_t year, unsigned month, unsigned day);

// Parses "YYYY-MM-DD" (validating the day of the month) to midnight UTC of that day.
std::optional<std::chrono::system_clock::time_point> ParseIsoDate(std::string_view text);

// (b - a) in days, as a fraction rounded to two decimals.
double DaysBetween(std::chrono::system_clock::time_point a,
                   std::chrono::system_clock::time_point b);

}  // namespace bulwark

#endif  // BULWARK_AGENT_PROBES_POSTURE_CIVIL_TIME_H_
