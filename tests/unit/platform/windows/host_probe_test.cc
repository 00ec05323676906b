// WindowsHostProbe against recorded Win32_ComputerSystem / Win32_ComputerSystemProduct /
// Win32_OperatingSystem rows and registry values.
#include <gtest/gtest.h>

#include "platform/windows/windows_probes.h"
#include "tests/unit/platform/windows/fake_windows_system.h"

namespace bulwark {
namespace {

constexpr char kCv[] = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\";

FactsDocument RunProbe(FakeWindowsSystem& sys) {
  FactsDocument facts;
  ProbeRegistry registry;
  registry.Add(NewWindowsHostProbe(sys));
  registry.CollectAll(facts);
  EXPECT_TRUE(facts.probe_errors.empty());
  return facts;
}

void Workstation(FakeWindowsSystem& sys, const std::string& uuid) {
  auto& wmi = sys.fake_wmi();
  wmi.AddRows("ROOT\\CIMV2", "Win32_ComputerSystem",
              {{{"DNSHostName", std::string("WS-CAROL")}, {"Name", std::string("WS-CAROL")}}});
  wmi.AddRows("ROOT\\CIMV2", "Win32_ComputerSystemProduct", {{{"UUID", uuid}}});
  wmi.AddRows("ROOT\\CIMV2", "Win32_OperatingSystem",
              {{{"Caption", std::string("Microsoft Windows 11 Enterprise")},
                {"Version", std::string("10.0.26100")}}});
  sys.fake_registry().dwords.insert_or_assign(std::string(kCv) + "UBR", 2605u);
  sys.fake_registry().strings.insert_or_assign(
      "HKLM\\SOFTWARE\\Microsoft\\Cryptography\\MachineGuid",
      std::string("6F1A2B3C-0000-4000-8000-00000000ABCD"));
}

TEST(WindowsHostProbeTest, MatchesTheFixtureHostAndOs) {
  FakeWindowsSystem sys;
  Workstation(sys, "4C4C4544-0046-3510-8032-B4C04F4D3432");
  FactsDocument facts = RunProbe(sys);
  EXPECT_EQ(facts.host.hostname, "WS-CAROL");
  EXPECT_EQ(facts.host.machine_id, "4c4c4544-0046-3510-8032-b4c04f4d3432");
  EXPECT_EQ(facts.os.family, "windows");
  EXPECT_EQ(facts.os.id, "windows");
  EXPECT_EQ(facts.os.name, "Microsoft Windows 11 Enterprise");
  EXPECT_EQ(facts.os.version, "10.0.26100");
  EXPECT_EQ(facts.os.kernel, "10.0.26100.2605");
}

TEST(WindowsHostProbeTest, PlaceholderSmbiosUuidFallsBackToMachineGuid) {
  for (const char* uuid :
       {"FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", "00000000-0000-0000-0000-000000000000", ""}) {
    SCOPED_TRACE(uuid);
    FakeWindowsSystem sys;
    Workstation(sys, uuid);
    EXPECT_EQ(RunProbe(sys).host.machine_id, "6f1a2b3c-0000-4000-8000-00000000abcd");
  }
}

TEST(WindowsHostProbeTest, VersionFromRegistryWhenWmiIsUnavailable) {
  FakeWindowsSystem sys;  // no WMI classes at all
  auto& reg = sys.fake_registry();
  reg.dwords.insert_or_assign(std::string(kCv) + "CurrentMajorVersionNumber", 10u);
  reg.dwords.insert_or_assign(std::string(kCv) + "CurrentMinorVersionNumber", 0u);
  reg.strings.insert_or_assign(std::string(kCv) + "CurrentBuildNumber", std::string("22631"));
  reg.dwords.insert_or_assign(std::string(kCv) + "UBR", 4460u);
  FactsDocument facts = RunProbe(sys);
  EXPECT_EQ(facts.os.version, "10.0.22631");
  EXPECT_EQ(facts.os.kernel, "10.0.22631.4460");
  EXPECT_FALSE(facts.os.name.has_value());
  EXPECT_FALSE(facts.host.hostname.has_value());
  EXPECT_FALSE(facts.host.machine_id.has_value());
}

}  // namespace
}  // namespace bulwark
