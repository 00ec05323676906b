#include "policy/bundle/strict_json.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

namespace bulwark::bundle {
namespace {

StrictJsonOptions Opts(std::size_t depth = 32, bool integers_only = true,
                       std::size_t max_string = 0) {
  StrictJsonOptions o;
  o.max_depth = depth;
  o.integers_only = integers_only;
  o.max_string_bytes = max_string;
  return o;
}

// Expects `text` to fail with `kind`.
void ExpectError(std::string_view text, JsonErrorKind kind, const StrictJsonOptions& o = Opts()) {
  auto r = ParseStrictJson(text, o);
  ASSERT_FALSE(r.ok()) << "accepted: " << text;
  EXPECT_EQ(r.error().kind, kind) << r.error().ToString();
}

boost::json::value ExpectOk(std::string_view text, const StrictJsonOptions& o = Opts()) {
  auto r = ParseStrictJson(text, o);
  if (!r.ok()) {
    ADD_FAILURE() << "rejected: " << text << ": " << r.error().ToString();
    return nullptr;
  }
  return r.value();
}

TEST(StrictJsonTest, ParsesOrdinaryDocuments) {
  const boost::json::value v =
      ExpectOk(R"( {"a": [1, -2, true, false, null, "x\n\u00e9"], "b": {}} )");
  EXPECT_EQ(boost::json::serialize(v), R"({"a":[1,-2,true,false,null,"x\né"],"b":{}})");
  EXPECT_EQ(ExpectOk("42"), boost::json::value(42));
  EXPECT_EQ(ExpectOk("\"s\""), boost::json::value("s"));
  EXPECT_EQ(ExpectOk("[]"), boost::json::value(boost::json::array()));
}

TEST(StrictJsonTest, RejectsDuplicateNamesAtEveryDepth) {
  ExpectError(R"({"a": 1, "a": 1})", JsonErrorKind::kDuplicateKey);
  ExpectError(R"({"x": {"y": [{"k": 1, "k": 2}]}})", JsonErrorKind::kDuplicateKey);
  ExpectError(R"([[[{"deep": {"v": 1, "w": 2, "v": 3}}]]])", JsonErrorKind::kDuplicateKey);
  // Names are compared after unescaping.
  ExpectError(R"({"a": 1, "\u0061": 2})", JsonErrorKind::kDuplicateKey);
  // The same name in different objects is fine.
  ExpectOk(R"({"a": {"a": 1}, "b": {"a": 2}})");
}

TEST(StrictJsonTest, RejectsByteOrderMark) {
  ExpectError("\xEF\xBB\xBF{}", JsonErrorKind::kEncoding);
  ExpectError(" \xEF\xBB\xBF{}", JsonErrorKind::kEncoding);
}

TEST(StrictJsonTest, ChecksDepthBeforeDescending) {
  // Exactly at the limit is fine; one more fails.
  ExpectOk("[[[[1]]]]", Opts(4));
  ExpectError("[[[[[1]]]]]", JsonErrorKind::kDepth, Opts(4));
  ExpectOk(R"({"a": {"b": [{}]}})", Opts(4));
  ExpectError(R"({"a": {"b": [{"c": {}}]}})", JsonErrorKind::kDepth, Opts(4));
  // A depth bomb (unterminated, a million levels) fails on level 33 with kDepth, not a
  // syntax error at the end and not a stack overflow.
  const std::string bomb(1000000, '[');
  auto r = ParseStrictJson(bomb, Opts(32));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, JsonErrorKind::kDepth);
  EXPECT_EQ(r.error().offset, 32u);
}

TEST(StrictJsonTest, RejectsNanAndInfinity) {
  for (const char* text : {"NaN", "[NaN]", "Infinity", "-Infinity", R"({"e": nan})", "[inf]"}) {
    ExpectError(text, JsonErrorKind::kSyntax, Opts(32, false));
  }
  // Out of double range is refused rather than becoming infinity.
  ExpectError("1e999", JsonErrorKind::kSyntax, Opts(32, false));
  ExpectError("-1e999", JsonErrorKind::kSyntax, Opts(32, false));
}

TEST(StrictJsonTest, RejectsTrailingData) {
  ExpectError(R"({"a": 1}{"b": 2})", JsonErrorKind::kSyntax);
  ExpectError(R"({"a": 1},)", JsonErrorKind::kSyntax);
  ExpectError("1 2", JsonErrorKind::kSyntax);
  ExpectError(std::string("{}\0", 3), JsonErrorKind::kSyntax);
  ExpectOk("{} \n\t\r ");
}

TEST(StrictJsonTest, RejectsSyntaxErrors) {
  for (const char* text :
       {"",       " ",          "{",        "[1,]",      R"({"a":1,})", "{'a': 1}",
        "{a: 1}", "[01]",       "[-]",      "[1.]",      "[.5]",        "[1e]",
        "[+1]",   "tru",        "nul",      R"("abc)",   R"("\x")",     R"("\u12G4")",
        "[1 2]",  R"({"a" 1})", "// c\n{}", "/* c */ {}"}) {
    ExpectError(text, JsonErrorKind::kSyntax);
  }
}

