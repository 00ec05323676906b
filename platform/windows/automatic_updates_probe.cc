// AutomaticUpdatesProbe: hardening.automatic_updates on Windows, the same object (and the same
// meaning of mechanism/installed/enabled/includes_security) as on Linux. Inputs: the Windows
// Update policy (Group Policy keys first, then MDM's PolicyManager), the wuauserv service's
// start type, the Settings app's pause, and the newest Win32_QuickFixEngineering InstalledOn.
// Mapping: docs/facts-windows.md, "automatic_updates". Unknown stays null with the reason.
#include <chrono>
#include <string>
#include <vector>

#include "agent/base/strings.h"
#include "agent/base/time_util.h"
#include "agent/probes/posture/civil_time.h"
#include "platform/windows/windows_probes.h"
#include "platform/windows/wmi_values.h"

namespace bulwark {
namespace {

namespace json = boost::json;
using TimePoint = std::chrono::system_clock::time_point;

constexpr char kHklm[] = "HKLM";
constexpr char kAuPolicy[] = "SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU";
constexpr char kWuPolicy[] = "SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate";
constexpr char kMdmUpdate[] = "SOFTWARE\\Microsoft\\PolicyManager\\current\\device\\Update";
constexpr char kWuService[] = "SYSTEM\\CurrentControlSet\\Services\\wuauserv";
constexpr char kUxSettings[] = "SOFTWARE\\Microsoft\\WindowsUpdate\\UX\\Settings";
// A policy pause (PauseQualityUpdatesStartTime) lasts 35 days from its start date.
constexpr auto kPolicyPause = std::chrono::hours(24 * 35);

// A registry read: the value, absent (nullopt, not unreadable), or unreadable (reason noted).
template <typename T>
struct Read {
  std::optional<T> value;
  bool unreadable = false;
  bool present() const { return value.has_value(); }
};

// Three-valued AND: false wins, then unknown.
std::optional<bool> All(std::initializer_list<std::optional<bool>> parts) {
  bool unknown = false;
  for (const auto& p : parts) {
    if (p == false) return false;
    if (!p) unknown = true;
  }
  if (unknown) return std::nullopt;
  return true;
}

json::value Opt(const std::optional<bool>& v) {
  if (!v) return nullptr;
  return *v;
}

json::value Opt(const std::optional<std::int64_t>& v) {
  if (!v) return nullptr;
  return *v;
}

// "YYYY-MM-DD" of a time point (UTC).
std::string DateOf(TimePoint t) { return FormatRfc3339(t).substr(0, 10); }

class AutomaticUpdatesProbe final : public Probe {
 public:
  explicit AutomaticUpdatesProbe(WindowsSystem& system)
      : registry_(system.registry()), wmi_(system.wmi()), clock_(system.clock()) {}
  std::string_view name() const override { return "hardening.automatic_updates"; }

  void OnFailure(FactsDocument& facts, const std::string& reason) override {
    json::object out = NullShape();
    out["reason"] = reason;
    facts.hardening["automatic_updates"] = std::move(out);
  }

  Status Collect(FactsDocument& facts) override {
    json::object out = NullShape();
    reasons_.clear();
    Inspect(out);
    if (!reasons_.empty()) out["reason"] = Join(reasons_, "; ");
    facts.hardening["automatic_updates"] = std::move(out);
    return Status();
  }

 private:
  static json::object NullShape() {
    return {{"mechanism", "windows-update"},
            {"installed", nullptr},
            {"enabled", nullptr},
            {"includes_security", nullptr},
            {"reason", nullptr},
            {"au_options", nullptr},
            {"no_auto_update", nullptr},
            {"mdm_allow_auto_update", nullptr},
            {"service_start", nullptr},
            {"quality_update_deferral_days", nullptr},
            {"paused_until", nullptr},
            {"management", nullptr},
            {"last_hotfix_id", nullptr},
            {"last_hotfix_installed_on", nullptr}};
  }

  Read<std::uint32_t> Dword(const char* key, const char* value) {
    Read<std::uint32_t> r;
    auto got = registry_.ReadDword(kHklm, key, value);
    if (got.ok()) {
      r.value = *got;
    } else if (got.status().code() != StatusCode::kNotFound) {
      r.unreadable = true;
      reasons_.push_back(std::string(value) + " not read: " + got.status().message());
    }
    return r;
  }

  Read<std::string> String(const char* key, const char* value) {
    Read<std::string> r;
    auto got = registry_.ReadString(kHklm, key, value);
    if (got.ok()) {
      if (!TrimWhitespace(*got).empty()) r.value = std::string(TrimWhitespace(*got));
    } else if (got.status().code() != StatusCode::kNotFound) {
      r.unreadable = true;
      reasons_.push_back(std::string(value) + " not read: " + got.status().message());
    }
    return r;
  }

