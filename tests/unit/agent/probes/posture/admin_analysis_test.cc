#include "agent/probes/posture/admin_analysis.h"

#include <gtest/gtest.h>

namespace bulwark {
namespace {

constexpr char kPasswd[] =
    "root:x:0:0:root:/root:/bin/bash\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "alice:x:1000:1000:Alice:/home/alice:/bin/bash\n"
    "bob:x:1001:1001:Bob:/home/bob:/bin/bash\n"
    "carol:x:1002:10:Carol:/home/carol:/bin/bash\n"
    "dave:x:1003:1003:Dave:/home/dave:/bin/bash\n"
    "toor:x:0:0:backdoor:/root:/bin/sh\n";

constexpr char kGroup[] =
    "root:x:0:\n"
    "wheel:x:10:\n"
    "sudo:x:27:alice,ldapuser\n"
    "ops:x:500:bob,dave\n"
    "alice:x:1000:\n";

struct Fixture {
  std::vector<PasswdEntry> passwd = ParsePasswd(kPasswd).entries;
  std::vector<GroupEntry> groups = ParseGroup(kGroup).entries;

  AdminAnalysis Analyze(const std::string& sudoers) const {
    std::vector<SourcedSudoersEntry> entries;
    for (auto& e : ParseSudoers(sudoers).entries) {
      entries.push_back(SourcedSudoersEntry{"/etc/sudoers", std::move(e)});
    }
    return AnalyzeAdmins(passwd, groups, entries);
  }
};

std::vector<std::string> Names(const AdminAnalysis& a) {
  std::vector<std::string> out;
  for (const auto& m : a.members) out.push_back(m.name);
  return out;
}

TEST(AdminAnalysisTest, GroupsByMemberListAndPrimaryGid) {
  const AdminAnalysis a = Fixture{}.Analyze("");
  // alice and ldapuser are listed in sudo; carol's primary group is wheel (gid 10);
  // toor has uid 0; root is never listed.
  EXPECT_EQ(Names(a), (std::vector<std::string>{"alice", "carol", "ldapuser", "toor"}));
  const AdminMember* alice = FindAdmin(a, "alice");
  ASSERT_NE(alice, nullptr);
  EXPECT_EQ(alice->via, (std::vector<std::string>{"group:sudo"}));
  EXPECT_EQ(alice->uid, 1000u);
  EXPECT_EQ(FindAdmin(a, "carol")->via, (std::vector<std::string>{"group:wheel"}));
  EXPECT_FALSE(FindAdmin(a, "ldapuser")->uid.has_value());
  EXPECT_EQ(FindAdmin(a, "toor")->via, (std::vector<std::string>{"uid0"}));
  EXPECT_EQ(a.uid0_accounts, (std::vector<std::string>{"root", "toor"}));
}

TEST(AdminAnalysisTest, SudoersGrantsTable) {
  struct Case {
    const char* name;
    const char* sudoers;
    std::vector<std::string> extra_admins;  // besides the group/uid0 admins
  };
  const Case cases[] = {
      {"user ALL", "bob ALL=(ALL:ALL) ALL\n", {"bob"}},
      {"default runas is root", "bob ALL = ALL\n", {"bob"}},
      {"runas root", "bob ALL = (root) ALL\n", {"bob"}},
      {"runas #0", "bob ALL = (#0) ALL\n", {"bob"}},
      {"runas other user only", "bob ALL = (www-data) ALL\n", {}},
      {"group runas only", "bob ALL = (:adm) ALL\n", {}},
      {"specific command", "bob ALL = /usr/bin/apt\n", {}},
      {"%group", "%ops ALL=(ALL) ALL\n", {"bob", "dave"}},
      {"%#gid", "%#500 ALL=(ALL) ALL\n", {"bob", "dave"}},
      {"#uid", "#1001 ALL=(ALL) ALL\n", {"bob"}},
      {"User_Alias", "User_Alias A = bob, %ops\nA ALL = ALL\n", {"bob", "dave"}},
      {"negated member", "%ops, !dave ALL = ALL\n", {"bob"}},
      {"later !ALL revokes", "bob ALL = ALL\nbob ALL = !ALL\n", {}},
      {"grant after revoke", "bob ALL = !ALL\nbob ALL = ALL\n", {"bob"}},
      {"Cmnd_Alias of ALL", "Cmnd_Alias EVERY = ALL\nbob ALL = EVERY\n", {"bob"}},
      {"Runas_Alias", "Runas_Alias R = root\nbob ALL = (R) ALL\n", {"bob"}},
      {"unknown user named", "eve ALL = ALL\n", {"eve"}},
      {"netgroup unresolved", "+admins ALL = ALL\n", {}},
      {"alias loop", "User_Alias A = B\nUser_Alias B = A\nA ALL = ALL\n", {}},
  };
  const Fixture fixture;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const AdminAnalysis a = fixture.Analyze(c.sudoers);
    std::vector<std::string> expected = {"alice", "carol", "ldapuser", "toor"};
    expected.insert(expected.end(), c.extra_admins.begin(), c.extra_admins.end());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(Names(a), expected);
  }
}

TEST(AdminAnalysisTest, ViaNamesEverySource) {
  const AdminAnalysis a = Fixture{}.Analyze(
      "root ALL=(ALL:ALL) ALL\n"
      "%sudo ALL=(ALL:ALL) ALL\n"
      "alice ALL = NOPASSWD: ALL\n");
  const AdminMember* alice = FindAdmin(a, "alice");
  ASSERT_NE(alice, nullptr);
  EXPECT_EQ(alice->via, (std::vector<std::string>{"group:sudo", "sudoers:/etc/sudoers:2",
                                                  "sudoers:/etc/sudoers:3"}));
  EXPECT_TRUE(alice->sudo_all_nopasswd);
  EXPECT_EQ(FindAdmin(a, "root"), nullptr);
}

TEST(AdminAnalysisTest, NopasswdGrantsFromRulesAndDefaults) {
  const AdminAnalysis a = Fixture{}.Analyze(
      "%ops ALL = (root) NOPASSWD: /usr/bin/systemctl restart nginx, PASSWD: /bin/ls\n"
      "bob ALL = NOPASSWD: ALL\n"
      "Defaults:dave !authenticate\n"
      "dave ALL = (ALL) ALL\n");
  ASSERT_EQ(a.nopasswd_grants.size(), 3u);
  const NopasswdGrant& ops = a.nopasswd_grants[0];
  EXPECT_EQ(ops.source, "/etc/sudoers:1");
  EXPECT_EQ(ops.kind, "rule");
  EXPECT_EQ(ops.principals, (std::vector<std::string>{"%ops"}));
  EXPECT_EQ(ops.runas, (std::vector<std::string>{"root"}));
  EXPECT_EQ(ops.commands, (std::vector<std::string>{"/usr/bin/systemctl restart nginx"}));
  EXPECT_EQ(ops.users, (std::vector<std::string>{"bob", "dave"}));
  EXPECT_FALSE(ops.all_commands);
  EXPECT_TRUE(a.nopasswd_grants[1].all_commands);
  const NopasswdGrant& defaults = a.nopasswd_grants[2];
  EXPECT_EQ(defaults.kind, "defaults");
  EXPECT_EQ(defaults.users, (std::vector<std::string>{"dave"}));
  EXPECT_TRUE(defaults.all_commands);
  EXPECT_TRUE(FindAdmin(a, "dave")->sudo_all_nopasswd);
  EXPECT_TRUE(FindAdmin(a, "bob")->sudo_all_nopasswd);
}

TEST(AdminAnalysisTest, AllUsersExpandsToEveryAccount) {
  const AdminAnalysis a = Fixture{}.Analyze("ALL ALL=(ALL) ALL\n");
  EXPECT_NE(FindAdmin(a, "daemon"), nullptr);
  EXPECT_NE(FindAdmin(a, "dave"), nullptr);
  EXPECT_EQ(FindAdmin(a, "root"), nullptr);
}

TEST(AdminAnalysisTest, WarnsAboutUnresolvableMembers) {
  const AdminAnalysis a =
      Fixture{}.Analyze("+admins ALL = ALL\nUNDEFINED ALL = ALL\n%:domain ALL = ALL\n");
  EXPECT_EQ(a.warnings.size(), 3u);
}

TEST(AdminAnalysisTest, CustomAdminGroups) {
  AdminAnalysisOptions options;
  options.admin_groups = {"ops"};
  const Fixture f;
  const AdminAnalysis a = AnalyzeAdmins(f.passwd, f.groups, {}, options);
  EXPECT_EQ(Names(a), (std::vector<std::string>{"bob", "dave", "toor"}));
}

}  // namespace
}  // namespace bulwark
