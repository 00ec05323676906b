#include "platform/linux/posix_command_runner.h"

#include <grp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <vector>

namespace bulwark {
namespace {

TEST(PosixCommandRunnerTest, CapturesOutputAndExitCode) {
  PosixCommandRunner runner;
  auto r = runner.Run({"printf", "%s|%s", "a b", "c"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->stdout_data, "a b|c") << "arguments reach the program verbatim, no shell splitting";
  auto fail = runner.Run({"ls", "/nonexistent-dir-for-test"});
  ASSERT_TRUE(fail.ok());
  EXPECT_NE(fail->exit_code, 0);
  EXPECT_FALSE(fail->stderr_data.empty());
}

TEST(PosixCommandRunnerTest, NoShellMetacharactersAreInterpreted) {
  PosixCommandRunner runner;
  auto r = runner.Run({"echo", "$(id)", ";", "rm", "-rf", "/", "`x`", "|", "cat"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stdout_data, "$(id) ; rm -rf / `x` | cat\n");
}

TEST(PosixCommandRunnerTest, EnvironmentIsClean) {
  PosixCommandRunner runner;
  CommandOptions options;
  options.environment = {"EXTRA=1"};
  auto r = runner.Run({"env"}, options);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->stdout_data.find("LANG=C\n"), std::string::npos);
  EXPECT_NE(r->stdout_data.find("EXTRA=1\n"), std::string::npos);
  EXPECT_EQ(r->stdout_data.find("HOME="), std::string::npos);
}

TEST(PosixCommandRunnerTest, MissingProgramIsNotFound) {
  PosixCommandRunner runner;
  EXPECT_EQ(runner.Run({"no-such-program-bulwark"}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(runner.Run({"/no/such/path"}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(runner.Run({}).status().code(), StatusCode::kInvalidArgument);
}

TEST(PosixCommandRunnerTest, TimeoutKillsTheChild) {
  PosixCommandRunner runner;
  CommandOptions options;
  options.timeout = std::chrono::milliseconds(200);
  auto r = runner.Run({"sleep", "30"}, options);
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
}

TEST(PosixCommandRunnerTest, OutputCapKillsTheChild) {
  PosixCommandRunner runner;
  CommandOptions options;
  options.max_output_bytes = 4096;
  auto r = runner.Run({"yes"}, options);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
}

TEST(PosixCommandRunnerTest, RunAsDropsSupplementaryGroups) {
  if (::geteuid() != 0) GTEST_SKIP() << "switching users needs root";
  // Give this (agent) process a privileged supplementary group, as a service account in
  // 'disk' or 'adm' would have; restore the original list afterwards.
  std::vector<gid_t> saved(static_cast<std::size_t>(::getgroups(0, nullptr)));
  ASSERT_GE(::getgroups(static_cast<int>(saved.size()), saved.data()), 0);
  const gid_t disk_like = 6;
  ASSERT_EQ(::setgroups(1, &disk_like), 0);
  PosixCommandRunner runner;
  CommandOptions options;
  options.run_as_uid = 65534;
  options.run_as_gid = 65534;
  auto r = runner.Run({"id", "-G"}, options);
  ASSERT_EQ(::setgroups(saved.size(), saved.data()), 0);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // Before the fix the child kept the agent's supplementary group ("65534 6").
  EXPECT_EQ(r->stdout_data, "65534\n");
}

TEST(PosixCommandRunnerTest, StdinIsEmpty) {
  PosixCommandRunner runner;
  auto r = runner.Run({"cat"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stdout_data, "");
  EXPECT_EQ(r->exit_code, 0);
}

}  // namespace
}  // namespace bulwark
