#include <gtest/gtest.h>

#include "agent/probes/posture/gsettings.h"
#include "agent/probes/posture/mac.h"

namespace bulwark {
namespace {

TEST(MacTest, LsmList) {
  EXPECT_EQ(ParseLsmList("lockdown,capability,landlock,yama,apparmor\n"),
            (std::vector<std::string>{"lockdown", "capability", "landlock", "yama", "apparmor"}));
  EXPECT_TRUE(ParseLsmList("").empty());
}

TEST(MacTest, AppArmorProfiles) {
  const auto c = ParseAppArmorProfiles(
      "/usr/bin/man (enforce)\n"
      "man_filter (enforce)\n"
      "snap.firefox.firefox (complain)\n"
      "firefox (unconfined)\n"
      "profile with spaces (kill)\n"
      "weird line\n"
      "x (prompt)\n");
  EXPECT_EQ(c.enforce, 2u);
  EXPECT_EQ(c.complain, 1u);
  EXPECT_EQ(c.unconfined, 1u);
  EXPECT_EQ(c.kill, 1u);
  EXPECT_EQ(c.other, 2u);
  EXPECT_EQ(c.total(), 7u);
  EXPECT_EQ(AppArmorMode(c), "enforcing");
  EXPECT_EQ(AppArmorMode(ParseAppArmorProfiles("a (complain)\n")), "complain");
  EXPECT_EQ(AppArmorMode(ParseAppArmorProfiles("")), "disabled");
  EXPECT_EQ(AppArmorMode(ParseAppArmorProfiles("a (unconfined)\n")), "disabled");
}

TEST(MacTest, Selinux) {
  EXPECT_EQ(SelinuxEnforceMode("1"), "enforcing");
  EXPECT_EQ(SelinuxEnforceMode("0\n"), "permissive");
  EXPECT_EQ(SelinuxEnforceMode("2"), std::nullopt);
  EXPECT_EQ(SelinuxConfigMode("# comment\nSELINUX=Enforcing\nSELINUXTYPE=targeted\n"), "enforcing");
  EXPECT_EQ(SelinuxConfigMode("SELINUX=disabled\n"), "disabled");
  EXPECT_EQ(SelinuxConfigMode("SELINUX=bogus\n"), std::nullopt);
  EXPECT_EQ(SelinuxConfigMode(""), std::nullopt);
}

TEST(GsettingsTest, ListAndValues) {
  const auto m = ParseGsettingsList(
      "org.gnome.desktop.screensaver lock-enabled true\n"
      "org.gnome.desktop.screensaver lock-delay uint32 0\n"
      "org.gnome.desktop.screensaver picture-uri 'file:///usr/share/a b.png'\n"
      "garbage\n");
  EXPECT_EQ(m.at("org.gnome.desktop.screensaver lock-enabled"), "true");
  EXPECT_EQ(m.at("org.gnome.desktop.screensaver picture-uri"), "'file:///usr/share/a b.png'");
  EXPECT_EQ(m.size(), 3u);
  EXPECT_EQ(GVariantBool("true"), true);
  EXPECT_EQ(GVariantBool("false\n"), false);
  EXPECT_EQ(GVariantBool("'true'"), std::nullopt);
  EXPECT_EQ(GVariantUint("uint32 300\n"), 300u);
  EXPECT_EQ(GVariantUint("600"), 600u);
  EXPECT_EQ(GVariantUint("int32 -5"), std::nullopt);
  EXPECT_EQ(GVariantUint("nope"), std::nullopt);
}

}  // namespace
}  // namespace bulwark
