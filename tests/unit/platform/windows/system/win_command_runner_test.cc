#include "platform/windows/system/win_command_runner.h"

#include <gtest/gtest.h>
#include <windows.h>

#include <string>
#include <thread>
#include <vector>

#include "platform/windows/system/win_strings.h"

namespace bulwark {
namespace {

// command_runner_child.exe, built next to this test executable.
std::string ChildPath() {
  wchar_t self[MAX_PATH] = {};
  DWORD n = ::GetModuleFileNameW(nullptr, self, MAX_PATH);
  std::wstring path(self, n);
  path = path.substr(0, path.find_last_of(L"\\/") + 1) + L"command_runner_child.exe";
  return WideToUtf8(path);
}

TEST(QuoteWindowsArgumentTest, FollowsTheMsvcrtRules) {
  EXPECT_EQ(QuoteWindowsArgument("plain"), "plain");
  EXPECT_EQ(QuoteWindowsArgument(""), "\"\"");
  EXPECT_EQ(QuoteWindowsArgument("two words"), "\"two words\"");
  EXPECT_EQ(QuoteWindowsArgument("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(QuoteWindowsArgument("C:\\dir\\"), "C:\\dir\\");
  EXPECT_EQ(QuoteWindowsArgument("C:\\my dir\\"), "\"C:\\my dir\\\\\"");
  EXPECT_EQ(QuoteWindowsArgument("a\\\\\"b"), "\"a\\\\\\\\\\\"b\"");
}

TEST(Win32CommandRunnerTest, ChildReceivesExactlyTheArguments) {
  Win32CommandRunner runner;
  const std::vector<std::string> args = {"plain",        "",         "two words", "say \"hi\"",
                                         "C:\\my dir\\", "a\\\\\"b", "tab\there"};
  std::vector<std::string> argv = {ChildPath(), "args"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = runner.Run(argv);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  std::string expected;
  for (const auto& a : args) expected += "[" + a + "]\n";
  // The MSVCRT runtime translates \n to \r\n in text mode.
  std::string output = result->stdout_data;
  std::string normalised;
  for (std::size_t i = 0; i < output.size(); ++i) {
    if (output[i] == '\r' && i + 1 < output.size() && output[i + 1] == '\n') continue;
    normalised += output[i];
  }
  EXPECT_EQ(normalised, expected);
  EXPECT_EQ(result->exit_code, 0);
}

TEST(Win32CommandRunnerTest, CapturesStdoutStderrAndTheExitCode) {
  Win32CommandRunner runner;
  auto result = runner.Run({ChildPath(), "exit", "3"});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->exit_code, 3);
  EXPECT_EQ(result->stdout_data, "out");
  EXPECT_EQ(result->stderr_data, "err");
}

TEST(Win32CommandRunnerTest, BareNameIsFoundInSystem32) {
  Win32CommandRunner runner;
  auto result = runner.Run({"hostname"});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->exit_code, 0);
  wchar_t name[MAX_COMPUTERNAME_LENGTH + 1] = {};
  DWORD size = MAX_COMPUTERNAME_LENGTH + 1;
  ASSERT_TRUE(::GetComputerNameExW(ComputerNameDnsHostname, name, &size));
  std::string out = result->stdout_data;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  EXPECT_EQ(::CompareStringOrdinal(Utf8ToWide(out).c_str(), -1, name, -1, TRUE), CSTR_EQUAL) << out;
}

TEST(Win32CommandRunnerTest, EnvironmentIsCleanPlusTheExtras) {
  Win32CommandRunner runner;
  ASSERT_TRUE(::SetEnvironmentVariableW(L"BULWARK_LEAK", L"parent"));
  CommandOptions options;
  options.environment = {"BULWARK_EXTRA=given"};
  auto leak = runner.Run({ChildPath(), "env", "BULWARK_LEAK"}, options);
  ASSERT_TRUE(leak.ok()) << leak.status().ToString();
  EXPECT_EQ(leak->stdout_data, "(unset)");
  auto extra = runner.Run({ChildPath(), "env", "BULWARK_EXTRA"}, options);
  ASSERT_TRUE(extra.ok());
  EXPECT_EQ(extra->stdout_data, "given");
  auto root = runner.Run({ChildPath(), "env", "SystemRoot"}, options);
  ASSERT_TRUE(root.ok());
  EXPECT_NE(root->stdout_data, "(unset)");
}

TEST(Win32CommandRunnerTest, TimeoutKillsTheChildWithDeadlineExceeded) {
  Win32CommandRunner runner;
  CommandOptions options;
  options.timeout = std::chrono::milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  auto result = runner.Run({ChildPath(), "wait"}, options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

TEST(Win32CommandRunnerTest, OutputOverTheCapIsResourceExhausted) {
  Win32CommandRunner runner;
  CommandOptions options;
  options.max_output_bytes = 1000;
  auto result = runner.Run({ChildPath(), "flood", "200000"}, options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kResourceExhausted);
  options.max_output_bytes = 300000;
  auto fits = runner.Run({ChildPath(), "flood", "200000"}, options);
  ASSERT_TRUE(fits.ok()) << fits.status().ToString();
  EXPECT_EQ(fits->stdout_data.size(), 200000u);
}

TEST(Win32CommandRunnerTest, MissingProgramIsNotFound) {
  Win32CommandRunner runner;
  EXPECT_EQ(runner.Run({"bulwark-no-such-program"}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(runner.Run({"C:\\no\\such.exe"}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(runner.Run({}).status().code(), StatusCode::kInvalidArgument);
  CommandOptions as_user;
  as_user.run_as_uid = 1000;
  EXPECT_EQ(runner.Run({"hostname"}, as_user).status().code(), StatusCode::kUnimplemented);
}

TEST(Win32CommandRunnerTest, ConcurrentRunsKeepTheirOwnOutput) {
  Win32CommandRunner runner;
  constexpr int kThreads = 4;
  std::vector<std::string> outputs(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto r = runner.Run({ChildPath(), "exit", std::to_string(10 + i)});
      if (r.ok())
        outputs[static_cast<std::size_t>(i)] = r->stdout_data + std::to_string(r->exit_code);
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(outputs[static_cast<std::size_t>(i)], "out" + std::to_string(10 + i));
  }
}

}  // namespace
}  // namespace bulwark
