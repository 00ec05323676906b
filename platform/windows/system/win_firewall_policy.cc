#include "platform/windows/system/win_firewall_policy.h"

// clang-format off
#include <winsock2.h>
#include <windows.h>
#include <objbase.h>
#include <netfw.h>
// clang-format on

#include <string>

#include "platform/windows/system/win_strings.h"

namespace bulwark {

struct ComFirewallPolicy::State {
  ComPtr<INetFwPolicy2> policy;
};

namespace {

// HNetCfg.FwPolicy2 and INetFwPolicy2 (netfw.h declares them; no mingw import library defines
// them).
constexpr CLSID kClsidNetFwPolicy2 = {
    0xe2b3c97f, 0x6ae1, 0x41ac, {0x81, 0x7a, 0xf6, 0xf9, 0x21, 0x66, 0xd7, 0xdd}};
constexpr IID kIidNetFwPolicy2 = {
    0x98325047, 0xc671, 0x4174, {0x8d, 0x81, 0xde, 0xfc, 0xd3, 0xf0, 0x31, 0x86}};

Status Fail(HRESULT hr, const std::string& operation) {
  return HresultToStatus(hr, "INetFwPolicy2: " + operation);
}

Result<INetFwPolicy2*> Policy(ComFirewallPolicy::State& state) {
  if (!state.policy) {
    HRESULT hr = ::CoCreateInstance(kClsidNetFwPolicy2, nullptr, CLSCTX_INPROC_SERVER,
                                    kIidNetFwPolicy2, reinterpret_cast<void**>(state.policy.Out()));
    if (FAILED(hr)) return Fail(hr, "CoCreateInstance(HNetCfg.FwPolicy2)");
  }
  return state.policy.get();
}

NET_FW_PROFILE_TYPE2 ToNative(FirewallProfile profile) {
  switch (profile) {
    case FirewallProfile::kDomain:
      return NET_FW_PROFILE2_DOMAIN;
    case FirewallProfile::kPrivate:
      return NET_FW_PROFILE2_PRIVATE;
    case FirewallProfile::kPublic:
      break;
  }
  return NET_FW_PROFILE2_PUBLIC;
}

const char* NameOf(FirewallProfile profile) {
  switch (profile) {
    case FirewallProfile::kDomain:
      return "domain";
    case FirewallProfile::kPrivate:
      return "private";
    case FirewallProfile::kPublic:
      break;
  }
  return "public";
}

}  // namespace

ComFirewallPolicy::ComFirewallPolicy(std::shared_ptr<ComThread> com)
    : com_(std::move(com)), state_(std::make_shared<State>()) {}

ComFirewallPolicy::~ComFirewallPolicy() {
  auto released = com_->Invoke<bool>([state = std::move(state_)]() mutable -> Result<bool> {
    state.reset();
    return true;
  });
  (void)released;  // a timed-out release still runs once the COM thread is free
}

Result<FirewallProfileState> ComFirewallPolicy::Profile(FirewallProfile profile) const {
  return com_->Invoke<FirewallProfileState>(
      [state = state_, profile]() -> Result<FirewallProfileState> {
        ASSIGN_OR_RETURN(INetFwPolicy2 * policy, Policy(*state));
        const NET_FW_PROFILE_TYPE2 native = ToNative(profile);
        const std::string name = NameOf(profile);
        FirewallProfileState out;
        VARIANT_BOOL enabled = VARIANT_FALSE;
        HRESULT hr = policy->get_FirewallEnabled(native, &enabled);
        if (FAILED(hr)) return Fail(hr, "get_FirewallEnabled(" + name + ")");
        out.enabled = enabled != VARIANT_FALSE;
        NET_FW_ACTION action = NET_FW_ACTION_BLOCK;
        hr = policy->get_DefaultInboundAction(native, &action);
        if (FAILED(hr)) return Fail(hr, "get_DefaultInboundAction(" + name + ")");
        out.default_inbound = static_cast<std::int64_t>(action);
        hr = policy->get_DefaultOutboundAction(native, &action);
        if (FAILED(hr)) return Fail(hr, "get_DefaultOutboundAction(" + name + ")");
        out.default_outbound = static_cast<std::int64_t>(action);
        return out;
      });
}

Result<std::uint32_t> ComFirewallPolicy::CurrentProfileTypes() const {
  return com_->Invoke<std::uint32_t>([state = state_]() -> Result<std::uint32_t> {
    ASSIGN_OR_RETURN(INetFwPolicy2 * policy, Policy(*state));
    long types = 0;  // NOLINT(runtime/int): the COM signature
    HRESULT hr = policy->get_CurrentProfileTypes(&types);
    if (FAILED(hr)) return Fail(hr, "get_CurrentProfileTypes");
    return static_cast<std::uint32_t>(types);
  });
}

}  // namespace bulwark
