#include "agent/base/strings.h"

#include <gtest/gtest.h>

namespace bulwark {
namespace {

TEST(StringsTest, TrimAndSplit) {
  EXPECT_EQ(TrimWhitespace("  a b \t\n"), "a b");
  EXPECT_EQ(TrimWhitespace(" \t "), "");
  EXPECT_EQ(Split("a::b", ':'), (std::vector<std::string_view>{"a", "", "b"}));
  EXPECT_EQ(Split("", ':'), (std::vector<std::string_view>{""}));
  EXPECT_EQ(SplitWhitespace("  a \t b\nc  "), (std::vector<std::string_view>{"a", "b", "c"}));
  EXPECT_TRUE(SplitWhitespace("   ").empty());
  EXPECT_EQ(SplitLines("a\nb\n"), (std::vector<std::string_view>{"a", "b"}));
  EXPECT_EQ(SplitLines("a\n\nb"), (std::vector<std::string_view>{"a", "", "b"}));
  EXPECT_TRUE(SplitLines("").empty());
}

TEST(StringsTest, ParseUint64RejectsAnythingButDigits) {
  EXPECT_EQ(ParseUint64("0"), 0u);
  EXPECT_EQ(ParseUint64("18446744073709551615"), 18446744073709551615u);
  EXPECT_EQ(ParseUint64("18446744073709551616"), std::nullopt);
  EXPECT_EQ(ParseUint64(""), std::nullopt);
  EXPECT_EQ(ParseUint64("-1"), std::nullopt);
  EXPECT_EQ(ParseUint64(" 1"), std::nullopt);
  EXPECT_EQ(ParseUint64("1x"), std::nullopt);
}

TEST(StringsTest, UnescapeOctalDecodesKernelEscapes) {
  EXPECT_EQ(UnescapeOctal("/media/USB\\040STICK"), "/media/USB STICK");
  EXPECT_EQ(UnescapeOctal("a\\011b\\012c\\134d"), "a\tb\nc\\d");
  EXPECT_EQ(UnescapeOctal("bad\\09x"), "bad\\09x");
  EXPECT_EQ(UnescapeOctal("end\\04"), "end\\04");
  EXPECT_EQ(UnescapeOctal("\\"), "\\");
}

TEST(StringsTest, CaseAndJoin) {
  EXPECT_EQ(AsciiLower("LUKS2-Äb"), "luks2-Äb");
  EXPECT_EQ(Join({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(Join({}, ","), "");
  EXPECT_TRUE(StartsWith("CRYPT-LUKS2", "CRYPT-"));
  EXPECT_FALSE(StartsWith("CRY", "CRYPT-"));
  EXPECT_TRUE(EndsWith("sda:loop", ":loop"));
}

}  // namespace
}  // namespace bulwark
