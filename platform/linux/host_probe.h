// HostProbe: host identity and operating system (Linux): hostname, machine-id, os-release,
// kernel release. Each unreadable source leaves its field null; the probe never fails.
#ifndef BULWARK_PLATFORM_LINUX_HOST_PROBE_H_
#define BULWARK_PLATFORM_LINUX_HOST_PROBE_H_

#include "agent/probes/probe.h"
#include "agent/sys/system.h"

namespace bulwark {

class HostProbe final : public Probe {
 public:
  explicit HostProbe(const System& system) : system_(system) {}
  std::string_view name() const override { return "host"; }
  Status Collect(FactsDocument& facts) override;

 private:
  const System& system_;
};

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_LINUX_HOST_PROBE_H_
