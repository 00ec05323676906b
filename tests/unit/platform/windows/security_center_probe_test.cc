// SecurityCenterProbe against recorded AntiVirusProduct and MSFT_MpComputerStatus rows.
// productState samples are values seen on real machines (decimal as WMI returns them).
#include <gtest/gtest.h>

#include "platform/windows/windows_probes.h"
#include "tests/unit/platform/windows/fake_windows_system.h"

namespace bulwark {
namespace {

constexpr char kSc[] = "ROOT\\SecurityCenter2";
constexpr char kDefenderNs[] = "ROOT\\Microsoft\\Windows\\Defender";

WmiRow Product(const std::string& name, std::int64_t state) {
  return {{"displayName", name},
          {"productState", state},
          {"instanceGuid", std::string("{D68DDC3A-831F-4fae-9E44-DA132C1ACF46}")}};
}

// Get-MpComputerStatus of a Windows 11 workstation, Defender as the primary antivirus.
WmiRow DefenderStatus() {
  return {{"AMServiceEnabled", true},
          {"AntivirusEnabled", true},
          {"RealTimeProtectionEnabled", true},
          {"AntivirusSignatureAge", std::int64_t{0}},
          {"AMRunningMode", std::string("Normal")},
          {"IsTamperProtected", true},
          {"BehaviorMonitorEnabled", true},
          {"AntivirusSignatureVersion", std::string("1.421.512.0")},
          {"AntivirusSignatureLastUpdated", std::string("20261128101200.000000+060")}};
}

FactsDocument RunProbe(FakeWindowsSystem& sys) {
  FactsDocument facts;
  ProbeRegistry registry;
  registry.Add(NewSecurityCenterProbe(sys));
  registry.CollectAll(facts);
  return facts;
}

TEST(SecurityCenterProbeTest, DefenderOnAndUpToDateMatchesTheFixture) {
  FakeWindowsSystem sys;
  sys.fake_wmi().AddRows(kSc, "AntiVirusProduct", {Product("Windows Defender", 397568)});
  sys.fake_wmi().AddRows(kDefenderNs, "MSFT_MpComputerStatus", {DefenderStatus()});
  FactsDocument facts = RunProbe(sys);
  ASSERT_TRUE(facts.endpoint_protection.antivirus.has_value());
  ASSERT_EQ(facts.endpoint_protection.antivirus->size(), 1u);
  const AntivirusFacts& d = facts.endpoint_protection.antivirus->at(0);
  EXPECT_EQ(d.product, "Microsoft Defender Antivirus");
  EXPECT_EQ(d.running, true);
  EXPECT_EQ(d.realtime, true);
  EXPECT_EQ(d.signatures_age_days, 0.0);
  EXPECT_EQ(d.extra.at("source"), "defender");
  EXPECT_EQ(d.extra.at("enabled"), true);
  EXPECT_EQ(d.extra.at("installed"), true);
  EXPECT_EQ(d.extra.at("running_mode"), "Normal");
  EXPECT_EQ(d.extra.at("tamper_protected"), true);
  EXPECT_EQ(d.extra.at("behavior_monitoring"), true);
  EXPECT_EQ(d.extra.at("signatures_version"), "1.421.512.0");
  EXPECT_EQ(d.extra.at("signatures_updated"), "2026-11-28T09:12:00Z");
  EXPECT_EQ(d.extra.at("signatures_up_to_date"), true);
  EXPECT_FALSE(facts.endpoint_protection.reason.has_value());
}

TEST(SecurityCenterProbeTest, DecodesProductStateSamples) {
  struct Case {
    std::int64_t state;
    std::optional<bool> on;
    const char* state_name;  // nullptr: unknown
    std::optional<bool> up_to_date;
  };
  const Case cases[] = {
      {266240, true, "on", true},             // 0x041000 third-party on, up to date
      {262144, false, "off", true},           // 0x040000 third-party off
      {266256, true, "on", false},            // 0x041010 on, signatures out of date
      {262160, false, "off", false},          // 0x040010 off and out of date
      {270336, false, "snoozed", true},       // 0x042000 snoozed
      {274432, false, "expired", true},       // 0x043000 subscription expired
      {282624, std::nullopt, nullptr, true},  // 0x045000 state nibble unknown
      {266288, true, "on", std::nullopt},     // 0x041030 signature nibble unknown
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.state);
    FakeWindowsSystem sys;
    sys.fake_wmi().AddRows(kSc, "AntiVirusProduct", {Product("Contoso AV", c.state)});
    FactsDocument facts = RunProbe(sys);
    ASSERT_EQ(facts.endpoint_protection.antivirus->size(), 1u);
    const AntivirusFacts& av = facts.endpoint_protection.antivirus->at(0);
    EXPECT_EQ(av.product, "Contoso AV");
    EXPECT_EQ(av.running, c.on);
    EXPECT_EQ(av.realtime, c.on);
    EXPECT_FALSE(av.signatures_age_days.has_value());
    EXPECT_EQ(av.extra.at("source"), "security_center");
    EXPECT_EQ(av.extra.at("product_state"), c.state);
    if (c.state_name) {
      EXPECT_EQ(av.extra.at("state"), c.state_name);
      EXPECT_EQ(av.extra.at("enabled"), *c.on);
      EXPECT_FALSE(av.extra.contains("reason"));
    } else {
      EXPECT_TRUE(av.extra.at("state").is_null());
      EXPECT_TRUE(av.extra.at("enabled").is_null());
      EXPECT_EQ(av.extra.at("reason"), "productState 0x00045000: unknown state");
    }
    if (c.up_to_date) {
      EXPECT_EQ(av.extra.at("signatures_up_to_date"), *c.up_to_date);
    } else {
      EXPECT_TRUE(av.extra.at("signatures_up_to_date").is_null());
    }
  }
}

TEST(SecurityCenterProbeTest, DefenderPassiveBesideThirdPartyIsEnabledButNotRunning) {
  FakeWindowsSystem sys;
  sys.fake_wmi().AddRows(kSc, "AntiVirusProduct",
                         {Product("Windows Defender", 393472),  // 0x060100: off in WSC
                          Product("Contoso Endpoint", 266240)});
  WmiRow status = DefenderStatus();
  status["AMRunningMode"] = std::string("Passive Mode");
  sys.fake_wmi().AddRows(kDefenderNs, "MSFT_MpComputerStatus", {status});
  FactsDocument facts = RunProbe(sys);
  ASSERT_EQ(facts.endpoint_protection.antivirus->size(), 2u);
  const AntivirusFacts& d = facts.endpoint_protection.antivirus->at(0);
  EXPECT_EQ(d.product, "Microsoft Defender Antivirus");
  EXPECT_EQ(d.running, false);
  EXPECT_EQ(d.realtime, false);
  EXPECT_EQ(d.extra.at("enabled"), true);  // passive is not "off"
  EXPECT_EQ(d.extra.at("running_mode"), "Passive Mode");
  const AntivirusFacts& other = facts.endpoint_protection.antivirus->at(1);
  EXPECT_EQ(other.product, "Contoso Endpoint");
  EXPECT_EQ(other.running, true);
}

TEST(SecurityCenterProbeTest, DefenderEdrBlockModeIsRunning) {
  FakeWindowsSystem sys;
  sys.fake_wmi().AddRows(kSc, "AntiVirusProduct", {});
  WmiRow status = DefenderStatus();
  status["AMRunningMode"] = std::string("EDR Block Mode");
  status["AntivirusSignatureAge"] = std::int64_t{3};
  sys.fake_wmi().AddRows(kDefenderNs, "MSFT_MpComputerStatus", {status});
  FactsDocument facts = RunProbe(sys);
  const AntivirusFacts& d = facts.endpoint_protection.antivirus->at(0);
  EXPECT_EQ(d.running, true);
  EXPECT_EQ(d.signatures_age_days, 3.0);
  EXPECT_TRUE(d.extra.at("signatures_up_to_date").is_null());  // no Security Center entry
}

TEST(SecurityCenterProbeTest, DefenderRealtimeOffIsRunningWithoutRealtime) {
  FakeWindowsSystem sys;
  sys.fake_wmi().AddRows(kSc, "AntiVirusProduct", {Product("Windows Defender", 397584)});
  WmiRow status = DefenderStatus();
  status["RealTimeProtectionEnabled"] = false;
  sys.fake_wmi().AddRows(kDefenderNs, "MSFT_MpComputerStatus", {status});
  const AntivirusFacts d = RunProbe(sys).endpoint_protection.antivirus->at(0);
  EXPECT_EQ(d.running, true);
  EXPECT_EQ(d.realtime, false);
  EXPECT_EQ(d.extra.at("signatures_up_to_date"), false);  // 0x061110
}

TEST(SecurityCenterProbeTest, DefenderDisabledIsNotRunning) {
  FakeWindowsSystem sys;
  sys.fake_wmi().AddRows(kSc, "AntiVirusProduct", {});
  WmiRow status = DefenderStatus();
  status["AntivirusEnabled"] = false;
  status["AntivirusSignatureAge"] = std::int64_t{65535};
  sys.fake_wmi().AddRows(kDefenderNs, "MSFT_MpComputerStatus", {status});
  const AntivirusFacts d = RunProbe(sys).endpoint_protection.antivirus->at(0);
  EXPECT_EQ(d.running, false);
  EXPECT_EQ(d.realtime, false);
  EXPECT_EQ(d.extra.at("enabled"), false);
  EXPECT_FALSE(d.signatures_age_days.has_value());
  EXPECT_NE(std::string(d.extra.at("reason").as_string()).find("no signatures loaded"),
            std::string::npos);
}

TEST(SecurityCenterProbeTest, UnknownRunningModeLeavesRunningUnknown) {
  FakeWindowsSystem sys;
  sys.fake_wmi().AddRows(kSc, "AntiVirusProduct", {});
  WmiRow status = DefenderStatus();
  status["AMRunningMode"] = std::string("Future Mode");
  sys.fake_wmi().AddRows(kDefenderNs, "MSFT_MpComputerStatus", {status});
  const AntivirusFacts d = RunProbe(sys).endpoint_protection.antivirus->at(0);
  EXPECT_FALSE(d.running.has_value());
  EXPECT_FALSE(d.realtime.has_value());
  EXPECT_EQ(d.extra.at("reason"), "unknown AMRunningMode \"Future Mode\"");
}

TEST(SecurityCenterProbeTest, NoSecurityCenterIsNullWithReasonNeverAnEmptyList) {
  FakeWindowsSystem sys;  // Windows Server: no root\SecurityCenter2
  sys.fake_wmi().AddRows(kDefenderNs, "MSFT_MpComputerStatus", {DefenderStatus()});
  FactsDocument facts = RunProbe(sys);
  EXPECT_FALSE(facts.endpoint_protection.antivirus.has_value());
  ASSERT_TRUE(facts.endpoint_protection.reason.has_value());
  EXPECT_NE(facts.endpoint_protection.reason->find("0x8004100E"), std::string::npos);
  EXPECT_NE(facts.endpoint_protection.reason->find("Windows Server"), std::string::npos);
  EXPECT_TRUE(facts.probe_errors.empty());
}

TEST(SecurityCenterProbeTest, SecurityCenterAccessDeniedIsNullWithReason) {
  FakeWindowsSystem sys;
  sys.fake_wmi().FailQuery(kSc, "AntiVirusProduct",
                           PermissionDeniedError("0x80041003 (WBEM_E_ACCESS_DENIED)"));
  FactsDocument facts = RunProbe(sys);
  EXPECT_FALSE(facts.endpoint_protection.antivirus.has_value());
  EXPECT_NE(facts.endpoint_protection.reason->find("0x80041003"), std::string::npos);
}

TEST(SecurityCenterProbeTest, NoProductRegisteredIsAnEmptyList) {
  FakeWindowsSystem sys;
  sys.fake_wmi().AddRows(kSc, "AntiVirusProduct", {});
  FactsDocument facts = RunProbe(sys);  // Defender namespace absent: Defender removed
  ASSERT_TRUE(facts.endpoint_protection.antivirus.has_value());
  EXPECT_TRUE(facts.endpoint_protection.antivirus->empty());
  EXPECT_FALSE(facts.endpoint_protection.reason.has_value());
}

TEST(SecurityCenterProbeTest, DefenderUnreadableFallsBackToItsSecurityCenterEntry) {
  FakeWindowsSystem sys;
  sys.fake_wmi().AddRows(kSc, "AntiVirusProduct", {Product("Windows Defender", 397568)});
  sys.fake_wmi().FailQuery(kDefenderNs, "MSFT_MpComputerStatus",
                           PermissionDeniedError("0x80041003 (WBEM_E_ACCESS_DENIED)"));
  FactsDocument facts = RunProbe(sys);
  ASSERT_EQ(facts.endpoint_protection.antivirus->size(), 1u);
  const AntivirusFacts& d = facts.endpoint_protection.antivirus->at(0);
  EXPECT_EQ(d.product, "Microsoft Defender Antivirus");
  EXPECT_EQ(d.extra.at("source"), "security_center");
  EXPECT_EQ(d.running, true);  // 0x061100: on
  EXPECT_NE(std::string(d.extra.at("reason").as_string()).find("0x80041003"), std::string::npos);
  EXPECT_NE(facts.endpoint_protection.reason->find("Microsoft Defender status not read"),
            std::string::npos);
}

}  // namespace
}  // namespace bulwark
