#include "platform/windows/agent/windows_platform.h"

#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
// windows.h first.
#include <psapi.h>

#include <array>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "agent/base/windows_util.h"
#include "platform/windows/windows_probes.h"
#include "platform/windows/windows_system.h"

namespace bulwark {
namespace {

char SystemDrive() {
  std::array<wchar_t, MAX_PATH> dir{};
  const UINT n = ::GetSystemWindowsDirectoryW(dir.data(), static_cast<UINT>(dir.size()));
  if (n >= 2 && dir[1] == L':' && dir[0] < 128) return static_cast<char>(dir[0]);
  return 'C';
}

// The console control handler's target: SetConsoleCtrlHandler takes no context pointer, so
// the one ServiceControl of this process is published here while routed.
std::atomic<ServiceControl*> g_console_control{nullptr};

BOOL WINAPI ConsoleHandler(DWORD event) {
  switch (event) {
    case CTRL_C_EVENT:
    case CTRL_BREAK_EVENT:
    case CTRL_CLOSE_EVENT:
    case CTRL_SHUTDOWN_EVENT:
      if (ServiceControl* control = g_console_control.load(); control != nullptr) {
        control->RequestStop();
        return TRUE;
      }
      return FALSE;
    default:
      return FALSE;
  }
}

}  // namespace

bool IsLiveWindowsRoot(const std::string& root, char system_drive) {
  if (root == "/" || root == "\\") return true;
  if (root.size() < 2 || root.size() > 3 || root[1] != ':') return false;
  if (std::toupper(static_cast<unsigned char>(root[0])) !=
      std::toupper(static_cast<unsigned char>(system_drive))) {
    return false;
  }
  return root.size() == 2 || root[2] == '\\' || root[2] == '/';
}

Result<std::unique_ptr<System>> WindowsPlatform::MakeSystem(const std::string& root) const {
  if (!IsLiveWindowsRoot(root, SystemDrive())) {
    return InvalidArgumentError("--root is not supported on Windows (got '" + root + "')");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<WindowsSystem> system, NewDefaultWindowsSystem());
  return std::unique_ptr<System>(std::move(system));
}

void WindowsPlatform::RegisterProbes(const System& system, ProbeRegistry& registry) const {
  const auto* windows = dynamic_cast<const WindowsSystem*>(&system);
  if (windows == nullptr) {
    std::fputs("bulwark-agent: RegisterProbes needs the WindowsSystem of MakeSystem\n", stderr);
    std::abort();
  }
  // The probes take the system non-const (WMI calls); MakeSystem created it non-const and the
  // AgentPlatform interface only passes it through as const.
  WindowsSystem& live = const_cast<WindowsSystem&>(*windows);
  registry.Add(NewWindowsHostProbe(live));
  registry.Add(NewBitLockerProbe(live));
  registry.Add(NewSecurityCenterProbe(live));
  registry.Add(NewFirewallProbe(live));
  registry.Add(NewAdministratorsProbe(live));
  registry.Add(NewUacProbe(live));
  registry.Add(NewWindowsSecureBootProbe(live));
  registry.Add(NewScreenLockProbe(live));
  registry.Add(NewTpmProbe(live));
  registry.Add(NewWindowsAutomaticUpdatesProbe(live));
}

std::unique_ptr<ServiceNotifier> WindowsPlatform::MakeNotifier() const {
  if (service_ != nullptr) return service_->MakeNotifier();
  return std::make_unique<ServiceNotifier>();
}

std::shared_ptr<void> WindowsPlatform::RouteSignals(ServiceControl& control) const {
  if (service_ != nullptr) return service_->Route(control);
  g_console_control.store(&control);
  ::SetConsoleCtrlHandler(&ConsoleHandler, TRUE);
  return std::shared_ptr<void>(nullptr, [](void*) {
    ::SetConsoleCtrlHandler(&ConsoleHandler, FALSE);
    g_console_control.store(nullptr);
  });
}

Result<std::size_t> WindowsPlatform::ReleaseIdleMemory() const {
  HANDLE self = ::GetCurrentProcess();
  PROCESS_MEMORY_COUNTERS before{};
  PROCESS_MEMORY_COUNTERS after{};
  const bool measured = ::GetProcessMemoryInfo(self, &before, sizeof(before)) != 0;
  if (!::SetProcessWorkingSetSize(self, static_cast<SIZE_T>(-1), static_cast<SIZE_T>(-1))) {
    return win::Win32ErrorToStatus(::GetLastError(), "SetProcessWorkingSetSize");
  }
  if (!measured || ::GetProcessMemoryInfo(self, &after, sizeof(after)) == 0 ||
      after.WorkingSetSize >= before.WorkingSetSize) {
    return std::size_t{0};
  }
  return static_cast<std::size_t>((before.WorkingSetSize - after.WorkingSetSize) / 1024);
}

}  // namespace bulwark
