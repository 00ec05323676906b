#include "platform/windows/wmi_values.h"

#include <gtest/gtest.h>

#include "agent/base/time_util.h"

namespace bulwark {
namespace {

TEST(WmiValuesTest, ReadsIntegersInEveryFormWmiDeliversThem) {
  WmiRow row{{"i4", std::int64_t{-2144272384}},
             {"u8", std::uint64_t{42}},
             {"str64", std::string("18446744073")},
             {"bad", std::string("12x")},
             {"null", std::monostate{}},
             {"flag", true}};
  EXPECT_EQ(WmiInt(row, "i4"), -2144272384);
  EXPECT_EQ(WmiInt(row, "u8"), 42);
  EXPECT_EQ(WmiInt(row, "str64"), 18446744073);
  EXPECT_FALSE(WmiInt(row, "bad").has_value());
  EXPECT_FALSE(WmiInt(row, "null").has_value());
  EXPECT_FALSE(WmiInt(row, "missing").has_value());
  EXPECT_EQ(WmiBool(row, "flag"), true);
  EXPECT_FALSE(WmiBool(row, "i4").has_value());
  EXPECT_EQ(WmiStrings(row, "bad"), std::vector<std::string>{"12x"});
}

TEST(WmiValuesTest, HexCodeTakesNegativeI4ModuloTwoToThe32) {
  EXPECT_EQ(HexCode(-2144272384), "0x80310000");
  EXPECT_EQ(HexCode(0x8004100E), "0x8004100E");
  EXPECT_EQ(HexCode(5), "0x00000005");
}

TEST(WmiValuesTest, MethodOutcomeNamesMethodAndCode) {
  EXPECT_TRUE(MethodOutcome(WmiRow{{"ReturnValue", std::int64_t{0}}}, "GetLockStatus").ok());
  Status s = MethodOutcome(WmiRow{{"ReturnValue", std::int64_t{0x80310008}}}, "GetLockStatus");
  EXPECT_EQ(s.message(), "GetLockStatus returned 0x80310008 (FVE_E_NOT_ACTIVATED)");
  EXPECT_FALSE(MethodOutcome(WmiRow{}, "GetLockStatus").ok());
  Status denied = MethodOutcome(Result<WmiRow>(PermissionDeniedError("0x80041003")), "M");
  EXPECT_EQ(denied.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(denied.message(), "M: 0x80041003");
}

TEST(WmiValuesTest, ObjectPathEscapesBackslashesAndQuotes) {
  EXPECT_EQ(WmiObjectPath("Win32_EncryptableVolume", "DeviceID", "\\\\?\\Volume{x}\\"),
            "Win32_EncryptableVolume.DeviceID=\"\\\\\\\\?\\\\Volume{x}\\\\\"");
  EXPECT_EQ(WmiObjectPath("C", "K", "a\"b"), "C.K=\"a\\\"b\"");
}

TEST(WmiValuesTest, ParsesCimDateTimeWithOffsetToUtc) {
  auto t = ParseCimDateTime("20261128101200.000000+060");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(FormatRfc3339(*t), "2026-11-28T09:12:00Z");
  auto west = ParseCimDateTime("20261128041200.123456-300");
  ASSERT_TRUE(west.has_value());
  EXPECT_EQ(FormatRfc3339(*west), "2026-11-28T09:12:00Z");
  EXPECT_FALSE(ParseCimDateTime("00000001000000.000000:000").has_value());
  EXPECT_FALSE(ParseCimDateTime("2026-11-28").has_value());
  EXPECT_FALSE(ParseCimDateTime("20261328101200.000000+060").has_value());
}

TEST(WmiValuesTest, ParsesHotfixInstalledOnInTheFormsWindowsWrites) {
  auto day = [](const std::string& text) -> std::string {
    auto t = ParseHotfixInstalledOn(text);
    return t ? FormatRfc3339(*t) : std::string("none");
  };
  EXPECT_EQ(day("11/12/2026"), "2026-11-12T00:00:00Z");  // M/D/YYYY
  EXPECT_EQ(day("2/3/2026"), "2026-02-03T00:00:00Z");
  EXPECT_EQ(day(" 12/31/2025 "), "2025-12-31T00:00:00Z");
  EXPECT_EQ(day("20261112"), "2026-11-12T00:00:00Z");
  EXPECT_EQ(day("01dd728c944c5000"), "2026-11-12T00:00:00Z");  // FILETIME 10:00 UTC, hex
  EXPECT_EQ(day("01DD728C944C5000"), "2026-11-12T00:00:00Z");
}

TEST(WmiValuesTest, RejectsHotfixDatesThatCouldBeReadTwoWaysOrAreInvalid) {
  for (const char* bad : {"", "12.11.2026", "2026-11-12", "13/1/2026", "2/30/2026", "11/12/26",
                          "111/1/2026", "1/1/1970", "20261340", "ffffffffffffffff",
                          "0000000000000001", "01dd728c944c500g", "garbage"}) {
    EXPECT_FALSE(ParseHotfixInstalledOn(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace bulwark
