// EvalLimits: hostile rules and data end in kResourceExhausted, never in a crash, a stack
// overflow or a run without bound.
#include <gtest/gtest.h>

#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "policy/jsonlogic/jsonlogic.h"

namespace bulwark::jsonlogic {
namespace {

namespace json = boost::json;

json::value J(std::string_view text) { return json::parse(text); }

// Wraps `inner` in a one-element array: [inner]. Moves, never copies, so building deep values
// stays linear.
json::value Wrap(json::value inner, const json::storage_ptr& storage) {
  json::array wrapper(storage);
  wrapper.emplace_back(std::move(inner));
  return json::value(std::move(wrapper), storage);
}

// {"!": [{"!": [ ... true ... ]}]} nested `levels` deep. Built on a monotonic resource so that
// destroying it does not recurse either.
json::value DeepNot(std::size_t levels, const json::storage_ptr& storage) {
  json::value rule(true, storage);
  for (std::size_t i = 0; i < levels; ++i) {
    json::array operands(storage);
    operands.emplace_back(std::move(rule));
    json::object wrapper(storage);
    wrapper["!"] = std::move(operands);
    rule = json::value(std::move(wrapper), storage);
  }
  return rule;
}

json::value Range(std::size_t n) {
  json::array items;
  items.reserve(n);
  for (std::size_t i = 0; i < n; ++i) items.push_back(static_cast<std::int64_t>(i));
  return json::value(std::move(items));
}

void ExpectExhausted(const Result<json::value>& result, std::string_view what) {
  ASSERT_FALSE(result.ok()) << what;
  EXPECT_EQ(result.status().code(), StatusCode::kResourceExhausted)
      << what << ": " << result.status().ToString();
}

TEST(EvalLimitsTest, TenThousandLevelsOfNestingFailBeforeRecursing) {
  json::monotonic_resource arena;
  json::storage_ptr storage(&arena);
  json::value rule = DeepNot(10000, storage);
  ExpectExhausted(Evaluate(rule, json::value(nullptr)), "evaluate");
  ExpectExhausted(EvaluateStrict(rule, json::value(nullptr)), "evaluate strict");
  Status valid = ValidateRule(rule);
  EXPECT_EQ(valid.code(), StatusCode::kResourceExhausted) << valid.ToString();

  json::value nested_arrays(true, storage);
  for (int i = 0; i < 10000; ++i) nested_arrays = Wrap(std::move(nested_arrays), storage);
  ExpectExhausted(Evaluate(nested_arrays, json::value(nullptr)), "nested rule arrays");
}

TEST(EvalLimitsTest, MaxDepthIsCappedSoNoConfigurationCanOverflowTheStack) {
  json::monotonic_resource arena;
  json::storage_ptr storage(&arena);
  EvalLimits unlimited;
  unlimited.max_depth = std::numeric_limits<std::size_t>::max();
  unlimited.max_operations = std::numeric_limits<std::uint64_t>::max();
  const json::value rule = DeepNot(100000, storage);
  Result<json::value> result = Evaluate(rule, json::value(nullptr), unlimited);
  ExpectExhausted(result, "100000 levels with an unlimited max_depth");
  EXPECT_NE(result.status().message().find(std::to_string(kMaxSupportedDepth)), std::string::npos);
  EXPECT_EQ(ValidateRule(rule, unlimited).code(), StatusCode::kResourceExhausted);
  Result<json::value> at_cap =
      Evaluate(DeepNot(kMaxSupportedDepth, storage), json::value(nullptr), unlimited);
  EXPECT_TRUE(at_cap.ok()) << at_cap.status().ToString();
}

TEST(EvalLimitsTest, NestingUpToMaxDepthEvaluates) {
  json::monotonic_resource arena;
  json::storage_ptr storage(&arena);
  EvalLimits limits;
  limits.max_depth = 64;
  // 64 operators: the outermost is at depth 0, the innermost at depth 63.
  Result<json::value> ok = Evaluate(DeepNot(64, storage), json::value(nullptr), limits);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(*ok, json::value(true));
  EXPECT_TRUE(ValidateRule(DeepNot(64, storage), limits).ok());
  ExpectExhausted(Evaluate(DeepNot(65, storage), json::value(nullptr), limits), "65 levels");
  EXPECT_EQ(ValidateRule(DeepNot(65, storage), limits).code(), StatusCode::kResourceExhausted);
}

TEST(EvalLimitsTest, DeeplyNestedDataCannotBeCopiedOrCompared) {
  json::monotonic_resource arena;
  json::storage_ptr storage(&arena);
  json::value deep(1, storage);
  for (int i = 0; i < 10000; ++i) deep = Wrap(std::move(deep), storage);
  json::object data(storage);
  data["deep"] = std::move(deep);
  const json::value facts(std::move(data), storage);
  ExpectExhausted(Evaluate(J(R"({"var": "deep"})"), facts), "copy");
  ExpectExhausted(Evaluate(J(R"({"var": ""})"), facts), "copy of the root");
  // A lookup that never copies the deep part is fine.
  Result<json::value> shallow = Evaluate(J(R"({"missing": ["deep"]})"), facts);
  ASSERT_TRUE(shallow.ok()) << shallow.status().ToString();
  EXPECT_EQ(*shallow, json::value(json::array()));
}

TEST(EvalLimitsTest, HugeReduceRunsOutOfOperations) {
  json::object data;
  data["xs"] = Range(10000);
  const json::value facts(std::move(data));
  const json::value sum =
      J(R"({"reduce": [{"var": "xs"}, {"+": [{"var": "current"}, {"var": "accumulator"}]}, 0]})");
  EvalLimits small;
  small.max_operations = 5000;
  ExpectExhausted(Evaluate(sum, facts, small), "reduce over 10000 with 5000 operations");

  EvalLimits generous;
  generous.max_operations = 1000000;
  Result<json::value> total = Evaluate(sum, facts, generous);
  ASSERT_TRUE(total.ok()) << total.status().ToString();
  EXPECT_EQ(*total, json::value(49995000));
}

TEST(EvalLimitsTest, CollectionsLongerThanMaxArrayLenAreRefused) {
  json::object data;
  data["xs"] = Range(20000);
  const json::value facts(std::move(data));
  EvalLimits limits;
  limits.max_operations = 10000000;  // so that the array limit is the one that trips
  for (const char* rule :
       {R"({"reduce": [{"var": "xs"}, {"var": "current"}, 0]})", R"({"map": [{"var": "xs"}, 1]})",
        R"({"all": [{"var": "xs"}, true]})", R"({"merge": [{"var": "xs"}, {"var": "xs"}]})",
        R"({"missing": {"var": "xs"}})"}) {
    ExpectExhausted(Evaluate(J(rule), facts, limits), rule);
  }
}

TEST(EvalLimitsTest, ExponentialGrowthStopsAtTheArrayAndStringLimits) {
  json::object object;
  object["xs"] = Range(40);
  const json::value data(std::move(object));
  ExpectExhausted(Evaluate(J(R"({"reduce": [{"var": "xs"},
                                            {"merge": [{"var": "accumulator"},
                                                       {"var": "accumulator"}]},
                                            [1]]})"),
                           data),
                  "doubling array");
  ExpectExhausted(Evaluate(J(R"({"reduce": [{"var": "xs"},
                                            {"cat": [{"var": "accumulator"},
                                                     {"var": "accumulator"}]},
                                            "ab"]})"),
                           data),
                  "doubling string");
}

