// AdministratorsProbe against a fake LocalAccounts seam holding what NetLocalGroupGetMembers
// and WTS return on a domain-joined workstation with a German UI (the group is
// "Administratoren": the probe must find it by SID).
#include <gtest/gtest.h>

#include "platform/windows/windows_probes.h"
#include "tests/unit/platform/windows/fake_windows_system.h"

namespace bulwark {
namespace {

constexpr char kAdmins[] = "S-1-5-32-544";
constexpr char kMachine[] = "S-1-5-21-3623811015-3361044348-30300820";
constexpr char kDomain[] = "S-1-5-21-1004336348-1177238915-682003330";

LocalGroupMember Member(std::string name, std::string sid, LocalGroupMember::Kind kind,
                        bool local) {
  LocalGroupMember m;
  m.name = std::move(name);
  m.sid = std::move(sid);
  m.kind = kind;
  m.local = local;
  return m;
}

void DomainWorkstation(FakeWindowsSystem& sys) {
  using K = LocalGroupMember::Kind;
  auto& acc = sys.fake_accounts();
  acc.groups.insert_or_assign(
      kAdmins,
      std::vector<LocalGroupMember>{
          Member("WS-CAROL\\Administrator", std::string(kMachine) + "-500", K::kUser, true),
          Member("CONTOSO\\Domain Admins", std::string(kDomain) + "-512", K::kGroup, false),
          Member("CONTOSO\\it-admin", std::string(kDomain) + "-1105", K::kUser, false),
          Member("WS-CAROL\\localfix", std::string(kMachine) + "-1001", K::kUser, true),
      });
  acc.enabled.insert_or_assign(500, false);
  acc.enabled.insert_or_assign(501, false);
  ConsoleSession console;
  console.session_id = 1;
  console.user = "CONTOSO\\carol";
  console.user_sid = std::string(kDomain) + "-1207";
  acc.console = console;
}

FactsDocument RunProbe(FakeWindowsSystem& sys) {
  FactsDocument facts;
  ProbeRegistry registry;
  registry.Add(NewAdministratorsProbe(sys));
  registry.CollectAll(facts);
  return facts;
}

TEST(AdministratorsProbeTest, ListsMembersBySidWithDomainGroupAsGroup) {
  FakeWindowsSystem sys;
  DomainWorkstation(sys);
  FactsDocument facts = RunProbe(sys);
  const LocalAdminsFacts& la = facts.local_admins;
  ASSERT_TRUE(la.members.has_value());
  ASSERT_EQ(la.members->size(), 3u);  // RID 500 left out
  EXPECT_EQ(la.members->at(0).name, "CONTOSO\\Domain Admins");
  EXPECT_EQ(la.members->at(0).id, std::string(kDomain) + "-512");
  EXPECT_EQ(la.members->at(0).via, std::vector<std::string>{"group:Administrators"});
  EXPECT_EQ(la.members->at(1).name, "CONTOSO\\it-admin");
  EXPECT_EQ(la.members->at(2).name, "localfix");  // local account without the machine name
  EXPECT_EQ(la.extra.at("member_groups"),
            (boost::json::array{boost::json::object{{"name", "CONTOSO\\Domain Admins"},
                                                    {"id", std::string(kDomain) + "-512"},
                                                    {"kind", "domain_group"}}}));
  EXPECT_EQ(la.extra.at("builtin_administrator_enabled"), false);
  EXPECT_EQ(la.extra.at("guest_enabled"), false);
  EXPECT_FALSE(la.reason.has_value());
}

TEST(AdministratorsProbeTest, ConsoleUserAdminFromTokenCoversNestedGroups) {
  FakeWindowsSystem sys;
  DomainWorkstation(sys);
  sys.fake_accounts().console->token_in_administrators = true;  // via CONTOSO\Domain Admins
  const LocalAdminsFacts la = RunProbe(sys).local_admins;
  EXPECT_EQ(la.console_user, "CONTOSO\\carol");
  EXPECT_EQ(la.console_user_is_admin, true);
  EXPECT_EQ(la.extra.at("console_user_source"), "wts");
  EXPECT_EQ(la.extra.at("console_session"), "1");
  EXPECT_TRUE(la.extra.at("console_user_reason").is_null());
}

TEST(AdministratorsProbeTest, ConsoleUserNotFoundWithNestedGroupsAndNoTokenIsUnknown) {
  FakeWindowsSystem sys;
  DomainWorkstation(sys);
  EXPECT_FALSE(RunProbe(sys).local_admins.console_user_is_admin.has_value());
}

TEST(AdministratorsProbeTest, ConsoleUserNotAMemberWithoutGroupsIsNotAdmin) {
  FakeWindowsSystem sys;
  DomainWorkstation(sys);
  auto& members = *sys.fake_accounts().groups.at(kAdmins);
  members.erase(members.begin() + 1);  // drop Domain Admins
  EXPECT_EQ(RunProbe(sys).local_admins.console_user_is_admin, false);
}

TEST(AdministratorsProbeTest, ConsoleUserDirectMemberIsAdmin) {
  FakeWindowsSystem sys;
  DomainWorkstation(sys);
  sys.fake_accounts().console->user = "CONTOSO\\it-admin";
  sys.fake_accounts().console->user_sid = std::string(kDomain) + "-1105";
  EXPECT_EQ(RunProbe(sys).local_admins.console_user_is_admin, true);
}

TEST(AdministratorsProbeTest, ConsoleBuiltinAdministratorIsAdmin) {
  FakeWindowsSystem sys;
  DomainWorkstation(sys);
  sys.fake_accounts().console->user = "WS-CAROL\\Administrator";
  sys.fake_accounts().console->user_sid = std::string(kMachine) + "-500";
  EXPECT_EQ(RunProbe(sys).local_admins.console_user_is_admin, true);
}

TEST(AdministratorsProbeTest, NobodyAtTheConsole) {
  FakeWindowsSystem sys;
  DomainWorkstation(sys);
  sys.fake_accounts().console = ConsoleSession{};
  const LocalAdminsFacts la = RunProbe(sys).local_admins;
  EXPECT_FALSE(la.console_user.has_value());
  EXPECT_FALSE(la.console_user_is_admin.has_value());
  EXPECT_EQ(la.extra.at("console_user_source"), "wts");
  EXPECT_TRUE(la.extra.at("console_session").is_null());
  EXPECT_EQ(la.extra.at("console_user_reason"), "no user is signed in at the console");
}

TEST(AdministratorsProbeTest, GroupUnreadableIsNullWithReasonAndConsoleStillReported) {
  FakeWindowsSystem sys;
  DomainWorkstation(sys);
  sys.fake_accounts().groups.insert_or_assign(
      kAdmins, PermissionDeniedError("0x00000005 (ERROR_ACCESS_DENIED)"));
  sys.fake_accounts().enabled.clear();
  FactsDocument facts = RunProbe(sys);
  const LocalAdminsFacts& la = facts.local_admins;
  EXPECT_FALSE(la.members.has_value());
  ASSERT_TRUE(la.reason.has_value());
  EXPECT_NE(la.reason->find("S-1-5-32-544"), std::string::npos);
  EXPECT_NE(la.reason->find("0x00000005"), std::string::npos);
  EXPECT_EQ(la.console_user, "CONTOSO\\carol");
  EXPECT_FALSE(la.console_user_is_admin.has_value());
  EXPECT_TRUE(la.extra.at("builtin_administrator_enabled").is_null());
  EXPECT_TRUE(facts.probe_errors.empty());
}

TEST(AdministratorsProbeTest, ConsoleUnreadableHasNoSource) {
  FakeWindowsSystem sys;
  DomainWorkstation(sys);
  sys.fake_accounts().console = UnavailableError("WTSQuerySessionInformationW: 0x000006BA");
  const LocalAdminsFacts la = RunProbe(sys).local_admins;
  EXPECT_FALSE(la.console_user.has_value());
  EXPECT_TRUE(la.extra.at("console_user_source").is_null());
  EXPECT_NE(std::string(la.extra.at("console_user_reason").as_string()).find("0x000006BA"),
            std::string::npos);
}

TEST(AdministratorsProbeTest, DomainRid500IsAMemberNotTheBuiltinAdministrator) {
  FakeWindowsSystem sys;
  DomainWorkstation(sys);
  sys.fake_accounts().groups.at(kAdmins)->push_back(Member("CONTOSO\\Administrator",
                                                           std::string(kDomain) + "-500",
                                                           LocalGroupMember::Kind::kUser, false));
  const LocalAdminsFacts la = RunProbe(sys).local_admins;
  ASSERT_EQ(la.members->size(), 4u);
  EXPECT_EQ(la.members->at(0).name, "CONTOSO\\Administrator");
}

}  // namespace
}  // namespace bulwark
