// Semantics of the evaluator beyond the conformance suites: number kinds, paths, operators the
// suites do not pin down, and the error reporting policy code relies on.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "policy/jsonlogic/jsonlogic.h"

namespace bulwark::jsonlogic {
namespace {

namespace json = boost::json;

json::value J(std::string_view text) { return json::parse(text); }

Result<json::value> EvalText(std::string_view rule, std::string_view data = "null") {
  return Evaluate(J(rule), J(data));
}

// The result serialized, or "error: <status>"; int64 and double serialize differently, so
// this also pins the number kind.
std::string Show(std::string_view rule, std::string_view data = "null") {
  Result<json::value> result = EvalText(rule, data);
  return result.ok() ? json::serialize(*result) : "error: " + result.status().ToString();
}

TEST(IsTruthyTest, FollowsJsonLogicTruthiness) {
  for (const char* falsy : {"null", "false", "0", "0.0", "-0.0", "\"\"", "[]"}) {
    EXPECT_FALSE(IsTruthy(J(falsy))) << falsy;
  }
  for (const char* truthy : {"true", "1", "-1", "0.5", "\"0\"", "\"false\"", "\" \"", "[0]", "[[]]",
                             "{}", "{\"a\":0}", "18446744073709551615"}) {
    EXPECT_TRUE(IsTruthy(J(truthy))) << truthy;
  }
}

TEST(EvaluatorTest, ReturnsIntegralResultsAsIntegers) {
  EXPECT_EQ(Show(R"({"+": [1.5, 1.5]})"), "3");
  EXPECT_EQ(Show(R"({"*": [0.5, 3]})"), "1.5E0");
  EXPECT_EQ(Show(R"({"-": [0]})"), "0");
  EXPECT_EQ(Show(R"({"/": [7, 2]})"), "3.5E0");
  EXPECT_EQ(Show(R"({"max": ["3", 2.0]})"), "3");
  EXPECT_EQ(Show(R"({"min": [1, "-2.5"]})"), "-2.5E0");
  // Values read from the data keep their kind.
  EXPECT_EQ(Show(R"({"var": "x"})", R"({"x": 2.0})"), "2E0");
}

TEST(EvaluatorTest, ArithmeticRejectsNonNumbersAndNonFiniteResults) {
  for (const char* rule : {R"({"+": ["1", "x"]})", R"({"*": [{}, 1]})", R"({"-": [[2], 1]})",
                           R"({"/": [1, 0]})", R"({"%": [5, 0]})", R"({"*": [1e308, 10]})",
                           R"({"max": []})", R"({"min": [1, "a"]})", R"({"+": "Infinity"})"}) {
    Result<json::value> result = EvalText(rule);
    ASSERT_FALSE(result.ok()) << rule;
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << rule;
  }
}

TEST(EvaluatorTest, VarWalksObjectsArraysAndLengths) {
  const char* data = R"({"a": {"b": [10, {"c": "deep"}], "n": null}, "s": "héllo", "0": "zero"})";
  EXPECT_EQ(Show(R"({"var": "a.b.1.c"})", data), "\"deep\"");
  EXPECT_EQ(Show(R"({"var": "a.b.length"})", data), "2");
  EXPECT_EQ(Show(R"({"var": "s.length"})", data), "5");
  EXPECT_EQ(Show(R"({"var": 0})", data), "\"zero\"");
  EXPECT_EQ(Show(R"({"var": "a.b.01"})", data), "null");  // not a canonical index
  EXPECT_EQ(Show(R"({"var": "a.b.-1"})", data), "null");
  EXPECT_EQ(Show(R"({"var": "a.b.2"})", data), "null");
  // A missing path takes the default; an explicit null leaf is found and is null.
  EXPECT_EQ(Show(R"({"var": ["a.x", "dflt"]})", data), "\"dflt\"");
  EXPECT_EQ(Show(R"({"var": ["a.n", "dflt"]})", data), "null");
  EXPECT_EQ(Show(R"({"var": ["a.n.deeper", "dflt"]})", data), "\"dflt\"");
  EXPECT_EQ(Show(R"({"var": [{"cat": ["a", ".b.0"]}]})", data), "10");
  EXPECT_EQ(Show(R"({"var": [[1]]})", data).substr(0, 24), "error: invalid_argument:");
}

TEST(EvaluatorTest, ValTakesOneKeyPerArgumentWithoutSplittingDots) {
  const char* data = R"({"a.b": 1, "a": {"b": 2}, "list": [5, 6]})";
  EXPECT_EQ(Show(R"({"val": "a.b"})", data), "1");
  EXPECT_EQ(Show(R"({"val": ["a", "b"]})", data), "2");
  EXPECT_EQ(Show(R"({"val": ["list", 1]})", data), "6");
  EXPECT_EQ(Show(R"({"val": ["a", "zz", "b"]})", data), "null");
  EXPECT_EQ(Show(R"({"val": []})", R"({"k": 1})"), R"({"k":1})");
  EXPECT_EQ(Show(R"({"val": [[1], "a"]})", data).substr(0, 24), "error: invalid_argument:");
}

TEST(EvaluatorTest, MissingTreatsNullAndEmptyStringAsMissing) {
  EXPECT_EQ(Show(R"({"missing": ["a", "b", "c", "d"]})", R"({"a": null, "b": "", "c": 0})"),
            R"(["a","b","d"])");
  EXPECT_EQ(Show(R"({"missing_some": [2, ["a", "b", "c"]]})", R"({"a": 1})"), R"(["b","c"])");
  EXPECT_EQ(Show(R"({"missing_some": [1, "a"]})").substr(0, 24), "error: invalid_argument:");
}

TEST(EvaluatorTest, UnknownOperatorFailsOnlyWhenReached) {
  Result<json::value> reached = EvalText(R"({"and": [true, {"frobnicate": [1]}]})");
  ASSERT_FALSE(reached.ok());
  EXPECT_EQ(reached.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(reached.status().message().find("unknown operator 'frobnicate'"), std::string::npos);
  EXPECT_EQ(Show(R"({"or": [true, {"frobnicate": [1]}]})"), "true");
}

TEST(EvaluatorTest, EveryKnownOperatorIsImplemented) {
  ASSERT_GE(KnownOperators().size(), 36u);
  for (std::string_view op : KnownOperators()) {
    EXPECT_TRUE(IsKnownOperator(op));
    json::object rule;
    rule[op] = json::array{1, 2};
    Result<json::value> result = Evaluate(json::value(std::move(rule)), json::value(nullptr));
    if (!result.ok()) {
      EXPECT_EQ(result.status().message().find("unknown operator"), std::string::npos) << op;
    }
  }
  EXPECT_FALSE(IsKnownOperator("throw"));
  EXPECT_FALSE(IsKnownOperator("VAR"));
  EXPECT_FALSE(IsKnownOperator(""));
}

TEST(EvaluatorTest, ObjectsWithoutExactlyOneMemberAreConstants) {
  EXPECT_EQ(Show(R"({})"), "{}");
  EXPECT_EQ(Show(R"({"a": 1, "b": {"var": "x"}})"), R"({"a":1,"b":{"var":"x"}})");
  EXPECT_EQ(Show(R"([{"var": "x"}, [{"var": "x"}]])", R"({"x": 7})"), "[7,[7]]");
}

TEST(EvaluatorTest, ReduceWithoutInitialStartsFromTheFirstElement) {
  EXPECT_EQ(Show(R"({"reduce": [[2, 3, 4], {"*": [{"var": "current"}, {"var": "accumulator"}]}]})"),
            "24");
  EXPECT_EQ(Show(R"({"reduce": [[], {"+": [{"var": "current"}, 1]}]})"), "null");
  EXPECT_EQ(Show(
                R"({"reduce": [{"var": "xs"},
                         {"merge": [{"var": "accumulator"}, [{"var": "current"}]]}, []]})",
                R"({"xs": [1, 2]})"),
            "[1,2]");
}