  void Inspect(json::object& out) {
    // --- policy: Group Policy first, then MDM (Windows lets Group Policy win by default) ---
    const auto no_auto = Dword(kAuPolicy, "NoAutoUpdate");
    const auto au_options = Dword(kAuPolicy, "AUOptions");
    const auto defer_enabled = Dword(kWuPolicy, "DeferQualityUpdates");
    const auto defer_days = Dword(kWuPolicy, "DeferQualityUpdatesPeriodInDays");
    const auto policy_pause = String(kWuPolicy, "PauseQualityUpdatesStartTime");
    const auto mdm_allow = Dword(kMdmUpdate, "AllowAutoUpdate");
    const auto mdm_defer_days = Dword(kMdmUpdate, "DeferQualityUpdatesPeriodInDays");
    const auto mdm_pause = String(kMdmUpdate, "PauseQualityUpdatesStartTime");

    const bool gp = no_auto.present() || au_options.present() || defer_enabled.present() ||
                    defer_days.present() || policy_pause.present();
    const bool mdm = mdm_allow.present() || mdm_defer_days.present() || mdm_pause.present();
    if (gp) {
      out["management"] = "group_policy";
    } else if (mdm) {
      out["management"] = "mdm";
    } else if (!no_auto.unreadable && !au_options.unreadable && !defer_enabled.unreadable &&
               !defer_days.unreadable && !policy_pause.unreadable && !mdm_allow.unreadable &&
               !mdm_defer_days.unreadable && !mdm_pause.unreadable) {
      out["management"] = "default";
    }
    if (!no_auto.unreadable) out["no_auto_update"] = no_auto.value == 1u;
    if (au_options.value) out["au_options"] = *au_options.value;
    if (mdm_allow.value) out["mdm_allow_auto_update"] = *mdm_allow.value;
    const std::optional<bool> policy_auto =
        PolicyInstallsAutomatically(no_auto, au_options, mdm_allow);

    // --- the Windows Update service ---
    std::optional<bool> installed;
    std::optional<bool> service_runs;  // can start (not disabled)
    const auto start = Dword(kWuService, "Start");
    if (start.value) {
      installed = true;
      switch (*start.value) {
        case 2:
          out["service_start"] = "auto";  // also with DelayedAutostart
          service_runs = true;
          break;
        case 3:
          out["service_start"] = "manual";  // the default: trigger-started on demand
          service_runs = true;
          break;
        case 4:
          out["service_start"] = "disabled";
          service_runs = false;
          break;
        default:
          reasons_.push_back("unknown wuauserv Start " + std::to_string(*start.value));
          break;
      }
    } else if (!start.unreadable) {
      installed = false;
      service_runs = false;
    }
    out["installed"] = Opt(installed);

    // --- pauses ---
    const TimePoint now = clock_.Now();
    std::optional<TimePoint> paused_until;
    bool pause_unknown = false;
    auto consider = [&](std::optional<TimePoint> until) {
      if (until && *until > now && (!paused_until || *until > *paused_until)) paused_until = until;
    };
    for (const char* value : {"PauseUpdatesExpiryTime", "PauseQualityUpdatesEndTime"}) {
      const auto text = String(kUxSettings, value);
      if (text.unreadable) pause_unknown = true;
      if (!text.value) continue;
      auto t = ParseRfc3339(*text.value);
      if (t.ok()) {
        consider(*t);
      } else {
        pause_unknown = true;
        reasons_.push_back("unparseable " + std::string(value) + " \"" + *text.value + "\"");
      }
    }
    // The policy pause: Group Policy's when configured, else MDM's.
    const auto& pause_start = policy_pause.present() ? policy_pause : mdm_pause;
    if (policy_pause.unreadable || (!policy_pause.present() && mdm_pause.unreadable))
      pause_unknown = true;
    if (pause_start.value) {
      if (auto day = ParseIsoDate(*pause_start.value)) {
        consider(*day + kPolicyPause);
      } else {
        pause_unknown = true;
        reasons_.push_back("unparseable PauseQualityUpdatesStartTime \"" + *pause_start.value +
                           "\"");
      }
    }
    std::optional<bool> paused;
    if (paused_until) {
      paused = true;
      out["paused_until"] = FormatRfc3339(*paused_until);
    } else if (!pause_unknown) {
      paused = false;
    }
    const std::optional<bool> not_paused =
        paused ? std::optional<bool>(!*paused) : std::optional<bool>();

    // --- quality-update deferral: Group Policy's when configured, else MDM's, else none ---
    std::optional<std::int64_t> deferral;
    if (defer_enabled.present()) {
      if (*defer_enabled.value != 1) {
        deferral = 0;
      } else if (!defer_days.unreadable) {
        deferral = defer_days.value.value_or(0);
      }
    } else if (!defer_enabled.unreadable && !mdm_defer_days.unreadable) {
      deferral = mdm_defer_days.value.value_or(0);
    }
    out["quality_update_deferral_days"] = Opt(deferral);

    out["enabled"] = Opt(All({service_runs, policy_auto, not_paused}));
    if (installed == false) {
      reasons_.push_back("the Windows Update service (wuauserv) is not registered");
    } else {
      const std::optional<bool> no_deferral =
          deferral ? std::optional<bool>(*deferral == 0) : std::optional<bool>();
      out["includes_security"] = Opt(All({not_paused, no_deferral}));
    }

    LastHotfix(out);
  }

