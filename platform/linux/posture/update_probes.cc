// The update-related hardening probes: automatic_updates and pending_updates.
#include <boost/json/array.hpp>

#include "agent/base/strings.h"
#include "agent/probes/posture/key_value.h"
#include "agent/probes/posture/updates.h"
#include "platform/linux/posture/hardening_probes.h"
#include "platform/linux/posture/json_util.h"

namespace bulwark {
namespace json = boost::json;
using posture_json::Opt;

namespace {

constexpr std::size_t kConfigMax = 1u << 20;
constexpr std::size_t kMaxAptParts = 256;

json::object NullObject(std::initializer_list<const char*> fields) {
  json::object o;
  for (const char* f : fields) o[f] = nullptr;
  o["reason"] = nullptr;
  return o;
}

// apt reads apt.conf.d/* (lexical order) and then apt.conf. It ignores backups and files with
// an extension other than .conf (.dpkg-old, .save, .bak, ...).
bool AptPartAccepted(std::string_view name) {
  if (name.empty() || name.back() == '~') return false;
  const auto dot = name.find('.');
  return dot == std::string_view::npos || EndsWith(name, ".conf");
}

AptConfig ReadAptConfig(const FileSystem& fs, std::vector<std::string>& files) {
  AptConfig config;
  if (auto parts = fs.ListDirectory("/etc/apt/apt.conf.d"); parts.ok()) {
    std::size_t read = 0;
    for (const auto& name : *parts) {
      if (!AptPartAccepted(name) || ++read > kMaxAptParts) continue;
      const std::string path = "/etc/apt/apt.conf.d/" + name;
      if (auto text = fs.ReadFile(path, kConfigMax); text.ok()) {
        MergeAptConfig(*text, config);
        files.push_back(path);
      }
    }
  }
  if (auto text = fs.ReadFile("/etc/apt/apt.conf", kConfigMax); text.ok()) {
    MergeAptConfig(*text, config);
    files.push_back("/etc/apt/apt.conf");
  }
  return config;
}

bool MentionsSecurity(const std::vector<std::string>& origins) {
  for (const auto& o : origins) {
    if (AsciiLower(o).find("security") != std::string::npos) return true;
  }
  return false;
}

// Natural order of version strings: digit runs compare numerically ("6.1.0-28" > "6.1.0-9").
int CompareVersions(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      std::size_t i2 = i, j2 = j;
      while (i2 < a.size() && digit(a[i2])) ++i2;
      while (j2 < b.size() && digit(b[j2])) ++j2;
      std::string_view na = a.substr(i, i2 - i), nb = b.substr(j, j2 - j);
      while (na.size() > 1 && na[0] == '0') na.remove_prefix(1);
      while (nb.size() > 1 && nb[0] == '0') nb.remove_prefix(1);
      if (na.size() != nb.size()) return na.size() < nb.size() ? -1 : 1;
      if (na != nb) return na < nb ? -1 : 1;
      i = i2;
      j = j2;
    } else {
      if (a[i] != b[j]) return a[i] < b[j] ? -1 : 1;
      ++i;
      ++j;
    }
  }
  if (i < a.size()) return 1;
  if (j < b.size()) return -1;
  return 0;
}

}  // namespace

// --- automatic_updates -----------------------------------------------------------------------

json::object AutomaticUpdatesProbe::NullShape() const {
  return NullObject({"mechanism", "installed", "enabled", "includes_security"});
}

