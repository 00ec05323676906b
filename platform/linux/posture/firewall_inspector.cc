#include "platform/linux/posture/firewall_inspector.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "agent/base/strings.h"
#include "agent/probes/posture/firewall_rules.h"
#include "agent/probes/posture/key_value.h"
#include "platform/linux/posture/json_util.h"

namespace bulwark {
namespace json = boost::json;
using posture_json::Opt;

namespace {

constexpr std::chrono::milliseconds kCommandTimeout{2000};
constexpr std::size_t kMaxRulesetBytes = 8u << 20;
constexpr std::size_t kConfigMax = 1u << 20;
constexpr std::size_t kMaxChainsReported = 20;

struct ConfigView {
  bool ufw_installed = false;
  std::optional<bool> ufw_enabled;
  std::optional<std::string> ufw_default_inbound;
  bool firewalld_installed = false;
  std::optional<bool> firewalld_running;
  std::optional<bool> firewalld_enabled;
  std::optional<std::string> firewalld_zone;
  std::optional<std::string> firewalld_target;
  std::optional<std::string> firewalld_default_inbound;
  bool nft_installed = false;
  bool iptables_installed = false;
  std::optional<bool> nftables_service_enabled;
  // iptables rule files restored at boot (iptables-persistent, iptables-services).
  bool persistent_enabled = false;
  IptablesChainSummary persistent_v4;
  IptablesChainSummary persistent_v6;

