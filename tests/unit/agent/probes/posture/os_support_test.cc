#include "agent/probes/posture/os_support.h"

#include <gtest/gtest.h>

#include "agent/base/time_util.h"
#include "agent/probes/os_release.h"
#include "agent/probes/posture/civil_time.h"

namespace bulwark {
namespace {

SystemTime At(const char* rfc3339) { return *ParseRfc3339(rfc3339); }

TEST(OsSupportTest, BuiltinTable) {
  const auto debian = ParseOsRelease("ID=debian\nVERSION_ID=\"12\"\n");
  auto s = EvaluateOsSupport(debian, At("2026-11-28T16:00:00Z"));
  EXPECT_EQ(s.supported, true);
  EXPECT_EQ(s.support_end, "2028-06-30");
  EXPECT_EQ(s.source, "builtin");
  EXPECT_FALSE(s.reason.has_value());
  EXPECT_EQ(EvaluateOsSupport(debian, At("2028-06-30T23:59:59Z")).supported, true);
  EXPECT_EQ(EvaluateOsSupport(debian, At("2028-07-01T00:00:00Z")).supported, false);
  const auto buster = ParseOsRelease("ID=debian\nVERSION_ID=\"10\"\n");
  EXPECT_EQ(EvaluateOsSupport(buster, At("2026-11-28T16:00:00Z")).supported, false);
  const auto rhel = ParseOsRelease("ID=\"rhel\"\nVERSION_ID=\"9.4\"\n");
  EXPECT_EQ(EvaluateOsSupport(rhel, At("2026-11-28T16:00:00Z")).support_end, "2032-05-31");
  EXPECT_EQ(BuiltinSupportEnd("ubuntu", "22.04"), "2027-05-31");
  EXPECT_EQ(BuiltinSupportEnd("ubuntu", "22"), std::nullopt);
}

TEST(OsSupportTest, SupportEndFieldWins) {
  const auto fedora = ParseOsRelease("ID=fedora\nVERSION_ID=40\nSUPPORT_END=2025-05-13\n");
  auto s = EvaluateOsSupport(fedora, At("2026-11-28T16:00:00Z"));
  EXPECT_EQ(s.supported, false);
  EXPECT_EQ(s.support_end, "2025-05-13");
  EXPECT_EQ(s.source, "os-release");
}

TEST(OsSupportTest, UnknownReleasesAreNullWithReason) {
  for (const char* text : {"ID=debian\n", "ID=arch\nBUILD_ID=rolling\n", "ID=plan9\nVERSION_ID=4\n",
                           "", "ID=fedora\nVERSION_ID=99\nSUPPORT_END=never\n"}) {
    auto s = EvaluateOsSupport(ParseOsRelease(text), At("2026-11-28T16:00:00Z"));
    EXPECT_FALSE(s.supported.has_value()) << text;
    EXPECT_TRUE(s.reason.has_value()) << text;
  }
}

TEST(CivilTimeTest, IsoDatesAndDayDifferences) {
  EXPECT_EQ(FormatRfc3339(*ParseIsoDate("2024-02-29")), "2024-02-29T00:00:00Z");
  EXPECT_FALSE(ParseIsoDate("2023-02-29").has_value());
  EXPECT_FALSE(ParseIsoDate("2023-13-01").has_value());
  EXPECT_FALSE(ParseIsoDate("2023-1-01").has_value());
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_DOUBLE_EQ(DaysBetween(At("2026-11-26T16:00:00Z"), At("2026-11-28T04:00:00Z")), 1.5);
}

}  // namespace
}  // namespace bulwark
