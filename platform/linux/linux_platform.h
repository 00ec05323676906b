// LinuxPlatform: the Linux AgentPlatform. Owns the libcryptsetup reader and registers the
// Linux probes in a fixed order.
#ifndef BULWARK_PLATFORM_LINUX_LINUX_PLATFORM_H_
#define BULWARK_PLATFORM_LINUX_LINUX_PLATFORM_H_

#include "agent/service/agent_cli.h"
#include "platform/linux/cryptsetup_luks_reader.h"

namespace bulwark {

class LinuxPlatform final : public AgentPlatform {
 public:
  std::string os_family() const override { return "linux"; }
  Result<std::unique_ptr<System>> MakeSystem(const std::string& root) const override;
  void RegisterProbes(const System& system, ProbeRegistry& registry) const override;
  std::unique_ptr<ServiceNotifier> MakeNotifier() const override;
  std::shared_ptr<void> RouteSignals(ServiceControl& control) const override;
  // TrimWorkingSet (platform/linux/working_set.h).
  Result<std::size_t> ReleaseIdleMemory() const override;

 private:
  CryptsetupLuksReader luks_;
};

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_LINUX_LINUX_PLATFORM_H_
