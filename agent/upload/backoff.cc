#include "agent/upload/backoff.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "agent/base/strings.h"

namespace bulwark::upload {

using std::chrono::milliseconds;
using std::chrono::seconds;

Backoff::Backoff(BackoffOptions options, std::uint64_t seed) : options_(options), rng_(seed) {}

Backoff::Backoff(milliseconds base, milliseconds cap, std::uint64_t seed)
    : Backoff(BackoffOptions{base, cap, kMaxRetryAfter}, seed) {}

milliseconds Backoff::NextDelay(std::optional<seconds> retry_after) {
  // base * 2^failures, saturating at cap (the shift is bounded so it cannot overflow).
  const std::int64_t base = std::max<std::int64_t>(options_.base.count(), 0);
  const std::int64_t cap = std::max<std::int64_t>(options_.cap.count(), 0);
  std::int64_t ceiling = base;
  for (int i = 0; i < failures_ && ceiling < cap; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, cap);
  if (failures_ < 1'000'000) ++failures_;
  std::uniform_int_distribution<std::int64_t> jitter(0, ceiling);
  milliseconds delay(jitter(rng_));
  if (retry_after) {
    const seconds server = std::clamp(*retry_after, seconds(0), options_.max_retry_after);
    delay = std::max<milliseconds>(delay, server);
  }
  return delay;
}

namespace {

std::optional<int> Number(std::string_view s) {
  if (s.empty() || s.size() > 4) return std::nullopt;
  int n = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

std::optional<unsigned> Month(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  const std::string lower = AsciiLower(s);
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (lower == kMonths[i]) return static_cast<unsigned>(i + 1);
  }
  return std::nullopt;
}

// "HH:MM:SS" as seconds of the day.
std::optional<int> TimeOfDay(std::string_view s) {
  if (s.size() != 8 || s[2] != ':' || s[5] != ':') return std::nullopt;
  const auto h = Number(s.substr(0, 2));
  const auto m = Number(s.substr(3, 2));
  const auto sec = Number(s.substr(6, 2));
  if (!h || !m || !sec || *h > 23 || *m > 59 || *sec > 60) return std::nullopt;
  return *h * 3600 + *m * 60 + *sec;
}

std::optional<std::chrono::system_clock::time_point> ParseHttpDate(std::string_view value) {
  // Tokens split on spaces, commas and (for the RFC 850 form) dashes.
  std::vector<std::string_view> tokens;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= value.size(); ++i) {
    if (i == value.size() || value[i] == ' ' || value[i] == ',' || value[i] == '-') {
      if (i > start) tokens.push_back(value.substr(start, i - start));
      start = i + 1;
    }
  }
  std::optional<int> day, year, tod;
  std::optional<unsigned> month;
  if (tokens.size() == 6 && tokens[5] == "GMT") {  // IMF-fixdate or RFC 850
    day = Number(tokens[1]);
    month = Month(tokens[2]);
    year = Number(tokens[3]);
    tod = TimeOfDay(tokens[4]);
    if (year && tokens[3].size() == 2) *year += *year < 70 ? 2000 : 1900;
  } else if (tokens.size() == 5) {  // asctime
    month = Month(tokens[1]);
    day = Number(tokens[2]);
    tod = TimeOfDay(tokens[3]);
    year = Number(tokens[4]);
  }
  if (!day || !month || !year || !tod) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year(*year), std::chrono::month(*month),
                                        std::chrono::day(static_cast<unsigned>(*day))};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd) + seconds(*tod);
}

}  // namespace

std::optional<seconds> ParseRetryAfter(std::string_view value,
                                       std::chrono::system_clock::time_point now, seconds cap) {
  value = TrimWhitespace(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    // Long digit strings saturate instead of overflowing.
    if (value.size() > 9) return cap;
    const std::optional<std::uint64_t> n = ParseUint64(value);
    if (!n) return std::nullopt;
    return std::min(seconds(static_cast<seconds::rep>(*n)), cap);
  }
  const auto when = ParseHttpDate(value);
  if (!when) return std::nullopt;
  if (*when <= now) return seconds(0);
  // Rounded up: waiting a fraction of a second too long is harmless, too short is not.
  const auto wait = std::chrono::ceil<seconds>(*when - now);
  return std::min(wait, cap);
}

}  // namespace bulwark::upload
