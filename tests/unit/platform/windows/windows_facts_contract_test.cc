// The Windows probes, run together on a recorded compliant workstation, produce the sections
// of tests/unit/policy/baselines/facts/windows-compliant.json (the document the Windows
// baseline is tested with) member for member, except the members not produced yet and the
// Bulwark additions the fixture does not show (both listed below; see docs/facts-windows.md).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <fstream>
#include <sstream>

#include "agent/base/time_util.h"
#include "agent/facts/facts_json.h"
#include "platform/windows/windows_probes.h"
#include "platform/windows/wmi_values.h"
#include "tests/unit/platform/windows/fake_windows_system.h"

namespace bulwark {
namespace {

namespace json = boost::json;

constexpr char kBitLocker[] = "ROOT\\CIMV2\\Security\\MicrosoftVolumeEncryption";
constexpr char kDomain[] = "S-1-5-21-1004336348-1177238915-682003330";

json::object LoadFixture() {
  std::ifstream in(std::string(BULWARK_SOURCE_DIR) +
                   "/tests/unit/policy/baselines/facts/windows-compliant.json");
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  json::value v = json::parse(text.str(), ec);
  EXPECT_FALSE(ec) << ec.message();
  return v.is_object() ? v.as_object() : json::object{};
}

WmiRow Ok(WmiRow out) {
  out.emplace("ReturnValue", std::int64_t{0});
  return out;
}

void AddVolume(FakeWindowsSystem& sys, const std::string& device, const std::string& guid,
               std::int64_t volume_type, std::vector<std::int64_t> protectors) {
  const std::string path = WmiObjectPath("Win32_EncryptableVolume", "DeviceID", device);
  auto& wmi = sys.fake_wmi();
  wmi.SetMethod(path, "GetLockStatus", Ok({{"LockStatus", std::int64_t{0}}}));
  wmi.SetMethod(path, "GetConversionStatus",
                Ok({{"ConversionStatus", std::int64_t{1}},
                    {"EncryptionPercentage", std::int64_t{1000}},
                    {"EncryptionFlags", std::int64_t{0}}}));
  wmi.SetMethod(path, "GetEncryptionMethod", Ok({{"EncryptionMethod", std::int64_t{7}}}));
  std::vector<std::string> ids;
  for (std::int64_t type : protectors) {
    ids.push_back("{" + guid + "-" + std::to_string(ids.size()) + "}");
    wmi.SetMethod(path, "GetKeyProtectorType", Ok({{"KeyProtectorType", type}}), ids.back());
  }
  wmi.SetMethod(path, "GetKeyProtectors", Ok({{"VolumeKeyProtectorID", ids}}));
  wmi.SetMethod(path, "GetProtectionStatus", Ok({{"ProtectionStatus", std::int64_t{1}}}));
  (void)volume_type;
}

void CompliantWorkstation(FakeWindowsSystem& sys) {
  const std::string c = "\\\\?\\Volume{8f2c1d3e-4a5b-4c6d-8e7f-901a2b3c4d5e}\\";
  const std::string d = "\\\\?\\Volume{1b2c3d4e-5f60-4718-a9b0-c1d2e3f4a5b6}\\";
  auto& wmi = sys.fake_wmi();
  wmi.AddRows("ROOT\\CIMV2", "Win32_Volume",
              {{{"DeviceID", c},
                {"Name", std::string("C:\\")},
                {"FileSystem", std::string("NTFS")},
                {"DriveType", std::int64_t{3}},
                {"BootVolume", true}},
               {{"DeviceID", d},
                {"Name", std::string("D:\\")},
                {"FileSystem", std::string("NTFS")},
                {"DriveType", std::int64_t{3}},
                {"BootVolume", false}}});
  wmi.AddRows(kBitLocker, "Win32_EncryptableVolume",
              {{{"DeviceID", c},
                {"VolumeType", std::int64_t{0}},
                {"PersistentVolumeID", std::string("{8F2C1D3E-4A5B-4C6D-8E7F-901A2B3C4D5E}")}},
               {{"DeviceID", d},
                {"VolumeType", std::int64_t{1}},
                {"PersistentVolumeID", std::string("{1B2C3D4E-5F60-4718-A9B0-C1D2E3F4A5B6}")}}});
  AddVolume(sys, c, "c", 0, {4, 3});
  AddVolume(sys, d, "d", 1, {2, 3, 3});

  wmi.AddRows(
      "ROOT\\SecurityCenter2", "AntiVirusProduct",
      {{{"displayName", std::string("Windows Defender")}, {"productState", std::int64_t{397568}}}});
  wmi.AddRows("ROOT\\SecurityCenter2", "FirewallProduct", {});
  wmi.AddRows("ROOT\\Microsoft\\Windows\\Defender", "MSFT_MpComputerStatus",
              {{{"AMServiceEnabled", true},
                {"AntivirusEnabled", true},
                {"RealTimeProtectionEnabled", true},
                {"AntivirusSignatureAge", std::int64_t{0}},
                {"AMRunningMode", std::string("Normal")},
                {"IsTamperProtected", true},
                {"BehaviorMonitorEnabled", true},
                {"AntivirusSignatureVersion", std::string("1.421.512.0")},
                {"AntivirusSignatureLastUpdated", std::string("20261128091200.000000+000")}}});

  FirewallProfileState on;
  on.enabled = true;
  on.default_inbound = 0;
  on.default_outbound = 1;
  for (auto p : {FirewallProfile::kDomain, FirewallProfile::kPrivate, FirewallProfile::kPublic})
    sys.fake_firewall().profiles.insert_or_assign(p, on);
  sys.fake_firewall().current = std::uint32_t{1};

  LocalGroupMember builtin{"WS-CAROL\\Administrator", "S-1-5-21-1-2-3-500",
                           LocalGroupMember::Kind::kUser, true};
  LocalGroupMember it{"CONTOSO\\it-admin", std::string(kDomain) + "-1105",
                      LocalGroupMember::Kind::kUser, false};
  sys.fake_accounts().groups.insert_or_assign("S-1-5-32-544",
                                              std::vector<LocalGroupMember>{builtin, it});
  sys.fake_accounts().enabled.insert_or_assign(500u, false);
  sys.fake_accounts().enabled.insert_or_assign(501u, false);
  ConsoleSession console;
  console.session_id = 1;
  console.user = "CONTOSO\\carol";
  console.user_sid = std::string(kDomain) + "-1207";
  console.token_in_administrators = false;
  sys.fake_accounts().console = console;

  const std::string s = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\";
  auto& reg = sys.fake_registry().dwords;
  reg.insert_or_assign(s + "ConsentPromptBehaviorAdmin", 2u);
  reg.insert_or_assign(s + "ConsentPromptBehaviorUser", 0u);
  reg.insert_or_assign(s + "FilterAdministratorToken", 1u);
  reg.insert_or_assign(s + "InactivityTimeoutSecs", 900u);
  reg.insert_or_assign("HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\UBR", 2605u);
  reg.insert_or_assign("HKLM\\SYSTEM\\CurrentControlSet\\Control\\PEFirmwareType", 2u);
  reg.insert_or_assign(
      "HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecureBoot\\State\\UEFISecureBootEnabled", 1u);
  // Windows Update by Group Policy: auto download and schedule, no quality deferral.
  const std::string wu = "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\";
  reg.insert_or_assign(wu + "AU\\NoAutoUpdate", 0u);
  reg.insert_or_assign(wu + "AU\\AUOptions", 4u);
  reg.insert_or_assign(wu + "DeferQualityUpdates", 1u);
  reg.insert_or_assign(wu + "DeferQualityUpdatesPeriodInDays", 0u);
  reg.insert_or_assign("HKLM\\SYSTEM\\CurrentControlSet\\Services\\wuauserv\\Start", 3u);
  sys.fake_clock().SetWall(*ParseRfc3339("2026-11-28T16:00:00Z"));
  wmi.AddRows(
      "ROOT\\CIMV2", "Win32_QuickFixEngineering",
      {{{"HotFixID", std::string("KB5046617")}, {"InstalledOn", std::string("11/12/2026")}}});
  wmi.AddRows("ROOT\\CIMV2\\Security\\MicrosoftTpm", "Win32_Tpm",
              {{{"IsActivated_InitialValue", true},
                {"IsEnabled_InitialValue", true},
                {"IsOwned_InitialValue", true},
                {"ManufacturerIdTxt", std::string("INTC")},
                {"ManufacturerVersion", std::string("600.18.0.0")},
                {"SpecVersion", std::string("2.0, 0, 1.59")}}});

  wmi.AddRows("ROOT\\CIMV2", "Win32_ComputerSystem",
              {{{"DNSHostName", std::string("WS-CAROL")}, {"Name", std::string("WS-CAROL")}}});
  wmi.AddRows("ROOT\\CIMV2", "Win32_ComputerSystemProduct",
              {{{"UUID", std::string("4C4C4544-0046-3510-8032-B4C04F4D3432")}}});
  wmi.AddRows("ROOT\\CIMV2", "Win32_OperatingSystem",
              {{{"Caption", std::string("Microsoft Windows 11 Enterprise")},
                {"Version", std::string("10.0.26100")}}});
}

// JSON numbers compare by value: the fixture writes 100, the model a double 100.0.
json::value Normalized(const json::value& v) {
  if (v.is_number()) return v.to_number<double>();
  if (v.is_array()) {
    json::array out;
    for (const auto& e : v.as_array()) out.push_back(Normalized(e));
    return out;
  }
  if (v.is_object()) {
    json::object out;
    for (const auto& [k, e] : v.as_object()) out[k] = Normalized(e);
    return out;
  }
  return v;
}

// Removes from `o` the members named in `keys`.
void Drop(json::object& o, std::initializer_list<const char*> keys) {
  for (const char* k : keys) o.erase(k);
}

TEST(WindowsFactsContractTest, ProbesReproduceTheCompliantFixture) {
  FakeWindowsSystem sys;
  CompliantWorkstation(sys);
  ProbeRegistry registry;
  registry.Add(NewBitLockerProbe(sys));
  registry.Add(NewSecurityCenterProbe(sys));
  registry.Add(NewFirewallProbe(sys));
  registry.Add(NewAdministratorsProbe(sys));
  registry.Add(NewUacProbe(sys));
  registry.Add(NewScreenLockProbe(sys));
  registry.Add(NewWindowsSecureBootProbe(sys));
  registry.Add(NewWindowsHostProbe(sys));
  registry.Add(NewTpmProbe(sys));
  registry.Add(NewWindowsAutomaticUpdatesProbe(sys));
  FactsDocument facts;
  registry.CollectAll(facts);
  ASSERT_TRUE(facts.probe_errors.empty()) << facts.probe_errors[0].reason;
  json::object got = FactsToJson(facts).as_object();
  json::object want = LoadFixture();
  ASSERT_FALSE(want.empty());

  // Not produced yet: page_files (DiskEncryptionFacts has no extras).
  json::object want_disk = want.at("disk_encryption").as_object();
  want_disk.erase("page_files");
  EXPECT_EQ(Normalized(got.at("disk_encryption")), Normalized(want_disk));

  // Bulwark additions beyond the fixture.
  json::object got_admins = got.at("local_admins").as_object();
  EXPECT_EQ(got_admins.at("member_groups"), json::array{});
  got_admins.erase("member_groups");
  EXPECT_EQ(Normalized(got_admins), Normalized(want.at("local_admins")));

  json::object got_ep = got.at("endpoint_protection").as_object();
  json::object want_ep = want.at("endpoint_protection").as_object();
  EXPECT_EQ(Normalized(got_ep.at("antivirus")), Normalized(want_ep.at("antivirus")));
  EXPECT_EQ(Normalized(got_ep.at("firewall")), Normalized(want_ep.at("firewall")));
  EXPECT_EQ(got_ep.at("reason"), want_ep.at("reason"));
  EXPECT_EQ(got.at("hardening").at("uac"), want.at("hardening").at("uac"));
  EXPECT_EQ(Normalized(got.at("hardening").at("screen_lock")),
            Normalized(want.at("hardening").at("screen_lock")));
  EXPECT_EQ(got.at("host"), want.at("host"));
  EXPECT_EQ(got.at("os"), want.at("os"));
  // setup_mode is a UEFI variable the seams do not read yet.
  json::object want_sb = want.at("hardening").at("secure_boot").as_object();
  want_sb["setup_mode"] = nullptr;
  EXPECT_EQ(got.at("hardening").at("secure_boot"), want_sb);

  // Bulwark additions beyond the fixture: the MDM setting and the newest hotfix.
  json::object got_updates = got.at("hardening").at("automatic_updates").as_object();
  EXPECT_TRUE(got_updates.at("mdm_allow_auto_update").is_null());
  EXPECT_EQ(got_updates.at("last_hotfix_id"), "KB5046617");
  EXPECT_EQ(got_updates.at("last_hotfix_installed_on"), "2026-11-12");
  Drop(got_updates, {"mdm_allow_auto_update", "last_hotfix_id", "last_hotfix_installed_on"});
  EXPECT_EQ(Normalized(got_updates), Normalized(want.at("hardening").at("automatic_updates")));

  EXPECT_EQ(got.at("hardening").at("tpm"), want.at("hardening").at("tpm"));
}

}  // namespace
}  // namespace bulwark