  // Whether the policy lets updates install without user action; nullopt (with a reason) when
  // it cannot be told.
  std::optional<bool> PolicyInstallsAutomatically(const Read<std::uint32_t>& no_auto,
                                                  const Read<std::uint32_t>& au_options,
                                                  const Read<std::uint32_t>& mdm_allow) {
    if (no_auto.value == 1u) return false;
    if (no_auto.unreadable || au_options.unreadable) return std::nullopt;
    if (au_options.value) {
      switch (*au_options.value) {
        case 4:  // auto download and schedule the install
          return true;
        case 2:  // notify before download
        case 3:  // auto download, notify before install
        case 7:  // auto download, notify before install and restart
          return false;
        case 5:
          reasons_.push_back("AUOptions 5: the local administrator chooses the behaviour");
          return std::nullopt;
        default:
          reasons_.push_back("unknown AUOptions " + std::to_string(*au_options.value));
          return std::nullopt;
      }
    }
    if (no_auto.present()) return true;  // Group Policy manages: NoAutoUpdate 0, default mode
    if (mdm_allow.unreadable) return std::nullopt;
    if (mdm_allow.value) {
      // Update/AllowAutoUpdate: 0 notify download, 1-4 install automatically, 5 off.
      if (*mdm_allow.value >= 1 && *mdm_allow.value <= 4) return true;
      if (*mdm_allow.value == 0 || *mdm_allow.value == 5) return false;
      reasons_.push_back("unknown AllowAutoUpdate " + std::to_string(*mdm_allow.value));
      return std::nullopt;
    }
    return true;  // not configured: Windows downloads and installs automatically
  }

  // The newest Win32_QuickFixEngineering entry by InstalledOn.
  void LastHotfix(json::object& out) {
    auto rows =
        wmi_.Query("ROOT\\CIMV2", "SELECT HotFixID, InstalledOn FROM Win32_QuickFixEngineering");
    if (!rows.ok()) {
      reasons_.push_back("last hotfix not read: Win32_QuickFixEngineering: " +
                         rows.status().message());
      return;
    }
    std::optional<TimePoint> newest;
    std::string newest_id;
    std::optional<std::string> unparsed;
    std::size_t unparsed_count = 0;
    for (const auto& row : *rows) {
      const auto text = WmiString(row, "InstalledOn");
      if (!text || TrimWhitespace(*text).empty()) continue;
      auto t = ParseHotfixInstalledOn(*text);
      if (!t) {
        if (!unparsed) unparsed = *text;
        ++unparsed_count;
        continue;
      }
      if (!newest || *t > *newest) {
        newest = t;
        newest_id = WmiString(row, "HotFixID").value_or("");
      }
    }
    if (newest) {
      out["last_hotfix_installed_on"] = DateOf(*newest);
      if (!newest_id.empty()) out["last_hotfix_id"] = newest_id;
      if (unparsed) {
        reasons_.push_back(std::to_string(unparsed_count) +
                           " Win32_QuickFixEngineering InstalledOn not understood (\"" + *unparsed +
                           "\"); the newest of the others is reported");
      }
    } else if (unparsed) {
      reasons_.push_back("Win32_QuickFixEngineering InstalledOn not understood (\"" + *unparsed +
                         "\")");
    } else {
      reasons_.push_back("Win32_QuickFixEngineering lists no installed update with a date");
    }
  }

  const Registry& registry_;
  WmiClient& wmi_;
  const Clock& clock_;
  std::vector<std::string> reasons_;
};

}  // namespace

std::unique_ptr<Probe> NewWindowsAutomaticUpdatesProbe(WindowsSystem& system) {
  return std::make_unique<AutomaticUpdatesProbe>(system);
}

}  // namespace bulwark
