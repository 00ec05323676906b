#include "agent/probes/posture/firewall_rules.h"

#include <gtest/gtest.h>

#include <chrono>

namespace bulwark {
namespace {

// A minimal `nft -j list ruleset` document around the given chain/rule objects.
std::string Ruleset(const std::string& items) {
  return R"({"nftables":[{"metainfo":{"version":"1.0.6","json_schema_version":1}},)" + items + "]}";
}

std::string Chain(const std::string& family, const std::string& table, const std::string& name,
                  const std::string& hook, const std::string& policy) {
  std::string c = R"({"chain":{"family":")" + family + R"(","table":")" + table + R"(","name":")" +
                  name + R"(","handle":1)";
  if (!hook.empty()) {
    c += R"(,"type":"filter","hook":")" + hook + R"(","prio":0,"policy":")" + policy + R"(")";
  }
  return c + "}}";
}

std::string Rule(const std::string& family, const std::string& table, const std::string& chain,
                 const std::string& expr) {
  return R"({"rule":{"family":")" + family + R"(","table":")" + table + R"(","chain":")" + chain +
         R"(","handle":2,"expr":)" + expr + "}}";
}

constexpr char kEstablished[] =
    R"([{"match":{"op":"in","left":{"ct":{"key":"state"}},"right":["established","related"]}},)"
    R"({"accept":null}])";

TEST(NftRulesetTest, InetPolicyDrop) {
  auto a = AnalyzeNftRuleset(Ruleset(R"({"table":{"family":"inet","name":"filter","handle":1}},)" +
                                     Chain("inet", "filter", "input", "input", "drop") + "," +
                                     Rule("inet", "filter", "input", kEstablished)));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_TRUE(a->filtering());
  EXPECT_TRUE(a->ipv4_drop);
  EXPECT_TRUE(a->ipv6_drop);
  EXPECT_EQ(a->default_inbound(), "drop");
  ASSERT_EQ(a->input_chains.size(), 1u);
  EXPECT_EQ(a->input_chains[0].rules, 1u);
  EXPECT_EQ(a->tables, (std::vector<std::string>{"inet filter"}));
}

TEST(NftRulesetTest, LastRuleRejectWithCounter) {
  auto a = AnalyzeNftRuleset(Ruleset(
      Chain("inet", "f", "input", "input", "accept") + "," +
      Rule("inet", "f", "input", kEstablished) + "," +
      Rule(
          "inet", "f", "input",
          R"([{"counter":{"packets":0,"bytes":0}},{"reject":{"type":"icmpx","expr":"admin-prohibited"}}])")));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->default_inbound(), "drop");
  EXPECT_EQ(a->input_chains[0].fallthrough, "drop");
}

TEST(NftRulesetTest, EarlyUnconditionalAcceptWins) {
  auto a = AnalyzeNftRuleset(Ruleset(Chain("inet", "f", "input", "input", "drop") + "," +
                                     Rule("inet", "f", "input", R"([{"accept":null}])") + "," +
                                     Rule("inet", "f", "input", R"([{"drop":null}])")));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->default_inbound(), "accept");
}

TEST(NftRulesetTest, FollowsJumpsAndGotos) {
  // firewalld-like: input jumps to a zone dispatcher that goes to the zone chain.
  const std::string base =
      Chain("inet", "firewalld", "filter_INPUT", "input", "accept") + "," +
      Chain("inet", "firewalld", "filter_INPUT_ZONES", "", "") + "," +
      Chain("inet", "firewalld", "filter_IN_public", "", "") + "," +
      Rule("inet", "firewalld", "filter_INPUT", kEstablished) + "," +
      Rule("inet", "firewalld", "filter_INPUT", R"([{"jump":{"target":"filter_INPUT_ZONES"}}])") +
      ",";
  const std::string zones = Rule("inet", "firewalld", "filter_INPUT_ZONES",
                                 R"([{"goto":{"target":"filter_IN_public"}}])");
  auto reject = AnalyzeNftRuleset(
      Ruleset(base + zones + "," +
              Rule("inet", "firewalld", "filter_INPUT", R"([{"reject":{"type":"icmpx"}}])")));
  ASSERT_TRUE(reject.ok());
  EXPECT_EQ(reject->default_inbound(), "drop");
  auto accept_zone = AnalyzeNftRuleset(Ruleset(
      base + zones + "," + Rule("inet", "firewalld", "filter_IN_public", R"([{"accept":null}])") +
      "," + Rule("inet", "firewalld", "filter_INPUT", R"([{"reject":null}])")));
  ASSERT_TRUE(accept_zone.ok());
  EXPECT_EQ(accept_zone->default_inbound(), "accept");
}

TEST(NftRulesetTest, JumpLoopsTerminate) {
  auto a = AnalyzeNftRuleset(Ruleset(Chain("ip", "t", "input", "input", "drop") + "," +
                                     Chain("ip", "t", "a", "", "") + "," +
                                     Chain("ip", "t", "b", "", "") + "," +
                                     Rule("ip", "t", "input", R"([{"jump":{"target":"a"}}])") +
                                     "," + Rule("ip", "t", "a", R"([{"jump":{"target":"b"}}])") +
                                     "," + Rule("ip", "t", "b", R"([{"jump":{"target":"a"}}])")));
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->ipv4_drop);
  EXPECT_FALSE(a->ipv6_drop);  // an ip table does not cover IPv6
  EXPECT_EQ(a->default_inbound(), "accept");
}

