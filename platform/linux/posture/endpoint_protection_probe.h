// EndpointProtectionProbe: the endpoint_protection section (SPEC.md §4, docs/facts.md):
// antivirus/EDR products (table-driven, antivirus_products.h), the host firewall
// (firewall_inspector.h) and mandatory access control (AppArmor or SELinux).
//
// MAC sources, under the System's root: sys/kernel/security/lsm (active LSMs),
// sys/fs/selinux/enforce, etc/selinux/config, sys/module/apparmor/parameters/enabled and
// sys/kernel/security/apparmor/profiles (needs root and securityfs).
//
// Each of the three parts is inspected independently: one that fails (or throws) becomes null
// with its own reason and the other two still report.
#ifndef BULWARK_PLATFORM_LINUX_POSTURE_ENDPOINT_PROTECTION_PROBE_H_
#define BULWARK_PLATFORM_LINUX_POSTURE_ENDPOINT_PROTECTION_PROBE_H_

#include <memory>

#include "agent/probes/probe.h"
#include "platform/linux/posture/antivirus_products.h"
#include "platform/linux/posture/host_state.h"

namespace bulwark {

class EndpointProtectionProbe final : public Probe {
 public:
  // `products` must outlive the probe (AntivirusProducts() by default).
  explicit EndpointProtectionProbe(
      std::shared_ptr<PostureHostState> state,
      const std::vector<AntivirusProductSpec>& products = AntivirusProducts())
      : state_(std::move(state)), products_(products) {}
  std::string_view name() const override { return "endpoint_protection"; }
  Status Collect(FactsDocument& facts) override;
  void OnFailure(FactsDocument& facts, const std::string& reason) override;

 private:
  std::vector<AntivirusFacts> InspectAntivirus();
  AntivirusFacts InspectProduct(const AntivirusProductSpec& spec, bool installed);
  MacFacts InspectMac();

  std::shared_ptr<PostureHostState> state_;
  const std::vector<AntivirusProductSpec>& products_;
};

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_LINUX_POSTURE_ENDPOINT_PROTECTION_PROBE_H_
