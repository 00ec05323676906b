// WindowsAutomaticUpdatesProbe (hardening.automatic_updates) against a fake registry, a fake
// clock and recorded Win32_QuickFixEngineering rows.
#include <gtest/gtest.h>

#include "agent/base/time_util.h"
#include "platform/windows/windows_probes.h"
#include "tests/unit/platform/windows/fake_windows_system.h"

namespace bulwark {
namespace {

namespace json = boost::json;

constexpr char kAu[] = "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU\\";
constexpr char kWu[] = "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\";
constexpr char kMdm[] = "HKLM\\SOFTWARE\\Microsoft\\PolicyManager\\current\\device\\Update\\";
constexpr char kStart[] = "HKLM\\SYSTEM\\CurrentControlSet\\Services\\wuauserv\\Start";
constexpr char kUx[] = "HKLM\\SOFTWARE\\Microsoft\\WindowsUpdate\\UX\\Settings\\";

void Dword(FakeWindowsSystem& sys, const std::string& path, Result<std::uint32_t> v) {
  sys.fake_registry().dwords.insert_or_assign(path, std::move(v));
}
void String(FakeWindowsSystem& sys, const std::string& path, Result<std::string> v) {
  sys.fake_registry().strings.insert_or_assign(path, std::move(v));
}

// A Windows 11 machine on 2026-11-28 12:00 UTC with the service at its default (manual,
// trigger-started) and two cumulative updates installed.
void Baseline(FakeWindowsSystem& sys) {
  sys.fake_clock().SetWall(*ParseRfc3339("2026-11-28T12:00:00Z"));
  Dword(sys, kStart, 3u);
  sys.fake_wmi().AddRows(
      "ROOT\\CIMV2", "Win32_QuickFixEngineering",
      {{{"HotFixID", std::string("KB5044284")}, {"InstalledOn", std::string("10/9/2026")}},
       {{"HotFixID", std::string("KB5046617")}, {"InstalledOn", std::string("11/12/2026")}},
       {{"HotFixID", std::string("KB5043080")}, {"InstalledOn", std::monostate{}}}});
}

json::object RunUpdates(FakeWindowsSystem& sys) {
  FactsDocument facts;
  ProbeRegistry registry;
  registry.Add(NewWindowsAutomaticUpdatesProbe(sys));
  registry.CollectAll(facts);
  EXPECT_TRUE(facts.probe_errors.empty());
  return facts.hardening.at("automatic_updates");
}

std::string Reason(const json::object& o) {
  return o.at("reason").is_string() ? std::string(o.at("reason").as_string()) : "";
}

TEST(AutomaticUpdatesProbeTest, MapsGroupPolicyAutoInstallLikeTheFixture) {
  FakeWindowsSystem sys;
  Baseline(sys);
  Dword(sys, std::string(kAu) + "NoAutoUpdate", 0u);
  Dword(sys, std::string(kAu) + "AUOptions", 4u);
  Dword(sys, std::string(kWu) + "DeferQualityUpdates", 1u);
  Dword(sys, std::string(kWu) + "DeferQualityUpdatesPeriodInDays", 0u);
  const json::object want{{"mechanism", "windows-update"},
                          {"installed", true},
                          {"enabled", true},
                          {"includes_security", true},
                          {"reason", nullptr},
                          {"au_options", 4},
                          {"no_auto_update", false},
                          {"mdm_allow_auto_update", nullptr},
                          {"service_start", "manual"},
                          {"quality_update_deferral_days", 0},
                          {"paused_until", nullptr},
                          {"management", "group_policy"},
                          {"last_hotfix_id", "KB5046617"},
                          {"last_hotfix_installed_on", "2026-11-12"}};
  EXPECT_EQ(RunUpdates(sys), want);
}

TEST(AutomaticUpdatesProbeTest, NothingConfiguredIsWindowsDefaultAutomatic) {
  FakeWindowsSystem sys;
  Baseline(sys);
  json::object got = RunUpdates(sys);
  EXPECT_EQ(got.at("enabled"), true);
  EXPECT_EQ(got.at("includes_security"), true);
  EXPECT_EQ(got.at("management"), "default");
  EXPECT_EQ(got.at("no_auto_update"), false);
  EXPECT_TRUE(got.at("au_options").is_null());
  EXPECT_EQ(got.at("quality_update_deferral_days"), 0);
  EXPECT_TRUE(got.at("reason").is_null()) << Reason(got);
}

TEST(AutomaticUpdatesProbeTest, MapsEveryAuOption) {
  struct Case {
    std::uint32_t value;
    std::optional<bool> enabled;
    const char* reason;
  };
  const Case cases[] = {
      {2, false, nullptr},
      {3, false, nullptr},
      {4, true, nullptr},
      {5, std::nullopt, "AUOptions 5: the local administrator chooses the behaviour"},
      {7, false, nullptr},
      {6, std::nullopt, "unknown AUOptions 6"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.value);
    FakeWindowsSystem sys;
    Baseline(sys);
    Dword(sys, std::string(kAu) + "AUOptions", c.value);
    json::object got = RunUpdates(sys);
    EXPECT_EQ(got.at("au_options"), c.value);
    if (c.enabled) {
      EXPECT_EQ(got.at("enabled"), *c.enabled);
    } else {
      EXPECT_TRUE(got.at("enabled").is_null());
    }
    if (c.reason) {
      EXPECT_EQ(got.at("reason"), c.reason);
    } else {
      EXPECT_TRUE(got.at("reason").is_null()) << Reason(got);
    }
    EXPECT_EQ(got.at("includes_security"), true);  // quality updates still not held back
  }
}

TEST(AutomaticUpdatesProbeTest, NoAutoUpdateWinsOverAuOptions) {
  FakeWindowsSystem sys;
  Baseline(sys);
  Dword(sys, std::string(kAu) + "NoAutoUpdate", 1u);
  Dword(sys, std::string(kAu) + "AUOptions", 4u);
  json::object got = RunUpdates(sys);
  EXPECT_EQ(got.at("enabled"), false);
  EXPECT_EQ(got.at("no_auto_update"), true);
  EXPECT_EQ(got.at("management"), "group_policy");
}

TEST(AutomaticUpdatesProbeTest, MapsServiceStartTypes) {
  struct Case {
    std::uint32_t start;
    const char* service_start;
    std::optional<bool> enabled;
  };
  const Case cases[] = {{2, "auto", true},
                        {3, "manual", true},
                        {4, "disabled", false},
                        {1, nullptr, std::nullopt}};  // "system": not a value wuauserv has
  for (const Case& c : cases) {
    SCOPED_TRACE(c.start);
    FakeWindowsSystem sys;
    Baseline(sys);
    Dword(sys, kStart, c.start);
    json::object got = RunUpdates(sys);
    EXPECT_EQ(got.at("installed"), true);
    if (c.service_start) {
      EXPECT_EQ(got.at("service_start"), c.service_start);
      EXPECT_EQ(got.at("enabled"), *c.enabled);
      EXPECT_TRUE(got.at("reason").is_null()) << Reason(got);
    } else {
      EXPECT_TRUE(got.at("service_start").is_null());
      EXPECT_TRUE(got.at("enabled").is_null());
      EXPECT_EQ(got.at("reason"), "unknown wuauserv Start 1");
    }
  }
}

TEST(AutomaticUpdatesProbeTest, MissingServiceIsNotInstalledAndNotEnabled) {
  FakeWindowsSystem sys;
  Baseline(sys);
  sys.fake_registry().dwords.erase(kStart);
  json::object got = RunUpdates(sys);
  EXPECT_EQ(got.at("installed"), false);
  EXPECT_EQ(got.at("enabled"), false);
  EXPECT_TRUE(got.at("includes_security").is_null());
  EXPECT_EQ(got.at("reason"), "the Windows Update service (wuauserv) is not registered");
}

TEST(AutomaticUpdatesProbeTest, UnreadableValuesAreUnknownNeverFalse) {
  FakeWindowsSystem sys;
  Baseline(sys);
  Dword(sys, kStart, PermissionDeniedError("0x00000005 (ERROR_ACCESS_DENIED)"));
  Dword(sys, std::string(kAu) + "AUOptions", PermissionDeniedError("0x00000005"));
  Dword(sys, std::string(kWu) + "DeferQualityUpdates", PermissionDeniedError("0x00000005"));
  json::object got = RunUpdates(sys);
  for (const char* k : {"installed", "enabled", "includes_security", "service_start", "au_options",
                        "quality_update_deferral_days", "management"}) {
    EXPECT_TRUE(got.at(k).is_null()) << k;
  }
  EXPECT_EQ(got.at("reason"),
            "AUOptions not read: 0x00000005; DeferQualityUpdates not read: 0x00000005; Start not "
            "read: 0x00000005 (ERROR_ACCESS_DENIED)");
}

TEST(AutomaticUpdatesProbeTest, QualityDeferralExcludesSecurityButKeepsEnabled) {
  FakeWindowsSystem sys;
  Baseline(sys);
  Dword(sys, std::string(kAu) + "AUOptions", 4u);
  Dword(sys, std::string(kWu) + "DeferQualityUpdates", 1u);
  Dword(sys, std::string(kWu) + "DeferQualityUpdatesPeriodInDays", 7u);
  json::object got = RunUpdates(sys);
  EXPECT_EQ(got.at("enabled"), true);
  EXPECT_EQ(got.at("includes_security"), false);
  EXPECT_EQ(got.at("quality_update_deferral_days"), 7);
}

TEST(AutomaticUpdatesProbeTest, DeferralDaysWithoutTheSwitchDoNotDefer) {
  FakeWindowsSystem sys;
  Baseline(sys);
  Dword(sys, std::string(kWu) + "DeferQualityUpdates", 0u);
  Dword(sys, std::string(kWu) + "DeferQualityUpdatesPeriodInDays", 14u);
  json::object got = RunUpdates(sys);
  EXPECT_EQ(got.at("quality_update_deferral_days"), 0);
  EXPECT_EQ(got.at("includes_security"), true);
}

TEST(AutomaticUpdatesProbeTest, SettingsPauseInTheFutureStopsUpdates) {
  FakeWindowsSystem sys;
  Baseline(sys);
  String(sys, std::string(kUx) + "PauseUpdatesExpiryTime", std::string("2026-12-05T08:00:00Z"));
  String(sys, std::string(kUx) + "PauseQualityUpdatesEndTime", std::string("2026-12-01T08:00:00Z"));
  json::object got = RunUpdates(sys);
  EXPECT_EQ(got.at("enabled"), false);
  EXPECT_EQ(got.at("includes_security"), false);
  EXPECT_EQ(got.at("paused_until"), "2026-12-05T08:00:00Z");
  EXPECT_EQ(got.at("management"), "default");  // the user paused, not a policy
}

TEST(AutomaticUpdatesProbeTest, ExpiredPauseIsNotAPause) {
  FakeWindowsSystem sys;
  Baseline(sys);
  String(sys, std::string(kUx) + "PauseUpdatesExpiryTime", std::string("2026-11-01T08:00:00Z"));
  String(sys, std::string(kWu) + "PauseQualityUpdatesStartTime", std::string("2026-10-01"));
  json::object got = RunUpdates(sys);
  EXPECT_EQ(got.at("enabled"), true);
  EXPECT_EQ(got.at("includes_security"), true);
  EXPECT_TRUE(got.at("paused_until").is_null());
}

TEST(AutomaticUpdatesProbeTest, PolicyPauseLastsThirtyFiveDaysFromItsStart) {
  FakeWindowsSystem sys;
  Baseline(sys);
  String(sys, std::string(kWu) + "PauseQualityUpdatesStartTime", std::string("2026-11-20"));
  json::object got = RunUpdates(sys);
  EXPECT_EQ(got.at("paused_until"), "2026-12-25T00:00:00Z");
  EXPECT_EQ(got.at("enabled"), false);
  EXPECT_EQ(got.at("includes_security"), false);
  EXPECT_EQ(got.at("management"), "group_policy");
}

TEST(AutomaticUpdatesProbeTest, UnparseablePauseIsUnknown) {
  FakeWindowsSystem sys;
  Baseline(sys);
  String(sys, std::string(kUx) + "PauseUpdatesExpiryTime", std::string("12/5/2026 8:00"));
  json::object got = RunUpdates(sys);
  EXPECT_TRUE(got.at("enabled").is_null());
  EXPECT_TRUE(got.at("includes_security").is_null());
  EXPECT_EQ(got.at("reason"), "unparseable PauseUpdatesExpiryTime \"12/5/2026 8:00\"");
}

TEST(AutomaticUpdatesProbeTest, AKnownPauseWinsOverAnUnreadableOne) {
  FakeWindowsSystem sys;
  Baseline(sys);
  String(sys, std::string(kUx) + "PauseUpdatesExpiryTime", PermissionDeniedError("0x00000005"));
  String(sys, std::string(kUx) + "PauseQualityUpdatesEndTime", std::string("2026-12-01T08:00:00Z"));
  json::object got = RunUpdates(sys);
  EXPECT_EQ(got.at("enabled"), false);  // paused whatever the other value says
  EXPECT_EQ(got.at("paused_until"), "2026-12-01T08:00:00Z");
}

TEST(AutomaticUpdatesProbeTest, MapsMdmAllowAutoUpdateWhenGroupPolicyIsSilent) {
  struct Case {
    std::uint32_t value;
    std::optional<bool> enabled;
  };
  const Case cases[] = {{0, false}, {1, true},  {2, true},        {3, true},
                        {4, true},  {5, false}, {6, std::nullopt}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.value);
    FakeWindowsSystem sys;
    Baseline(sys);
    Dword(sys, std::string(kMdm) + "AllowAutoUpdate", c.value);
    json::object got = RunUpdates(sys);
    EXPECT_EQ(got.at("management"), "mdm");
    EXPECT_EQ(got.at("mdm_allow_auto_update"), c.value);
    if (c.enabled) {
      EXPECT_EQ(got.at("enabled"), *c.enabled);
    } else {
      EXPECT_TRUE(got.at("enabled").is_null());
      EXPECT_EQ(got.at("reason"), "unknown AllowAutoUpdate 6");
    }
  }
}

TEST(AutomaticUpdatesProbeTest, GroupPolicyWinsOverMdmPerSetting) {
  FakeWindowsSystem sys;
  Baseline(sys);
  Dword(sys, std::string(kAu) + "AUOptions", 4u);
  Dword(sys, std::string(kMdm) + "AllowAutoUpdate", 5u);
  Dword(sys, std::string(kMdm) + "DeferQualityUpdatesPeriodInDays", 10u);  // GP sets none
  json::object got = RunUpdates(sys);
  EXPECT_EQ(got.at("management"), "group_policy");
  EXPECT_EQ(got.at("enabled"), true);
  EXPECT_EQ(got.at("quality_update_deferral_days"), 10);
  EXPECT_EQ(got.at("includes_security"), false);
}

TEST(AutomaticUpdatesProbeTest, LastHotfixUnreadableOrUnparseableIsNullWithReason) {
  {
    FakeWindowsSystem sys;
    Baseline(sys);
    sys.fake_wmi().FailQuery("ROOT\\CIMV2", "Win32_QuickFixEngineering",
                             PermissionDeniedError("0x80041003 (WBEM_E_ACCESS_DENIED)"));
    json::object got = RunUpdates(sys);
    EXPECT_TRUE(got.at("last_hotfix_installed_on").is_null());
    EXPECT_TRUE(got.at("last_hotfix_id").is_null());
    EXPECT_EQ(got.at("enabled"), true);  // the rest is unaffected
    EXPECT_EQ(got.at("reason"),
              "last hotfix not read: Win32_QuickFixEngineering: 0x80041003 "
              "(WBEM_E_ACCESS_DENIED)");
  }
  {
    FakeWindowsSystem sys;
    Baseline(sys);
    sys.fake_wmi().AddRows(
        "ROOT\\CIMV2", "Win32_QuickFixEngineering",
        {{{"HotFixID", std::string("KB1")}, {"InstalledOn", std::string("12.11.2026")}}});
    json::object got = RunUpdates(sys);
    EXPECT_TRUE(got.at("last_hotfix_installed_on").is_null());
    EXPECT_EQ(got.at("reason"),
              "Win32_QuickFixEngineering InstalledOn not understood (\"12.11.2026\")");
  }
  {
    FakeWindowsSystem sys;
    Baseline(sys);
    sys.fake_wmi().AddRows("ROOT\\CIMV2", "Win32_QuickFixEngineering", {});
    json::object got = RunUpdates(sys);
    EXPECT_TRUE(got.at("last_hotfix_installed_on").is_null());
    EXPECT_EQ(got.at("reason"), "Win32_QuickFixEngineering lists no installed update with a date");
  }
}

TEST(AutomaticUpdatesProbeTest, LastHotfixIsTheNewestParsedWithACaveatForTheOthers) {
  FakeWindowsSystem sys;
  Baseline(sys);
  sys.fake_wmi().AddRows(
      "ROOT\\CIMV2", "Win32_QuickFixEngineering",
      {{{"HotFixID", std::string("KB2")}, {"InstalledOn", std::string("01dd728c944c5000")}},
       {{"HotFixID", std::string("KB3")}, {"InstalledOn", std::string("3/1/2026")}},
       {{"HotFixID", std::string("KB4")}, {"InstalledOn", std::string("1.12.2026")}}});
  json::object got = RunUpdates(sys);
  EXPECT_EQ(got.at("last_hotfix_installed_on"), "2026-11-12");
  EXPECT_EQ(got.at("last_hotfix_id"), "KB2");
  EXPECT_EQ(got.at("reason"),
            "1 Win32_QuickFixEngineering InstalledOn not understood (\"1.12.2026\"); the newest "
            "of the others is reported");
}

TEST(AutomaticUpdatesProbeTest, FailureKeepsTheShapeWithReason) {
  FakeWindowsSystem sys;
  auto probe = NewWindowsAutomaticUpdatesProbe(sys);
  FactsDocument facts;
  probe->OnFailure(facts, "boom");
  const json::object& got = facts.hardening.at("automatic_updates");
  EXPECT_EQ(got.size(), 14u);
  EXPECT_TRUE(got.at("enabled").is_null());
  EXPECT_EQ(got.at("reason"), "boom");
  EXPECT_EQ(probe->name(), "hardening.automatic_updates");
}

}  // namespace
}  // namespace bulwark
