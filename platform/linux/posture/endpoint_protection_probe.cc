#include "platform/linux/posture/endpoint_protection_probe.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <exception>

#include "agent/base/strings.h"
#include "agent/probes/posture/civil_time.h"
#include "agent/probes/posture/clamav_cvd.h"
#include "agent/probes/posture/mac.h"
#include "platform/linux/posture/firewall_inspector.h"
#include "platform/linux/posture/json_util.h"

namespace bulwark {
namespace json = boost::json;
using posture_json::Opt;

namespace {

constexpr std::chrono::milliseconds kCommandTimeout{2000};
constexpr char kLiveOnly[] = "live-only source not available for --root";

struct Signatures {
  std::optional<double> age_days;
  std::optional<std::uint64_t> version;
  std::string file;
  std::string problem;
};

Signatures ReadClamavSignatures(const FileSystem& fs, const std::vector<std::string>& dirs,
                                std::chrono::system_clock::time_point now) {
  Signatures out;
  std::optional<std::chrono::system_clock::time_point> newest;
  for (const auto& dir : dirs) {
    for (const char* name : {"daily.cld", "daily.cvd"}) {
      const std::string path = dir + "/" + name;
      if (!fs.Exists(path)) continue;
      auto head = ReadFileHead(fs, path, kCvdHeaderSize);
      if (!head.ok()) {
        out.problem = path + ": " + head.status().ToString();
        continue;
      }
      auto header = ParseCvdHeader(*head);
      if (!header.ok()) {
        out.problem = path + ": " + header.status().ToString();
        continue;
      }
      if (!newest || header->built > *newest) {
        newest = header->built;
        out.version = header->version;
        out.file = path;
      }
    }
  }
  if (newest) {
    out.age_days = std::max(0.0, DaysBetween(*newest, now));
    out.problem.clear();
  } else if (out.problem.empty()) {
    out.problem = "no daily.cvd or daily.cld signature database found";
  }
  return out;
}

std::optional<bool> ParseBoolOutput(std::string_view text) {
  text = TrimWhitespace(text);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    text = text.substr(1, text.size() - 2);
  }
  if (text == "true") return true;
  if (text == "false") return false;
  return std::nullopt;
}

}  // namespace

AntivirusFacts EndpointProtectionProbe::InspectProduct(const AntivirusProductSpec& spec,
                                                       bool installed) {
  PostureHostState& state = *state_;
  const FileSystem& fs = state.fs();
  AntivirusFacts av;
  av.product = spec.product;
  av.running = state.AnyRunning(spec.daemon_processes, spec.exe_prefixes);
  av.extra["installed"] = installed;
  if (!av.running) av.extra["running_reason"] = state.processes_reason();

  if (spec.realtime_when_running) {
    av.realtime = av.running;
  } else if (!spec.realtime_processes.empty()) {
    av.realtime = state.AnyRunning(spec.realtime_processes);
  } else if (!spec.realtime_command.empty()) {
    if (av.running == false) {
      av.realtime = false;
    } else if (!fs.IsLiveRoot()) {
      av.extra["realtime_reason"] = kLiveOnly;
    } else if (av.running == true) {
      CommandOptions options;
      options.timeout = kCommandTimeout;
      options.max_output_bytes = 64 * 1024;
      auto result = state.system().command_runner().Run(spec.realtime_command, options);
      if (result.ok() && result->exit_code == 0) av.realtime = ParseBoolOutput(result->stdout_data);
      if (!av.realtime) {
        av.extra["realtime_reason"] =
            Join(spec.realtime_command, " ") + ": " +
            (result.ok() ? "exit status " + std::to_string(result->exit_code) + ", output '" +
                               std::string(TrimWhitespace(result->stdout_data.substr(0, 80))) + "'"
                         : result.status().ToString());
      }
    }
  }

  if (!spec.updater_processes.empty()) {
    av.extra["updater_running"] = Opt(state.AnyRunning(spec.updater_processes));
  }
  std::optional<bool> enabled;
  for (const auto& unit : spec.units) {
    auto e = state.units().IsEnabled(unit);
    if (e) enabled = enabled.value_or(false) || *e;
  }
  av.extra["enabled"] = Opt(enabled);

  if (spec.signatures == SignatureSource::kClamavDatabase) {
    Signatures sig = ReadClamavSignatures(fs, spec.signature_dirs, state.system().clock().Now());
    av.signatures_age_days = sig.age_days;
    av.extra["signatures_version"] = Opt(sig.version);
    av.extra["signatures_file"] = sig.file.empty() ? json::value(nullptr) : json::value(sig.file);
    if (!sig.problem.empty()) av.extra["signatures_reason"] = sig.problem;
  }
  return av;
}

