// EvaluateStrict: a null fact that reaches an operator needing a value is an error naming the
// fact (SPEC §5: such a rule is `error`, never `pass`), while explicit null checks, defaults,
// missing and truthiness tests keep working.
#include <gmock/gmock.h>
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
using ::testing::HasSubstr;

json::value J(std::string_view text) { return json::parse(text); }

Result<json::value> Strict(std::string_view rule, std::string_view data) {
  return EvaluateStrict(J(rule), J(data));
}

// Asserts that strict evaluation fails with the null-fact error for `fact` and that classic
// evaluation of the same rule does not fail.
void ExpectNullFact(std::string_view rule, std::string_view data, std::string_view fact) {
  Result<json::value> strict = Strict(rule, data);
  ASSERT_FALSE(strict.ok()) << rule << " gave " << json::serialize(*strict);
  EXPECT_EQ(strict.status().code(), StatusCode::kFailedPrecondition) << rule;
  EXPECT_THAT(strict.status().message(),
              HasSubstr("fact " + std::string(fact) + " is null/unknown"))
      << rule;
  EXPECT_TRUE(Evaluate(J(rule), J(data)).ok()) << rule;
}

std::string ShowStrict(std::string_view rule, std::string_view data) {
  Result<json::value> result = Strict(rule, data);
  return result.ok() ? json::serialize(*result) : "error: " + result.status().ToString();
}

TEST(EvaluateStrictTest, NullFactInStrictEqualityIsAnErrorNamingTheFact) {
  ExpectNullFact(R"({"===": [{"var": "encrypted"}, true]})", R"({"encrypted": null})", "encrypted");
  // Absent is as unknown as null.
  ExpectNullFact(R"({"===": [{"var": "encrypted"}, true]})", R"({})", "encrypted");
  ExpectNullFact(R"({"!==": [true, {"var": "a.b"}]})", R"({"a": {"b": null}})", "a.b");
  ExpectNullFact(R"({"==": [{"var": "x"}, 0]})", R"({"x": null})", "x");
  ExpectNullFact(R"({"!=": [{"var": "x"}, "on"]})", R"({})", "x");
  // Two unknown facts are not equal to each other either.
  ExpectNullFact(R"({"==": [{"var": "x"}, {"var": "y"}]})", R"({})", "x");
}

TEST(EvaluateStrictTest, ComparingAFactWithAnExplicitNullIsAllowed) {
  EXPECT_EQ(ShowStrict(R"({"==": [{"var": "x"}, null]})", R"({"x": null})"), "true");
  EXPECT_EQ(ShowStrict(R"({"==": [null, {"var": "x"}]})", R"({})"), "true");
  EXPECT_EQ(ShowStrict(R"({"===": [{"var": "x"}, null]})", R"({"x": null})"), "true");
  EXPECT_EQ(ShowStrict(R"({"!==": [{"var": "x"}, null]})", R"({"x": null})"), "false");
  EXPECT_EQ(ShowStrict(R"({"!=": [{"var": "x"}, null]})", R"({"x": "on"})"), "true");
  EXPECT_EQ(ShowStrict(R"({"===": [{"var": "x"}, null]})", R"({"x": false})"), "false");
}

TEST(EvaluateStrictTest, OrderingArithmeticAndStringOperatorsNeedAValue) {
  ExpectNullFact(R"({">=": [{"var": "key_bits"}, 256]})", R"({"key_bits": null})", "key_bits");
  ExpectNullFact(R"({"<": [1, {"var": "n"}, 3]})", R"({})", "n");
  ExpectNullFact(R"({"+": [{"var": "n"}, 1]})", R"({})", "n");
  ExpectNullFact(R"({"-": {"var": "n"}})", R"({})", "n");
  ExpectNullFact(R"({"*": [2, {"var": "n"}]})", R"({})", "n");
  ExpectNullFact(R"({"/": [{"var": "n"}, 2]})", R"({})", "n");
  ExpectNullFact(R"({"%": [{"var": "n"}, 2]})", R"({})", "n");
  ExpectNullFact(R"({"max": [{"var": "n"}, 2]})", R"({})", "n");
  ExpectNullFact(R"({"min": [{"var": "n"}]})", R"({})", "n");
  ExpectNullFact(R"({"cat": ["v", {"var": "os.version"}]})", R"({"os": {"version": null}})",
                 "os.version");
  ExpectNullFact(R"({"substr": [{"var": "s"}, 1]})", R"({})", "s");
  ExpectNullFact(R"({"in": [{"var": "scheme"}, ["luks1", "luks2"]]})", R"({})", "scheme");
  ExpectNullFact(R"({"in": ["x", {"var": "names"}]})", R"({"names": null})", "names");
  ExpectNullFact(R"({"var": {"var": "which"}})", R"({})", "which");
}