  bool AnyTool() const {
    return ufw_installed || firewalld_installed || nft_installed || iptables_installed;
  }
};

std::optional<std::string> ReadSmall(const FileSystem& fs, const std::string& path) {
  auto text = fs.ReadFile(path, kConfigMax);
  if (!text.ok()) return std::nullopt;
  return std::move(*text);
}

ConfigView ReadConfig(PostureHostState& state) {
  const FileSystem& fs = state.fs();
  const UnitStates& units = state.units();
  ConfigView c;
  c.ufw_installed = fs.Exists("/usr/sbin/ufw");
  if (auto conf = ReadSmall(fs, "/etc/ufw/ufw.conf")) {
    auto kv = ParseKeyValue(*conf);
    auto it = kv.find("ENABLED");
    c.ufw_enabled = it == kv.end() ? std::optional<bool>(false) : ParseBoolWord(it->second);
  } else if (c.ufw_installed) {
    c.ufw_enabled = false;
  }
  if (auto defaults = ReadSmall(fs, "/etc/default/ufw")) {
    auto kv = ParseKeyValue(*defaults);
    if (auto it = kv.find("DEFAULT_INPUT_POLICY"); it != kv.end()) {
      c.ufw_default_inbound = InboundVerdict(it->second);
    }
  }

  c.firewalld_installed = fs.Exists("/usr/sbin/firewalld");
  c.firewalld_running = state.AnyRunning({"firewalld"});
  c.firewalld_enabled = units.IsEnabled("firewalld.service");
  if (c.firewalld_installed) {
    std::string zone = "public";
    if (auto conf = ReadSmall(fs, "/etc/firewalld/firewalld.conf")) {
      auto kv = ParseKeyValue(*conf);
      if (auto it = kv.find("DefaultZone"); it != kv.end() && !it->second.empty()) {
        zone = it->second;
      }
    }
    c.firewalld_zone = zone;
    if (zone.find('/') == std::string::npos) {
      std::optional<std::string> xml = ReadSmall(fs, "/etc/firewalld/zones/" + zone + ".xml");
      if (!xml) xml = ReadSmall(fs, "/usr/lib/firewalld/zones/" + zone + ".xml");
      if (xml) c.firewalld_target = ParseFirewalldZoneTarget(*xml);
      if (c.firewalld_target)
        c.firewalld_default_inbound = FirewalldTargetVerdict(*c.firewalld_target);
    }
  }

  c.nft_installed = fs.Exists("/usr/sbin/nft");
  c.iptables_installed = fs.Exists("/usr/sbin/iptables") || fs.Exists("/usr/sbin/iptables-legacy");
  c.nftables_service_enabled = units.IsEnabled("nftables.service");

  struct Persistent {
    const char* unit;
    const char* v4;
    const char* v6;
  };
  for (const Persistent& p :
       {Persistent{"netfilter-persistent.service", "/etc/iptables/rules.v4",
                   "/etc/iptables/rules.v6"},
        Persistent{"iptables.service", "/etc/sysconfig/iptables", "/etc/sysconfig/ip6tables"}}) {
    if (!units.IsEnabled(p.unit).value_or(false)) continue;
    auto v4 = ReadSmall(fs, p.v4);
    if (!v4) continue;
    c.persistent_enabled = true;
    c.persistent_v4 = ParseIptablesChain(*v4, "INPUT");
    if (auto v6 = ReadSmall(fs, p.v6)) c.persistent_v6 = ParseIptablesChain(*v6, "INPUT");
    break;
  }
  return c;
}

json::object ConfigExtra(const ConfigView& c) {
  return json::object{
      {"ufw", json::object{{"installed", c.ufw_installed},
                           {"enabled", Opt(c.ufw_enabled)},
                           {"default_inbound", Opt(c.ufw_default_inbound)}}},
      {"firewalld", json::object{{"installed", c.firewalld_installed},
                                 {"running", Opt(c.firewalld_running)},
                                 {"enabled", Opt(c.firewalld_enabled)},
                                 {"default_zone", Opt(c.firewalld_zone)},
                                 {"zone_target", Opt(c.firewalld_target)}}},
      {"nftables_service_enabled", Opt(c.nftables_service_enabled)},
  };
}

// The live kernel state of legacy xtables, when a legacy filter table is loaded.
struct LegacyView {
  bool loaded = false;
  std::optional<std::string> v4;  // fall-through verdict
  std::optional<std::string> v6;
  bool filtering = false;
  std::string problem;
};

bool HasFilterTable(const FileSystem& fs, const char* names_file) {
  auto text = fs.ReadFile(names_file, 64 * 1024);
  if (!text.ok()) return false;
  for (std::string_view line : SplitLines(*text)) {
    if (TrimWhitespace(line) == "filter") return true;
  }
  return false;
}

std::optional<IptablesChainSummary> RunIptables(CommandRunner& runner, const std::string& legacy,
                                                const std::string& plain, std::string& problem) {
  CommandOptions options;
  options.timeout = kCommandTimeout;
  options.max_output_bytes = kMaxRulesetBytes;
  auto result = runner.Run({legacy, "-w", "-S", "INPUT"}, options);
  if (!result.ok() && result.status().code() == StatusCode::kNotFound) {
    result = runner.Run({plain, "-w", "-S", "INPUT"}, options);
  }
  if (!result.ok()) {
    problem = legacy + ": " + result.status().ToString();
    return std::nullopt;
  }
  if (result->exit_code != 0) {
    problem = legacy + " exited with status " + std::to_string(result->exit_code);
    return std::nullopt;
  }
  return ParseIptablesChain(result->stdout_data, "INPUT");
}

LegacyView ReadLegacy(PostureHostState& state) {
  LegacyView view;
  const FileSystem& fs = state.fs();
  CommandRunner& runner = state.system().command_runner();
  const bool v4 = HasFilterTable(fs, "/proc/net/ip_tables_names");
  const bool v6 = HasFilterTable(fs, "/proc/net/ip6_tables_names");
  if (!v4 && !v6) return view;
  view.loaded = true;
  if (v4) {
    if (auto chain = RunIptables(runner, "iptables-legacy", "iptables", view.problem)) {
      view.v4 = chain->fallthrough();
      view.filtering = view.filtering || chain->rules > 0 || view.v4 == "drop";
    }
  }
  if (v6) {
    if (auto chain = RunIptables(runner, "ip6tables-legacy", "ip6tables", view.problem)) {
      view.v6 = chain->fallthrough();
      view.filtering = view.filtering || chain->rules > 0 || view.v6 == "drop";
    }
  }
  return view;
}

Result<NftRulesetAnalysis> ReadNft(PostureHostState& state) {
  CommandOptions options;
  options.timeout = kCommandTimeout;
  options.max_output_bytes = kMaxRulesetBytes;
  ASSIGN_OR_RETURN(CommandResult result,
                   state.system().command_runner().Run({"nft", "-j", "list", "ruleset"}, options));
  if (result.exit_code != 0) {
    std::string err(TrimWhitespace(std::string_view(result.stderr_data).substr(0, 200)));
    return UnavailableError("nft exited with status " + std::to_string(result.exit_code) +
                            (err.empty() ? "" : ": " + err));
  }
  return AnalyzeNftRuleset(result.stdout_data);
}

void FromConfiguration(const ConfigView& c, bool live, FirewallFacts& fw) {
  fw.extra["source"] = "configuration";
  if (c.ufw_enabled.value_or(false)) {
    fw.enabled = true;
    fw.backend = "ufw";
    fw.default_inbound = c.ufw_default_inbound;
    if (!fw.default_inbound) fw.reason = "ufw is enabled but DEFAULT_INPUT_POLICY is unknown";
    return;
  }
  if (c.firewalld_running.value_or(false) || c.firewalld_enabled.value_or(false)) {
    fw.enabled = true;
    fw.backend = "firewalld";
    fw.default_inbound = c.firewalld_default_inbound;
    if (!fw.default_inbound) fw.reason = "firewalld default zone target could not be read";
    return;
  }
  if (c.persistent_enabled) {
    fw.backend = "iptables";
    auto v4 = c.persistent_v4.fallthrough();
    auto v6 = c.persistent_v6.found ? c.persistent_v6.fallthrough() : std::optional<std::string>();
    fw.enabled =
        c.persistent_v4.rules > 0 || v4 == "drop" || c.persistent_v6.rules > 0 || v6 == "drop";
    fw.default_inbound = v4 == "drop" && v6 == "drop" ? "drop" : "accept";
    return;
  }
  if (c.nftables_service_enabled.value_or(false)) {
    fw.enabled = true;
    fw.backend = "nftables";
    fw.reason =
        "nftables.service loads a ruleset at boot; its policy is only read on the live "
        "system";
    return;
  }
  fw.enabled = false;
  fw.default_inbound = "accept";
  if (c.ufw_installed) {
    fw.backend = "ufw";
  } else if (c.firewalld_installed) {
    fw.backend = "firewalld";
  } else if (c.nft_installed) {
    fw.backend = "nftables";
  }
  if (!c.AnyTool()) {
    fw.reason = "no firewall tool installed (nft, iptables, ufw, firewalld)";
  } else {
    fw.reason = live ? "nft is not installed and no firewall is configured to start at boot"
                     : "no firewall is configured to start at boot";
  }
}

}  // namespace

FirewallFacts InspectFirewall(PostureHostState& state) {
  FirewallFacts fw;
  const ConfigView config = ReadConfig(state);
  fw.extra = ConfigExtra(config);
  const bool live = state.fs().IsLiveRoot();
  if (!live) {
    FromConfiguration(config, false, fw);
    return fw;
  }

  Result<NftRulesetAnalysis> nft = NotFoundError("nft is not installed");
  if (config.nft_installed) nft = ReadNft(state);
  const LegacyView legacy = ReadLegacy(state);
  const bool nft_missing = !nft.ok() && nft.status().code() == StatusCode::kNotFound;

  if (!nft.ok() && !nft_missing) {
    // The nftables ruleset exists but could not be read: only a drop seen elsewhere is certain.
    fw.extra["source"] = "kernel";
    if (legacy.v4 == "drop" && legacy.v6 == "drop") {
      fw.enabled = true;
      fw.default_inbound = "drop";
      fw.backend = "iptables";
    }
    fw.reason = "cannot read the nftables ruleset: " + nft.status().ToString();
    return fw;
  }
  if (nft_missing && !legacy.loaded) {
    FromConfiguration(config, true, fw);
    return fw;
  }

  fw.extra["source"] = "kernel";
  bool v4_drop = legacy.v4 == "drop";
  bool v6_drop = legacy.v6 == "drop";
  bool filtering = legacy.filtering;
  if (nft.ok()) {
    v4_drop = v4_drop || nft->ipv4_drop;
    v6_drop = v6_drop || nft->ipv6_drop;
    filtering = filtering || nft->filtering();
    json::array chains;
    for (const auto& c : nft->input_chains) {
      if (chains.size() >= kMaxChainsReported) break;
      chains.push_back(json::object{{"family", c.family},
                                    {"table", c.table},
                                    {"chain", c.name},
                                    {"policy", c.policy},
                                    {"rules", c.rules},
                                    {"fallthrough", c.fallthrough}});
    }
    fw.extra["input_chains"] = std::move(chains);
  }
  if (!legacy.problem.empty()) fw.extra["legacy_problem"] = legacy.problem;
  fw.extra["ipv4_default_inbound"] = v4_drop ? "drop" : "accept";
  fw.extra["ipv6_default_inbound"] = v6_drop ? "drop" : "accept";
  fw.enabled = filtering;
  fw.default_inbound = v4_drop && v6_drop ? "drop" : "accept";
  if (!legacy.problem.empty() && fw.default_inbound == "accept") {
    fw.default_inbound.reset();
    fw.reason = "legacy iptables rules could not be read: " + legacy.problem;
  }

  if (config.ufw_enabled.value_or(false)) {
    fw.backend = "ufw";
  } else if (config.firewalld_running.value_or(false)) {
    fw.backend = "firewalld";
  } else if (legacy.filtering) {
    fw.backend = "iptables";
  } else if (filtering) {
    fw.backend = "nftables";
  } else if (config.ufw_installed) {
    fw.backend = "ufw";
  } else if (config.firewalld_installed) {
    fw.backend = "firewalld";
  } else {
    fw.backend = "nftables";
  }
  return fw;
}

}  // namespace bulwark
