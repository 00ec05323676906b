#include "agent/probes/posture/civil_time.h"

#include <cmath>

#include "agent/base/strings.h"

namespace bulwark {

std::int64_t DaysFromCivil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned mp = month > 2 ? month - 3 : month + 9;
  const unsigned doy = (153 * mp + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<std::chrono::system_clock::time_point> ParseIsoDate(std::string_view text) {
  text = TrimWhitespace(text);
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto y = ParseUint64(text.substr(0, 4));
  auto m = ParseUint64(text.substr(5, 2));
  auto d = ParseUint64(text.substr(8, 2));
  if (!y || !m || !d || *m < 1 || *m > 12 || *d < 1) return std::nullopt;
  static constexpr unsigned kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
  unsigned max_day = kDays[*m - 1];
  if (*m == 2 && !leap) max_day = 28;
  if (*d > max_day) return std::nullopt;
  const auto days = DaysFromCivil(static_cast<std::int64_t>(*y), static_cast<unsigned>(*m),
                                  static_cast<unsigned>(*d));
  return std::chrono::system_clock::time_point(std::chrono::seconds(days * 86400));
}

double DaysBetween(std::chrono::system_clock::time_point a,
                   std::chrono::system_clock::time_point b) {
  const double seconds = std::chrono::duration<double>(b - a).count();
  return std::round(seconds / 86400.0 * 100.0) / 100.0;
}

}  // namespace bulwark