TEST(StrictJsonTest, RejectsInvalidUtf8) {
  for (const char* text : {
           "\"\xff\"",              // never valid
           "\"\x80\"",              // lone continuation byte
           "\"\xc3\"",              // truncated 2-byte sequence
           "\"\xe2\x82\"",          // truncated 3-byte sequence
           "\"\xf0\x9f\x98\"",      // truncated 4-byte sequence
           "\"\xc3\x28\"",          // bad continuation
           "\"\xf5\x80\x80\x80\"",  // lead byte above U+10FFFF range
           "\"\xf4\x90\x80\x80\"",  // U+110000
       }) {
    ExpectError(text, JsonErrorKind::kEncoding);
  }
  // Non-ASCII outside strings.
  ExpectError("[1,\xc3\xa9]", JsonErrorKind::kEncoding);
}

TEST(StrictJsonTest, RejectsOverlongEncodings) {
  for (const char* text : {
           "\"\xc0\x80\"",          // NUL in 2 bytes
           "\"\xc1\xbf\"",          // U+007F in 2 bytes
           "\"\xe0\x80\xaf\"",      // '/' in 3 bytes
           "\"\xe0\x9f\xbf\"",      // U+07FF in 3 bytes
           "\"\xf0\x80\x80\xaf\"",  // '/' in 4 bytes
           "\"\xf0\x8f\xbf\xbf\"",  // U+FFFF in 4 bytes
       }) {
    ExpectError(text, JsonErrorKind::kEncoding);
  }
}

TEST(StrictJsonTest, RejectsSurrogatesInUtf8AndUnpairedEscapes) {
  ExpectError("\"\xed\xa0\x80\"", JsonErrorKind::kEncoding);   // U+D800 as UTF-8
  ExpectError("\"\xed\xbf\xbf\"", JsonErrorKind::kEncoding);   // U+DFFF as UTF-8
  ExpectError(R"("\ud800")", JsonErrorKind::kEncoding);        // lone high
  ExpectError(R"("\udc00")", JsonErrorKind::kEncoding);        // lone low
  ExpectError(R"("\ud800x")", JsonErrorKind::kEncoding);       // high then text
  ExpectError(R"("\ud800\u0041")", JsonErrorKind::kEncoding);  // high then non-low
  ExpectError(R"("\udc00\ud800")", JsonErrorKind::kEncoding);  // reversed pair
  ExpectError(R"({"\ud800": 1})", JsonErrorKind::kEncoding);   // in a member name
  // A correct pair and the boundary code points are fine.
  EXPECT_EQ(ExpectOk(R"("\ud83d\ude00")"), boost::json::value("\xf0\x9f\x98\x80"));
  EXPECT_EQ(ExpectOk("\"\xf4\x8f\xbf\xbf\""), boost::json::value("\xf4\x8f\xbf\xbf"));
  EXPECT_EQ(ExpectOk("\"\xed\x9f\xbf\""), boost::json::value("\xed\x9f\xbf"));  // U+D7FF
  EXPECT_EQ(ExpectOk("\"\xee\x80\x80\""), boost::json::value("\xee\x80\x80"));  // U+E000
}

TEST(StrictJsonTest, RejectsControlCharactersInStrings) {
  ExpectError("\"a\nb\"", JsonErrorKind::kEncoding);
  ExpectError(std::string("\"a\0b\"", 5), JsonErrorKind::kEncoding);
  EXPECT_EQ(ExpectOk(R"("a\u0000b")"), boost::json::value(std::string("a\0b", 3)));
}

TEST(StrictJsonTest, IntegersOnlyRejectsFractionsAndExponents) {
  for (const char* text : {"11.0", "1e3", "1E3", "1e-2", "-0.5", R"({"v": [1, 2.5]})"}) {
    ExpectError(text, JsonErrorKind::kNotInteger, Opts(32, true));
  }
  EXPECT_EQ(ExpectOk("2.5", Opts(32, false)), boost::json::value(2.5));
  EXPECT_EQ(ExpectOk("1e3", Opts(32, false)), boost::json::value(1000.0));
}