Status AutomaticUpdatesProbe::Inspect(const FactsDocument& facts, json::object& out) {
  (void)facts;
  const FileSystem& fs = state().fs();
  const UnitStates& units = state().units();
  if (fs.Exists("/usr/bin/apt-get") || fs.Exists("/etc/apt")) {
    out["mechanism"] = "unattended-upgrades";
    const bool installed = fs.Exists("/usr/bin/unattended-upgrade");
    out["installed"] = installed;
    std::vector<std::string> files;
    const AptConfig config = ReadAptConfig(fs, files);
    const std::string periodic =
        AptConfigValue(config, "APT::Periodic::Unattended-Upgrade").value_or("0");
    const std::string enable = AptConfigValue(config, "APT::Periodic::Enable").value_or("1");
    const bool timer_masked = units.IsMasked("apt-daily-upgrade.timer");
    out["enabled"] = installed && AptPeriodicEnabled(periodic) && enable != "0" && !timer_masked;
    std::vector<std::string> origins;
    for (const char* key :
         {"Unattended-Upgrade::Origins-Pattern", "Unattended-Upgrade::Allowed-Origins"}) {
      if (auto it = config.find(AsciiLower(key)); it != config.end()) {
        origins.insert(origins.end(), it->second.begin(), it->second.end());
      }
    }
    if (installed) {
      out["includes_security"] = MentionsSecurity(origins);
    } else {
      out["reason"] = "unattended-upgrades is not installed";
    }
    out["unattended_upgrade_interval"] = periodic;
    out["timer_masked"] = timer_masked;
    out["origins"] = posture_json::Strings(origins, 50);
    out["config_files"] = posture_json::Strings(files, 50);
    return Status::Ok();
  }
  const bool dnf5 = fs.Exists("/usr/lib/systemd/system/dnf5-automatic.timer");
  const bool dnf4 = fs.Exists("/usr/bin/dnf-automatic") ||
                    fs.Exists("/usr/lib/systemd/system/dnf-automatic.timer");
  if (dnf5 || dnf4 || fs.Exists("/usr/bin/dnf")) {
    out["mechanism"] = "dnf-automatic";
    out["installed"] = dnf5 || dnf4;
    std::map<std::string, std::string> conf;
    const std::vector<const char*> paths =
        dnf5 ? std::vector<const char*>{"/usr/share/dnf5/dnf5-plugins/automatic.conf",
                                        "/etc/dnf/dnf5-plugins/automatic.conf"}
             : std::vector<const char*>{"/etc/dnf/automatic.conf"};
    for (const char* path : paths) {
      if (auto text = fs.ReadFile(path, kConfigMax); text.ok()) {
        for (auto& [k, v] : ParseIni(*text)) conf[k] = v;
      }
    }
    const bool apply = ParseBoolWord(conf["commands.apply_updates"]).value_or(false);
    std::string upgrade_type = AsciiLower(conf["commands.upgrade_type"]);
    if (upgrade_type.empty()) upgrade_type = "default";
    const bool timer =
        units.IsEnabled(dnf5 ? "dnf5-automatic.timer" : "dnf-automatic.timer").value_or(false);
    const bool install_timer = units.IsEnabled("dnf-automatic-install.timer").value_or(false);
    const bool enabled = (dnf5 || dnf4) && ((timer && apply) || install_timer);
    out["enabled"] = enabled;
    if (dnf5 || dnf4) {
      out["includes_security"] = upgrade_type == "default" || upgrade_type == "security";
    } else {
      out["reason"] = "dnf-automatic is not installed";
    }
    out["apply_updates"] = apply;
    out["upgrade_type"] = upgrade_type;
    return Status::Ok();
  }
  out["reason"] = "no supported package manager (apt or dnf) found";
  return Status::Ok();
}

// --- pending_updates -------------------------------------------------------------------------

json::object PendingUpdatesProbe::NullShape() const {
  return NullObject({"security_updates", "total_updates", "reboot_required"});
}

Status PendingUpdatesProbe::Inspect(const FactsDocument& facts, json::object& out) {
  (void)facts;
  const FileSystem& fs = state().fs();
  std::vector<std::string> reasons;

  if (auto text = fs.ReadFile("/var/lib/update-notifier/updates-available", 64 * 1024); text.ok()) {
    const UpdateNotifierCounts counts = ParseUpdatesAvailable(*text);
    out["total_updates"] = Opt(counts.total);
    out["security_updates"] = Opt(counts.security);
    out["esm_security_updates"] = Opt(counts.esm_security);
    out["counts_source"] = "update-notifier";
    if (!counts.total) reasons.push_back("update-notifier's updates-available has no count");
  } else {
    reasons.push_back(
        "no cached update counts (update-notifier's updates-available is absent); the agent "
        "does not run the package manager");
  }

  // Reboot: the flag file Debian-family hooks write, or a kernel newer than the running one.
  bool flag = false;
  for (const char* path : {"/run/reboot-required", "/var/run/reboot-required"}) {
    if (!fs.Exists(path)) continue;
    flag = true;
    if (auto pkgs = fs.ReadFile(std::string(path) + ".pkgs", 64 * 1024); pkgs.ok()) {
      std::vector<std::string> names;
      for (auto line : SplitLines(*pkgs)) {
        line = TrimWhitespace(line);
        if (!line.empty()) names.emplace_back(line);
      }
      out["reboot_required_packages"] = posture_json::Strings(names, 50);
    }
    break;
  }
  std::optional<bool> newer_kernel;
  auto running = fs.ReadFile("/proc/sys/kernel/osrelease", 256);
  auto modules = fs.ListDirectory("/usr/lib/modules");
  if (!modules.ok()) modules = fs.ListDirectory("/lib/modules");
  if (running.ok() && modules.ok() && !modules->empty()) {
    const std::string current(TrimWhitespace(*running));
    const bool present = std::find(modules->begin(), modules->end(), current) != modules->end();
    bool newer = false;
    std::string newest;
    for (const auto& m : *modules) {
      if (CompareVersions(m, current) > 0) {
        newer = true;
        if (newest.empty() || CompareVersions(m, newest) > 0) newest = m;
      }
    }
    newer_kernel = newer || !present;
    out["running_kernel"] = current;
    out["newest_installed_kernel"] = newest.empty() ? json::value(nullptr) : json::value(newest);
  }
  out["newer_kernel_installed"] = Opt(newer_kernel);
  const bool flag_mechanism = fs.Exists("/etc/kernel/postinst.d/update-notifier") ||
                              fs.Exists("/usr/share/update-notifier/notify-reboot-required");
  if (flag || newer_kernel.value_or(false)) {
    out["reboot_required"] = true;
  } else if (newer_kernel.has_value() || flag_mechanism) {
    out["reboot_required"] = false;
  } else {
    reasons.push_back(
        "reboot need unknown: no reboot-required hook and no kernel modules "
        "directory to compare with the running kernel");
  }
  if (!reasons.empty()) out["reason"] = Join(reasons, "; ");
  return Status::Ok();
}

}  // namespace bulwark