std::vector<AntivirusFacts> EndpointProtectionProbe::InspectAntivirus() {
  std::vector<AntivirusFacts> out;
  for (const auto& spec : products_) {
    const bool installed =
        std::any_of(spec.installed_paths.begin(), spec.installed_paths.end(),
                    [&](const std::string& p) { return state_->fs().Exists(p); });
    const bool running =
        state_->AnyRunning(spec.daemon_processes, spec.exe_prefixes).value_or(false);
    if (installed || running) out.push_back(InspectProduct(spec, installed));
  }
  return out;
}

MacFacts EndpointProtectionProbe::InspectMac() {
  const FileSystem& fs = state_->fs();
  MacFacts mac;
  std::optional<std::vector<std::string>> lsm;
  if (auto text = fs.ReadFile("/sys/kernel/security/lsm", 4096); text.ok()) {
    lsm = ParseLsmList(*text);
  }
  auto has_lsm = [&](const char* name) {
    return lsm && std::find(lsm->begin(), lsm->end(), name) != lsm->end();
  };
  mac.extra["lsm"] = lsm ? json::value(posture_json::Strings(*lsm)) : json::value(nullptr);
  std::optional<std::string> selinux_config;
  if (auto text = fs.ReadFile("/etc/selinux/config", 64 * 1024); text.ok()) {
    selinux_config = SelinuxConfigMode(*text);
  }

  if (auto enforce = fs.ReadFile("/sys/fs/selinux/enforce", 64); enforce.ok()) {
    mac.name = "selinux";
    mac.mode = SelinuxEnforceMode(*enforce);
    if (!mac.mode) mac.reason = "unexpected content in /sys/fs/selinux/enforce";
    mac.extra["config_mode"] = Opt(selinux_config);
    return mac;
  }

  std::optional<bool> apparmor_param;
  if (auto text = fs.ReadFile("/sys/module/apparmor/parameters/enabled", 64); text.ok()) {
    const auto v = TrimWhitespace(*text);
    if (v == "Y") apparmor_param = true;
    if (v == "N") apparmor_param = false;
  }
  if (has_lsm("apparmor") || (apparmor_param.value_or(false) && !lsm)) {
    mac.name = "apparmor";
    mac.extra["enabled"] = true;
    auto profiles = fs.ReadFile("/sys/kernel/security/apparmor/profiles", 16u << 20);
    if (!profiles.ok()) {
      mac.reason = "AppArmor profiles unreadable: " + profiles.status().ToString();
      return mac;
    }
    const AppArmorProfileCounts counts = ParseAppArmorProfiles(*profiles);
    mac.mode = AppArmorMode(counts);
    mac.extra["profiles"] = json::object{{"enforce", counts.enforce},
                                         {"complain", counts.complain},
                                         {"kill", counts.kill},
                                         {"unconfined", counts.unconfined},
                                         {"other", counts.other}};
    if (counts.total() == 0) mac.reason = "AppArmor is enabled but no profile is loaded";
    return mac;
  }
  if (apparmor_param == false || (apparmor_param && lsm)) {
    mac.name = "apparmor";
    mac.extra["enabled"] = false;
    mac.mode = "disabled";
    mac.reason = "AppArmor is built in but not active";
    return mac;
  }
  if (selinux_config) {
    mac.name = "selinux";
    mac.extra["config_mode"] = Opt(selinux_config);
    if (*selinux_config == "disabled" || lsm) {
      mac.mode = "disabled";
      if (*selinux_config != "disabled") {
        mac.reason = "SELinux is configured but not active in the running kernel";
      }
    } else {
      mac.reason = "SELinux is configured but selinuxfs is not mounted";
    }
    return mac;
  }
  if (lsm) {
    mac.mode = "disabled";
    mac.reason = "no mandatory access control LSM is active";
    return mac;
  }
  mac.reason = "no MAC information: securityfs and selinuxfs are not available";
  return mac;
}

Status EndpointProtectionProbe::Collect(FactsDocument& facts) {
  EndpointProtectionFacts& out = facts.endpoint_protection;
  out = EndpointProtectionFacts{};
  // Parts fail separately (std::bad_alloc on a hostile file, a seam that throws).
  try {
    out.antivirus = InspectAntivirus();
  } catch (const std::exception& e) {
    out.antivirus.reset();
    out.reason = std::string("antivirus inspection failed: ") + e.what();
  }
  try {
    out.firewall = InspectFirewall(*state_);
  } catch (const std::exception& e) {
    out.firewall = FirewallFacts{};
    out.firewall.reason = std::string("firewall inspection failed: ") + e.what();
  }
  try {
    out.mac = InspectMac();
  } catch (const std::exception& e) {
    out.mac = MacFacts{};
    out.mac.reason = std::string("MAC inspection failed: ") + e.what();
  }
  return Status::Ok();
}

void EndpointProtectionProbe::OnFailure(FactsDocument& facts, const std::string& reason) {
  facts.endpoint_protection = EndpointProtectionFacts{};
  facts.endpoint_protection.reason = reason;
  facts.endpoint_protection.firewall.reason = reason;
  facts.endpoint_protection.mac.reason = reason;
}

}  // namespace bulwark
