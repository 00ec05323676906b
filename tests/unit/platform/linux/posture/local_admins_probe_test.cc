#include "platform/linux/posture/local_admins_probe.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstring>

#include "tests/unit/platform/linux/posture/posture_test_support.h"

namespace bulwark {
namespace {

namespace json = boost::json;
using testing::PostureFixture;

constexpr char kDebianPasswd[] =
    "root:x:0:0:root:/root:/bin/bash\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n"
    "bob:x:1001:1001:Bob,,,:/home/bob:/bin/bash\n"
    "carol:x:1002:1002:Carol,,,:/home/carol:/bin/bash\n";

constexpr char kDebianGroup[] =
    "root:x:0:\n"
    "sudo:x:27:alice\n"
    "alice:x:1000:\n"
    "bob:x:1001:\n"
    "carol:x:1002:\n";

constexpr char kDebianSudoers[] =
    "Defaults\tenv_reset\n"
    "Defaults\tsecure_path=\"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin\"\n"
    "root\tALL=(ALL:ALL) ALL\n"
    "%sudo\tALL=(ALL:ALL) ALL\n"
    "@includedir /etc/sudoers.d\n";

void WriteDebian(const testing::TempDir& dir) {
  dir.WriteFile("etc/passwd", kDebianPasswd);
  dir.WriteFile("etc/group", kDebianGroup);
  dir.WriteFile("etc/sudoers", kDebianSudoers, 0440);
  dir.WriteFile("etc/sudoers.d/README", "# files in this directory are read by sudo\n", 0440);
}

void WriteLogindConsole(const testing::TempDir& dir, const std::string& user, int uid) {
  dir.WriteFile("run/systemd/seats/seat0",
                "IS_SEAT0=1\nACTIVE=3\nACTIVE_UID=" + std::to_string(uid) + "\n");
  dir.WriteFile("run/systemd/sessions/3",
                "UID=" + std::to_string(uid) + "\nUSER=" + user +
                    "\nACTIVE=1\nSTATE=active\nREMOTE=0\nTYPE=wayland\nCLASS=user\n"
                    "SEAT=seat0\nDESKTOP=GNOME\n");
  dir.WriteFile("run/systemd/sessions/1.ref", "");
}

FactsDocument Collect(PostureFixture& f) {
  FactsDocument facts;
  facts.host.hostname = "laptop.example.com";
  LocalAdminsProbe probe(f.NewState());
  EXPECT_TRUE(probe.Collect(facts).ok());
  return facts;
}

const AdminMemberFacts* Member(const LocalAdminsFacts& a, const std::string& name) {
  if (!a.members) return nullptr;
  for (const auto& m : *a.members) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

TEST(LocalAdminsProbeTest, DebianLayoutGroupsSudoersAndConsole) {
  PostureFixture f;
  WriteDebian(f.dir);
  f.dir.WriteFile("etc/sudoers.d/it", "# IT staff\nbob ALL=(ALL) NOPASSWD: ALL\n", 0440);
  f.dir.WriteFile("etc/sudoers.d/it.dpkg-old", "carol ALL=(ALL) ALL\n", 0440);
  f.dir.WriteFile("etc/sudoers.d/old~", "carol ALL=(ALL) ALL\n", 0440);
  WriteLogindConsole(f.dir, "alice", 1000);

  const FactsDocument facts = Collect(f);
  const LocalAdminsFacts& a = facts.local_admins;
  ASSERT_TRUE(a.members.has_value()) << a.reason.value_or("");
  ASSERT_EQ(a.members->size(), 2u);
  const AdminMemberFacts* alice = Member(a, "alice");
  ASSERT_NE(alice, nullptr);
  EXPECT_EQ(alice->id, "1000");
  EXPECT_EQ(alice->via, (std::vector<std::string>{"group:sudo", "sudoers:/etc/sudoers:4"}));
  const AdminMemberFacts* bob = Member(a, "bob");
  ASSERT_NE(bob, nullptr);
  EXPECT_EQ(bob->via, (std::vector<std::string>{"sudoers:/etc/sudoers.d/it:2"}));
  EXPECT_EQ(Member(a, "carol"), nullptr);
  EXPECT_EQ(a.console_user, "alice");
  EXPECT_EQ(a.console_user_is_admin, true);
  EXPECT_FALSE(a.reason.has_value());

  const json::array& grants = a.extra.at("nopasswd_grants").as_array();
  ASSERT_EQ(grants.size(), 1u);
  EXPECT_EQ(grants[0].at("source").as_string(), "/etc/sudoers.d/it:2");
  EXPECT_EQ(grants[0].at("all_commands").as_bool(), true);
  EXPECT_EQ(a.extra.at("nopasswd_admins").as_array().size(), 1u);
  EXPECT_EQ(json::serialize(a.extra.at("uid0_accounts")), "[\"root\"]");
  EXPECT_EQ(json::serialize(a.extra.at("sudoers_files")),
            "[\"/etc/sudoers\",\"/etc/sudoers.d/README\",\"/etc/sudoers.d/it\"]");
  EXPECT_EQ(a.extra.at("console_user_source").as_string(), "logind");
  EXPECT_EQ(a.extra.at("console_session").as_string(), "3");

  // The serialized section keeps every normative field.
  const json::object doc = testing::FactsJson(facts);
  const json::object& section = doc.at("local_admins").as_object();
  for (const char* key : {"members", "console_user", "console_user_is_admin", "reason"}) {
    EXPECT_TRUE(section.contains(key)) << key;
  }
  EXPECT_EQ(json::serialize(section.at("members").as_array()[0]),
            R"({"name":"alice","id":"1000","via":["group:sudo","sudoers:/etc/sudoers:4"]})");
}

TEST(LocalAdminsProbeTest, FedoraWheelAndUtmpConsole) {
  PostureFixture f;
  f.dir.WriteFile("etc/passwd",
                  "root:x:0:0:root:/root:/bin/bash\n"
                  "carol:x:1000:10:Carol:/home/carol:/bin/bash\n"
                  "dave:x:1001:1001:Dave:/home/dave:/bin/bash\n"
                  "operator:x:0:0:operator:/root:/sbin/nologin\n");
  f.dir.WriteFile("etc/group", "root:x:0:\nwheel:x:10:\ndave:x:1001:\n");
  f.dir.WriteFile("etc/sudoers",
                  "## Allows people in group wheel to run all commands\n"
                  "%wheel\tALL=(ALL)\tALL\n"
                  "## Same thing without a password\n"
                  "# %wheel\tALL=(ALL)\tNOPASSWD: ALL\n"
                  "#includedir /etc/sudoers.d\n",
                  0440);
  // No logind runtime data: utmp decides. dave logged in on tty1 (pid 4242, alive).
  std::string record(384, '\0');
  record[0] = 7;
  const int pid = 4242;
  std::memcpy(&record[4], &pid, 4);
  std::memcpy(&record[8], "tty1", 4);
  std::memcpy(&record[44], "dave", 4);
  f.dir.WriteFile("run/utmp", record);
  f.AddProcess(4242, "bash");

  const FactsDocument facts = Collect(f);
  const LocalAdminsFacts& a = facts.local_admins;
  ASSERT_TRUE(a.members.has_value()) << a.reason.value_or("");
  const AdminMemberFacts* carol = Member(a, "carol");
  ASSERT_NE(carol, nullptr);
  EXPECT_EQ(carol->via, (std::vector<std::string>{"group:wheel", "sudoers:/etc/sudoers:2"}));
  const AdminMemberFacts* op = Member(a, "operator");
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->via, (std::vector<std::string>{"uid0"}));
  EXPECT_EQ(a.console_user, "dave");
  EXPECT_EQ(a.console_user_is_admin, false);
  EXPECT_EQ(a.extra.at("console_user_source").as_string(), "utmp");
  EXPECT_EQ(json::serialize(a.extra.at("uid0_accounts")), "[\"root\",\"operator\"]");
}

TEST(LocalAdminsProbeTest, StaleUtmpRecordIsIgnored) {
  PostureFixture f;
  WriteDebian(f.dir);
  std::string record(384, '\0');
  record[0] = 7;
  const int pid = 999;
  std::memcpy(&record[4], &pid, 4);
  std::memcpy(&record[8], ":0", 2);
  std::memcpy(&record[44], "alice", 5);
  f.dir.WriteFile("run/utmp", record);
  f.AddProcess(1, "systemd");  // pid 999 is not running
  const FactsDocument facts = Collect(f);
  EXPECT_FALSE(facts.local_admins.console_user.has_value());
  EXPECT_FALSE(facts.local_admins.console_user_is_admin.has_value());
  EXPECT_EQ(facts.local_admins.extra.at("console_user_reason").as_string(),
            "no console login in utmp");
}

TEST(LocalAdminsProbeTest, NoSudoInstalledStillReportsGroups) {
  PostureFixture f;
  f.dir.WriteFile("etc/passwd", kDebianPasswd);
  f.dir.WriteFile("etc/group", kDebianGroup);
  f.dir.MakeDirs("run/systemd/sessions");
  const FactsDocument facts = Collect(f);
  const LocalAdminsFacts& a = facts.local_admins;
  ASSERT_TRUE(a.members.has_value());
  ASSERT_EQ(a.members->size(), 1u);
  EXPECT_EQ((*a.members)[0].via, (std::vector<std::string>{"group:sudo"}));
  EXPECT_EQ(a.extra.at("sudoers_present").as_bool(), false);
  EXPECT_FALSE(a.console_user.has_value());
  EXPECT_EQ(a.extra.at("console_user_source").as_string(), "logind");
}

TEST(LocalAdminsProbeTest, IncludeLoopsAreCutWithAWarning) {
  PostureFixture f;
  f.dir.WriteFile("etc/passwd", kDebianPasswd);
  f.dir.WriteFile("etc/group", kDebianGroup);
  f.dir.WriteFile("etc/sudoers", "@include a\nalice ALL=ALL\n");
  f.dir.WriteFile("etc/a", "@include /etc/b\nbob ALL=ALL\n");
  f.dir.WriteFile("etc/b", "#include /etc/a\ncarol ALL=ALL\n");
  const FactsDocument facts = Collect(f);
  const LocalAdminsFacts& a = facts.local_admins;
  ASSERT_TRUE(a.members.has_value()) << a.reason.value_or("");
  EXPECT_NE(Member(a, "alice"), nullptr);
  EXPECT_NE(Member(a, "bob"), nullptr);
  EXPECT_NE(Member(a, "carol"), nullptr);
  EXPECT_NE(json::serialize(a.extra.at("warnings")).find("include loop"), std::string::npos);
}

TEST(LocalAdminsProbeTest, IncludeDirPointingToItself) {
  PostureFixture f;
  WriteDebian(f.dir);
  f.dir.WriteFile("etc/sudoers.d/self", "@includedir /etc/sudoers.d\nbob ALL=ALL\n");
  f.dir.Symlink("etc/sudoers.d/again", "/etc/sudoers.d");  // a directory: skipped
  const FactsDocument facts = Collect(f);
  const LocalAdminsFacts& a = facts.local_admins;
  ASSERT_TRUE(a.members.has_value()) << a.reason.value_or("");
  EXPECT_NE(Member(a, "bob"), nullptr);
  EXPECT_NE(json::serialize(a.extra.at("warnings")).find("include loop"), std::string::npos);
}

TEST(LocalAdminsProbeTest, IncludeBombHitsTheLimitAndIsIncomplete) {
  PostureFixture f;
  WriteDebian(f.dir);
  for (char c = 'a'; c <= 'h'; ++c) {
    f.dir.WriteFile(std::string("etc/sudoers.d/") + c, "@includedir /etc/sudoers.d\n");
  }
  const auto start = std::chrono::steady_clock::now();
  const FactsDocument facts = Collect(f);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_FALSE(facts.local_admins.members.has_value());
  // Eight mutually including files: the depth cap (8 levels) stops the walk.
  EXPECT_NE(facts.local_admins.reason->find("nested deeper than 8 levels"), std::string::npos)
      << *facts.local_admins.reason;
}

TEST(LocalAdminsProbeTest, MegabyteLineAndBinaryJunkAreSkipped) {
  PostureFixture f;
  WriteDebian(f.dir);
  std::string junk;
  for (int i = 0; i < 100000; ++i) junk.push_back(static_cast<char>((i * 97 + 13) % 256));
  f.dir.WriteFile("etc/sudoers.d/junk", junk);
  f.dir.WriteFile("etc/sudoers.d/long", std::string(1u << 20, 'x') + "\nbob ALL=(ALL) ALL\n" +
                                            std::string(1u << 20, '(') + "\n");
  const FactsDocument facts = Collect(f);
  const LocalAdminsFacts& a = facts.local_admins;
  ASSERT_TRUE(a.members.has_value()) << a.reason.value_or("");
  EXPECT_NE(Member(a, "bob"), nullptr);
  const json::array& warnings = a.extra.at("warnings").as_array();
  EXPECT_FALSE(warnings.empty());
  EXPECT_LE(warnings.size(), 21u);
  for (const auto& w : warnings) EXPECT_LT(w.as_string().size(), 300u);
}

TEST(LocalAdminsProbeTest, UnreadableSudoersFileMakesMembersUnknown) {
  PostureFixture f;
  WriteDebian(f.dir);
  f.dir.WriteFile("etc/sudoers.d/it", "bob ALL=(ALL) ALL\n", 0440);
  f.faulty.deny.insert("/etc/sudoers.d/it");
  WriteLogindConsole(f.dir, "alice", 1000);
  {
    const FactsDocument facts = Collect(f);
    const LocalAdminsFacts& a = facts.local_admins;
    EXPECT_FALSE(a.members.has_value());
    ASSERT_TRUE(a.reason.has_value());
    EXPECT_NE(a.reason->find("/etc/sudoers.d/it"), std::string::npos);
    EXPECT_NE(a.reason->find("permission_denied"), std::string::npos);
    // alice is an administrator through what could be read.
    EXPECT_EQ(a.console_user_is_admin, true);
    EXPECT_TRUE(a.extra.at("nopasswd_grants").is_null());
  }
  WriteLogindConsole(f.dir, "carol", 1002);
  {
    const FactsDocument facts = Collect(f);
    EXPECT_EQ(facts.local_admins.console_user, "carol");
    EXPECT_FALSE(facts.local_admins.console_user_is_admin.has_value());
  }
}

TEST(LocalAdminsProbeTest, UnreadablePasswdMakesMembersUnknown) {
  PostureFixture f;
  WriteDebian(f.dir);
  f.faulty.deny.insert("/etc/passwd");
  const FactsDocument facts = Collect(f);
  EXPECT_FALSE(facts.local_admins.members.has_value());
  EXPECT_NE(facts.local_admins.reason->find("/etc/passwd"), std::string::npos);
  EXPECT_TRUE(facts.local_admins.extra.at("uid0_accounts").is_null());
}

TEST(LocalAdminsProbeTest, HostnameIncludeUsesShortHostname) {
  PostureFixture f;
  WriteDebian(f.dir);
  f.dir.WriteFile("etc/sudoers", std::string(kDebianSudoers) + "@include /etc/sudoers.%h\n");
  f.dir.WriteFile("etc/sudoers.laptop", "carol ALL=ALL\n");
  const FactsDocument facts = Collect(f);
  ASSERT_TRUE(facts.local_admins.members.has_value());
  EXPECT_NE(Member(facts.local_admins, "carol"), nullptr);
}

TEST(LocalAdminsProbeTest, OnFailureLeavesNullsAndReason) {
  FactsDocument facts;
  PostureFixture f;
  LocalAdminsProbe probe(f.NewState());
  probe.OnFailure(facts, "probe threw: boom");
  const json::object doc = testing::FactsJson(facts);
  const json::object& s = doc.at("local_admins").as_object();
  EXPECT_TRUE(s.at("members").is_null());
  EXPECT_TRUE(s.at("console_user").is_null());
  EXPECT_TRUE(s.at("console_user_is_admin").is_null());
  EXPECT_TRUE(s.at("nopasswd_grants").is_null());
  EXPECT_TRUE(s.at("uid0_accounts").is_null());
  EXPECT_EQ(s.at("reason").as_string(), "probe threw: boom");
}

}  // namespace
}  // namespace bulwark
