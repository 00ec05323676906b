// bulwark-agent.exe as a real Windows service: registered with the SCM (CreateServiceW),
// started, observed RUNNING, its self-set recovery actions read back, stopped, deleted. Under
// Wine the SCM is Wine's services.exe. Waiting for a service state is polling by nature; every
// wait is bounded.
#include <chrono>
#include <thread>
#include <vector>

#include "agent/base/windows_util.h"
#include "tests/unit/platform/windows/agent/win_test_util.h"

namespace bulwark {
namespace {

using testing::ReadFileOrEmpty;
using testing::WinTempDir;

constexpr auto kStateTimeout = std::chrono::seconds(60);

// bulwark-agent.exe, found from this test's own path (BULWARK_AGENT_EXE_RELATIVE is the path
// from the test binary's folder, set by CMake).
std::string AgentExe() {
  wchar_t self[MAX_PATH + 1] = {};
  const DWORD n = ::GetModuleFileNameW(nullptr, self, MAX_PATH);
  std::string path = win::WideToUtf8(std::wstring(self, n));
  path.erase(path.find_last_of('\\') + 1);
  std::string relative = BULWARK_AGENT_EXE_RELATIVE;
  for (char& c : relative) {
    if (c == '/') c = '\\';
  }
  const std::wstring joined = win::Utf8ToWide(path + relative);
  wchar_t full[MAX_PATH + 1] = {};
  const DWORD m = ::GetFullPathNameW(joined.c_str(), MAX_PATH + 1, full, nullptr);
  return m > 0 && m <= MAX_PATH ? win::WideToUtf8(std::wstring(full, m)) : path + relative;
}

struct ScHandle {
  SC_HANDLE h = nullptr;
  explicit ScHandle(SC_HANDLE handle) : h(handle) {}
  ~ScHandle() {
    if (h != nullptr) ::CloseServiceHandle(h);
  }
  ScHandle(const ScHandle&) = delete;
  ScHandle& operator=(const ScHandle&) = delete;
};

SERVICE_STATUS_PROCESS Query(SC_HANDLE service) {
  SERVICE_STATUS_PROCESS status{};
  DWORD needed = 0;
  EXPECT_TRUE(::QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO,
                                     reinterpret_cast<BYTE*>(&status), sizeof(status), &needed))
      << ::GetLastError();
  return status;
}

// Polls until the service reaches `state` or the bound passes; returns the last status.
SERVICE_STATUS_PROCESS WaitFor(SC_HANDLE service, DWORD state) {
  const auto deadline = std::chrono::steady_clock::now() + kStateTimeout;
  SERVICE_STATUS_PROCESS status = Query(service);
  while (status.dwCurrentState != state && std::chrono::steady_clock::now() < deadline) {
    if (status.dwCurrentState == SERVICE_STOPPED && state != SERVICE_STOPPED) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    status = Query(service);
  }
  return status;
}

// One service registered for the test and deleted (stopped first) at the end.
class TestService {
 public:
  TestService(const std::string& name, const std::string& command_line)
      : scm_(::OpenSCManagerW(nullptr, nullptr, SC_MANAGER_ALL_ACCESS)), name_(name) {
    if (scm_.h == nullptr) {
      ADD_FAILURE() << "OpenSCManagerW: " << ::GetLastError();
      return;
    }
    const std::wstring wide_name = win::Utf8ToWide(name);
    const std::wstring wide_command = win::Utf8ToWide(command_line);
    service_.h =
        ::CreateServiceW(scm_.h, wide_name.c_str(), wide_name.c_str(), SERVICE_ALL_ACCESS,
                         SERVICE_WIN32_OWN_PROCESS, SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL,
                         wide_command.c_str(), nullptr, nullptr, nullptr, nullptr, nullptr);
    if (service_.h == nullptr) ADD_FAILURE() << "CreateServiceW: " << ::GetLastError();
  }
  ~TestService() {
    if (service_.h == nullptr) return;
    SERVICE_STATUS status{};
    if (Query(service_.h).dwCurrentState != SERVICE_STOPPED) {
      ::ControlService(service_.h, SERVICE_CONTROL_STOP, &status);
      WaitFor(service_.h, SERVICE_STOPPED);
    }
    EXPECT_TRUE(::DeleteService(service_.h)) << ::GetLastError();
  }
  TestService(const TestService&) = delete;
  TestService& operator=(const TestService&) = delete;