TEST(StrictJsonTest, KeepsIntegerRangesAndHugeLiterals) {
  EXPECT_TRUE(ExpectOk("9223372036854775807").is_int64());
  EXPECT_TRUE(ExpectOk("-9223372036854775808").is_int64());
  const boost::json::value u = ExpectOk("18446744073709551615");
  ASSERT_TRUE(u.is_uint64());
  EXPECT_EQ(u.get_uint64(), UINT64_MAX);
  // 2^64 is written as an integer, so integers_only accepts it; it becomes a double that no
  // schema integer check accepts.
  const boost::json::value big = ExpectOk("18446744073709551616");
  EXPECT_TRUE(big.is_double());
  EXPECT_TRUE(ExpectOk("-9223372036854775809").is_double());
  EXPECT_EQ(ExpectOk("-0"), boost::json::value(0));
}

TEST(StrictJsonTest, EnforcesTheStringLimitOnValuesAndNames) {
  ExpectOk("\"" + std::string(16, 'a') + "\"", Opts(32, true, 16));
  ExpectError("\"" + std::string(17, 'a') + "\"", JsonErrorKind::kStringTooLong,
              Opts(32, true, 16));
  ExpectError("{\"" + std::string(17, 'k') + "\": 1}", JsonErrorKind::kStringTooLong,
              Opts(32, true, 16));
}

TEST(StrictJsonTest, MapsErrorsToReasonCodes) {
  const auto reason = [](std::string_view text, Reason parse) {
    auto r = ParseStrictJson(text, Opts(2));
    return JsonErrorToRejection(r.error(), parse).reason;
  };
  EXPECT_EQ(reason(R"({"a":1,"a":2})", Reason::kPayloadParse), Reason::kDuplicateKey);
  EXPECT_EQ(reason("[[[1]]]", Reason::kPayloadParse), Reason::kDepth);
  EXPECT_EQ(reason("[1.5]", Reason::kPayloadParse), Reason::kPayloadParse);
  EXPECT_EQ(reason("\xEF\xBB\xBF[]", Reason::kEnvelopeParse), Reason::kEnvelopeParse);
  EXPECT_EQ(reason("{", Reason::kEnvelopeParse), Reason::kEnvelopeParse);
}

// The duplicate check switches from a linear scan to an index once an object has more than 16
// members; both sides of the switch must find every repeat and report no false ones.
TEST(StrictJsonTest, FindsDuplicatesInLargeObjects) {
  const auto object = [](std::size_t n, const std::string& extra) {
    std::string text = "{";
    for (std::size_t i = 0; i < n; ++i)
      text += "\"k" + std::to_string(i) + "\": " + std::to_string(i) + ",";
    return text + extra + "}";
  };
  for (const std::size_t n : {15u, 16u, 17u, 40u, 1000u}) {
    const boost::json::value v = ExpectOk(object(n, R"("last": 0)"));
    ASSERT_TRUE(v.is_object());
    EXPECT_EQ(v.get_object().size(), n + 1);
    // A repeat of the first, the middle and the last member before it.
    for (const std::size_t dup : {std::size_t{0}, n / 2, n - 1}) {
      ExpectError(object(n, "\"k" + std::to_string(dup) + "\": 1"), JsonErrorKind::kDuplicateKey);
    }
    // Written with an escape, the repeated name is still the same name.
    ExpectError(object(n, R"("\u006b0": 1)"), JsonErrorKind::kDuplicateKey);
  }
  // The offset names the repeated member.
  const std::string text = object(20, R"("k3": 1)");
  auto r = ParseStrictJson(text, Opts());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().offset, text.rfind("\"k3\""));
  EXPECT_EQ(r.error().message, "duplicate member name 'k3'");
}

// Names written with escapes are decoded into a buffer the next string reuses; the names
// remembered for duplicate detection must not change when it does.
TEST(StrictJsonTest, RemembersEscapedNamesAcrossLaterStrings) {
  ExpectError(R"({"\u0061": 1, "b": "\n\t", "c": {"\u0078": "\u0079"}, "a": 2})",
              JsonErrorKind::kDuplicateKey);
  ExpectError(R"({"\u0061\u0062": 1, "x": "ab", "ab": 2})", JsonErrorKind::kDuplicateKey);
  std::string big = "{";
  for (int i = 0; i < 30; ++i) big += "\"\\u0061" + std::to_string(i) + "\": \"v\\n\",";
  ExpectOk(big + R"("z": 0})");
  ExpectError(big + R"("a7": 0})", JsonErrorKind::kDuplicateKey);
  // Names of finished inner objects do not leak into the outer one, and vice versa.
  ExpectOk(R"({"a": {"b": 1, "c": {"a": 2, "b": 3}}, "b": {"a": {"a": {}}}, "c": [{"a": 1}]})");
  ExpectError(R"({"a": {"b": 1}, "b": 2, "a": 3})", JsonErrorKind::kDuplicateKey);
  const boost::json::value v = ExpectOk(R"({"a\"b": "c\\d", "\u00e9": {"\ud83d\ude00": []}})");
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v.at("a\"b"), boost::json::value("c\\d"));
  EXPECT_TRUE(v.at("\xc3\xa9").at("\xf0\x9f\x98\x80").is_array());
}

