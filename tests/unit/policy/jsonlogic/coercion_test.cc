// Table tests for the JavaScript coercions the evaluator is built on.
#include "policy/jsonlogic/coercion.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace bulwark::jsonlogic {
namespace {

namespace json = boost::json;

json::value J(std::string_view text) { return json::parse(text); }

TEST(StringToNumberTest, AcceptsJavaScriptNumericLiterals) {
  struct Row {
    const char* text;
    double expected;
  };
  const Row rows[] = {
      {"", 0},
      {"   ", 0},
      {"0", 0},
      {"12", 12},
      {" 12\n", 12},
      {"-1", -1},
      {"+3", 3},
      {"1.5", 1.5},
      {"-1.5", -1.5},
      {".5", 0.5},
      {"5.", 5},
      {"1e2", 100},
      {"1E+2", 100},
      {"2.5e-1", 0.25},
      {"0x1A", 26},
      {"0X1a", 26},
      {"0b101", 5},
      {"0o17", 15},
      {"007", 7},
      {"1e-400", 0},
      {"\xC2\xA0"
       "8",
       8},  // a no-break space is JavaScript whitespace
  };
  for (const Row& row : rows) {
    std::optional<double> got = StringToNumber(row.text);
    ASSERT_TRUE(got.has_value()) << '"' << row.text << '"';
    EXPECT_EQ(*got, row.expected) << '"' << row.text << '"';
  }
}

TEST(StringToNumberTest, RejectsWhatJavaScriptCallsNaNAndNonFiniteValues) {
  for (const char* text : {"abc",      "A",         "1a",  "1e",    ".",          "e5",   "--1",
                           "+-1",      "1 2",       "0x",  "0xG",   "-0x10",      "0b2",  "1_000",
                           "Infinity", "-Infinity", "NaN", "1e400", "2024-01-01", "true", "null"}) {
    EXPECT_FALSE(StringToNumber(text).has_value()) << '"' << text << '"';
  }
}

TEST(ToNumberTest, CoercesScalarsAndRefusesContainers) {
  EXPECT_EQ(ToNumber(J("null")), 0.0);
  EXPECT_EQ(ToNumber(J("true")), 1.0);
  EXPECT_EQ(ToNumber(J("false")), 0.0);
  EXPECT_EQ(ToNumber(J("-7")), -7.0);
  EXPECT_EQ(ToNumber(J("18446744073709551615")), 18446744073709551615.0);
  EXPECT_EQ(ToNumber(J("\"42\"")), 42.0);
  EXPECT_FALSE(ToNumber(J("[1]")).has_value());
  EXPECT_FALSE(ToNumber(J("[]")).has_value());
  EXPECT_FALSE(ToNumber(J("{}")).has_value());
  EXPECT_FALSE(ToNumber(json::value(std::numeric_limits<double>::quiet_NaN())).has_value());
  EXPECT_FALSE(ToNumber(json::value(std::numeric_limits<double>::infinity())).has_value());
}

TEST(NumberToJsonTest, KeepsIntegersIntegralWithinTwoToThe53) {
  EXPECT_TRUE(NumberToJson(3.0).is_int64());
  EXPECT_EQ(NumberToJson(3.0).get_int64(), 3);
  EXPECT_TRUE(NumberToJson(-0.0).is_int64());
  EXPECT_EQ(NumberToJson(-0.0).get_int64(), 0);
  EXPECT_TRUE(NumberToJson(9007199254740992.0).is_int64());
  EXPECT_TRUE(NumberToJson(0.5).is_double());
  EXPECT_TRUE(NumberToJson(1e300).is_double());
}

TEST(NumberToStringTest, FollowsEcmaScriptNumberToString) {
  struct Row {
    double value;
    const char* expected;
  };
  const Row rows[] = {
      {0, "0"},
      {-0.0, "0"},
      {1, "1"},
      {-1, "-1"},
      {1.5, "1.5"},
      {0.1, "0.1"},
      {0.1 + 0.2, "0.30000000000000004"},
      {123.456, "123.456"},
      {1e20, "100000000000000000000"},
      {1e21, "1e+21"},
      {1.5e21, "1.5e+21"},
      {123456789012345680000.0, "123456789012345680000"},
      {0.000001, "0.000001"},
      {1e-7, "1e-7"},
      {-1.5e-7, "-1.5e-7"},
      {9007199254740993.0, "9007199254740992"},
      {std::numeric_limits<double>::infinity(), "Infinity"},
      {std::numeric_limits<double>::quiet_NaN(), "NaN"},
  };
  for (const Row& row : rows) EXPECT_EQ(NumberToString(row.value), row.expected);
}

TEST(ToJsStringTest, RendersValuesLikeJavaScriptString) {
  EXPECT_EQ(ToJsString(J("null"), 8, 100), "null");
  EXPECT_EQ(ToJsString(J("true"), 8, 100), "true");
  EXPECT_EQ(ToJsString(J("42"), 8, 100), "42");
  EXPECT_EQ(ToJsString(J("2.0"), 8, 100), "2");
  EXPECT_EQ(ToJsString(J("18446744073709551615"), 8, 100), "18446744073709551615");
  EXPECT_EQ(ToJsString(J("\"x\""), 8, 100), "x");
  EXPECT_EQ(ToJsString(J("[1,[2,3],null,\"a\"]"), 8, 100), "1,2,3,,a");
  EXPECT_EQ(ToJsString(J("[]"), 8, 100), "");
  EXPECT_EQ(ToJsString(J("{\"a\":1}"), 8, 100), "[object Object]");
}

TEST(ToJsStringTest, FailsWhenTooDeepOrTooLong) {
  EXPECT_FALSE(ToJsString(J("[[[1]]]"), 2, 100).has_value());
  EXPECT_TRUE(ToJsString(J("[[[1]]]"), 3, 100).has_value());
  EXPECT_FALSE(ToJsString(J("\"abcdef\""), 8, 5).has_value());
  EXPECT_FALSE(ToJsString(J("[\"abc\",\"def\"]"), 8, 5).has_value());
}

TEST(CompareNumbersTest, IsExactForIntegersOfEitherKind) {
  EXPECT_EQ(CompareNumbers(J("9007199254740993"), J("9007199254740992")),
            std::partial_ordering::greater);
  EXPECT_EQ(CompareNumbers(J("-1"), J("18446744073709551615")), std::partial_ordering::less);
  EXPECT_EQ(CompareNumbers(J("18446744073709551615"), J("-1")), std::partial_ordering::greater);
  EXPECT_EQ(CompareNumbers(J("3"), J("3.0")), std::partial_ordering::equivalent);
  EXPECT_EQ(CompareNumbers(json::value(std::numeric_limits<double>::quiet_NaN()), J("1")),
            std::partial_ordering::unordered);
}

TEST(CompareLooseTest, OrdersStringsByBytesAndEverythingElseAsNumbers) {
  EXPECT_EQ(CompareLoose(J("\"a\""), J("\"b\"")), -1);
  EXPECT_EQ(CompareLoose(J("\"2023\""), J("\"2024-01-01\"")), -1);
  EXPECT_EQ(CompareLoose(J("\"21\""), J("3")), 1);
  EXPECT_EQ(CompareLoose(J("null"), J("0")), 0);
  EXPECT_EQ(CompareLoose(J("true"), J("1")), 0);
  EXPECT_EQ(CompareLoose(J("2023"), J("\"2024-01-01\"")), std::nullopt);
  EXPECT_EQ(CompareLoose(J("[]"), J("[1]")), std::nullopt);
  EXPECT_EQ(CompareLoose(J("{}"), J("1")), std::nullopt);
}

TEST(LooseEqualsTest, FollowsTheCompatTablesRules) {
  EXPECT_EQ(LooseEquals(J("1"), J("\"1\"")), true);
  EXPECT_EQ(LooseEquals(J("1"), J("true")), true);
  EXPECT_EQ(LooseEquals(J("0"), J("false")), true);
  EXPECT_EQ(LooseEquals(J("null"), J("null")), true);
  EXPECT_EQ(LooseEquals(J("null"), J("0")), true);  // compat-tables, unlike JavaScript
  EXPECT_EQ(LooseEquals(J("null"), J("false")), true);
  EXPECT_EQ(LooseEquals(J("null"), J("1")), false);
  EXPECT_EQ(LooseEquals(J("null"), J("\"\"")), false);
  EXPECT_EQ(LooseEquals(J("null"), J("[]")), false);
  EXPECT_EQ(LooseEquals(J("{}"), J("null")), false);
  EXPECT_EQ(LooseEquals(J("\"1.0\""), J("\"1\"")), false);
  EXPECT_EQ(LooseEquals(J("\"1.0\""), J("1")), true);
  EXPECT_EQ(LooseEquals(J("1"), J("\"A\"")), std::nullopt);
  EXPECT_EQ(LooseEquals(J("true"), J("\"yes\"")), std::nullopt);
  EXPECT_EQ(LooseEquals(J("[1]"), J("[1]")), std::nullopt);
  EXPECT_EQ(LooseEquals(J("[1]"), J("1")), std::nullopt);
}

TEST(StrictEqualsTest, ComparesTypeAndValueStructurally) {
  EXPECT_EQ(StrictEquals(J("1"), J("1.0"), 8), true);
  EXPECT_EQ(StrictEquals(J("1"), J("\"1\""), 8), false);
  EXPECT_EQ(StrictEquals(J("null"), J("0"), 8), false);
  EXPECT_EQ(StrictEquals(J("[1,{\"a\":2.0,\"b\":[]}]"), J("[1,{\"b\":[],\"a\":2}]"), 8), true);
  EXPECT_EQ(StrictEquals(J("[1,2]"), J("[2,1]"), 8), false);
  EXPECT_EQ(StrictEquals(J("{\"a\":1}"), J("{\"a\":1,\"b\":1}"), 8), false);
  EXPECT_EQ(StrictEquals(J("[[[1]]]"), J("[[[1]]]"), 2), std::nullopt);
}

}  // namespace
}  // namespace bulwark::jsonlogic