TEST(EvalLimitsTest, NestedIterationIsChargedPerElement) {
  // 300 x 300 inner iterations against a budget of 100000.
  json::array rows;
  for (int i = 0; i < 300; ++i) {
    json::object row;
    row["cells"] = Range(300);
    rows.push_back(std::move(row));
  }
  json::object data;
  data["rows"] = std::move(rows);
  const json::value facts(std::move(data));
  ExpectExhausted(
      Evaluate(
          J(R"({"all": [{"var": "rows"}, {"all": [{"var": "cells"}, {">=": [{"var": ""}, 0]}]}]})"),
          facts),
      "300 x 300");
}

TEST(EvalLimitsTest, LongArgumentListsAreRefused) {
  json::array args;
  for (int i = 0; i < 20000; ++i) args.push_back(1);
  json::object rule;
  rule["+"] = std::move(args);
  ExpectExhausted(Evaluate(json::value(std::move(rule)), json::value(nullptr)), "20000 operands");
}

TEST(EvalLimitsTest, ZeroLimitsStillAnswerConstantsOnly) {
  EvalLimits none;
  none.max_depth = 0;
  Result<json::value> constant = Evaluate(J("42"), json::value(nullptr), none);
  ASSERT_TRUE(constant.ok());
  EXPECT_EQ(*constant, json::value(42));
  ExpectExhausted(Evaluate(J(R"({"!": true})"), json::value(nullptr), none), "max_depth 0");
  none = EvalLimits{};
  none.max_operations = 0;
  ExpectExhausted(Evaluate(J("42"), json::value(nullptr), none), "max_operations 0");
}

}  // namespace
}  // namespace bulwark::jsonlogic
