// ScreenLockProbe: does the console session lock on inactivity (hardening.screen_lock).
// Inputs: the machine inactivity limit (HKLM) and the console user's screen saver (HKU\<SID>,
// Group Policy values first). Mapping: docs/facts-windows.md, "screen_lock".
#include <algorithm>
#include <string>
#include <vector>

#include "agent/base/strings.h"
#include "platform/windows/windows_probes.h"

namespace bulwark {
namespace {

namespace json = boost::json;

constexpr char kPoliciesSystem[] = "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System";
constexpr char kWinlogon[] = "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon";
constexpr char kDesktopPolicy[] = "Software\\Policies\\Microsoft\\Windows\\Control Panel\\Desktop";
constexpr char kDesktop[] = "Control Panel\\Desktop";
constexpr std::int64_t kDefaultGracePeriod = 5;

json::value Opt(const std::optional<std::int64_t>& v) {
  if (!v) return nullptr;
  return *v;
}

// A count that is -1 when unknown.
json::value Known(std::int64_t v) {
  if (v < 0) return nullptr;
  return v;
}

class ScreenLockProbe final : public Probe {
 public:
  explicit ScreenLockProbe(WindowsSystem& system)
      : registry_(system.registry()), accounts_(system.accounts()) {}
  std::string_view name() const override { return "hardening.screen_lock"; }

  void OnFailure(FactsDocument& facts, const std::string& reason) override {
    json::object out = NullShape();
    out["reason"] = reason;
    facts.hardening["screen_lock"] = std::move(out);
  }

  Status Collect(FactsDocument& facts) override {
    json::object out = NullShape();
    std::vector<std::string> reasons;
    out["desktop"] = "windows";

    // L: 0 when absent (no machine inactivity limit).
    std::optional<std::int64_t> limit;
    if (auto l = registry_.ReadDword("HKLM", kPoliciesSystem, "InactivityTimeoutSecs"); l.ok()) {
      limit = *l;
    } else if (l.status().code() == StatusCode::kNotFound) {
      limit = 0;
    } else {
      reasons.push_back("InactivityTimeoutSecs not read: " + l.status().message());
    }
    out["machine_inactivity_limit_seconds"] = Opt(limit);

    // ScreenSaverGracePeriod: -1 when unknown.
    std::int64_t grace = kDefaultGracePeriod;
    if (auto g = registry_.ReadString("HKLM", kWinlogon, "ScreenSaverGracePeriod"); g.ok()) {
      auto parsed = ParseUint64(TrimWhitespace(*g));
      grace = parsed && *parsed < 86400 ? static_cast<std::int64_t>(*parsed) : -1;
      if (grace < 0) reasons.push_back("ScreenSaverGracePeriod \"" + *g + "\" not understood");
    } else if (g.status().code() != StatusCode::kNotFound) {
      grace = -1;
      reasons.push_back("ScreenSaverGracePeriod not read: " + g.status().message());
    }
    out["screen_saver_grace_period_seconds"] = Known(grace);

    // The console user's secure screen saver timeout: nullopt when unknown; 0 when none locks.
    std::optional<std::int64_t> saver_lock;
    auto console = accounts_.Console();
    if (!console.ok()) {
      reasons.push_back("console session not read: " + console.status().message());
    } else if (console->user.empty()) {
      if (limit == 0) reasons.push_back("no user is signed in at the console");
    } else {
      out["console_user"] = console->user;
      saver_lock = ReadScreenSaver("HKU\\" + console->user_sid, out, reasons);
    }

    // The session locks after the smaller of L (if > 0) and the secure screen saver's timeout.
    const bool limit_locks = limit.value_or(0) > 0;
    const bool saver_locks = saver_lock.value_or(0) > 0;
    if (limit_locks || saver_locks) {
      out["lock_enabled"] = true;
      if (limit_locks && (!saver_locks || *limit <= *saver_lock)) {
        out["idle_delay_seconds"] = *limit;
        out["lock_delay_seconds"] = 0;
        out["source"] = "machine_inactivity_limit";
      } else {
        out["idle_delay_seconds"] = *saver_lock;
        out["lock_delay_seconds"] = Known(grace);
        out["source"] = "screen_saver";
      }
    } else if (limit == 0 && saver_lock == 0) {
      out["lock_enabled"] = false;
      out["idle_delay_seconds"] = 0;
    }
    if (!reasons.empty()) out["reason"] = Join(reasons, "; ");
    facts.hardening["screen_lock"] = std::move(out);
    return Status();
  }

 private:
  static json::object NullShape() {
    return {{"console_user", nullptr},
            {"desktop", nullptr},
            {"lock_enabled", nullptr},
            {"idle_delay_seconds", nullptr},
            {"lock_delay_seconds", nullptr},
            {"reason", nullptr},
            {"machine_inactivity_limit_seconds", nullptr},
            {"screen_saver_active", nullptr},
            {"screen_saver_secure", nullptr},
            {"screen_saver_timeout_seconds", nullptr},
            {"screen_saver_grace_period_seconds", nullptr},
            {"source", nullptr}};
  }

  // A REG_SZ of the user's desktop settings, the policy value first. nullopt when absent in
  // both; sets `error` when one could not be read.
  std::optional<std::string> UserValue(const std::string& hive, const std::string& value,
                                       std::vector<std::string>& reasons, bool& error) {
    for (const char* key : {kDesktopPolicy, kDesktop}) {
      auto r = registry_.ReadString(hive, key, value);
      if (r.ok()) return std::string(TrimWhitespace(*r));
      if (r.status().code() != StatusCode::kNotFound) {
        reasons.push_back(value + " not read: " + r.status().message());
        error = true;
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  // Fills the screen_saver_* members; returns the timeout after which the screen saver locks
  // the session (0: it does not), nullopt when unknown.
  std::optional<std::int64_t> ReadScreenSaver(const std::string& hive, json::object& out,
                                              std::vector<std::string>& reasons) {
    bool error = false;
    auto active = UserValue(hive, "ScreenSaveActive", reasons, error);
    auto secure = UserValue(hive, "ScreenSaverIsSecure", reasons, error);
    auto timeout_text = UserValue(hive, "ScreenSaveTimeOut", reasons, error);
    if (error) return std::nullopt;
    const bool is_active = active == "1";
    const bool is_secure = secure == "1";
    std::optional<std::int64_t> timeout;
    if (timeout_text) {
      if (auto t = ParseUint64(*timeout_text)) {
        timeout = static_cast<std::int64_t>(*t);
      } else {
        reasons.push_back("ScreenSaveTimeOut \"" + *timeout_text + "\" not a number");
        return std::nullopt;
      }
    }
    out["screen_saver_active"] = is_active;
    out["screen_saver_secure"] = is_secure;
    out["screen_saver_timeout_seconds"] = Opt(timeout);
    if (is_active && is_secure && timeout.value_or(0) > 0) return timeout;
    return 0;
  }

  const Registry& registry_;
  const LocalAccounts& accounts_;
};

}  // namespace

std::unique_ptr<Probe> NewScreenLockProbe(WindowsSystem& system) {
  return std::make_unique<ScreenLockProbe>(system);
}

}  // namespace bulwark
