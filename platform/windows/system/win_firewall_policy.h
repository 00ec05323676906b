// ComFirewallPolicy: the FirewallPolicy seam over HNetCfg.FwPolicy2 (INetFwPolicy2), created
// on first use on the shared ComThread and cached there.
//
// Errors: "INetFwPolicy2: <operation>: 0x800706D9 (EPT_S_NOT_REGISTERED)" (the MpsSvc
// service stopped -> kUnavailable); a missing COM class (REGDB_E_CLASSNOTREG) is kNotFound;
// the creation is retried on the next call after a failure.
//
// Thread-safety: safe for concurrent use; calls are serialised onto the COM thread.
// Verified under Wine 8.0 only, whose hnetcfg implements INetFwPolicy2 partially (see the
// tests for what it answers); the real policy store needs a real Windows machine.
#ifndef BULWARK_PLATFORM_WINDOWS_SYSTEM_WIN_FIREWALL_POLICY_H_
#define BULWARK_PLATFORM_WINDOWS_SYSTEM_WIN_FIREWALL_POLICY_H_

#include <memory>

#include "platform/windows/system/com_thread.h"
#include "platform/windows/windows_system.h"

namespace bulwark {

class ComFirewallPolicy final : public FirewallPolicy {
 public:
  // REQUIRES: com != nullptr.
  explicit ComFirewallPolicy(std::shared_ptr<ComThread> com);
  // Releases the interface on the COM thread.
  ~ComFirewallPolicy() override;

  Result<FirewallProfileState> Profile(FirewallProfile profile) const override;
  Result<std::uint32_t> CurrentProfileTypes() const override;

  struct State;  // COM-thread state: the INetFwPolicy2 pointer

 private:
  std::shared_ptr<ComThread> com_;
  std::shared_ptr<State> state_;  // touched only on the COM thread
};

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_WINDOWS_SYSTEM_WIN_FIREWALL_POLICY_H_
