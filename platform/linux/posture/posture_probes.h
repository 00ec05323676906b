// Registers the Linux posture probes (local_admins, endpoint_protection, hardening.*) in a
// ProbeRegistry, all sharing one PostureHostState over `system`. Called from
// LinuxPlatform::RegisterProbes after the host probe (local_admins uses the host name it found
// for "%h" in sudoers include paths).
#ifndef BULWARK_PLATFORM_LINUX_POSTURE_POSTURE_PROBES_H_
#define BULWARK_PLATFORM_LINUX_POSTURE_POSTURE_PROBES_H_

#include "agent/probes/probe.h"
#include "agent/sys/system.h"

namespace bulwark {

// `system` must outlive the registry.
void RegisterPostureProbes(const System& system, ProbeRegistry& registry);

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_LINUX_POSTURE_POSTURE_PROBES_H_
