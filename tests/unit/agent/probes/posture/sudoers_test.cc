#include "agent/probes/posture/sudoers.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace bulwark {
namespace {

const SudoersUserSpec& SpecAt(const SudoersFile& f, std::size_t i) {
  return std::get<SudoersUserSpec>(f.entries.at(i).value);
}

TEST(SudoersParserTest, ParsesDebianDefaultFile) {
  const SudoersFile f = ParseSudoers(
      "#\n# This file MUST be edited with the 'visudo' command as root.\n#\n"
      "Defaults\tenv_reset\n"
      "Defaults\tmail_badpass\n"
      "Defaults\tsecure_path=\"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin\"\n"
      "Defaults\tuse_pty\n"
      "\n# User privilege specification\n"
      "root\tALL=(ALL:ALL) ALL\n"
      "\n# Allow members of group sudo to execute any command\n"
      "%sudo\tALL=(ALL:ALL) ALL\n"
      "\n@includedir /etc/sudoers.d\n");
  EXPECT_TRUE(f.warnings.empty());
  ASSERT_EQ(f.entries.size(), 7u);
  const auto& root = SpecAt(f, 4);
  EXPECT_EQ(f.entries[4].line, 10u);
  ASSERT_EQ(root.users.size(), 1u);
  EXPECT_EQ(root.users[0].kind, SudoersItemKind::kName);
  EXPECT_EQ(root.users[0].value, "root");
  ASSERT_EQ(root.commands.size(), 1u);
  EXPECT_TRUE(root.commands[0].runas_given);
  EXPECT_EQ(root.commands[0].runas_users[0].kind, SudoersItemKind::kAll);
  EXPECT_EQ(root.commands[0].runas_groups[0].kind, SudoersItemKind::kAll);
  EXPECT_EQ(root.commands[0].command.kind, SudoersItemKind::kAll);
  const auto& group = SpecAt(f, 5);
  EXPECT_EQ(group.users[0].kind, SudoersItemKind::kGroup);
  EXPECT_EQ(group.users[0].value, "sudo");
  const auto& include = std::get<SudoersInclude>(f.entries[6].value);
  EXPECT_TRUE(include.directory);
  EXPECT_EQ(include.path, "/etc/sudoers.d");
  const auto& defaults = std::get<SudoersDefaults>(f.entries[2].value);
  EXPECT_EQ(defaults.binding, '\0');
  ASSERT_EQ(defaults.settings.size(), 1u);
  EXPECT_EQ(defaults.settings[0],
            "secure_path=\"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin\"");
}

TEST(SudoersParserTest, IncludeDirectiveForms) {
  struct Case {
    const char* line;
    const char* path;
    bool directory;
  };
  const Case cases[] = {
      {"#include /etc/sudoers.local", "/etc/sudoers.local", false},
      {"@include sudoers.local", "sudoers.local", false},
      {"#includedir /etc/sudoers.d", "/etc/sudoers.d", true},
      {"@includedir\t/etc/sudoers.d  ", "/etc/sudoers.d", true},
      {"@include \"/etc/sudo ers/x\"", "/etc/sudo ers/x", false},
      {"@include /etc/sudo\\ ers/x", "/etc/sudo ers/x", false},
      {"#include /etc/sudoers.%h", "/etc/sudoers.%h", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.line);
    const SudoersFile f = ParseSudoers(c.line);
    ASSERT_EQ(f.entries.size(), 1u);
    const auto& inc = std::get<SudoersInclude>(f.entries[0].value);
    EXPECT_EQ(inc.path, c.path);
    EXPECT_EQ(inc.directory, c.directory);
  }
}

TEST(SudoersParserTest, CommentsAndUidSpecs) {
  const SudoersFile f = ParseSudoers(
      "# a comment with = and ALL\n"
      "##double\n"
      "#1000 ALL = (ALL) ALL  # trailing comment\n"
      "%#27 ALL=ALL\n"
      "%:admins ALL=ALL\n"
      "+netadmins ALL=ALL\n");
  EXPECT_TRUE(f.warnings.empty());
  ASSERT_EQ(f.entries.size(), 4u);
  EXPECT_EQ(SpecAt(f, 0).users[0].kind, SudoersItemKind::kId);
  EXPECT_EQ(SpecAt(f, 0).users[0].value, "1000");
  EXPECT_EQ(SpecAt(f, 0).commands.size(), 1u);
  EXPECT_EQ(SpecAt(f, 1).users[0].kind, SudoersItemKind::kGroupId);
  EXPECT_EQ(SpecAt(f, 1).users[0].value, "27");
  EXPECT_FALSE(SpecAt(f, 1).commands[0].runas_given);
  EXPECT_EQ(SpecAt(f, 2).users[0].kind, SudoersItemKind::kNonUnixGroup);
  EXPECT_EQ(SpecAt(f, 2).users[0].value, "admins");
  EXPECT_EQ(SpecAt(f, 3).users[0].kind, SudoersItemKind::kNetgroup);
}

TEST(SudoersParserTest, TagsRunasAndCommandsCarryOver) {
  const SudoersFile f = ParseSudoers(
      "alice, %ops, !bob server1, server2 = (root) NOPASSWD: /usr/bin/apt update, "
      "/usr/bin/systemctl restart nginx, PASSWD: /bin/ls : laptop = (:wheel) ALL\n");
  ASSERT_TRUE(f.warnings.empty()) << f.warnings[0].message;
  const auto& spec = SpecAt(f, 0);
  ASSERT_EQ(spec.users.size(), 3u);
  EXPECT_TRUE(spec.users[2].negated);
  EXPECT_EQ(spec.users[2].value, "bob");
  ASSERT_EQ(spec.commands.size(), 4u);
  EXPECT_EQ(spec.commands[0].command.kind, SudoersItemKind::kCommand);
  EXPECT_EQ(spec.commands[0].command.value, "/usr/bin/apt update");
  EXPECT_TRUE(spec.commands[0].nopasswd);
  EXPECT_EQ(spec.commands[0].hosts.size(), 2u);
  EXPECT_EQ(spec.commands[1].command.value, "/usr/bin/systemctl restart nginx");
  EXPECT_TRUE(spec.commands[1].nopasswd);
  EXPECT_EQ(spec.commands[1].runas_users[0].value, "root");
  EXPECT_FALSE(spec.commands[2].nopasswd);
  EXPECT_EQ(spec.commands[3].hosts[0].value, "laptop");
  EXPECT_TRUE(spec.commands[3].runas_given);
  EXPECT_TRUE(spec.commands[3].runas_users.empty());
  EXPECT_EQ(spec.commands[3].runas_groups[0].value, "wheel");
  EXPECT_FALSE(spec.commands[3].nopasswd);  // tags reset in a new host group
}

TEST(SudoersParserTest, OptionsDigestsAndNegatedCommands) {
  const SudoersFile f = ParseSudoers(
      "carol ALL = (ALL) CWD=/tmp TIMEOUT=5m NOEXEC: NOPASSWD: "
      "sha224:0GomF8mNN3wlDt1HD9XldjJ3SNgpFdbjO1+NsQ== /bin/ls -l, !ALL, !SHELLS\n");
  ASSERT_TRUE(f.warnings.empty()) << f.warnings[0].message;
  const auto& spec = SpecAt(f, 0);
  ASSERT_EQ(spec.commands.size(), 3u);
  EXPECT_EQ(spec.commands[0].command.value, "/bin/ls -l");
  EXPECT_TRUE(spec.commands[0].nopasswd);
  EXPECT_EQ(spec.commands[1].command.kind, SudoersItemKind::kAll);
  EXPECT_TRUE(spec.commands[1].command.negated);
  EXPECT_EQ(spec.commands[2].command.kind, SudoersItemKind::kAlias);
  EXPECT_EQ(spec.commands[2].command.value, "SHELLS");
}

TEST(SudoersParserTest, AliasDefinitions) {
  const SudoersFile f = ParseSudoers(
      "User_Alias ADMINS = alice, %wheel : OPS = bob\n"
      "Runas_Alias ROOTS = root, #0\n"
      "Cmnd_Alias SHELLS = /bin/sh, /bin/bash, !/bin/zsh\n"
      "Cmd_Alias EVERYTHING = ALL\n"
      "Host_Alias SERVERS = 10.0.0.0/8, db1\n");
  ASSERT_TRUE(f.warnings.empty()) << f.warnings[0].message;
  ASSERT_EQ(f.entries.size(), 6u);
  const auto& admins = std::get<SudoersAlias>(f.entries[0].value);
  EXPECT_EQ(admins.type, SudoersAliasType::kUser);
  EXPECT_EQ(admins.name, "ADMINS");
  ASSERT_EQ(admins.items.size(), 2u);
  EXPECT_EQ(admins.items[1].kind, SudoersItemKind::kGroup);
  EXPECT_EQ(std::get<SudoersAlias>(f.entries[1].value).name, "OPS");
  const auto& shells = std::get<SudoersAlias>(f.entries[3].value);
  EXPECT_EQ(shells.type, SudoersAliasType::kCmnd);
  ASSERT_EQ(shells.items.size(), 3u);
  EXPECT_TRUE(shells.items[2].negated);
  EXPECT_EQ(std::get<SudoersAlias>(f.entries[4].value).items[0].kind, SudoersItemKind::kAll);
  EXPECT_EQ(std::get<SudoersAlias>(f.entries[5].value).type, SudoersAliasType::kHost);
}

TEST(SudoersParserTest, DefaultsBindings) {
  const SudoersFile f = ParseSudoers(
      "Defaults:alice, bob !authenticate, env_reset\n"
      "Defaults@db1 !authenticate\n"
      "Defaults>root !set_logname\n"
      "Defaults!/usr/bin/less noexec\n");
  ASSERT_EQ(f.entries.size(), 4u);
  const auto& users = std::get<SudoersDefaults>(f.entries[0].value);
  EXPECT_EQ(users.binding, ':');
  EXPECT_EQ(users.targets, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(users.settings, (std::vector<std::string>{"!authenticate", "env_reset"}));
  EXPECT_EQ(std::get<SudoersDefaults>(f.entries[1].value).binding, '@');
  EXPECT_EQ(std::get<SudoersDefaults>(f.entries[2].value).binding, '>');
  EXPECT_EQ(std::get<SudoersDefaults>(f.entries[3].value).targets[0], "/usr/bin/less");
}

TEST(SudoersParserTest, LineContinuationKeepsStartLine) {
  const SudoersFile f = ParseSudoers("\n\nalice ALL = \\\n  (ALL) \\\n  ALL\nbob ALL=ALL\n");
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.entries[0].line, 3u);
  EXPECT_EQ(SpecAt(f, 0).commands[0].command.kind, SudoersItemKind::kAll);
  EXPECT_EQ(f.entries[1].line, 6u);
}

TEST(SudoersParserTest, MalformedLinesWarnAndAreSkipped) {
  const SudoersFile f = ParseSudoers(
      "alice\n"
      "bob ALL\n"
      "carol ALL = (ALL ALL\n"
      "dave ALL = \"unterminated\n"
      "User_Alias lower = x\n"
      "@include\n"
      "erin ALL = ALL\n");
  EXPECT_EQ(f.warnings.size(), 6u);
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(SpecAt(f, 0).users[0].value, "erin");
  EXPECT_EQ(f.entries[0].line, 7u);
}

TEST(SudoersParserTest, HostileInputNeverCrashesOrHangs) {
  std::string megabyte_line(1u << 20, 'A');
  std::string binary;
  for (int i = 0; i < 70000; ++i) binary.push_back(static_cast<char>((i * 131 + 7) % 256));
  const std::string backslashes(1u << 20, '\\');
  std::string punct;
  for (int i = 0; i < 200000; ++i) punct += "(=,:!\"";
  for (const std::string& text : {megabyte_line, megabyte_line + " ALL=ALL\n", binary, backslashes,
                                  punct, std::string("\0\0\0alice ALL=ALL", 17)}) {
    const auto start = std::chrono::steady_clock::now();
    const SudoersFile f = ParseSudoers(text);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_LT(elapsed, std::chrono::seconds(2));
    for (const auto& w : f.warnings) EXPECT_LT(w.message.size(), 200u);
  }
  const SudoersFile big = ParseSudoers(megabyte_line + " ALL=ALL\n");
  ASSERT_EQ(big.entries.size(), 1u);
  EXPECT_EQ(std::get<SudoersUserSpec>(big.entries[0].value).users[0].kind, SudoersItemKind::kAlias);
}

TEST(SudoersIncludePathTest, ResolvesRelativeAndHostname) {
  EXPECT_EQ(ResolveSudoersIncludePath("/etc/x", "", "/etc/sudoers"), "/etc/x");
  EXPECT_EQ(ResolveSudoersIncludePath("local", "", "/etc/sudoers"), "/etc/local");
  EXPECT_EQ(ResolveSudoersIncludePath("sudoers.%h", "laptop", "/etc/sudoers"),
            "/etc/sudoers.laptop");
  EXPECT_EQ(ResolveSudoersIncludePath("/etc/100%%", "", "/etc/sudoers"), "/etc/100%");
  EXPECT_EQ(ResolveSudoersIncludePath("sudoers.%h", "", "/etc/sudoers"), "");
  EXPECT_EQ(ResolveSudoersIncludePath("x", "", "sudoers"), "/x");
}

TEST(SudoersIncludePathTest, IncludeDirSkipsBackupsAndDottedNames) {
  EXPECT_TRUE(SudoersIncludeDirAccepts("it-admins"));
  EXPECT_TRUE(SudoersIncludeDirAccepts("README"));
  EXPECT_FALSE(SudoersIncludeDirAccepts("it~"));
  EXPECT_FALSE(SudoersIncludeDirAccepts("it.dpkg-old"));
  EXPECT_FALSE(SudoersIncludeDirAccepts(".hidden"));
  EXPECT_FALSE(SudoersIncludeDirAccepts(""));
}

TEST(SudoersItemTest, RoundTripsAsWritten) {
  for (const char* word : {"%wheel", "!#1000", "ALL", "%#27", "%:ad", "+ng", "ADMINS", "alice"}) {
    EXPECT_EQ(SudoersItemToString(ClassifySudoersMember(word)), word);
  }
}

}  // namespace
}  // namespace bulwark
