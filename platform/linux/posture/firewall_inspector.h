// The firewall part of endpoint_protection (SPEC.md §4): is an inbound packet filter active,
// which tool manages it, and what happens to unsolicited inbound traffic.
//
// Live root: the kernel's ruleset is the truth. `nft -j list ruleset` (through the
// CommandRunner, 2 s timeout) is analysed by AnalyzeNftRuleset; it also shows iptables-nft,
// ufw and firewalld rules. Legacy xtables rules, when proc/net/ip{,6}_tables_names lists a
// filter table, are read with `iptables-legacy -S INPUT` / `ip6tables-legacy -S INPUT`. A
// packet must pass both, so a drop in either counts.
// Any other root, or when nft is not installed: configuration decides what loads at boot:
// ufw (etc/ufw/ufw.conf ENABLED, etc/default/ufw DEFAULT_INPUT_POLICY), firewalld (unit
// enabled; default zone's target from etc/firewalld/zones or usr/lib/firewalld/zones),
// iptables-persistent / iptables.service rule files (etc/iptables/rules.v{4,6},
// etc/sysconfig/ip{,6}tables), nftables.service (ruleset only known live: default_inbound null).
//
// `backend` names the managing tool: ufw when ufw is enabled, firewalld when it runs or is
// enabled, iptables for legacy rules, nftables otherwise; null when no firewall tool exists.
#ifndef BULWARK_PLATFORM_LINUX_POSTURE_FIREWALL_INSPECTOR_H_
#define BULWARK_PLATFORM_LINUX_POSTURE_FIREWALL_INSPECTOR_H_

#include "agent/facts/facts.h"
#include "platform/linux/posture/host_state.h"

namespace bulwark {

FirewallFacts InspectFirewall(PostureHostState& state);

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_LINUX_POSTURE_FIREWALL_INSPECTOR_H_