  SC_HANDLE get() const { return service_.h; }

 private:
  ScHandle scm_;
  ScHandle service_{nullptr};
  std::string name_;
};

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

// The installer's name: Wine's dispatcher (unlike Windows for an own-process service) only
// serves a service whose name is in the process's dispatch table.
constexpr char kServiceName[] = "BulwarkAgent";

bool ServiceExists(const std::string& name) {
  ScHandle scm(::OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT));
  ScHandle service(::OpenServiceW(scm.h, win::Utf8ToWide(name).c_str(), SERVICE_QUERY_STATUS));
  return service.h != nullptr;
}

// A configuration the service can run on without a collector: an enrolment and credential
// already in the state directory, a collector address nothing listens on, a trust anchor.
std::string WriteRunnableConfig(const WinTempDir& tmp) {
  const std::string state = tmp.Join("state");
  ::CreateDirectoryW(win::Utf8ToWide(state).c_str(), nullptr);
  tmp.WriteFile("state\\credential", "dev-test.secret-test\n");
  tmp.WriteFile("state\\enrollment.json",
                R"({"server":"https://127.0.0.1:9","ca_file":"","pin":"","device_id":"dev-test",)"
                R"("enroll_secret_file":""})");
  tmp.WriteFile("root.json", "{}");
  std::string conf;
  conf += "state_dir = " + state + "\n";
  conf += "status_file = " + tmp.Join("status.json") + "\n";
  conf += "trust_anchor = " + tmp.Join("root.json") + "\n";
  conf += "interval = 3600\n";
  conf += "policy_poll = 3600\n";
  conf += "connect_timeout = 1\n";
  conf += "timeout = 2\n";
  tmp.WriteFile("agent.conf", conf);
  return tmp.Join("agent.conf");
}

