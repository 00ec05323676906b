// WindowsPlatform against the live (Wine or Windows) system, and RunAgentCli through it.
#include "platform/windows/agent/windows_platform.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <sstream>

#include "agent/service/agent_config.h"

namespace bulwark {
namespace {

TEST(IsLiveWindowsRootTest, AcceptsOnlyTheSystemDriveRoot) {
  EXPECT_TRUE(IsLiveWindowsRoot("/", 'C'));
  EXPECT_TRUE(IsLiveWindowsRoot("\\", 'C'));
  EXPECT_TRUE(IsLiveWindowsRoot("C:\\", 'C'));
  EXPECT_TRUE(IsLiveWindowsRoot("c:/", 'C'));
  EXPECT_TRUE(IsLiveWindowsRoot("C:", 'C'));
  EXPECT_TRUE(IsLiveWindowsRoot("D:\\", 'd'));
  EXPECT_FALSE(IsLiveWindowsRoot("D:\\", 'C'));
  EXPECT_FALSE(IsLiveWindowsRoot("C:\\images", 'C'));
  EXPECT_FALSE(IsLiveWindowsRoot("/mnt/image", 'C'));
  EXPECT_FALSE(IsLiveWindowsRoot("", 'C'));
}

TEST(AgentConfigOnWindowsTest, StateFilesAreJoinedWithBackslashes) {
  AgentConfig c = DefaultAgentConfig();
  EXPECT_EQ(c.StateDbPath(), c.state_dir + "\\state.db");
  EXPECT_EQ(c.FirstFailedPath(), c.state_dir + "\\first_failed.json");
  EXPECT_EQ(c.QueueDbPath().find('/'), std::string::npos) << c.QueueDbPath();
  c.state_dir = "D:\\agent\\";
  EXPECT_EQ(c.CredentialPath(), "D:\\agent\\credential");
  c.state_dir = "D:/agent/";
  EXPECT_EQ(c.QueueDbPath(), "D:/agent/queue.db");
}

TEST(WindowsPlatformTest, RefusesAnotherRoot) {
  WindowsPlatform platform;
  auto system = platform.MakeSystem("C:\\mnt\\image");
  ASSERT_FALSE(system.ok());
  EXPECT_EQ(system.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(system.status().message(),
              ::testing::HasSubstr("--root is not supported on Windows"));
}

TEST(WindowsPlatformTest, FactsCommandPrintsAWindowsFactsDocument) {
  WindowsPlatform platform;
  EXPECT_EQ(platform.os_family(), "windows");
  std::ostringstream out;
  std::ostringstream err;
  const int code = RunAgentCli({"facts", "--json"}, platform, out, err);
  ASSERT_EQ(code, 0) << err.str();
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(out.str(), ec);
  ASSERT_FALSE(ec) << out.str();
  ASSERT_TRUE(doc.is_object());
  const boost::json::value* os = doc.as_object().if_contains("os");
  ASSERT_NE(os, nullptr) << out.str();
  ASSERT_TRUE(os->is_object());
  const boost::json::value* family = os->as_object().if_contains("family");
  ASSERT_NE(family, nullptr);
  EXPECT_EQ(*family, "windows") << out.str();
  // Every probe answered (a value, or null with its reason in probe_errors): the sections exist.
  for (const char* section : {"host", "disk_encryption", "local_admins"}) {
    EXPECT_NE(doc.as_object().if_contains(section), nullptr) << section << "\n" << out.str();
  }
}

TEST(WindowsPlatformTest, ReleaseIdleMemorySucceeds) {
  WindowsPlatform platform;
  auto released = platform.ReleaseIdleMemory();
  EXPECT_TRUE(released.ok()) << released.status().message();
}

}  // namespace
}  // namespace bulwark
