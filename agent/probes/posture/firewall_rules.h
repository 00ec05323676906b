// Pure analysis of host firewall configuration and rulesets: what happens to an inbound packet
// that no rule explicitly allows. No I/O.
//
// * nftables: the JSON ruleset of `nft -j list ruleset`. Every base chain on the "input" hook
//   of an ip, ip6 or inet table is evaluated: its first unconditional verdict (a rule whose
//   expressions are only counter/log statements before accept, drop or reject) decides, else its
//   policy. Unconditional jump/goto are followed into the named chain of the same table (loops
//   and nesting beyond 16 levels are cut off). A packet must pass every input base chain, so a
//   family drops by default when any chain covering it does; default_inbound is "drop" only
//   when both IPv4 and IPv6 drop. Reject counts as drop.
// * iptables: `iptables -S CHAIN` or iptables-save output (for the filter table): the policy
//   and the first unconditional -j ACCEPT/DROP/REJECT rule.
// * firewalld: the target of a zone file; ufw: the DEFAULT_INPUT_POLICY value.
#ifndef BULWARK_AGENT_PROBES_POSTURE_FIREWALL_RULES_H_
#define BULWARK_AGENT_PROBES_POSTURE_FIREWALL_RULES_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"

namespace bulwark {

// "DROP"/"REJECT"/"drop"/"reject" -> "drop", "ACCEPT"/"accept" -> "accept", else nullopt.
std::optional<std::string> InboundVerdict(std::string_view policy);

struct NftInputChain {
  std::string family;  // "inet", "ip", "ip6"
  std::string table;
  std::string name;
  std::string policy;  // "accept" or "drop"
  std::size_t rules = 0;
  std::string fallthrough;  // what an unmatched packet gets: "accept" or "drop"
};

struct NftRulesetAnalysis {
  std::vector<std::string> tables;  // "inet filter", "ip nat", ...
  std::vector<NftInputChain> input_chains;
  bool ipv4_drop = false;
  bool ipv6_drop = false;
  // Some input chain filters (has a rule or drops by default).
  bool filtering() const;
  // "drop" when both families drop unmatched packets, else "accept".
  std::string default_inbound() const;
};

// kInvalidArgument when `json` is not an nft JSON ruleset (bad JSON, too deep, wrong shape).
Result<NftRulesetAnalysis> AnalyzeNftRuleset(std::string_view json);

struct IptablesChainSummary {
  bool found = false;                 // the chain's policy line was seen
  std::optional<std::string> policy;  // "accept" or "drop"
  std::size_t rules = 0;
  std::optional<std::string> first_unconditional;  // "accept" or "drop"
  // What an unmatched packet gets (first unconditional verdict, else the policy).
  std::optional<std::string> fallthrough() const;
};

IptablesChainSummary ParseIptablesChain(std::string_view text, std::string_view chain);

// The target attribute of a firewalld zone file's <zone> element ("default" when absent);
// nullopt when there is no <zone> element.
std::optional<std::string> ParseFirewalldZoneTarget(std::string_view xml);

// What firewalld does with unmatched inbound packets for a zone target: ACCEPT -> "accept";
// DROP, REJECT, %%REJECT%% and default -> "drop".
std::optional<std::string> FirewalldTargetVerdict(std::string_view target);

}  // namespace bulwark

#endif  // BULWARK_AGENT_PROBES_POSTURE_FIREWALL_RULES_H_
