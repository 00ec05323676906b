#include "agent/upload/backoff.h"

#include <gtest/gtest.h>

#include <array>
#include <chrono>

namespace bulwark::upload {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::sys_days;

TEST(BackoffTest, DelaysStayWithinTheCeilingAndTheirMeanGrowsUntilTheCap) {
  const BackoffOptions options;  // base 5 s, cap 15 min
  constexpr int kLevels = 10;
  constexpr int kTrials = 2000;
  std::array<double, kLevels> sum{};
  std::array<milliseconds, kLevels> largest{};
  for (int trial = 0; trial < kTrials; ++trial) {
    Backoff backoff(options, static_cast<std::uint64_t>(trial));
    for (int level = 0; level < kLevels; ++level) {
      const milliseconds ceiling = std::min<milliseconds>(options.base * (1 << level), options.cap);
      const milliseconds delay = backoff.NextDelay();
      ASSERT_GE(delay.count(), 0);
      ASSERT_LE(delay, ceiling) << "level " << level;
      sum[static_cast<std::size_t>(level)] += static_cast<double>(delay.count());
      largest[static_cast<std::size_t>(level)] =
          std::max(largest[static_cast<std::size_t>(level)], delay);
    }
  }
  for (int level = 0; level < kLevels; ++level) {
    const auto i = static_cast<std::size_t>(level);
    const double ceiling = static_cast<double>(
        std::min<milliseconds>(options.base * (1 << level), options.cap).count());
    const double mean = sum[i] / kTrials;
    // Uniform over [0, ceiling]: the mean is ceiling/2 (2000 draws: well within 10%), and
    // the draws reach close to the ceiling (full jitter, not a fixed fraction).
    EXPECT_NEAR(mean, ceiling / 2, ceiling * 0.05) << "level " << level;
    EXPECT_GT(static_cast<double>(largest[i].count()), ceiling * 0.95) << "level " << level;
    if (level > 0 && ceiling < static_cast<double>(options.cap.count())) {
      EXPECT_GT(mean, sum[i - 1] / kTrials * 1.5) << "level " << level;
    }
  }
  // Levels 8 and 9 are both capped at 15 minutes.
  EXPECT_NEAR(sum[8] / kTrials, sum[9] / kTrials, 900'000 * 0.05);
}

TEST(BackoffTest, SameSeedGivesTheSameDelaysAndResetStartsOver) {
  Backoff a(BackoffOptions(), 42);
  Backoff b(BackoffOptions(), 42);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(a.NextDelay(), b.NextDelay());
  EXPECT_EQ(a.failures(), 6);
  a.Reset();
  EXPECT_EQ(a.failures(), 0);
  for (int i = 0; i < 50; ++i) {
    EXPECT_LE(a.NextDelay(), seconds(5) * (1 << std::min(i, 8)));
  }
}

TEST(BackoffTest, RetryAfterRaisesTheLowerBoundAndIsCappedAtAnHour) {
  Backoff backoff(BackoffOptions(), 7);
  EXPECT_EQ(backoff.NextDelay(seconds(120)), seconds(120));  // jitter is at most 5 s here
  EXPECT_EQ(backoff.NextDelay(hours(5)), hours(1));
  EXPECT_EQ(backoff.failures(), 2);
  // A Retry-After below the jitter does not shorten it: over many draws some exceed it.
  BackoffOptions big;
  big.base = std::chrono::minutes(10);
  Backoff jittery(big, 9);
  bool above = false;
  for (int i = 0; i < 20; ++i) {
    jittery.Reset();
    const milliseconds d = jittery.NextDelay(seconds(1));
    EXPECT_GE(d, seconds(1));
    above = above || d > seconds(60);
  }
  EXPECT_TRUE(above);
}

TEST(ParseRetryAfterTest, ReadsDeltaSecondsAndCapsThem) {
  const auto now =
      std::chrono::system_clock::time_point(sys_days(std::chrono::year(2026) / 11 / 28));
  EXPECT_EQ(ParseRetryAfter("120", now, hours(1)), seconds(120));
  EXPECT_EQ(ParseRetryAfter(" 0 ", now, hours(1)), seconds(0));
  EXPECT_EQ(ParseRetryAfter("86400", now, hours(1)), hours(1));
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999", now, hours(1)), hours(1));
}

TEST(ParseRetryAfterTest, ReadsTheThreeHttpDateFormsRelativeToNow) {
  // Sun, 06 Nov 1994 08:49:37 GMT minus 90 seconds.
  const auto date = sys_days(std::chrono::year(1994) / 11 / 6) + hours(8) +
                    std::chrono::minutes(49) + seconds(37);
  const auto now = std::chrono::system_clock::time_point(date - seconds(90));
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now, hours(1)), seconds(90));
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", now, hours(1)), seconds(90));
  EXPECT_EQ(ParseRetryAfter("Sun Nov  6 08:49:37 1994", now, hours(1)), seconds(90));
  // In the past: no wait. Far ahead: the cap.
  EXPECT_EQ(ParseRetryAfter("Sat, 05 Nov 1994 08:49:37 GMT", now, hours(1)), seconds(0));
  EXPECT_EQ(ParseRetryAfter("Mon, 06 Nov 2034 08:49:37 GMT", now, hours(1)), hours(1));
}

TEST(ParseRetryAfterTest, RejectsAnythingElse) {
  const auto now = std::chrono::system_clock::now();
  for (const char* bad :
       {"", "soon", "-5", "1.5", "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 CET"}) {
    EXPECT_EQ(ParseRetryAfter(bad, now, hours(1)), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace bulwark::upload
