#include "policy/bundle/strict_base64.h"

#include <gtest/gtest.h>

#include <string>

namespace bulwark::bundle {
namespace {

struct DecodeCase {
  const char* name;
  std::string text;
  bool ok;
  std::string bytes;  // expected output when ok
};

class StrictBase64DecodeTest : public ::testing::TestWithParam<DecodeCase> {};

TEST_P(StrictBase64DecodeTest, AcceptsOnlyCanonicalPaddedText) {
  const DecodeCase& c = GetParam();
  Result<std::string> out = DecodeStrictBase64(c.text);
  ASSERT_EQ(out.ok(), c.ok) << "'" << c.text << "': " << out.status().ToString();
  if (c.ok) {
    EXPECT_EQ(*out, c.bytes);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, StrictBase64DecodeTest,
    ::testing::Values(
        DecodeCase{"Empty", "", true, ""}, DecodeCase{"OneByte", "Zg==", true, "f"},
        DecodeCase{"TwoBytes", "Zm8=", true, "fo"}, DecodeCase{"ThreeBytes", "Zm9v", true, "foo"},
        DecodeCase{"SixBytes", "Zm9vYmFy", true, "foobar"},
        DecodeCase{"StandardPlusSlash", "+/+/", true, "\xfb\xff\xbf"},
        DecodeCase{"UrlSafeMinusUnderscore", "-_-_", true, "\xfb\xff\xbf"},
        DecodeCase{"AllZeroBits", "AAAA", true, std::string(3, '\0')},
        DecodeCase{"UnpaddedOneByte", "Zg", false, ""},
        DecodeCase{"UnpaddedTwoBytes", "Zm8", false, ""},
        DecodeCase{"SinglePadOnOneByteGroup", "Zg=", false, ""},
        DecodeCase{"TriplePad", "Z===", false, ""}, DecodeCase{"OnlyPadding", "====", false, ""},
        DecodeCase{"PadInTheMiddle", "Zg==Zm9v", false, ""},
        DecodeCase{"PadThenData", "Zm=v", false, ""},
        DecodeCase{"NonZeroPadBitsOneByte", "Zh==", false, ""},
        DecodeCase{"NonZeroPadBitsTwoBytes", "Zm9=", false, ""},
        DecodeCase{"EmbeddedNewline", "Zm9v\nYmFy", false, ""},
        DecodeCase{"CrLfWrapped", "Zm9v\r\nYmFy", false, ""},
        DecodeCase{"TrailingNewline", "Zm9v\n", false, ""},
        DecodeCase{"LeadingSpace", " Zm9v", false, ""}, DecodeCase{"Tab", "Zm9v\tAAA", false, ""},
        DecodeCase{"IllegalStar", "Zm*v", false, ""}, DecodeCase{"IllegalDot", "Zm.v", false, ""},
        DecodeCase{"NulByte", std::string("Zm\0v", 4), false, ""},
        DecodeCase{"NonAscii", "Zm\xc3\xa9v", false, ""},
        DecodeCase{"MixedPlusAndMinus", "+-AA", false, ""},
        DecodeCase{"MixedSlashAndUnderscore", "A/_A", false, ""},
        DecodeCase{"MixedAcrossGroups", "AAA+AAA_", false, ""}),
    [](const ::testing::TestParamInfo<DecodeCase>& param_info) { return param_info.param.name; });

TEST(StrictBase64Test, ReportsTheAlphabetUsed) {
  Base64Alphabet a = Base64Alphabet::kUrlSafe;
  ASSERT_TRUE(DecodeStrictBase64("+/+/", &a).ok());
  EXPECT_EQ(a, Base64Alphabet::kStandard);
  ASSERT_TRUE(DecodeStrictBase64("-_-_", &a).ok());
  EXPECT_EQ(a, Base64Alphabet::kUrlSafe);
  ASSERT_TRUE(DecodeStrictBase64("Zm9v", &a).ok());
  EXPECT_EQ(a, Base64Alphabet::kStandard);
}

TEST(StrictBase64Test, EncodeRoundTripsEveryLengthInBothAlphabets) {
  std::string bytes;
  for (int n = 0; n < 40; ++n) {
    for (const Base64Alphabet alphabet : {Base64Alphabet::kStandard, Base64Alphabet::kUrlSafe}) {
      const std::string text = EncodeBase64(bytes, alphabet);
      EXPECT_EQ(text.size() % 4, 0u);
      Result<std::string> back = DecodeStrictBase64(text);
      ASSERT_TRUE(back.ok()) << text;
      EXPECT_EQ(*back, bytes);
    }
    bytes.push_back(static_cast<char>(0xfb - n * 7));
  }
}

TEST(StrictBase64Test, EncodesRfc4648Vectors) {
  EXPECT_EQ(EncodeBase64(""), "");
  EXPECT_EQ(EncodeBase64("f"), "Zg==");
  EXPECT_EQ(EncodeBase64("fo"), "Zm8=");
  EXPECT_EQ(EncodeBase64("foo"), "Zm9v");
  EXPECT_EQ(EncodeBase64("foob"), "Zm9vYg==");
  EXPECT_EQ(EncodeBase64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(EncodeBase64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(EncodeBase64("\xfb\xff\xbf", Base64Alphabet::kUrlSafe), "-_-_");
}

// Whole groups are decoded without a check per symbol; a bad symbol anywhere must still fail,
// with the offset of the first one, whether it sits in a whole group or in the last one.
TEST(StrictBase64Test, ReportsTheFirstBadSymbolWhereverItSits) {
  const std::string good = EncodeBase64(std::string(47, '\x5a'));  // 64 symbols, one '='
  ASSERT_EQ(good.size(), 64u);
  for (std::size_t i = 0; i + 1 < good.size(); ++i) {
    for (const char bad : {'*', '\n', '\0', '\x80', '='}) {
      // A '=' just before the final one is valid "==" padding, not a misplaced one.
      if (bad == '=' && i == good.size() - 2) continue;
      std::string text = good;
      text[i] = bad;
      Result<std::string> out = DecodeStrictBase64(text);
      ASSERT_FALSE(out.ok()) << i;
      const std::string why = bad == '=' ? "misplaced padding" : "character outside the alphabet";
      EXPECT_EQ(out.status().message(), "base64: " + why + " at offset " + std::to_string(i));
    }
  }
  // Mixed alphabets: the offset of the symbol that completes the mix.
  std::string mixed = std::string(40, 'A') + "+" + std::string(20, 'A') + "_AA";
  Result<std::string> out = DecodeStrictBase64(mixed);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "base64: standard and URL-safe alphabets mixed at offset 61");
  // Both problems: the earlier one wins, and a bad symbol beats non-zero padding bits.
  out = DecodeStrictBase64("AAA*AA_+Zh==");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "base64: character outside the alphabet at offset 3");
  out = DecodeStrictBase64("AAAAZ*==");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "base64: character outside the alphabet at offset 5");
  out = DecodeStrictBase64("AAAA+_==");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "base64: standard and URL-safe alphabets mixed at offset 5");
  out = DecodeStrictBase64("AAAAZh==");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "base64: non-zero padding bits at offset 5");
}

TEST(StrictBase64Test, RoundTripsLongInputsOfEveryByte) {
  std::string bytes;
  for (int i = 0; i < 30000; ++i) bytes.push_back(static_cast<char>((i * 131 + i / 256) & 0xFF));
  for (const std::size_t cut : {30000u, 29999u, 29998u}) {
    const std::string_view part = std::string_view(bytes).substr(0, cut);
    for (const Base64Alphabet alphabet : {Base64Alphabet::kStandard, Base64Alphabet::kUrlSafe}) {
      Base64Alphabet seen = alphabet == Base64Alphabet::kStandard ? Base64Alphabet::kUrlSafe
                                                                  : Base64Alphabet::kStandard;
      Result<std::string> back = DecodeStrictBase64(EncodeBase64(part, alphabet), &seen);
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      EXPECT_EQ(*back, part);
      EXPECT_EQ(seen, alphabet);
    }
  }
}

}  // namespace
}  // namespace bulwark::bundle
