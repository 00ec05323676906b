// WinLocalAccounts under Wine 8.0, asserting what Wine really answers (see the header).
#include "platform/windows/system/win_local_accounts.h"

#include <gtest/gtest.h>
// clang-format off
#include <windows.h>
#include <sddl.h>
// clang-format on

#include <string>
#include <vector>

#include "platform/windows/system/win_strings.h"
#include "tests/unit/platform/windows/system/current_user.h"

namespace bulwark {
namespace {

using testing::CurrentUserSid;

// The RID (last sub-authority) of a SID string.
std::uint32_t RidOf(const std::string& sid) {
  return static_cast<std::uint32_t>(std::stoul(sid.substr(sid.rfind('-') + 1)));
}

std::string UserName() {
  wchar_t name[256] = {};
  DWORD size = 256;
  ::GetUserNameW(name, &size);
  return WideToUtf8(name);
}

// Wine's netapi32 implements NetLocalGroupGetMembers only at level 3; level 2 (the one that
// carries SIDs) answers success with no entries. The group itself resolves by SID.
TEST(WinLocalAccountsTest, AdministratorsResolveBySidAndWineListsNoLevelTwoMembers) {
  WinLocalAccounts accounts;
  auto members = accounts.GroupMembers("S-1-5-32-544");
  ASSERT_TRUE(members.ok()) << members.status().ToString();
  EXPECT_TRUE(members->empty());
  for (const auto& m : *members) EXPECT_FALSE(m.sid.empty());
}

TEST(WinLocalAccountsTest, UnknownGroupSidIsNotFoundWithTheCode) {
  WinLocalAccounts accounts;
  auto members = accounts.GroupMembers("S-1-5-21-1-2-3-999");
  ASSERT_FALSE(members.ok());
  EXPECT_EQ(members.status().code(), StatusCode::kNotFound);
  EXPECT_NE(members.status().message().find("0x00000534 (ERROR_NONE_MAPPED)"), std::string::npos)
      << members.status().message();
  auto malformed = accounts.GroupMembers("not-a-sid");
  ASSERT_FALSE(malformed.ok());
  EXPECT_NE(malformed.status().message().find("0x"), std::string::npos);
}

TEST(WinLocalAccountsTest, CurrentUserAccountByRidIsEnabled) {
  const std::string sid = CurrentUserSid();
  ASSERT_FALSE(sid.empty());
  WinLocalAccounts accounts;
  auto enabled = accounts.LocalAccountEnabled(RidOf(sid));
  ASSERT_TRUE(enabled.ok()) << enabled.status().ToString();
  EXPECT_TRUE(*enabled);
}

TEST(WinLocalAccountsTest, AbsentRidIsNotFound) {
  WinLocalAccounts accounts;
  auto enabled = accounts.LocalAccountEnabled(4242);
  ASSERT_FALSE(enabled.ok());
  EXPECT_EQ(enabled.status().code(), StatusCode::kNotFound);
  EXPECT_NE(enabled.status().message().find("0x00000534"), std::string::npos);
  // Wine names RID 500 "Administrator" but has no such user account.
  auto builtin = accounts.LocalAccountEnabled(500);
  ASSERT_FALSE(builtin.ok());
  EXPECT_EQ(builtin.status().code(), StatusCode::kNotFound);
  EXPECT_NE(builtin.status().message().find("0x000008AD (NERR_UserNotFound)"), std::string::npos)
      << builtin.status().message();
}

// Wine attaches the current user's session to the console and its WTSQueryUserToken returns
// the caller's token without requiring SE_TCB_NAME; Wine's token holds Administrators.
TEST(WinLocalAccountsTest, ConsoleIsTheCurrentUserUnderWine) {
  WinLocalAccounts accounts;
  auto console = accounts.Console();
  ASSERT_TRUE(console.ok()) << console.status().ToString();
  ASSERT_TRUE(console->session_id.has_value());
  EXPECT_EQ(*console->session_id, static_cast<std::uint32_t>(::WTSGetActiveConsoleSessionId()));
  const std::string user = UserName();
  ASSERT_GE(console->user.size(), user.size() + 1);
  EXPECT_EQ(console->user.substr(console->user.size() - user.size() - 1), "\\" + user);
  EXPECT_EQ(console->user_sid, CurrentUserSid());
  EXPECT_EQ(console->token_in_administrators, std::optional<bool>(true));
}

}  // namespace
}  // namespace bulwark
