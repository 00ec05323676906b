// hardening.screen_lock against a fake registry and console session.
#include <gtest/gtest.h>

#include "platform/windows/windows_probes.h"
#include "tests/unit/platform/windows/fake_windows_system.h"

namespace bulwark {
namespace {

constexpr char kLimit[] =
    "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\InactivityTimeoutSecs";
constexpr char kSid[] = "S-1-5-21-1004336348-1177238915-682003330-1207";

std::string UserValue(const std::string& value, bool policy = false) {
  return std::string("HKU\\") + kSid + "\\" +
         (policy ? "Software\\Policies\\Microsoft\\Windows\\Control Panel\\Desktop\\"
                 : "Control Panel\\Desktop\\") +
         value;
}

void Carol(FakeWindowsSystem& sys) {
  ConsoleSession c;
  c.session_id = 1;
  c.user = "CONTOSO\\carol";
  c.user_sid = kSid;
  sys.fake_accounts().console = c;
}

void SetString(FakeWindowsSystem& sys, const std::string& path, Result<std::string> v) {
  sys.fake_registry().strings.insert_or_assign(path, std::move(v));
}

boost::json::object RunProbe(FakeWindowsSystem& sys) {
  FactsDocument facts;
  ProbeRegistry registry;
  registry.Add(NewScreenLockProbe(sys));
  registry.CollectAll(facts);
  EXPECT_TRUE(facts.probe_errors.empty());
  return facts.hardening.at("screen_lock");
}

TEST(ScreenLockProbeTest, MachineInactivityLimitMatchesTheCompliantFixture) {
  FakeWindowsSystem sys;
  Carol(sys);
  sys.fake_registry().dwords.insert_or_assign(kLimit, 900u);
  boost::json::object want{{"console_user", "CONTOSO\\carol"},
                           {"desktop", "windows"},
                           {"lock_enabled", true},
                           {"idle_delay_seconds", 900},
                           {"lock_delay_seconds", 0},
                           {"reason", nullptr},
                           {"machine_inactivity_limit_seconds", 900},
                           {"screen_saver_active", false},
                           {"screen_saver_secure", false},
                           {"screen_saver_timeout_seconds", nullptr},
                           {"screen_saver_grace_period_seconds", 5},
                           {"source", "machine_inactivity_limit"}};
  EXPECT_EQ(RunProbe(sys), want);
}

TEST(ScreenLockProbeTest, InsecureScreenSaverMatchesTheNoncompliantFixture) {
  FakeWindowsSystem sys;
  Carol(sys);
  SetString(sys, UserValue("ScreenSaveActive"), std::string("1"));
  SetString(sys, UserValue("ScreenSaverIsSecure"), std::string("0"));
  SetString(sys, UserValue("ScreenSaveTimeOut"), std::string("600"));
  auto out = RunProbe(sys);
  EXPECT_EQ(out.at("lock_enabled"), false);
  EXPECT_EQ(out.at("idle_delay_seconds"), 0);
  EXPECT_TRUE(out.at("lock_delay_seconds").is_null());
  EXPECT_TRUE(out.at("source").is_null());
  EXPECT_EQ(out.at("machine_inactivity_limit_seconds"), 0);
  EXPECT_EQ(out.at("screen_saver_active"), true);
  EXPECT_EQ(out.at("screen_saver_secure"), false);
  EXPECT_EQ(out.at("screen_saver_timeout_seconds"), 600);
  EXPECT_TRUE(out.at("reason").is_null());
}

TEST(ScreenLockProbeTest, SecureScreenSaverLocksAfterItsTimeoutPlusGrace) {
  FakeWindowsSystem sys;
  Carol(sys);
  SetString(sys, UserValue("ScreenSaveActive"), std::string("1"));
  SetString(sys, UserValue("ScreenSaverIsSecure"), std::string("1"));
  SetString(sys, UserValue("ScreenSaveTimeOut"), std::string("600"));
  SetString(
      sys,
      "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon\\ScreenSaverGracePeriod",
      std::string("0"));
  auto out = RunProbe(sys);
  EXPECT_EQ(out.at("lock_enabled"), true);
  EXPECT_EQ(out.at("idle_delay_seconds"), 600);
  EXPECT_EQ(out.at("lock_delay_seconds"), 0);
  EXPECT_EQ(out.at("screen_saver_grace_period_seconds"), 0);
  EXPECT_EQ(out.at("source"), "screen_saver");
}

TEST(ScreenLockProbeTest, GroupPolicyValueWinsAndTheSmallerDelayDecides) {
  FakeWindowsSystem sys;
  Carol(sys);
  sys.fake_registry().dwords.insert_or_assign(kLimit, 900u);
  SetString(sys, UserValue("ScreenSaveActive"), std::string("1"));
  SetString(sys, UserValue("ScreenSaverIsSecure"), std::string("0"));
  SetString(sys, UserValue("ScreenSaverIsSecure", true), std::string("1"));
  SetString(sys, UserValue("ScreenSaveTimeOut", true), std::string("300"));
  SetString(sys, UserValue("ScreenSaveTimeOut"), std::string("1200"));
  auto out = RunProbe(sys);
  EXPECT_EQ(out.at("screen_saver_secure"), true);
  EXPECT_EQ(out.at("screen_saver_timeout_seconds"), 300);
  EXPECT_EQ(out.at("idle_delay_seconds"), 300);
  EXPECT_EQ(out.at("lock_delay_seconds"), 5);
  EXPECT_EQ(out.at("source"), "screen_saver");
}

TEST(ScreenLockProbeTest, NobodySignedInWithoutMachineLimitIsUnknown) {
  FakeWindowsSystem sys;  // console: nobody
  auto out = RunProbe(sys);
  EXPECT_TRUE(out.at("lock_enabled").is_null());
  EXPECT_TRUE(out.at("idle_delay_seconds").is_null());
  EXPECT_TRUE(out.at("console_user").is_null());
  EXPECT_EQ(out.at("reason"), "no user is signed in at the console");
}

TEST(ScreenLockProbeTest, NobodySignedInWithMachineLimitStillLocks) {
  FakeWindowsSystem sys;
  sys.fake_registry().dwords.insert_or_assign(kLimit, 600u);
  auto out = RunProbe(sys);
  EXPECT_EQ(out.at("lock_enabled"), true);
  EXPECT_EQ(out.at("idle_delay_seconds"), 600);
  EXPECT_TRUE(out.at("reason").is_null());
}

TEST(ScreenLockProbeTest, UnreadableUserHiveIsUnknownNeverFalse) {
  FakeWindowsSystem sys;
  Carol(sys);
  SetString(sys, UserValue("ScreenSaveActive", true), PermissionDeniedError("0x00000005"));
  auto out = RunProbe(sys);
  EXPECT_TRUE(out.at("lock_enabled").is_null());
  EXPECT_TRUE(out.at("idle_delay_seconds").is_null());
  EXPECT_TRUE(out.at("screen_saver_active").is_null());
  EXPECT_EQ(out.at("reason"), "ScreenSaveActive not read: 0x00000005");
}

TEST(ScreenLockProbeTest, UnreadableMachineLimitWithoutLockingSaverIsUnknown) {
  FakeWindowsSystem sys;
  Carol(sys);
  sys.fake_registry().dwords.insert_or_assign(kLimit, PermissionDeniedError("0x00000005"));
  auto out = RunProbe(sys);
  EXPECT_TRUE(out.at("lock_enabled").is_null());
  EXPECT_TRUE(out.at("machine_inactivity_limit_seconds").is_null());
  EXPECT_EQ(out.at("reason"), "InactivityTimeoutSecs not read: 0x00000005");
}

}  // namespace
}  // namespace bulwark