TEST(NftRulesetTest, SeparateFamiliesCombine) {
  auto a = AnalyzeNftRuleset(Ruleset(Chain("ip", "filter", "INPUT", "input", "drop") + "," +
                                     Chain("ip6", "filter", "INPUT", "input", "drop") + "," +
                                     Chain("ip", "nat", "PREROUTING", "prerouting", "accept")));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->input_chains.size(), 2u);
  EXPECT_EQ(a->default_inbound(), "drop");
}

TEST(NftRulesetTest, EmptyRulesetIsNotFiltering) {
  auto a = AnalyzeNftRuleset(R"({"nftables":[{"metainfo":{"version":"1.0.6"}}]})");
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->filtering());
  EXPECT_EQ(a->default_inbound(), "accept");
}

TEST(NftRulesetTest, MalformedInputIsAnError) {
  std::string deep(10000, '[');
  for (const std::string& bad :
       {std::string(""), std::string("not json"), std::string("[]"),
        std::string(R"({"nftables":{}})"), deep, std::string("{\"nftables\":[\xff\xfe]}")}) {
    EXPECT_FALSE(AnalyzeNftRuleset(bad).ok());
  }
  // Wrong-typed members inside a valid document are skipped, not fatal.
  auto odd = AnalyzeNftRuleset(R"({"nftables":[1,"x",{"chain":5},{"rule":{"expr":7}},)"
                               R"({"chain":{"family":"inet","hook":"input","policy":9}}]})");
  ASSERT_TRUE(odd.ok());
}

TEST(NftRulesetTest, HugeRulesetIsLinear) {
  std::string items = Chain("inet", "f", "input", "input", "accept");
  for (int i = 0; i < 30000; ++i) items += "," + Rule("inet", "f", "input", kEstablished);
  items += "," + Rule("inet", "f", "input", R"([{"drop":null}])");
  const auto start = std::chrono::steady_clock::now();
  auto a = AnalyzeNftRuleset(Ruleset(items));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->input_chains[0].rules, 30001u);
  EXPECT_EQ(a->default_inbound(), "drop");
}

TEST(IptablesTest, ListRulesFormat) {
  auto s = ParseIptablesChain(
      "-P INPUT DROP\n-P FORWARD DROP\n-P OUTPUT ACCEPT\n-N ufw-before-input\n"
      "-A INPUT -j ufw-before-input\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j "
      "ACCEPT\n",
      "INPUT");
  EXPECT_TRUE(s.found);
  EXPECT_EQ(s.policy, "drop");
  EXPECT_EQ(s.rules, 2u);
  EXPECT_FALSE(s.first_unconditional.has_value());
  EXPECT_EQ(s.fallthrough(), "drop");
}

TEST(IptablesTest, SaveFormatAndUnconditionalRules) {
  auto s = ParseIptablesChain(
      "*nat\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP\nCOMMIT\n"
      "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
      "-A INPUT -i lo -j ACCEPT\n"
      "-A INPUT -m comment --comment \"default deny\" -j REJECT --reject-with "
      "icmp-host-prohibited\n"
      "-A INPUT -j ACCEPT\nCOMMIT\n",
      "INPUT");
  EXPECT_EQ(s.policy, "accept");
  EXPECT_EQ(s.rules, 3u);
  EXPECT_EQ(s.first_unconditional, "drop");
  EXPECT_EQ(s.fallthrough(), "drop");
  EXPECT_FALSE(ParseIptablesChain("garbage\n\x01\x02", "INPUT").found);
}

TEST(FirewalldZoneTest, TargetAttribute) {
  EXPECT_EQ(
      ParseFirewalldZoneTarget("<?xml version=\"1.0\"?>\n<zone>\n<short>Public</short></zone>"),
      "default");
  EXPECT_EQ(ParseFirewalldZoneTarget("<zone version=\"1\" target='DROP'><short/></zone>"), "DROP");
  EXPECT_EQ(
      ParseFirewalldZoneTarget("<!-- <zone target=\"ACCEPT\"> -->\n<zone target=\"%%REJECT%%\">"),
      "%%REJECT%%");
  EXPECT_EQ(ParseFirewalldZoneTarget("<zones target=\"ACCEPT\"/>"), std::nullopt);
  EXPECT_EQ(ParseFirewalldZoneTarget(""), std::nullopt);
  EXPECT_EQ(FirewalldTargetVerdict("ACCEPT"), "accept");
  EXPECT_EQ(FirewalldTargetVerdict("default"), "drop");
  EXPECT_EQ(FirewalldTargetVerdict("%%REJECT%%"), "drop");
  EXPECT_EQ(FirewalldTargetVerdict("CONTINUE"), std::nullopt);
}

TEST(InboundVerdictTest, Table) {
  EXPECT_EQ(InboundVerdict("DROP"), "drop");
  EXPECT_EQ(InboundVerdict("reject"), "drop");
  EXPECT_EQ(InboundVerdict(" ACCEPT "), "accept");
  EXPECT_EQ(InboundVerdict("RETURN"), std::nullopt);
}

}  // namespace
}  // namespace bulwark
