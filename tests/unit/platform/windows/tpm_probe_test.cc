// TpmProbe (hardening.tpm) against recorded Win32_Tpm rows, shaped as a Windows 11 23H2 machine
// returns them to an elevated "SELECT * FROM Win32_Tpm".
#include <gtest/gtest.h>

#include "platform/windows/windows_probes.h"
#include "tests/unit/platform/windows/fake_windows_system.h"

namespace bulwark {
namespace {

namespace json = boost::json;

constexpr char kTpmNs[] = "ROOT\\CIMV2\\Security\\MicrosoftTpm";

// An Intel firmware TPM 2.0, owned by Windows.
WmiRow IntelPtt() {
  return {{"IsActivated_InitialValue", true},
          {"IsEnabled_InitialValue", true},
          {"IsOwned_InitialValue", true},
          {"ManufacturerId", std::int64_t{1229870147}},  // 0x494E5443 "INTC"
          {"ManufacturerIdTxt", std::string("INTC")},
          {"ManufacturerVersion", std::string("600.18.0.0")},
          {"ManufacturerVersionInfo", std::string("Intel")},
          {"PhysicalPresenceVersionInfo", std::string("1.3")},
          {"SpecVersion", std::string("2.0, 0, 1.59")}};
}

json::object RunTpm(FakeWindowsSystem& sys) {
  FactsDocument facts;
  ProbeRegistry registry;
  registry.Add(NewTpmProbe(sys));
  registry.CollectAll(facts);
  EXPECT_TRUE(facts.probe_errors.empty());
  return facts.hardening.at("tpm");
}

TEST(TpmProbeTest, MapsAPresentTpm20) {
  FakeWindowsSystem sys;
  sys.fake_wmi().AddRows(kTpmNs, "Win32_Tpm", {IntelPtt()});
  const json::object want{{"present", true},
                          {"enabled", true},
                          {"activated", true},
                          {"owned", true},
                          {"spec_version", "2.0"},
                          {"manufacturer", "INTC"},
                          {"manufacturer_version", "600.18.0.0"},
                          {"reason", nullptr}};
  EXPECT_EQ(RunTpm(sys), want);
  ASSERT_EQ(sys.fake_wmi().queries.size(), 1u);
  EXPECT_EQ(sys.fake_wmi().queries[0], "SELECT * FROM Win32_Tpm");
}

TEST(TpmProbeTest, MapsADisabledTpm12AndDecodesManufacturerIdWithoutTxt) {
  FakeWindowsSystem sys;
  WmiRow row{{"IsActivated_InitialValue", false},
             {"IsEnabled_InitialValue", std::int64_t{0}},  // some providers send integers
             {"IsOwned_InitialValue", false},
             {"ManufacturerId", std::int64_t{0x49465800}},  // "IFX" and a NUL
             {"ManufacturerVersion", std::string("3.19 ")},
             {"SpecVersion", std::string("1.2, 2, 3")}};
  sys.fake_wmi().AddRows(kTpmNs, "Win32_Tpm", {row});
  const json::object want{{"present", true},
                          {"enabled", false},
                          {"activated", false},
                          {"owned", false},
                          {"spec_version", "1.2"},
                          {"manufacturer", "IFX"},
                          {"manufacturer_version", "3.19"},
                          {"reason", nullptr}};
  EXPECT_EQ(RunTpm(sys), want);
}

TEST(TpmProbeTest, NoInstanceMeansNoTpm) {
  FakeWindowsSystem sys;
  sys.fake_wmi().AddRows(kTpmNs, "Win32_Tpm", {});
  const json::object want{{"present", false},
                          {"enabled", false},
                          {"activated", false},
                          {"owned", false},
                          {"spec_version", nullptr},
                          {"manufacturer", nullptr},
                          {"manufacturer_version", nullptr},
                          {"reason", nullptr}};
  EXPECT_EQ(RunTpm(sys), want);
}

TEST(TpmProbeTest, AccessDeniedIsUnknownNeverNoTpm) {
  FakeWindowsSystem sys;
  sys.fake_wmi().FailQuery(kTpmNs, "Win32_Tpm",
                           PermissionDeniedError("0x80041003 (WBEM_E_ACCESS_DENIED)"));
  json::object got = RunTpm(sys);
  for (const char* k : {"present", "enabled", "activated", "owned", "spec_version", "manufacturer",
                        "manufacturer_version"}) {
    EXPECT_TRUE(got.at(k).is_null()) << k;
  }
  EXPECT_EQ(got.at("reason"),
            "TPM state not read: Win32_Tpm: 0x80041003 (WBEM_E_ACCESS_DENIED) (run as "
            "administrator)");
}

TEST(TpmProbeTest, AbsentNamespaceIsUnknownWithTheCode) {
  FakeWindowsSystem sys;  // nothing registered: the fake answers WBEM_E_INVALID_NAMESPACE
  json::object got = RunTpm(sys);
  EXPECT_TRUE(got.at("present").is_null());
  EXPECT_TRUE(got.at("enabled").is_null());
  const std::string reason(got.at("reason").as_string());
  EXPECT_NE(reason.find("0x8004100E (WBEM_E_INVALID_NAMESPACE)"), std::string::npos) << reason;
  EXPECT_NE(reason.find("TPM WMI provider not present"), std::string::npos) << reason;
}

TEST(TpmProbeTest, OtherWmiFailureIsUnknownWithTheCode) {
  FakeWindowsSystem sys;
  sys.fake_wmi().FailQuery(kTpmNs, "Win32_Tpm",
                           UnavailableError("0x80041006 (WBEM_E_OUT_OF_MEMORY)"));
  json::object got = RunTpm(sys);
  EXPECT_TRUE(got.at("present").is_null());
  EXPECT_EQ(got.at("reason"), "TPM state not read: Win32_Tpm: 0x80041006 (WBEM_E_OUT_OF_MEMORY)");
}

TEST(TpmProbeTest, UnknownSpecVersionAndMissingFlagsAreNullWithReason) {
  FakeWindowsSystem sys;
  WmiRow row = IntelPtt();
  row["SpecVersion"] = std::string("3.0, 0, 1.00");
  row.erase("IsOwned_InitialValue");
  row["IsActivated_InitialValue"] = std::monostate{};
  row["ManufacturerIdTxt"] = std::string("    ");
  row["ManufacturerId"] = std::int64_t{0};
  sys.fake_wmi().AddRows(kTpmNs, "Win32_Tpm", {row});
  json::object got = RunTpm(sys);
  EXPECT_EQ(got.at("present"), true);
  EXPECT_EQ(got.at("enabled"), true);
  EXPECT_TRUE(got.at("activated").is_null());
  EXPECT_TRUE(got.at("owned").is_null());
  EXPECT_TRUE(got.at("spec_version").is_null());
  EXPECT_TRUE(got.at("manufacturer").is_null());
  EXPECT_EQ(got.at("reason"),
            "IsActivated_InitialValue not reported; IsOwned_InitialValue not reported; unknown "
            "SpecVersion \"3.0, 0, 1.00\"");
}

TEST(TpmProbeTest, FailureLeavesNullShapeWithReason) {
  FakeWindowsSystem sys;
  auto probe = NewTpmProbe(sys);
  FactsDocument facts;
  probe->OnFailure(facts, "boom");
  const json::object& got = facts.hardening.at("tpm");
  EXPECT_EQ(got.size(), 8u);
  EXPECT_TRUE(got.at("present").is_null());
  EXPECT_EQ(got.at("reason"), "boom");
  EXPECT_EQ(probe->name(), "hardening.tpm");
}

}  // namespace
}  // namespace bulwark
