// hardening.uac and hardening.secure_boot against a fake registry.
#include <gtest/gtest.h>

#include "platform/windows/windows_probes.h"
#include "tests/unit/platform/windows/fake_windows_system.h"

namespace bulwark {
namespace {

constexpr char kSystem[] = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\";
constexpr char kState[] = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecureBoot\\State\\";
constexpr char kFirmware[] = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\PEFirmwareType";

boost::json::object RunHardening(FakeWindowsSystem&, std::unique_ptr<Probe> probe,
                                 const std::string& key) {
  FactsDocument facts;
  ProbeRegistry registry;
  registry.Add(std::move(probe));
  registry.CollectAll(facts);
  EXPECT_TRUE(facts.probe_errors.empty());
  return facts.hardening.at(key);
}

void SetDword(FakeWindowsSystem& sys, const std::string& path, Result<std::uint32_t> v) {
  sys.fake_registry().dwords.insert_or_assign(path, std::move(v));
}

TEST(UacProbeTest, MapsHardenedValuesLikeTheFixture) {
  FakeWindowsSystem sys;
  const std::string s = kSystem;
  SetDword(sys, s + "EnableLUA", 1u);
  SetDword(sys, s + "ConsentPromptBehaviorAdmin", 2u);
  SetDword(sys, s + "ConsentPromptBehaviorUser", 0u);
  SetDword(sys, s + "PromptOnSecureDesktop", 1u);
  SetDword(sys, s + "FilterAdministratorToken", 1u);
  boost::json::object want{
      {"enabled", true},        {"admin_prompt", "consent_secure_desktop"}, {"user_prompt", "deny"},
      {"secure_desktop", true}, {"builtin_admin_approval_mode", true},      {"reason", nullptr}};
  EXPECT_EQ(RunHardening(sys, NewUacProbe(sys), "uac"), want);
}

TEST(UacProbeTest, AbsentValuesTakeWindowsDefaults) {
  FakeWindowsSystem sys;
  boost::json::object want{{"enabled", true},
                           {"admin_prompt", "consent_non_windows_binaries"},
                           {"user_prompt", "credentials"},
                           {"secure_desktop", true},
                           {"builtin_admin_approval_mode", false},
                           {"reason", nullptr}};
  EXPECT_EQ(RunHardening(sys, NewUacProbe(sys), "uac"), want);
}

TEST(UacProbeTest, UnreadableAndUnknownValuesAreNullWithReason) {
  FakeWindowsSystem sys;
  const std::string s = kSystem;
  SetDword(sys, s + "EnableLUA", PermissionDeniedError("0x00000005"));
  SetDword(sys, s + "ConsentPromptBehaviorAdmin", 9u);
  SetDword(sys, s + "ConsentPromptBehaviorUser", 2u);
  auto uac = RunHardening(sys, NewUacProbe(sys), "uac");
  EXPECT_TRUE(uac.at("enabled").is_null());
  EXPECT_TRUE(uac.at("admin_prompt").is_null());
  EXPECT_TRUE(uac.at("user_prompt").is_null());
  EXPECT_EQ(uac.at("secure_desktop"), true);
  EXPECT_EQ(uac.at("reason"),
            "EnableLUA not read: 0x00000005; unknown ConsentPromptBehaviorAdmin 9; unknown "
            "ConsentPromptBehaviorUser 2");
}

TEST(WindowsSecureBootProbeTest, UefiWithSecureBootOn) {
  FakeWindowsSystem sys;
  SetDword(sys, kFirmware, 2u);
  SetDword(sys, std::string(kState) + "UEFISecureBootEnabled", 1u);
  auto sb = RunHardening(sys, NewWindowsSecureBootProbe(sys), "secure_boot");
  EXPECT_EQ(sb.at("uefi"), true);
  EXPECT_EQ(sb.at("enabled"), true);
  EXPECT_TRUE(sb.at("setup_mode").is_null());
  EXPECT_TRUE(sb.at("lockdown").is_null());
  EXPECT_TRUE(sb.at("reason").is_null());
}

TEST(WindowsSecureBootProbeTest, UefiWithSecureBootOff) {
  FakeWindowsSystem sys;
  SetDword(sys, kFirmware, 2u);
  SetDword(sys, std::string(kState) + "UEFISecureBootEnabled", 0u);
  EXPECT_EQ(RunHardening(sys, NewWindowsSecureBootProbe(sys), "secure_boot").at("enabled"), false);
}

TEST(WindowsSecureBootProbeTest, LegacyBiosIsOffWithoutReadingState) {
  FakeWindowsSystem sys;
  SetDword(sys, kFirmware, 1u);
  auto sb = RunHardening(sys, NewWindowsSecureBootProbe(sys), "secure_boot");
  EXPECT_EQ(sb.at("uefi"), false);
  EXPECT_EQ(sb.at("enabled"), false);
  EXPECT_TRUE(sb.at("reason").is_null());
}

TEST(WindowsSecureBootProbeTest, UnreadableStateIsNullNeverFalse) {
  FakeWindowsSystem sys;
  SetDword(sys, kFirmware, 2u);
  SetDword(sys, std::string(kState) + "UEFISecureBootEnabled", PermissionDeniedError("0x00000005"));
  auto sb = RunHardening(sys, NewWindowsSecureBootProbe(sys), "secure_boot");
  EXPECT_EQ(sb.at("uefi"), true);
  EXPECT_TRUE(sb.at("enabled").is_null());
  EXPECT_EQ(sb.at("reason"), "UEFISecureBootEnabled not read: 0x00000005");
}

TEST(WindowsSecureBootProbeTest, AbsentStateOnUefiIsUnknown) {
  FakeWindowsSystem sys;
  SetDword(sys, kFirmware, 2u);
  auto sb = RunHardening(sys, NewWindowsSecureBootProbe(sys), "secure_boot");
  EXPECT_TRUE(sb.at("enabled").is_null());
  EXPECT_EQ(sb.at("reason"), "UEFISecureBootEnabled absent");
}

TEST(WindowsSecureBootProbeTest, UnknownFirmwareTypeLeavesBothUnknown) {
  FakeWindowsSystem sys;
  SetDword(sys, kFirmware, 3u);
  auto sb = RunHardening(sys, NewWindowsSecureBootProbe(sys), "secure_boot");
  EXPECT_TRUE(sb.at("uefi").is_null());
  EXPECT_TRUE(sb.at("enabled").is_null());
  EXPECT_EQ(sb.at("reason"), "unknown PEFirmwareType 3; UEFISecureBootEnabled absent");
}

}  // namespace
}  // namespace bulwark
