#include "agent/probes/posture/sshd_config.h"

#include <gtest/gtest.h>

#include <chrono>

namespace bulwark {
namespace {

std::vector<SshdSourcedDirective> Flatten(const std::string& text, const std::string& file) {
  std::vector<SshdSourcedDirective> out;
  bool in_match = false;
  for (auto& d : ParseSshdConfig(text)) {
    if (d.keyword == "match") in_match = true;
    out.push_back({std::move(d), file, in_match});
  }
  return out;
}

TEST(SshdConfigTest, ParsesKeywordsCaseInsensitiveWithEqualsAndQuotes) {
  const auto ds = ParseSshdConfig(
      "# comment\n"
      "Include /etc/ssh/sshd_config.d/*.conf\n"
      "PermitRootLogin=no\n"
      "  passwordauthentication   yes\n"
      "AuthorizedKeysFile \".ssh/authorized keys\" .ssh/authorized_keys2\n"
      "Banner \"unterminated\n"
      "\n");
  ASSERT_EQ(ds.size(), 4u);
  EXPECT_EQ(ds[0].keyword, "include");
  EXPECT_EQ(ds[1].keyword, "permitrootlogin");
  EXPECT_EQ(ds[1].args, (std::vector<std::string>{"no"}));
  EXPECT_EQ(ds[1].line, 3u);
  EXPECT_EQ(ds[2].keyword, "passwordauthentication");
  EXPECT_EQ(ds[3].args,
            (std::vector<std::string>{".ssh/authorized keys", ".ssh/authorized_keys2"}));
}

TEST(SshdConfigTest, FirstValueWinsAndMatchBlocksOnlyOverride) {
  auto ds = Flatten("PasswordAuthentication No\nPasswordAuthentication yes\n", "/a");
  auto more = Flatten(
      "PermitRootLogin without-password\n"
      "Match User backup\n"
      "  PermitRootLogin yes\n"
      "  PasswordAuthentication yes\n",
      "/b");
  ds.insert(ds.end(), more.begin(), more.end());
  const SshdEffective e = ComputeSshdEffective(ds, SshdDefaults());
  EXPECT_EQ(e.values.at("passwordauthentication").value, "no");
  EXPECT_EQ(e.values.at("passwordauthentication").source, "/a:1");
  EXPECT_EQ(e.values.at("permitrootlogin").value, "without-password");
  EXPECT_EQ(e.values.at("pubkeyauthentication").value, "yes");
  EXPECT_EQ(e.values.at("pubkeyauthentication").source, "default");
  EXPECT_EQ(e.match_blocks, 1u);
  EXPECT_EQ(e.overridden_in_match,
            (std::set<std::string>{"passwordauthentication", "permitrootlogin"}));
}

TEST(SshdConfigTest, DefaultsApplyWhenUnset) {
  const SshdEffective e = ComputeSshdEffective({}, SshdDefaults());
  EXPECT_EQ(e.values.at("permitrootlogin").value, "prohibit-password");
  EXPECT_EQ(e.values.at("passwordauthentication").value, "yes");
  EXPECT_EQ(e.values.at("permitemptypasswords").value, "no");
}

TEST(GlobMatchTest, Table) {
  struct Case {
    const char* pattern;
    const char* name;
    bool match;
  };
  const Case cases[] = {
      {"*.conf", "50-cloud.conf", true},
      {"*.conf", "50-cloud.conf.bak", false},
      {"*.conf", ".hidden.conf", false},
      {".*.conf", ".hidden.conf", true},
      {"?.conf", "a.conf", true},
      {"?.conf", "ab.conf", false},
      {"[0-9]*", "10-x", true},
      {"[!0-9]*", "10-x", false},
      {"[abc", "[abc", true},
      {"a*b*c", "aXXbYYc", true},
      {"a*b*c", "aXXbYY", false},
      {"*", "", true},
      {"", "", true},
      {"", "x", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(GlobMatch(c.pattern, c.name), c.match) << c.pattern << " vs " << c.name;
  }
  const std::string stars(5000, '*');
  const std::string name(5000, 'a');
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(GlobMatch(stars + "b", name));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

}  // namespace
}  // namespace bulwark
