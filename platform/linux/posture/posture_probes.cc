#include "platform/linux/posture/posture_probes.h"

#include "platform/linux/posture/endpoint_protection_probe.h"
#include "platform/linux/posture/hardening_probes.h"
#include "platform/linux/posture/local_admins_probe.h"

namespace bulwark {

void RegisterPostureProbes(const System& system, ProbeRegistry& registry) {
  auto state = std::make_shared<PostureHostState>(system);
  registry.Add(std::make_unique<LocalAdminsProbe>(state));
  registry.Add(std::make_unique<EndpointProtectionProbe>(state));
  for (auto& probe : MakeHardeningProbes(state)) registry.Add(std::move(probe));
}

}  // namespace bulwark
