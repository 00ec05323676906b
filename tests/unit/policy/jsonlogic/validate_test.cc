// ValidateRule: the sign/lint/verify-time check of a policy condition.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <string_view>

#include "policy/jsonlogic/jsonlogic.h"

namespace bulwark::jsonlogic {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

Status Validate(std::string_view rule) { return ValidateRule(json::parse(rule)); }

TEST(ValidateRuleTest, AcceptsPolicyConditions) {
  for (const char* rule : {
           R"({"===": [{"var": "endpoint_protection.firewall.enabled"}, true]})",
           R"({"all": [{"filter": [{"var": "disk_encryption.volumes"},
                              {"==": [{"var": "role"}, "system"]}]},
                       {"===": [{"var": "encrypted"}, true]}]})",
           R"({"and": [{"in": [{"var": "os.id"}, ["debian", "ubuntu"]]},
                       {">=": [{"var": "disk.key_bits"}, 256]},
                       {"!": {"missing": ["os.version"]}}]})",
           R"({"reduce": [{"var": "xs"}, {"+": [{"var": "current"}, {"var": "accumulator"}]}, 0]})",
           R"({"if": [{"var": "a"}, {"cat": ["x", {"substr": [{"var": "b"}, -3]}]}, null]})",
           R"({"<": [0, {"var": "n"}, 10]})",
           R"({"missing_some": [1, ["a", "b"]]})",
           R"({"var": ["x", {}]})",
           "true",
           "null",
           "[1, {\"var\": \"x\"}]",
       }) {
    Status status = Validate(rule);
    EXPECT_TRUE(status.ok()) << rule << ": " << status.ToString();
  }
}

TEST(ValidateRuleTest, RejectsUnknownOperatorsWithTheirLocation) {
  Status status = Validate(R"({"and": [true, {"or": [false, {"regex_match": ["a", "b"]}]}]})");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("unknown operator 'regex_match'"));
  EXPECT_THAT(status.message(), HasSubstr("/and/1/or/1"));

  // Even where evaluation would never reach it.
  EXPECT_EQ(Validate(R"({"if": [false, {"throw": "x"}, 1]})").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Validate(R"({"map": [[1], {"exec": "rm -rf /"}]})").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Validate(R"({"Var": "x"})").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Validate(R"([{"": 1}])").code(), StatusCode::kInvalidArgument);
}

TEST(ValidateRuleTest, RejectsMultiMemberObjectsThatWouldBeAlwaysTrueConstants) {
  Status status = Validate(R"({"==": [{"var": "x"}, 1], "comment": "typo"})");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("exactly one member"));
  EXPECT_EQ(Validate(R"({"or": [{"a": 1, "b": 2}]})").code(), StatusCode::kInvalidArgument);
}

TEST(ValidateRuleTest, RejectsShapesThatCanNeverEvaluate) {
  for (const char* rule : {
           R"({"==": [1]})",
           R"({">": 1})",
           R"({"<=": []})",
           R"({"and": true})",
           R"({"or": {"var": "x"}})",
           R"({"if": "apple"})",
           R"({"map": [{"var": "xs"}]})",
           R"({"map": [null, {"var": ""}]})",
           R"({"filter": [{"var": "xs"}, null]})",
           R"({"reduce": [{"var": "xs"}, null, 0]})",
           R"({"reduce": [{"var": "xs"}, 1, 2, 3]})",
           R"({"all": "xs"})",
           R"({"some": [5, true]})",
           R"({"none": [{"a": 1, "b": 2}, true]})",
           R"({"%": [1]})",
           R"({"-": []})",
           R"({"/": []})",
           R"({"max": []})",
           R"({"!": [1, 2]})",
           R"({"var": ["a", 1, 2]})",
           R"({"in": ["a"]})",
           R"({"missing_some": [1]})",
           R"({"substr": []})",
           R"({"substr": ["a", 1, 2, 3]})",
       }) {
    Status status = Validate(rule);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << rule << ": " << status.ToString();
  }
}

TEST(ValidateRuleTest, ErrorsNameTheOperatorAndProblem) {
  Status status = Validate(R"({"all": [{"var": "v"}, {">": [{"var": "n"}]}]})");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("'>' at /all/1"));
  EXPECT_THAT(status.message(), HasSubstr("at least 2 operands"));
}

}  // namespace
}  // namespace bulwark::jsonlogic