TEST(EvaluatorTest, IteratorsRejectNonArrayCollections) {
  for (const char* rule : {R"({"map": [5, {"var": ""}]})", R"({"filter": ["abc", true]})",
                           R"({"all": [{"var": "n"}, true]})", R"({"some": {"var": "xs"}})",
                           R"({"none": [{"var": "xs"}]})", R"({"map": [{"var": "o"}, 1]})"}) {
    Result<json::value> result = EvalText(rule, R"({"n": 5, "xs": [1], "o": {"a": 1}})");
    ASSERT_FALSE(result.ok()) << rule;
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << rule;
  }
}

TEST(EvaluatorTest, InSearchesStringsAndArraysStrictly) {
  EXPECT_EQ(Show(R"({"in": [1, ["1", 2]]})"), "false");
  EXPECT_EQ(Show(R"({"in": [2.0, ["1", 2]]})"), "true");
  EXPECT_EQ(Show(R"({"in": [[1], [[1], 2]]})"), "true");
  EXPECT_EQ(Show(R"({"in": [12, "a123"]})"), "true");
  EXPECT_EQ(Show(R"({"in": ["x", null]})"), "false");
  EXPECT_EQ(Show(R"({"in": ["x", 5]})").substr(0, 24), "error: invalid_argument:");
  EXPECT_EQ(Show(R"({"in": ["x"]})").substr(0, 24), "error: invalid_argument:");
}

