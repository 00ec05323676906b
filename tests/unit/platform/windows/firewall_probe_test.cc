// FirewallProbe against a fake INetFwPolicy2 seam and recorded Security Center rows.
#include <gtest/gtest.h>

#include "platform/windows/windows_probes.h"
#include "tests/unit/platform/windows/fake_windows_system.h"

namespace bulwark {
namespace {

FirewallProfileState State(bool enabled, std::int64_t inbound, std::int64_t outbound = 1) {
  FirewallProfileState s;
  s.enabled = enabled;
  s.default_inbound = inbound;
  s.default_outbound = outbound;
  return s;
}

void AllOnAndBlocking(FakeWindowsSystem& sys) {
  auto& fw = sys.fake_firewall();
  fw.profiles.insert_or_assign(FirewallProfile::kDomain, State(true, 0));
  fw.profiles.insert_or_assign(FirewallProfile::kPrivate, State(true, 0));
  fw.profiles.insert_or_assign(FirewallProfile::kPublic, State(true, 0));
  fw.current = std::uint32_t{1};
  sys.fake_wmi().AddRows("ROOT\\SecurityCenter2", "FirewallProduct", {});
}

FactsDocument RunProbe(FakeWindowsSystem& sys) {
  FactsDocument facts;
  ProbeRegistry registry;
  registry.Add(NewFirewallProbe(sys));
  registry.CollectAll(facts);
  return facts;
}

TEST(FirewallProbeTest, AllProfilesOnAndBlockingMatchesTheFixture) {
  FakeWindowsSystem sys;
  AllOnAndBlocking(sys);
  FactsDocument facts = RunProbe(sys);
  const FirewallFacts& fw = facts.endpoint_protection.firewall;
  EXPECT_EQ(fw.enabled, true);
  EXPECT_EQ(fw.backend, "windows");
  EXPECT_EQ(fw.default_inbound, "drop");
  EXPECT_FALSE(fw.reason.has_value());
  boost::json::object domain{
      {"enabled", true}, {"default_inbound", "drop"}, {"default_outbound", "accept"}};
  EXPECT_EQ(fw.extra.at("profiles").at("domain"), domain);
  EXPECT_EQ(fw.extra.at("profiles").at("public"), domain);
  EXPECT_EQ(fw.extra.at("active_profiles"), (boost::json::array{"domain"}));
  EXPECT_EQ(fw.extra.at("security_center_firewalls"), boost::json::array{});
}

TEST(FirewallProbeTest, MixedProfilesAreNotEnabledAndAcceptInbound) {
  FakeWindowsSystem sys;
  AllOnAndBlocking(sys);
  sys.fake_firewall().profiles.insert_or_assign(FirewallProfile::kPublic, State(false, 0));
  sys.fake_firewall().current = std::uint32_t{2 | 4};
  FactsDocument facts = RunProbe(sys);
  const FirewallFacts& fw = facts.endpoint_protection.firewall;
  EXPECT_EQ(fw.enabled, false);
  EXPECT_EQ(fw.default_inbound, "accept");  // the public profile is off: inbound gets in
  EXPECT_EQ(fw.extra.at("profiles").at("public").at("enabled"), false);
  EXPECT_EQ(fw.extra.at("profiles").at("public").at("default_inbound"), "drop");
  EXPECT_EQ(fw.extra.at("active_profiles"), (boost::json::array{"private", "public"}));
}

TEST(FirewallProbeTest, OneProfileAllowingInboundMakesDefaultInboundAccept) {
  FakeWindowsSystem sys;
  AllOnAndBlocking(sys);
  sys.fake_firewall().profiles.insert_or_assign(FirewallProfile::kPrivate, State(true, 1, 0));
  FactsDocument facts = RunProbe(sys);
  const FirewallFacts& fw = facts.endpoint_protection.firewall;
  EXPECT_EQ(fw.enabled, true);
  EXPECT_EQ(fw.default_inbound, "accept");
  EXPECT_EQ(fw.extra.at("profiles").at("private").at("default_outbound"), "drop");
}

TEST(FirewallProbeTest, UnreadableProfileLeavesAggregatesUnknownUnlessDecided) {
  FakeWindowsSystem sys;
  AllOnAndBlocking(sys);
  sys.fake_firewall().profiles.insert_or_assign(
      FirewallProfile::kDomain, UnavailableError("0x800706D9 (EPT_S_NOT_REGISTERED)"));
  FactsDocument facts = RunProbe(sys);
  const FirewallFacts& fw = facts.endpoint_protection.firewall;
  EXPECT_FALSE(fw.enabled.has_value());
  EXPECT_FALSE(fw.default_inbound.has_value());
  EXPECT_TRUE(fw.extra.at("profiles").at("domain").at("enabled").is_null());
  ASSERT_TRUE(fw.reason.has_value());
  EXPECT_NE(fw.reason->find("domain profile not read: 0x800706D9"), std::string::npos);
  // One profile off decides both aggregates even when another is unknown.
  sys.fake_firewall().profiles.insert_or_assign(FirewallProfile::kPublic, State(false, 0));
  FactsDocument again = RunProbe(sys);
  EXPECT_EQ(again.endpoint_protection.firewall.enabled, false);
  EXPECT_EQ(again.endpoint_protection.firewall.default_inbound, "accept");
}

TEST(FirewallProbeTest, UnknownInboundActionIsNullWithReason) {
  FakeWindowsSystem sys;
  AllOnAndBlocking(sys);
  sys.fake_firewall().profiles.insert_or_assign(FirewallProfile::kPrivate, State(true, 2));
  const FirewallFacts fw = RunProbe(sys).endpoint_protection.firewall;
  EXPECT_EQ(fw.enabled, true);
  EXPECT_FALSE(fw.default_inbound.has_value());
  EXPECT_TRUE(fw.extra.at("profiles").at("private").at("default_inbound").is_null());
  EXPECT_NE(fw.reason->find("unknown DefaultInboundAction 2"), std::string::npos);
}

TEST(FirewallProbeTest, NoProfileReadableFailsTheProbe) {
  FakeWindowsSystem sys;  // no profile answers: kNotFound from the fake policy
  FactsDocument facts = RunProbe(sys);
  ASSERT_EQ(facts.probe_errors.size(), 1u);
  EXPECT_EQ(facts.probe_errors[0].probe, "endpoint_protection.firewall");
  const FirewallFacts& fw = facts.endpoint_protection.firewall;
  EXPECT_FALSE(fw.enabled.has_value());
  EXPECT_FALSE(fw.default_inbound.has_value());
  EXPECT_EQ(fw.backend, "windows");
  EXPECT_NE(fw.reason->find("INetFwPolicy2"), std::string::npos);
}

TEST(FirewallProbeTest, ListsThirdPartyFirewallsWithoutChangingEnabled) {
  FakeWindowsSystem sys;
  AllOnAndBlocking(sys);
  sys.fake_wmi().AddRows(
      "ROOT\\SecurityCenter2", "FirewallProduct",
      {{{"displayName", std::string("Contoso Firewall")}, {"productState", std::int64_t{266256}}},
       {{"displayName", std::string("Old Firewall")}, {"productState", std::int64_t{262144}}}});
  const FirewallFacts fw = RunProbe(sys).endpoint_protection.firewall;
  EXPECT_EQ(fw.enabled, true);
  EXPECT_EQ(
      fw.extra.at("security_center_firewalls"),
      (boost::json::array{boost::json::object{{"product", "Contoso Firewall"}, {"enabled", true}},
                          boost::json::object{{"product", "Old Firewall"}, {"enabled", false}}}));
}

TEST(FirewallProbeTest, NoSecurityCenterLeavesThirdPartyListNull) {
  FakeWindowsSystem sys;
  AllOnAndBlocking(sys);
  sys.fake_wmi().FailQuery("ROOT\\SecurityCenter2", "FirewallProduct",
                           NotFoundError("ROOT\\SecurityCenter2: 0x8004100E"));
  sys.fake_firewall().current = UnavailableError("0x80070005");
  const FirewallFacts fw = RunProbe(sys).endpoint_protection.firewall;
  EXPECT_EQ(fw.enabled, true);
  EXPECT_TRUE(fw.extra.at("security_center_firewalls").is_null());
  EXPECT_TRUE(fw.extra.at("active_profiles").is_null());
  EXPECT_NE(fw.reason->find("active profiles not read"), std::string::npos);
}

}  // namespace
}  // namespace bulwark
