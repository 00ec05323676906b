#include "platform/windows/agent/service_main.h"

#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <windows.h>

#include <array>
#include <iostream>
#include <mutex>
#include <sstream>

#include "agent/base/file_util.h"
#include "agent/base/windows_util.h"
#include "agent/service/agent_cli.h"
#include "platform/windows/agent/windows_platform.h"

namespace bulwark {
namespace {

constexpr DWORD kStartWaitHintMs = 30'000;
constexpr DWORD kStopWaitHintMs = 30'000;
constexpr std::size_t kLogFileBytes = 5 * 1024 * 1024;
constexpr std::size_t kLogFiles = 5;

// The SCM side of one service run: the control handler's state and SetServiceStatus.
class ScmSession final : public ServiceLink {
 public:
  // Registers the control handler under `name`; ok() is false when that failed.
  explicit ScmSession(const std::wstring& name) {
    handle_ = ::RegisterServiceCtrlHandlerExW(name.c_str(), &ScmSession::Handler, this);
    if (handle_ == nullptr) {
      register_error_ = ::GetLastError();
      return;
    }
    status_.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    Report(SERVICE_START_PENDING, kStartWaitHintMs);
  }

  bool ok() const { return handle_ != nullptr; }
  DWORD register_error() const { return register_error_; }

  std::unique_ptr<ServiceNotifier> MakeNotifier() override {
    return std::make_unique<Notifier>(*this);
  }

  std::shared_ptr<void> Route(ServiceControl& control) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      control_ = &control;
      if (stop_received_) control.RequestStop();
    }
    return std::shared_ptr<void>(nullptr, [this](void*) {
      std::lock_guard<std::mutex> lock(mu_);
      control_ = nullptr;
    });
  }

  void Report(DWORD state, DWORD wait_hint_ms) {
    std::lock_guard<std::mutex> lock(mu_);
    ReportLocked(state, wait_hint_ms);
  }

  void ReportStopped(int exit_code) {
    std::lock_guard<std::mutex> lock(mu_);
    status_.dwWin32ExitCode = exit_code == 0 ? NO_ERROR : ERROR_SERVICE_SPECIFIC_ERROR;
    status_.dwServiceSpecificExitCode = static_cast<DWORD>(exit_code);
    ReportLocked(SERVICE_STOPPED, 0);
  }

 private:
  class Notifier final : public ServiceNotifier {
   public:
    explicit Notifier(ScmSession& session) : session_(session) {}
    void Ready() override { session_.Report(SERVICE_RUNNING, 0); }
    void Stopping() override { session_.Report(SERVICE_STOP_PENDING, kStopWaitHintMs); }
    void Status(std::string_view text) override { spdlog::debug("status: {}", text); }

   private:
    ScmSession& session_;
  };

  static DWORD WINAPI Handler(DWORD control, DWORD /*event_type*/, void* /*event_data*/,
                              void* context) {
    return static_cast<ScmSession*>(context)->OnControl(control);
  }

  DWORD OnControl(DWORD control) {
    std::lock_guard<std::mutex> lock(mu_);
    switch (control) {
      case SERVICE_CONTROL_STOP:
      case SERVICE_CONTROL_SHUTDOWN:
      case SERVICE_CONTROL_PRESHUTDOWN:
        stop_received_ = true;
        if (control_ != nullptr) control_->RequestStop();
        ReportLocked(SERVICE_STOP_PENDING, kStopWaitHintMs);
        return NO_ERROR;
      case SERVICE_CONTROL_PARAMCHANGE:
        if (control_ != nullptr) control_->RequestReload();
        return NO_ERROR;
      case SERVICE_CONTROL_INTERROGATE:
        ::SetServiceStatus(handle_, &status_);
        return NO_ERROR;
      default:
        return ERROR_CALL_NOT_IMPLEMENTED;
    }
  }

  // REQUIRES: mu_ held. The checkpoint advances while pending and is 0 otherwise.
  void ReportLocked(DWORD state, DWORD wait_hint_ms) {
    // Once stopping, a late Ready() (e.g. after a reload) must not go back to RUNNING.
    if (stop_received_ && state == SERVICE_RUNNING) state = SERVICE_STOP_PENDING;
    const bool pending = state == SERVICE_START_PENDING || state == SERVICE_STOP_PENDING;
    status_.dwCheckPoint = pending ? status_.dwCheckPoint + 1 : 0;
    status_.dwCurrentState = state;
    status_.dwWaitHint = pending ? wait_hint_ms : 0;
    status_.dwControlsAccepted = state == SERVICE_RUNNING
                                     ? (SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN |
                                        SERVICE_ACCEPT_PRESHUTDOWN | SERVICE_ACCEPT_PARAMCHANGE)
                                     : 0;
    ::SetServiceStatus(handle_, &status_);
  }

  SERVICE_STATUS_HANDLE handle_ = nullptr;
  DWORD register_error_ = 0;
  std::mutex mu_;
  SERVICE_STATUS status_{};
  ServiceControl* control_ = nullptr;
  bool stop_received_ = false;
};