TEST(EvaluatorTest, CatAndSubstrStringifyLikeJavaScript) {
  EXPECT_EQ(Show(R"({"cat": [[1, [2, 3]], "-", 1.5, "-", {}]})"), R"("1,2,3-1.5-[object Object]")");
  EXPECT_EQ(Show(R"({"substr": ["héllo wörld", 1, 4]})"), R"("éllo")");
  EXPECT_EQ(Show(R"({"substr": ["héllo wörld", -5]})"), R"("wörld")");
  EXPECT_EQ(Show(R"({"substr": ["abc", 1, null]})"), R"("")");
  EXPECT_EQ(Show(R"({"substr": ["abc", "x"]})").substr(0, 24), "error: invalid_argument:");
  EXPECT_EQ(Show(R"({"substr": ["abc", 1e300, -1e300]})"), R"("")");
}

TEST(EvaluatorTest, ComparisonsChainAndStopAtTheFirstFailure) {
  EXPECT_EQ(Show(R"({"<": [1, 2, 3, 4]})"), "true");
  EXPECT_EQ(Show(R"({"<=": [1, 1, 0, {"frobnicate": 1}]})"), "false");
  EXPECT_EQ(Show(R"({"==": [null, null, null]})"), "true");
  EXPECT_EQ(Show(R"({"===": [[1, {"a": 1, "b": [2]}], [1.0, {"b": [2.0], "a": 1.0}]]})"), "true");
  EXPECT_EQ(Show(R"({"!==": [{"a": 1, "b": 1}, {"a": 2, "b": 1}]})"), "true");
  EXPECT_EQ(Show(R"({"==": [null, ""]})"), "false");
  EXPECT_EQ(Show(R"({"==": [{"var": "o"}, null]})", R"({"o": {"a": 1}})"), "false");
}

TEST(EvaluatorTest, LogIsTheIdentityAndIfAliasesTernary) {
  EXPECT_EQ(Show(R"({"log": [{"+": [1, 2]}]})"), "3");
  EXPECT_EQ(Show(R"({"log": "x"})"), R"("x")");
  EXPECT_EQ(Show(R"({"?:": [false, 1, true, 2, 3]})"), "2");
}

TEST(EvaluatorTest, EvaluatesTheBundleSpecExampleOverFacts) {
  // The condition of SIGNED-BUNDLES.md's example check.
  const char* rule =
      R"({"all": [{"filter": [{"var": "disk_encryption.volumes"},
                              {"==": [{"var": "role"}, "system"]}]},
                  {"===": [{"var": "encrypted"}, true]}]})";
  EXPECT_EQ(Show(rule, R"({"disk_encryption": {"volumes": [
      {"role": "system", "encrypted": true}, {"role": "data", "encrypted": false}]}})"),
            "true");
  EXPECT_EQ(Show(rule, R"({"disk_encryption": {"volumes": [
      {"role": "system", "encrypted": false}]}})"),
            "false");
  // No system volume at all: `all` of nothing is false, so the check fails rather than passes.
  EXPECT_EQ(
      Show(rule, R"({"disk_encryption": {"volumes": [{"role": "data", "encrypted": true}]}})"),
      "false");
  EXPECT_EQ(Show(rule, R"({"disk_encryption": {"volumes": null}})"), "false");
}

TEST(EvaluatorTest, ResultsAreIndependentOfTheInputs) {
  json::value data = J(R"({"list": [1, 2]})");
  Result<json::value> result = Evaluate(J(R"({"var": "list"})"), data);
  ASSERT_TRUE(result.ok());
  data.get_object()["list"].get_array().push_back(3);
  EXPECT_EQ(json::serialize(*result), "[1,2]");
}

}  // namespace
}  // namespace bulwark::jsonlogic