TEST(EvaluateStrictTest, NullCollectionIsAnErrorForEveryIterator) {
  const char* data = R"({"disk_encryption": {"volumes": null}})";
  for (const char* op : {"map", "filter"}) {
    std::string rule =
        std::string(R"({")") + op + R"(": [{"var": "disk_encryption.volumes"}, true]})";
    ExpectNullFact(rule, data, "disk_encryption.volumes");
  }
  ExpectNullFact(R"({"reduce": [{"var": "xs"}, {"var": "current"}, 0]})", R"({})", "xs");
  // The quantifiers fail on a null collection in classic mode too; strict mode names the fact.
  for (const char* op : {"all", "some", "none"}) {
    std::string rule =
        std::string(R"({")") + op + R"(": [{"var": "disk_encryption.volumes"}, true]})";
    Result<json::value> strict = Strict(rule, data);
    ASSERT_FALSE(strict.ok()) << rule;
    EXPECT_EQ(strict.status().code(), StatusCode::kFailedPrecondition) << rule;
    EXPECT_THAT(strict.status().message(),
                HasSubstr("fact disk_encryption.volumes is null/unknown"));
    EXPECT_EQ(Evaluate(J(rule), J(data)).status().code(), StatusCode::kInvalidArgument) << rule;
  }
}

TEST(EvaluateStrictTest, NamesTheFullPathOfAFactInsideAnIteratedArray) {
  const char* data = R"({"disk_encryption": {"volumes": [
      {"role": "system", "encrypted": true}, {"role": "data", "encrypted": null}]}})";
  ExpectNullFact(
      R"({"all": [{"var": "disk_encryption.volumes"}, {"===": [{"var": "encrypted"}, true]}]})",
      data, "disk_encryption.volumes.1.encrypted");
  // Through filter the elements are copies, so the path is relative to the element.
  ExpectNullFact(
      R"({"all": [{"filter": [{"var": "disk_encryption.volumes"},
                              {"==": [{"var": "role"}, "data"]}]},
                             {"===": [{"var": "encrypted"}, true]}]})",
      data, "encrypted");
}

TEST(EvaluateStrictTest, TheBundleSpecExampleErrsInsteadOfPassingOnUnknownFacts) {
  const char* rule =
      R"({"all": [{"filter": [{"var": "disk_encryption.volumes"},
                              {"==": [{"var": "role"}, "system"]}]},
                  {"===": [{"var": "encrypted"}, true]}]})";
  EXPECT_EQ(
      ShowStrict(rule,
                 R"({"disk_encryption": {"volumes": [{"role": "system", "encrypted": true}]}})"),
      "true");
  ExpectNullFact(rule,
                 R"({"disk_encryption": {"volumes": [{"role": "system", "encrypted": null}]}})",
                 "encrypted");
  ExpectNullFact(rule, R"({"disk_encryption": {"volumes": null}})", "disk_encryption.volumes");
  ExpectNullFact(rule, R"({})", "disk_encryption.volumes");
}

TEST(EvaluateStrictTest, DefaultsMissingAndTruthinessTestsAreNullTolerant) {
  EXPECT_EQ(ShowStrict(R"({">": [{"var": ["x", 5]}, 3]})", R"({})"), "true");
  EXPECT_EQ(ShowStrict(R"({"missing": ["x", "y"]})", R"({"x": null, "y": 1})"), R"(["x"])");
  EXPECT_EQ(ShowStrict(R"({"missing_some": [1, ["x", "y"]]})", R"({"x": null})"), R"(["x","y"])");
  EXPECT_EQ(ShowStrict(R"({"!": {"var": "x"}})", R"({"x": null})"), "true");
  EXPECT_EQ(ShowStrict(R"({"!!": [{"var": "x"}]})", R"({})"), "false");
  EXPECT_EQ(ShowStrict(R"({"if": [{"var": "x"}, "yes", "no"]})", R"({})"), R"("no")");
  EXPECT_EQ(ShowStrict(R"({"and": [{"var": "x"}, true]})", R"({})"), "null");
  EXPECT_EQ(ShowStrict(R"({"merge": [{"var": "x"}, [1]]})", R"({})"), "[null,1]");
  EXPECT_EQ(ShowStrict(R"({"var": "x"})", R"({"x": null})"), "null");
  // A non-null value passes straight through.
  EXPECT_EQ(ShowStrict(R"({"+": [{"var": "n"}, 1]})", R"({"n": 0})"), "1");
}

TEST(EvaluateStrictTest, ANullFactPassedOnByAndOrIfStillCounts) {
  ExpectNullFact(R"({"===": [{"or": [{"var": "a"}, {"var": "b"}]}, true]})", R"({})", "b");
  ExpectNullFact(R"({">": [{"if": [true, {"var": "n"}]}, 1]})", R"({})", "n");
  // An explicit null default is a literal, not a fact...
  EXPECT_EQ(ShowStrict(R"({"==": [{"var": ["x", null]}, 1]})", R"({})"), "false");
  // ...but a default cannot hide a fact that is present and null (json-logic-js returns the null).
  ExpectNullFact(R"({"==": [{"var": ["x", 0]}, 1]})", R"({"x": null})", "x");
}

}  // namespace
}  // namespace bulwark::jsonlogic
