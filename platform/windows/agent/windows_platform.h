// WindowsPlatform: the Windows AgentPlatform (agent/service/agent_cli.h) bound by main.cc.
//
//   os_family      "windows"
//   MakeSystem     the live system only (NewDefaultWindowsSystem); a root other than "/", "\"
//                  or the system drive's root ("C:\", "C:/", "C:") is kInvalidArgument
//                  "--root is not supported on Windows".
//   RegisterProbes every probe of platform/windows/windows_probes.h, in a fixed order.
//   RouteSignals   under the SCM: the service's control handler (ServiceLink); from a console:
//                  SetConsoleCtrlHandler (Ctrl+C, Ctrl+Break, closing the console -> stop).
//   ReleaseIdleMemory  SetProcessWorkingSetSize(-1, -1): the working set is trimmed and the
//                  kilobytes it shrank by are returned.
//
// Thread-safety: const members may be called from any thread. The ServiceLink, when given,
// must outlive the platform.
#ifndef BULWARK_PLATFORM_WINDOWS_AGENT_WINDOWS_PLATFORM_H_
#define BULWARK_PLATFORM_WINDOWS_AGENT_WINDOWS_PLATFORM_H_

#include <memory>
#include <string>

#include "agent/service/agent_cli.h"
#include "agent/service/service_control.h"

namespace bulwark {

// The service-control link of a process started by the SCM (service_main.h).
class ServiceLink {
 public:
  virtual ~ServiceLink() = default;
  // The notifier reporting the service's state to the SCM.
  virtual std::unique_ptr<ServiceNotifier> MakeNotifier() = 0;
  // Routes the SCM's stop / shutdown / parameter-change controls to `control` until the
  // returned guard is destroyed (a stop received earlier is delivered at once).
  virtual std::shared_ptr<void> Route(ServiceControl& control) = 0;
};

// True for the roots MakeSystem accepts (the live system): "/", "\", "C:\", "C:/", "C:" where
// C is `system_drive` (case-insensitive). Pure, for tests.
bool IsLiveWindowsRoot(const std::string& root, char system_drive);

class WindowsPlatform final : public AgentPlatform {
 public:
  // `service` is null when not started by the SCM (console, tests).
  explicit WindowsPlatform(ServiceLink* service = nullptr) : service_(service) {}

  std::string os_family() const override { return "windows"; }
  Result<std::unique_ptr<System>> MakeSystem(const std::string& root) const override;
  // REQUIRES: `system` was made by MakeSystem (it is a WindowsSystem).
  void RegisterProbes(const System& system, ProbeRegistry& registry) const override;
  std::unique_ptr<ServiceNotifier> MakeNotifier() const override;
  std::shared_ptr<void> RouteSignals(ServiceControl& control) const override;
  Result<std::size_t> ReleaseIdleMemory() const override;

 private:
  ServiceLink* service_;
};

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_WINDOWS_AGENT_WINDOWS_PLATFORM_H_
