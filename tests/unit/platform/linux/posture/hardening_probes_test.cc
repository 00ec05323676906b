#include "platform/linux/posture/hardening_probes.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <functional>

#include "tests/unit/platform/linux/posture/posture_test_support.h"

namespace bulwark {
namespace {

namespace json = boost::json;
using testing::PostureFixture;

constexpr char kEfiGuid[] = "8be4df61-93ca-11d2-aa0d-e98c0d7b4b17";

template <typename P>
json::object CollectOne(PostureFixture& f) {
  FactsDocument facts;
  P probe(f.NewState());
  EXPECT_TRUE(probe.Collect(facts).ok());
  const std::string key(probe.key());
  EXPECT_EQ(probe.name(), "hardening." + key);
  return facts.hardening.at(key);
}

std::string EfiVar(char value) { return std::string("\x06\x00\x00\x00", 4) + value; }

// --- secure_boot -----------------------------------------------------------------------------

TEST(SecureBootProbeTest, EnabledWithLockdown) {
  PostureFixture f;
  f.dir.WriteFile(std::string("sys/firmware/efi/efivars/SecureBoot-") + kEfiGuid, EfiVar(1));
  f.dir.WriteFile(std::string("sys/firmware/efi/efivars/SetupMode-") + kEfiGuid, EfiVar(0));
  f.dir.WriteFile("sys/kernel/security/lockdown", "none [integrity] confidentiality\n");
  const json::object o = CollectOne<SecureBootProbe>(f);
  EXPECT_EQ(
      json::serialize(o),
      R"({"uefi":true,"enabled":true,"setup_mode":false,"lockdown":"integrity","reason":null})");
}

TEST(SecureBootProbeTest, Table) {
  struct Case {
    const char* name;
    std::function<void(PostureFixture&)> setup;
    json::value uefi;
    json::value enabled;
  };
  const Case cases[] = {
      {"no sysfs", [](PostureFixture&) {}, nullptr, nullptr},
      {"legacy BIOS", [](PostureFixture& f) { f.dir.MakeDirs("sys/firmware/acpi"); }, false, false},
      {"efivarfs not mounted",
       [](PostureFixture& f) { f.dir.MakeDirs("sys/firmware/efi/efivars"); }, true, nullptr},
      {"no SecureBoot variable",
       [](PostureFixture& f) {
         f.dir.WriteFile(std::string("sys/firmware/efi/efivars/BootOrder-") + kEfiGuid, "x");
       },
       true, false},
      {"disabled",
       [](PostureFixture& f) {
         f.dir.WriteFile(std::string("sys/firmware/efi/efivars/SecureBoot-") + kEfiGuid, EfiVar(0));
       },
       true, false},
      {"truncated variable",
       [](PostureFixture& f) {
         f.dir.WriteFile(std::string("sys/firmware/efi/efivars/SecureBoot-") + kEfiGuid, "\x06");
       },
       true, nullptr},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    PostureFixture f;
    c.setup(f);
    const json::object o = CollectOne<SecureBootProbe>(f);
    EXPECT_EQ(o.at("uefi"), c.uefi);
    EXPECT_EQ(o.at("enabled"), c.enabled);
    if (c.enabled.is_null()) {
      EXPECT_TRUE(o.at("reason").is_string());
    }
  }
}

// --- aslr ------------------------------------------------------------------------------------

TEST(AslrProbeTest, Table) {
  struct Case {
    const char* content;
    json::value value;
    json::value enabled;
    json::value full;
  };
  const Case cases[] = {{"2\n", 2, true, true},
                        {"1", 1, true, false},
                        {"0", 0, false, false},
                        {"7", nullptr, nullptr, nullptr},
                        {"\xff\xfe", nullptr, nullptr, nullptr}};
  for (const auto& c : cases) {
    PostureFixture f;
    f.dir.WriteFile("proc/sys/kernel/randomize_va_space", c.content);
    const json::object o = CollectOne<AslrProbe>(f);
    EXPECT_EQ(o.at("randomize_va_space"), c.value);
    EXPECT_EQ(o.at("enabled"), c.enabled);
    EXPECT_EQ(o.at("full"), c.full);
  }
  PostureFixture missing;
  EXPECT_TRUE(CollectOne<AslrProbe>(missing).at("reason").is_string());
}

// --- os_support ------------------------------------------------------------------------------

TEST(OsSupportProbeTest, DebianUbuntuFedora) {
  PostureFixture debian;
  debian.dir.WriteFile("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
  json::object o = CollectOne<OsSupportProbe>(debian);
  EXPECT_EQ(json::serialize(o),
            R"({"id":"debian","version_id":"12","supported":true,"support_end":"2028-06-30",)"
            R"("source":"builtin","reason":null})");
  PostureFixture ubuntu;
  ubuntu.dir.WriteFile("usr/lib/os-release", "ID=ubuntu\nVERSION_ID=\"20.04\"\n");
  o = CollectOne<OsSupportProbe>(ubuntu);
  EXPECT_EQ(o.at("supported"), false);
  PostureFixture fedora;
  fedora.dir.WriteFile("etc/os-release", "ID=fedora\nVERSION_ID=43\nSUPPORT_END=2026-12-09\n");
  o = CollectOne<OsSupportProbe>(fedora);
  EXPECT_EQ(o.at("supported"), true);
  EXPECT_EQ(o.at("source"), "os-release");
  PostureFixture none;
  o = CollectOne<OsSupportProbe>(none);
  EXPECT_TRUE(o.at("supported").is_null());
  EXPECT_TRUE(o.at("reason").is_string());
}

// --- crypttab --------------------------------------------------------------------------------

TEST(CrypttabProbeTest, KeyFilePermissions) {
  PostureFixture f;
  f.dir.WriteFile("etc/crypttab",
                  "# <name> <device> <key> <options>\n"
                  "cryptroot UUID=aaaa none luks,discard\n"
                  "cryptdata UUID=bbbb /etc/keys/data.key luks\n"
                  "cryptleak UUID=cccc /etc/keys/leak.key luks\n"
                  "cryptswap /dev/sda3 /dev/urandom swap\n"
                  "cryptgone UUID=dddd /boot/missing.key luks\n"
                  "cryptimplicit UUID=eeee - luks\n");
  f.dir.WriteFile("etc/keys/data.key", "secret", 0400);
  f.dir.WriteFile("etc/keys/leak.key", "secret", 0644);
  f.dir.WriteFile("etc/cryptsetup-keys.d/cryptimplicit.key", "secret", 0600);
  ASSERT_EQ(::chown(f.dir.Join("etc/cryptsetup-keys.d/cryptimplicit.key").c_str(), 1000, 1000), 0);
  const json::object o = CollectOne<CrypttabProbe>(f);
  EXPECT_EQ(o.at("present"), true);
  EXPECT_EQ(o.at("insecure_key_files"), 2);
  const json::array& e = o.at("entries").as_array();
  ASSERT_EQ(e.size(), 6u);
  EXPECT_TRUE(e[0].at("key_file").is_null());
  EXPECT_EQ(e[0].at("key_file_kind"), "none");
  EXPECT_EQ(e[1].at("key_file_mode"), "0400");
  EXPECT_EQ(e[1].at("key_file_owner_uid"), 0);
  EXPECT_EQ(e[1].at("key_file_secure"), true);
  EXPECT_EQ(e[2].at("key_file_mode"), "0644");
  EXPECT_EQ(e[2].at("key_file_secure"), false);
  EXPECT_EQ(e[3].at("key_file_kind"), "random");
  EXPECT_EQ(e[3].at("key_file_secure"), true);
  EXPECT_TRUE(e[4].at("key_file_secure").is_null());
  EXPECT_TRUE(e[4].at("reason").is_string());
  EXPECT_EQ(e[5].at("key_file"), "/etc/cryptsetup-keys.d/cryptimplicit.key");
  EXPECT_EQ(e[5].at("key_file_secure"), false);  // owned by uid 1000
}

TEST(CrypttabProbeTest, AbsentAndUnreadable) {
  PostureFixture absent;
  EXPECT_EQ(json::serialize(CollectOne<CrypttabProbe>(absent)),
            R"({"present":false,"entries":[],"insecure_key_files":0,"reason":null})");
  PostureFixture denied;
  denied.dir.WriteFile("etc/crypttab", "x y z\n");
  denied.faulty.deny.insert("/etc/crypttab");
  const json::object o = CollectOne<CrypttabProbe>(denied);
  EXPECT_TRUE(o.at("present").is_null());
  EXPECT_TRUE(o.at("entries").is_null());
  EXPECT_TRUE(o.at("reason").is_string());
}

// --- ssh_server ------------------------------------------------------------------------------

void WriteDebianSsh(PostureFixture& f) {
  f.dir.WriteFile("usr/sbin/sshd", "", 0755);
  f.EnableUnit("ssh.service");
  f.AddProcess(812, "sshd", "/usr/sbin/sshd");
  f.dir.WriteFile("etc/ssh/sshd_config",
                  "Include /etc/ssh/sshd_config.d/*.conf\n"
                  "KbdInteractiveAuthentication no\n"
                  "UsePAM yes\n"
                  "X11Forwarding yes\n"
                  "PasswordAuthentication yes\n"
                  "Match User backup\n"
                  "  PermitRootLogin yes\n");
  f.dir.WriteFile("etc/ssh/sshd_config.d/50-hardening.conf",
                  "PasswordAuthentication no\nPermitRootLogin No\n");
  f.dir.WriteFile("etc/ssh/sshd_config.d/README.txt", "PermitEmptyPasswords yes\n");
}

TEST(SshServerProbeTest, EffectiveValuesFromIncludesFirstWins) {
  PostureFixture f;
  WriteDebianSsh(f);
  const json::object o = CollectOne<SshServerProbe>(f);
  EXPECT_EQ(o.at("installed"), true);
  EXPECT_EQ(o.at("enabled"), true);
  EXPECT_EQ(o.at("running"), true);
  EXPECT_EQ(o.at("permit_root_login"), "no");
  EXPECT_EQ(o.at("password_authentication"), false);
  EXPECT_EQ(o.at("kbd_interactive_authentication"), false);
  EXPECT_EQ(o.at("pubkey_authentication"), true);
  EXPECT_EQ(o.at("permit_empty_passwords"), false);
  EXPECT_TRUE(o.at("reason").is_null());
  EXPECT_EQ(o.at("sources").at("passwordauthentication"),
            "/etc/ssh/sshd_config.d/50-hardening.conf:1");
  EXPECT_EQ(o.at("sources").at("pubkeyauthentication"), "default");
  EXPECT_EQ(json::serialize(o.at("overridden_in_match")), R"(["permitrootlogin"])");
  EXPECT_EQ(o.at("match_blocks"), 1);
  EXPECT_EQ(json::serialize(o.at("config_files")),
            R"(["/etc/ssh/sshd_config","/etc/ssh/sshd_config.d/50-hardening.conf"])");
}

TEST(SshServerProbeTest, FedoraDefaultsAndDeprecatedAlias) {
  PostureFixture f;
  f.dir.WriteFile("usr/sbin/sshd", "", 0755);
  f.EnableUnit("sshd.service");
  f.dir.WriteFile("etc/ssh/sshd_config",
                  "Include /etc/ssh/sshd_config.d/*.conf\nChallengeResponseAuthentication no\n"
                  "PermitRootLogin without-password\n");
  f.dir.WriteFile("etc/ssh/sshd_config.d/50-redhat.conf", "UsePAM yes\n");
  const json::object o = CollectOne<SshServerProbe>(f);
  EXPECT_EQ(o.at("permit_root_login"), "prohibit-password");
  EXPECT_EQ(o.at("password_authentication"), true);
  EXPECT_EQ(o.at("kbd_interactive_authentication"), false);
  EXPECT_TRUE(o.at("running").is_null());  // no process table in this root
}

TEST(SshServerProbeTest, NotInstalled) {
  PostureFixture f;
  f.dir.MakeDirs("etc/systemd/system");
  f.AddProcess(1, "systemd");
  const json::object o = CollectOne<SshServerProbe>(f);
  EXPECT_EQ(o.at("installed"), false);
  EXPECT_EQ(o.at("enabled"), false);
  EXPECT_EQ(o.at("running"), false);
  EXPECT_TRUE(o.at("permit_root_login").is_null());
  EXPECT_EQ(o.at("reason"), "OpenSSH server is not installed");
}

TEST(SshServerProbeTest, IncludeLoopAndUnreadableIncludeMakeValuesUnknown) {
  PostureFixture loop;
  loop.dir.WriteFile("usr/sbin/sshd", "", 0755);
  loop.dir.WriteFile("etc/ssh/sshd_config", "Include sshd_config\nPermitRootLogin no\n");
  json::object o = CollectOne<SshServerProbe>(loop);
  EXPECT_TRUE(o.at("permit_root_login").is_null());
  EXPECT_NE(o.at("reason").as_string().find("include loop"), std::string::npos);

  PostureFixture denied;
  WriteDebianSsh(denied);
  denied.faulty.deny.insert("/etc/ssh/sshd_config.d/50-hardening.conf");
  o = CollectOne<SshServerProbe>(denied);
  EXPECT_TRUE(o.at("password_authentication").is_null());
  EXPECT_NE(o.at("reason").as_string().find("permission_denied"), std::string::npos);
}

// --- automatic_updates -----------------------------------------------------------------------

void WriteUnattendedUpgrades(PostureFixture& f) {
  f.dir.WriteFile("usr/bin/apt-get", "", 0755);
  f.dir.WriteFile("usr/bin/unattended-upgrade", "", 0755);
  f.dir.WriteFile("etc/apt/apt.conf.d/20auto-upgrades",
                  "APT::Periodic::Update-Package-Lists \"1\";\n"
                  "APT::Periodic::Unattended-Upgrade \"1\";\n");
  f.dir.WriteFile("etc/apt/apt.conf.d/50unattended-upgrades",
                  "Unattended-Upgrade::Origins-Pattern {\n"
                  "  \"origin=Debian,codename=${distro_codename},label=Debian-Security\";\n"
                  "};\n");
  f.dir.WriteFile("etc/apt/apt.conf.d/99off.dpkg-old",
                  "APT::Periodic::Unattended-Upgrade \"0\";\n");
  f.EnableUnit("apt-daily-upgrade.timer", "timers.target");
}

TEST(AutomaticUpdatesProbeTest, UnattendedUpgradesEnabled) {
  PostureFixture f;
  WriteUnattendedUpgrades(f);
  const json::object o = CollectOne<AutomaticUpdatesProbe>(f);
  EXPECT_EQ(o.at("mechanism"), "unattended-upgrades");
  EXPECT_EQ(o.at("installed"), true);
  EXPECT_EQ(o.at("enabled"), true);
  EXPECT_EQ(o.at("includes_security"), true);
  EXPECT_TRUE(o.at("reason").is_null());
}

TEST(AutomaticUpdatesProbeTest, UnattendedUpgradesDisabledTable) {
  {
    PostureFixture f;
    WriteUnattendedUpgrades(f);
    f.dir.WriteFile("etc/apt/apt.conf.d/99disable", "APT::Periodic::Unattended-Upgrade \"0\";\n");
    EXPECT_EQ(CollectOne<AutomaticUpdatesProbe>(f).at("enabled"), false);
  }
  {
    PostureFixture f;
    WriteUnattendedUpgrades(f);
    f.dir.Symlink("etc/systemd/system/apt-daily-upgrade.timer", "/dev/null");
    const json::object o = CollectOne<AutomaticUpdatesProbe>(f);
    EXPECT_EQ(o.at("enabled"), false);
    EXPECT_EQ(o.at("timer_masked"), true);
  }
  {
    PostureFixture f;
    f.dir.WriteFile("usr/bin/apt-get", "", 0755);
    const json::object o = CollectOne<AutomaticUpdatesProbe>(f);
    EXPECT_EQ(o.at("installed"), false);
    EXPECT_EQ(o.at("enabled"), false);
    EXPECT_TRUE(o.at("includes_security").is_null());
  }
}

TEST(AutomaticUpdatesProbeTest, DnfAutomatic) {
  PostureFixture f;
  f.dir.WriteFile("usr/bin/dnf", "", 0755);
  f.dir.WriteFile("usr/bin/dnf-automatic", "", 0755);
  f.dir.WriteFile("etc/dnf/automatic.conf",
                  "[commands]\nupgrade_type = security\napply_updates = yes\n");
  f.EnableUnit("dnf-automatic.timer", "timers.target");
  json::object o = CollectOne<AutomaticUpdatesProbe>(f);
  EXPECT_EQ(o.at("mechanism"), "dnf-automatic");
  EXPECT_EQ(o.at("enabled"), true);
  EXPECT_EQ(o.at("includes_security"), true);
  f.dir.WriteFile("etc/dnf/automatic.conf", "[commands]\napply_updates = no\n");
  o = CollectOne<AutomaticUpdatesProbe>(f);
  EXPECT_EQ(o.at("enabled"), false);
  PostureFixture none;
  o = CollectOne<AutomaticUpdatesProbe>(none);
  EXPECT_TRUE(o.at("mechanism").is_null());
  EXPECT_TRUE(o.at("reason").is_string());
}

// --- pending_updates -------------------------------------------------------------------------

TEST(PendingUpdatesProbeTest, UbuntuCountsAndRebootFlag) {
  PostureFixture f;
  f.dir.WriteFile("var/lib/update-notifier/updates-available",
                  "\n9 updates can be applied immediately.\n"
                  "4 of these updates are standard security updates.\n");
  f.dir.WriteFile("run/reboot-required", "*** System restart required ***\n");
  f.dir.WriteFile("run/reboot-required.pkgs", "linux-image-6.8.0-50-generic\nlibc6\n");
  const json::object o = CollectOne<PendingUpdatesProbe>(f);
  EXPECT_EQ(o.at("total_updates"), 9);
  EXPECT_EQ(o.at("security_updates"), 4);
  EXPECT_EQ(o.at("reboot_required"), true);
  EXPECT_EQ(json::serialize(o.at("reboot_required_packages")),
            R"(["linux-image-6.8.0-50-generic","libc6"])");
}

TEST(PendingUpdatesProbeTest, NewerKernelInstalled) {
  PostureFixture f;
  f.dir.WriteFile("proc/sys/kernel/osrelease", "6.1.0-26-amd64\n");
  f.dir.MakeDirs("usr/lib/modules/6.1.0-26-amd64");
  f.dir.MakeDirs("usr/lib/modules/6.1.0-28-amd64");
  json::object o = CollectOne<PendingUpdatesProbe>(f);
  EXPECT_EQ(o.at("reboot_required"), true);
  EXPECT_EQ(o.at("newest_installed_kernel"), "6.1.0-28-amd64");
  EXPECT_TRUE(o.at("security_updates").is_null());
  EXPECT_TRUE(o.at("reason").is_string());

  PostureFixture current;
  current.dir.WriteFile("proc/sys/kernel/osrelease", "6.1.0-28-amd64\n");
  current.dir.MakeDirs("usr/lib/modules/6.1.0-9-amd64");
  current.dir.MakeDirs("usr/lib/modules/6.1.0-28-amd64");
  o = CollectOne<PendingUpdatesProbe>(current);
  EXPECT_EQ(o.at("reboot_required"), false);

  PostureFixture unknown;
  o = CollectOne<PendingUpdatesProbe>(unknown);
  EXPECT_TRUE(o.at("reboot_required").is_null());
}

// --- screen_lock -----------------------------------------------------------------------------

void WriteGnomeConsole(PostureFixture& f, const std::string& desktop = "GNOME") {
  f.dir.WriteFile("etc/passwd",
                  "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n");
  f.dir.WriteFile("run/systemd/seats/seat0", "ACTIVE=2\n");
  f.dir.WriteFile("run/systemd/sessions/2",
                  "UID=1000\nUSER=alice\nACTIVE=1\nSTATE=active\nREMOTE=0\nTYPE=wayland\n"
                  "CLASS=user\nSEAT=seat0\nDESKTOP=" +
                      desktop + "\n");
  f.dir.WriteFile("usr/share/glib-2.0/schemas/org.gnome.desktop.screensaver.gschema.xml",
                  "<schemalist/>");
  f.dir.WriteFile("run/user/1000/bus", "");
}

TEST(ScreenLockProbeTest, ReadsGnomeSettingsAsTheConsoleUser) {
  PostureFixture f;
  WriteGnomeConsole(f);
  f.faulty.live = true;
  f.runner.On("gsettings list-recursively org.gnome.desktop.screensaver",
              "org.gnome.desktop.screensaver lock-delay uint32 30\n"
              "org.gnome.desktop.screensaver lock-enabled true\n"
              "org.gnome.desktop.screensaver picture-opacity 100\n");
  f.runner.On("gsettings get org.gnome.desktop.session idle-delay", "uint32 300\n");
  const json::object o = CollectOne<ScreenLockProbe>(f);
  EXPECT_EQ(json::serialize(o),
            R"({"console_user":"alice","desktop":"gnome","lock_enabled":true,)"
            R"("idle_delay_seconds":300,"lock_delay_seconds":30,"reason":null})");
  ASSERT_EQ(f.runner.calls.size(), 2u);
  for (const auto& call : f.runner.calls) {
    EXPECT_EQ(call.options.run_as_uid, 1000u);
    EXPECT_EQ(call.options.run_as_gid, 1000u);
    EXPECT_EQ(call.options.timeout.count(), 2000);
    EXPECT_EQ(call.options.environment,
              (std::vector<std::string>{"HOME=/home/alice", "USER=alice",
                                        "XDG_RUNTIME_DIR=/run/user/1000",
                                        "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus"}));
  }
}

TEST(ScreenLockProbeTest, NullWithReasonTable) {
  struct Case {
    const char* name;
    std::function<void(PostureFixture&)> setup;
    const char* reason_part;
  };
  const Case cases[] = {
      {"not live", [](PostureFixture& f) { WriteGnomeConsole(f); }, "live-only"},
      {"no console user",
       [](PostureFixture& f) {
         f.faulty.live = true;
         f.dir.MakeDirs("run/systemd/sessions");
       },
       "no user is logged in"},
      {"KDE session",
       [](PostureFixture& f) {
         WriteGnomeConsole(f, "KDE");
         f.faulty.live = true;
       },
       "only GNOME"},
      {"gsettings missing",
       [](PostureFixture& f) {
         WriteGnomeConsole(f);
         f.faulty.live = true;
       },
       "not_found"},
      {"gsettings times out",
       [](PostureFixture& f) {
         WriteGnomeConsole(f);
         f.faulty.live = true;
         f.runner.OnError("gsettings list-recursively org.gnome.desktop.screensaver",
                          DeadlineExceededError("gsettings did not finish within 2000 ms"));
       },
       "deadline_exceeded"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    PostureFixture f;
    c.setup(f);
    const json::object o = CollectOne<ScreenLockProbe>(f);
    EXPECT_TRUE(o.at("lock_enabled").is_null());
    ASSERT_TRUE(o.at("reason").is_string());
    EXPECT_NE(o.at("reason").as_string().find(c.reason_part), std::string::npos)
        << o.at("reason").as_string();
  }
}

// --- failure shape ---------------------------------------------------------------------------

TEST(HardeningProbeTest, OnFailureWritesEveryFieldAsNull) {
  PostureFixture f;
  for (auto& probe : MakeHardeningProbes(f.NewState())) {
    FactsDocument facts;
    probe->OnFailure(facts, "probe threw: boom");
    ASSERT_EQ(facts.hardening.size(), 1u);
    const json::object& o = facts.hardening.begin()->second;
    EXPECT_EQ(o.at("reason"), "probe threw: boom");
    for (const auto& [key, value] : o) {
      if (key != "reason") {
        EXPECT_TRUE(value.is_null()) << probe->name() << "." << key;
      }
    }
    EXPECT_GE(o.size(), 3u);
  }
}

}  // namespace
}  // namespace bulwark
