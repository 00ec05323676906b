#include "agent/probes/posture/updates.h"

#include <gtest/gtest.h>

#include "agent/probes/posture/crypttab.h"

namespace bulwark {
namespace {

TEST(AptConfigTest, ScalarsScopesListsAndClear) {
  AptConfig config;
  MergeAptConfig(
      "APT::Periodic::Update-Package-Lists \"1\";\n"
      "APT::Periodic::Unattended-Upgrade \"1\";\n",
      config);
  MergeAptConfig(
      "// Unattended-Upgrade::Origins-Pattern controls which packages are upgraded.\n"
      "Unattended-Upgrade::Origins-Pattern {\n"
      "        \"origin=Debian,codename=${distro_codename},label=Debian\";\n"
      "        \"origin=Debian,codename=${distro_codename},label=Debian-Security\";\n"
      "//      \"o=Debian Backports\";\n"
      "};\n"
      "/* block\n comment */\n"
      "Unattended-Upgrade::Mail \"root\";\n"
      "APT { Periodic { Enable \"1\"; }; };\n"
      "Unattended-Upgrade::Package-Blacklist:: \"foo\";\n"
      "#clear Unattended-Upgrade::Package-Blacklist;\n"
      "# a comment\n",
      config);
  EXPECT_EQ(AptConfigValue(config, "APT::Periodic::Unattended-Upgrade"), "1");
  EXPECT_EQ(AptConfigValue(config, "apt::periodic::enable"), "1");
  EXPECT_EQ(AptConfigValue(config, "Unattended-Upgrade::Mail"), "root");
  const auto& origins = config.at("unattended-upgrade::origins-pattern");
  ASSERT_EQ(origins.size(), 2u);
  EXPECT_NE(origins[1].find("Debian-Security"), std::string::npos);
  EXPECT_EQ(config.count("unattended-upgrade::package-blacklist"), 0u);
  // A later file overrides.
  MergeAptConfig("APT::Periodic::Unattended-Upgrade \"0\";", config);
  EXPECT_EQ(AptConfigValue(config, "APT::Periodic::Unattended-Upgrade"), "0");
}

TEST(AptConfigTest, HostileInputTerminates) {
  AptConfig config;
  std::string junk;
  for (int i = 0; i < 100000; ++i) junk.push_back(static_cast<char>((i * 53) % 256));
  MergeAptConfig(junk, config);
  MergeAptConfig(std::string(100000, '{') + std::string(100000, '}'), config);
  MergeAptConfig("\"unterminated", config);
  MergeAptConfig("/* unterminated", config);
  MergeAptConfig("A::B", config);
  MergeAptConfig("X::Y \"1\";", config);
  EXPECT_EQ(AptConfigValue(config, "X::Y"), "1");
}

TEST(AptPeriodicTest, Table) {
  EXPECT_TRUE(AptPeriodicEnabled("1"));
  EXPECT_TRUE(AptPeriodicEnabled("always"));
  EXPECT_FALSE(AptPeriodicEnabled("0"));
  EXPECT_FALSE(AptPeriodicEnabled(""));
}

TEST(UpdateNotifierTest, BothFormats) {
  auto now = ParseUpdatesAvailable(
      "\n12 updates can be applied immediately.\n"
      "5 of these updates are standard security updates.\n"
      "To see these additional updates run: apt list --upgradable\n\n"
      "3 additional security updates can be applied with ESM Apps.\n"
      "Learn more about enabling ESM Apps service at https://ubuntu.com/esm\n");
  EXPECT_EQ(now.total, 12u);
  EXPECT_EQ(now.security, 5u);
  EXPECT_EQ(now.esm_security, 3u);
  auto old =
      ParseUpdatesAvailable("\n7 packages can be updated.\n2 updates are security updates.\n");
  EXPECT_EQ(old.total, 7u);
  EXPECT_EQ(old.security, 2u);
  auto none = ParseUpdatesAvailable("\n0 updates can be applied immediately.\n");
  EXPECT_EQ(none.total, 0u);
  EXPECT_EQ(none.security, 0u);
  auto junk = ParseUpdatesAvailable("\x01\x02 garbage\n");
  EXPECT_FALSE(junk.total.has_value());
  EXPECT_FALSE(junk.security.has_value());
}

TEST(CrypttabTest, ParsesAndClassifies) {
  const auto r = ParseCrypttab(
      "# <target name> <source device> <key file> <options>\n"
      "cryptroot UUID=1234 none luks,discard\n"
      "cryptdata /dev/sdb1 /etc/keys/data.key luks\n"
      "cryptswap /dev/sda3 /dev/urandom swap,cipher=aes-xts-plain64\n"
      "usbkey /dev/sdc1 /dev/disk/by-id/usb-key\n"
      "remote /dev/sdd1 /key.bin:UUID=abcd\n"
      "lonely\n"
      "minimal /dev/sde1\n");
  ASSERT_EQ(r.entries.size(), 6u);
  EXPECT_EQ(r.malformed_lines, (std::vector<std::size_t>{7}));
  EXPECT_EQ(ClassifyKeyFile(r.entries[0].key_file), KeyFileKind::kNone);
  EXPECT_EQ(ClassifyKeyFile(r.entries[1].key_file), KeyFileKind::kFile);
  EXPECT_EQ(ClassifyKeyFile(r.entries[2].key_file), KeyFileKind::kRandom);
  EXPECT_EQ(ClassifyKeyFile(r.entries[3].key_file), KeyFileKind::kDevice);
  EXPECT_EQ(ClassifyKeyFile(r.entries[4].key_file), KeyFileKind::kRemote);
  EXPECT_EQ(ClassifyKeyFile(r.entries[5].key_file), KeyFileKind::kNone);
  EXPECT_EQ(r.entries[1].options, "luks");
  EXPECT_EQ(r.entries[1].line, 3u);
  EXPECT_EQ(KeyFileKindName(KeyFileKind::kRandom), "random");
}

}  // namespace
}  // namespace bulwark