// Restart after 60 s, 60 s and 5 min; the failure count resets after a day; the actions also
// apply when the service stops with a non-zero exit code.
Status ConfigureRecovery(const std::wstring& name) {
  SC_HANDLE scm = ::OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT);
  if (scm == nullptr) return win::Win32ErrorToStatus(::GetLastError(), "OpenSCManagerW");
  SC_HANDLE service = ::OpenServiceW(scm, name.c_str(), SERVICE_CHANGE_CONFIG | SERVICE_START);
  if (service == nullptr) {
    Status s = win::Win32ErrorToStatus(::GetLastError(), "OpenServiceW");
    ::CloseServiceHandle(scm);
    return s;
  }
  std::array<SC_ACTION, 3> actions{
      {{SC_ACTION_RESTART, 60'000}, {SC_ACTION_RESTART, 60'000}, {SC_ACTION_RESTART, 300'000}}};
  SERVICE_FAILURE_ACTIONSW failure{};
  failure.dwResetPeriod = 24 * 60 * 60;
  failure.cActions = static_cast<DWORD>(actions.size());
  failure.lpsaActions = actions.data();
  Status s;
  if (!::ChangeServiceConfig2W(service, SERVICE_CONFIG_FAILURE_ACTIONS, &failure)) {
    s = win::Win32ErrorToStatus(::GetLastError(), "ChangeServiceConfig2W(FAILURE_ACTIONS)");
  }
  SERVICE_FAILURE_ACTIONS_FLAG flag{};
  flag.fFailureActionsOnNonCrashFailures = TRUE;
  if (s.ok() && !::ChangeServiceConfig2W(service, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, &flag)) {
    s = win::Win32ErrorToStatus(::GetLastError(), "ChangeServiceConfig2W(FAILURE_ACTIONS_FLAG)");
  }
  ::CloseServiceHandle(service);
  ::CloseServiceHandle(scm);
  return s;
}

void UseConsoleLogger() {
  auto logger = spdlog::stderr_logger_st("bulwark-agent");
  logger->set_pattern("bulwark-agent: %l: %v");
  spdlog::set_default_logger(logger);
}

// %ProgramData%\Bulwark\logs\agent.log; stays on the default logger when that fails.
Status UseServiceLogger() {
  ASSIGN_OR_RETURN(std::string data, win::ProgramDataDirectory());
  const std::string dir = data + "\\Bulwark\\logs";
  RETURN_IF_ERROR(CreatePrivateDirectory(dir));
  try {
    auto logger =
        spdlog::rotating_logger_mt("bulwark-agent", dir + "\\agent.log", kLogFileBytes, kLogFiles);
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v");
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
  } catch (const spdlog::spdlog_ex& e) {
    return Status(StatusCode::kUnavailable, dir + "\\agent.log: " + e.what());
  }
  return Status();
}

void LogLines(const std::string& text, spdlog::level::level_enum level) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) spdlog::log(level, "{}", line);
  }
}

// What ServiceMain needs: the SCM's callback takes no context, so the arguments of this one
// process are published here before the dispatcher starts (and never change afterwards).
const std::vector<std::string>* g_service_args = nullptr;

void WINAPI ServiceMain(DWORD argc, wchar_t** argv) {
  // The SCM passes the name it started us under (the installer's, or a test's).
  std::wstring name =
      argc > 0 && argv[0] != nullptr ? std::wstring(argv[0]) : win::Utf8ToWide(kWindowsServiceName);
  ScmSession session(name);
  if (!session.ok()) return;  // nothing to report to: the SCM times the start out
  Status logging = UseServiceLogger();
  if (!logging.ok()) spdlog::warn("cannot open the log file: {}", logging.message());
  spdlog::info("service {} starting", win::WideToUtf8(name));
  // %ProgramData% lets users create files; the agent's folder must not.
  if (auto data = win::ProgramDataDirectory(); data.ok()) {
    if (Status s = win::ProtectDataDirectory(*data + "\\Bulwark"); !s.ok()) {
      spdlog::warn("cannot protect the data folder: {}", s.message());
    }
  }
  if (Status s = ConfigureRecovery(name); !s.ok()) {
    spdlog::warn("cannot set the service recovery actions: {}", s.message());
  }
  WindowsPlatform platform(&session);
  std::ostringstream out;
  std::ostringstream err;
  const int code = RunAgentCli(*g_service_args, platform, out, err);
  LogLines(out.str(), spdlog::level::info);
  LogLines(err.str(), spdlog::level::err);
  spdlog::info("service {} stopped (exit code {})", win::WideToUtf8(name), code);
  spdlog::default_logger()->flush();
  session.ReportStopped(code);
}

}  // namespace

int RunWindowsAgent(const std::vector<std::string>& args) {
  if (!args.empty() && args.front() == "run") {
    g_service_args = &args;
    std::wstring name = win::Utf8ToWide(kWindowsServiceName);
    std::array<SERVICE_TABLE_ENTRYW, 2> table{};
    table[0].lpServiceName = name.data();
    table[0].lpServiceProc = &ServiceMain;
    if (::StartServiceCtrlDispatcherW(table.data())) return 0;
    const DWORD error = ::GetLastError();
    if (error != ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
      UseConsoleLogger();
      spdlog::error("{}", win::Win32ErrorToStatus(error, "StartServiceCtrlDispatcherW").message());
      return 1;
    }
  }
  // Not a service: logs to stderr, documents to stdout.
  UseConsoleLogger();
  WindowsPlatform platform;
  return RunAgentCli(args, platform, std::cout, std::cerr);
}

}  // namespace bulwark
