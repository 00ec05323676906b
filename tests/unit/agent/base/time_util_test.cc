#include "agent/base/time_util.h"

#include <gtest/gtest.h>

namespace bulwark {
namespace {

TEST(TimeUtilTest, RoundTripsRfc3339) {
  auto t = ParseRfc3339("2026-11-28T16:00:05Z");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(FormatRfc3339(*t), "2026-11-28T16:00:05Z");
  EXPECT_EQ(FormatRfc3339(SystemTime{}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2024-02-29T23:59:59Z")), "2024-02-29T23:59:59Z");
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2261-12-31T23:59:59Z")), "2261-12-31T23:59:59Z");
}

TEST(TimeUtilTest, FormatTruncatesSubseconds) {
  auto t = *ParseRfc3339("2026-01-01T00:00:00Z") + std::chrono::milliseconds(999);
  EXPECT_EQ(FormatRfc3339(t), "2026-01-01T00:00:00Z");
}

TEST(TimeUtilTest, RejectsEverythingButTheExactForm) {
  for (const char* bad : {"", "2026-11-28", "2026-11-28T16:00:00", "2026-11-28T16:00:00+00:00",
                          "2026-11-28t16:00:00Z", "2026-11-28T16:00:00z", "2026-11-28T16:00:00.5Z",
                          "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
                          "2026-11-28T24:00:00Z", "2026-11-28T23:60:00Z", "2026-11-28T23:59:60Z",
                          "20x6-11-28T16:00:00Z", " 2026-11-28T16:00:00Z",
                          // Found by policy_fuzz: years past 2261 overflowed the nanosecond clock.
                          "2326-06-10T00:00:00Z", "9999-12-31T23:59:59Z", "1969-12-31T23:59:59Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace bulwark