// Strings are scanned eight bytes at a time; every byte class must be found at every offset
// within a word, and plain bytes (including the neighbours of the special ones) kept exactly.
TEST(StrictJsonTest, ScansEveryByteClassAtEveryAlignment) {
  std::string plain;
  for (int c = 0x20; c < 0x80; ++c) {
    if (c != '"' && c != '\\') plain.push_back(static_cast<char>(c));
  }
  for (std::size_t lead = 0; lead < 17; ++lead) {
    const std::string prefix(lead, 'x');
    // All plain ASCII (0x20-0x7F but '"' and '\\') survives unchanged.
    EXPECT_EQ(ExpectOk("\"" + prefix + plain + "\""), boost::json::value(prefix + plain));
    // Escapes, multi-byte UTF-8 and the closing quote after `lead` plain bytes.
    EXPECT_EQ(ExpectOk("\"" + prefix + "\\n" + prefix + "\""),
              boost::json::value(prefix + "\n" + prefix));
    EXPECT_EQ(ExpectOk("\"" + prefix + "\xc3\xa9" + prefix + "\""),
              boost::json::value(prefix + "\xc3\xa9" + prefix));
    EXPECT_EQ(ExpectOk("[\"" + prefix + "\", \"" + prefix + "\"]"),
              boost::json::value({prefix, prefix}));
    // Every control character and every invalid lead byte is refused wherever it sits.
    for (int c = 0; c < 0x20; ++c) {
      ExpectError("\"" + prefix + static_cast<char>(c) + "yyyyyyyyyy\"", JsonErrorKind::kEncoding);
    }
    for (const char* bad : {"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xf5\x80\x80\x80", "\xff"}) {
      ExpectError("\"" + prefix + bad + "yyyyyyyyyy\"", JsonErrorKind::kEncoding);
    }
    ExpectError("\"" + prefix, JsonErrorKind::kSyntax);  // unterminated
  }
}

TEST(StrictJsonTest, CountsDecodedBytesAgainstTheStringLimit) {
  // "\u00e9" is 6 bytes of text but 2 decoded bytes; "é" is 2 bytes either way.
  ExpectOk("\"" + std::string(14, 'a') + "\\u00e9\"", Opts(32, true, 16));
  ExpectError("\"" + std::string(15, 'a') + "\\u00e9\"", JsonErrorKind::kStringTooLong,
              Opts(32, true, 16));
  ExpectOk("\"" + std::string(14, 'a') + "\xc3\xa9\"", Opts(32, true, 16));
  ExpectError("\"" + std::string(15, 'a') + "\xc3\xa9\"", JsonErrorKind::kStringTooLong,
              Opts(32, true, 16));
  // Eight escapes decode to eight bytes: at the limit, not over it.
  ExpectOk(R"("\n\n\n\n\n\n\n\n")", Opts(32, true, 8));
  ExpectError(R"("\n\n\n\n\n\n\n\n\n")", JsonErrorKind::kStringTooLong, Opts(32, true, 8));
  ExpectError("{\"a\": [\"" + std::string(17, 'v') + "\"]}", JsonErrorKind::kStringTooLong,
              Opts(32, true, 16));
}

// Containers are built at their final size from a value stack whose first slots are inline;
// large and deeply mixed documents must come out exactly as Boost's own parser builds them.
TEST(StrictJsonTest, BuildsTheSameDocumentAsBoost) {
  std::string big_array = "[";
  for (int i = 0; i < 5000; ++i) big_array += std::to_string(i * 7 - 9000) + ",";
  big_array += "{\"k\": [[], {}, [{}], \"s\"]}]";
  std::string nested;
  for (int i = 0; i < 16; ++i) nested += "{\"a" + std::to_string(i) + "\": [1, ";
  nested += "null";
  for (int i = 0; i < 16; ++i) nested += "]}";  // depth 32
  for (const std::string& text :
       {big_array, nested, std::string(R"({"a": [true, false, null, -1, 18446744073709551615]})"),
        std::string(R"([{}, [], "", {"": ""}, [[[]]]])")}) {
    EXPECT_EQ(ExpectOk(text), boost::json::parse(text)) << text.substr(0, 80);
  }
  for (const char* name : {"linux-workstation.json", "windows-workstation.json"}) {
    std::ifstream in(std::string(BULWARK_SOURCE_DIR) + "/policy/baselines/" + name);
    std::stringstream text;
    text << in.rdbuf();
    ASSERT_FALSE(text.str().empty()) << name;
    EXPECT_EQ(ExpectOk(text.str(), Opts(32, true, 64 * 1024)), boost::json::parse(text.str()))
        << name;
  }
}

}  // namespace
}  // namespace bulwark::bundle
