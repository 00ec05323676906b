#include "platform/linux/linux_platform.h"

#include "platform/linux/disk_encryption_probe.h"
#include "platform/linux/host_probe.h"
#include "platform/linux/linux_system.h"
#include "platform/linux/posture/posture_probes.h"
#include "platform/linux/service_hooks.h"
#include "platform/linux/working_set.h"

namespace bulwark {

Result<std::unique_ptr<System>> LinuxPlatform::MakeSystem(const std::string& root) const {
  return NewDefaultSystem(root);
}

void LinuxPlatform::RegisterProbes(const System& system, ProbeRegistry& registry) const {
  registry.Add(std::make_unique<HostProbe>(system));
  registry.Add(std::make_unique<DiskEncryptionProbe>(system, luks_));
  RegisterPostureProbes(system, registry);
}

}  // namespace bulwark

namespace bulwark {

std::unique_ptr<ServiceNotifier> LinuxPlatform::MakeNotifier() const {
  return MakeSystemdNotifier();
}

std::shared_ptr<void> LinuxPlatform::RouteSignals(ServiceControl& control) const {
  return RouteSignalsTo(control);
}

Result<std::size_t> LinuxPlatform::ReleaseIdleMemory() const { return TrimWorkingSet(); }

}  // namespace bulwark