TEST(WindowsServiceTest, RunsUnderTheScmSetsRecoveryActionsAndStops) {
  if (ServiceExists(kServiceName)) GTEST_SKIP() << "a BulwarkAgent service is installed here";
  WinTempDir tmp;
  const std::string conf = WriteRunnableConfig(tmp);
  TestService service(kServiceName, Quote(AgentExe()) + " run --config " + Quote(conf));
  ASSERT_NE(service.get(), nullptr);

  auto data = win::ProgramDataDirectory();
  ASSERT_TRUE(data.ok());
  const std::string log_path = *data + "\\Bulwark\\logs\\agent.log";
  const std::size_t log_before = ReadFileOrEmpty(log_path).size();

  ASSERT_TRUE(::StartServiceW(service.get(), 0, nullptr)) << ::GetLastError();
  SERVICE_STATUS_PROCESS running = WaitFor(service.get(), SERVICE_RUNNING);
  ASSERT_EQ(running.dwCurrentState, static_cast<DWORD>(SERVICE_RUNNING))
      << "exit " << running.dwWin32ExitCode << "/" << running.dwServiceSpecificExitCode;
  EXPECT_NE(running.dwProcessId, 0u);
  EXPECT_NE(running.dwControlsAccepted & SERVICE_ACCEPT_STOP, 0u);
  EXPECT_NE(running.dwControlsAccepted & SERVICE_ACCEPT_SHUTDOWN, 0u);
  EXPECT_NE(running.dwControlsAccepted & SERVICE_ACCEPT_PARAMCHANGE, 0u);

  // The recovery actions the service gave itself before reporting RUNNING. Wine's SCM accepts
  // SERVICE_CONFIG_FAILURE_ACTIONS without storing it and knows neither reading it back nor
  // SERVICE_CONFIG_FAILURE_ACTIONS_FLAG (ERROR_INVALID_LEVEL): there only the service's own log
  // line about that refusal is checked, after the stop.
  std::vector<BYTE> buffer(8192);
  DWORD needed = 0;
  const bool queried =
      ::QueryServiceConfig2W(service.get(), SERVICE_CONFIG_FAILURE_ACTIONS, buffer.data(),
                             static_cast<DWORD>(buffer.size()), &needed) != 0;
  const DWORD query_error = queried ? 0 : ::GetLastError();
  const bool wine_without_failure_actions =
      !queried && query_error == ERROR_INVALID_LEVEL && testing::RunningOnWine();
  if (!wine_without_failure_actions) {
    ASSERT_TRUE(queried) << query_error;
    const auto* failure = reinterpret_cast<const SERVICE_FAILURE_ACTIONSW*>(buffer.data());
    EXPECT_EQ(failure->dwResetPeriod, 86400u);
    ASSERT_EQ(failure->cActions, 3u);
    ASSERT_NE(failure->lpsaActions, nullptr);
    const DWORD delays[] = {60'000, 60'000, 300'000};
    for (DWORD i = 0; i < 3; ++i) {
      EXPECT_EQ(failure->lpsaActions[i].Type, SC_ACTION_RESTART) << i;
      EXPECT_EQ(failure->lpsaActions[i].Delay, delays[i]) << i;
    }
    SERVICE_FAILURE_ACTIONS_FLAG flag{};
    ASSERT_TRUE(::QueryServiceConfig2W(service.get(), SERVICE_CONFIG_FAILURE_ACTIONS_FLAG,
                                       reinterpret_cast<BYTE*>(&flag), sizeof(flag), &needed))
        << ::GetLastError();
    EXPECT_TRUE(flag.fFailureActionsOnNonCrashFailures);
  }

  SERVICE_STATUS stop{};
  ASSERT_TRUE(::ControlService(service.get(), SERVICE_CONTROL_STOP, &stop)) << ::GetLastError();
  SERVICE_STATUS_PROCESS stopped = WaitFor(service.get(), SERVICE_STOPPED);
  ASSERT_EQ(stopped.dwCurrentState, static_cast<DWORD>(SERVICE_STOPPED));
  EXPECT_EQ(stopped.dwWin32ExitCode, static_cast<DWORD>(NO_ERROR))
      << "service-specific " << stopped.dwServiceSpecificExitCode;

  // The service logged this run to %ProgramData%\Bulwark\logs\agent.log.
  std::string log = ReadFileOrEmpty(log_path);
  ASSERT_GT(log.size(), log_before);
  log.erase(0, log_before);
  EXPECT_NE(log.find(std::string("service ") + kServiceName + " starting"), std::string::npos)
      << log.substr(log.size() > 2000 ? log.size() - 2000 : 0);
  const std::size_t refusal = log.find("cannot set the service recovery actions");
  if (wine_without_failure_actions) {
    // The one step Wine refuses, and nothing else.
    ASSERT_NE(refusal, std::string::npos) << log;
    EXPECT_NE(log.find("ChangeServiceConfig2W(FAILURE_ACTIONS_FLAG): 0x0000007C", refusal),
              std::string::npos)
        << log;
  } else {
    EXPECT_EQ(refusal, std::string::npos) << log;
  }
}

TEST(WindowsServiceTest, ReportsAServiceSpecificExitCodeWhenRunFails) {
  if (ServiceExists(kServiceName)) GTEST_SKIP() << "a BulwarkAgent service is installed here";
  WinTempDir tmp;
  TestService service(kServiceName,
                      Quote(AgentExe()) + " run --config " + Quote(tmp.Join("missing.conf")));
  ASSERT_NE(service.get(), nullptr);

  ASSERT_TRUE(::StartServiceW(service.get(), 0, nullptr)) << ::GetLastError();
  SERVICE_STATUS_PROCESS stopped = WaitFor(service.get(), SERVICE_STOPPED);
  ASSERT_EQ(stopped.dwCurrentState, static_cast<DWORD>(SERVICE_STOPPED));
  EXPECT_EQ(stopped.dwWin32ExitCode, static_cast<DWORD>(ERROR_SERVICE_SPECIFIC_ERROR));
  EXPECT_EQ(stopped.dwServiceSpecificExitCode, 1u);
}

}  // namespace
}  // namespace bulwark
