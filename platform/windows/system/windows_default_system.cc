// NewDefaultWindowsSystem(): the live WindowsSystem (declared in
// platform/windows/windows_system.h). One ComThread is shared by the WMI client and the firewall
// policy; the members are declared so that both are destroyed (releasing their interfaces on the
// COM thread) before it stops.
#include <memory>
#include <utility>

#include "agent/sys/clock.h"
#include "platform/windows/system/com_thread.h"
#include "platform/windows/system/com_wmi_client.h"
#include "platform/windows/system/win_command_runner.h"
#include "platform/windows/system/win_file_system.h"
#include "platform/windows/system/win_firewall_policy.h"
#include "platform/windows/system/win_local_accounts.h"
#include "platform/windows/system/win_registry.h"
#include "platform/windows/windows_system.h"

namespace bulwark {
namespace {

class LiveWindowsSystem final : public WindowsSystem {
 public:
  LiveWindowsSystem(std::shared_ptr<ComThread> com, std::unique_ptr<ComWmiClient> wmi)
      : com_(com), wmi_(std::move(wmi)), firewall_(std::move(com)) {}

  const FileSystem& file_system() const override { return file_system_; }
  CommandRunner& command_runner() const override { return runner_; }
  const Clock& clock() const override { return clock_; }
  WmiClient& wmi() const override { return *wmi_; }
  const Registry& registry() const override { return registry_; }
  const FirewallPolicy& firewall() const override { return firewall_; }
  const LocalAccounts& accounts() const override { return accounts_; }

 private:
  std::shared_ptr<ComThread> com_;  // outlives wmi_ and firewall_ (declared first)
  std::unique_ptr<ComWmiClient> wmi_;
  ComFirewallPolicy firewall_;
  LiveWindowsFileSystem file_system_;
  mutable Win32CommandRunner runner_;  // stateless; Run() is non-const by interface
  SystemClock clock_;
  WinRegistry registry_;
  WinLocalAccounts accounts_;
};

}  // namespace

Result<std::unique_ptr<WindowsSystem>> NewDefaultWindowsSystem() {
  ASSIGN_OR_RETURN(std::shared_ptr<ComThread> com, ComThread::Start());
  ASSIGN_OR_RETURN(std::unique_ptr<ComWmiClient> wmi, ComWmiClient::Create(com));
  return std::unique_ptr<WindowsSystem>(new LiveWindowsSystem(std::move(com), std::move(wmi)));
}

}  // namespace bulwark
