// SecurityCenterProbe: the antivirus products registered with Windows Security Center, with
// Microsoft Defender Antivirus described from its own status class. Mapping and the
// productState bit layout: docs/facts-windows.md, "antivirus[]".
#include <string>
#include <vector>

#include "agent/base/strings.h"
#include "agent/base/time_util.h"
#include "platform/windows/windows_probes.h"
#include "platform/windows/wmi_values.h"

namespace bulwark {
namespace {

constexpr char kSecurityCenter[] = "ROOT\\SecurityCenter2";
constexpr char kDefender[] = "ROOT\\Microsoft\\Windows\\Defender";
constexpr char kDefenderProduct[] = "Microsoft Defender Antivirus";

// AntivirusSignatureAge when no signatures were ever loaded.
constexpr std::int64_t kNoSignatureAge = 65535;

bool IsDefenderName(const std::string& name) {
  return name == "Windows Defender" || name == kDefenderProduct || name == "Microsoft Defender";
}

void SetOptional(boost::json::object& o, const char* key, const std::optional<bool>& v) {
  if (v) {
    o[key] = *v;
  } else {
    o[key] = nullptr;
  }
}

void SetOptional(boost::json::object& o, const char* key, const std::optional<std::string>& v) {
  if (v) {
    o[key] = *v;
  } else {
    o[key] = nullptr;
  }
}

// One Security Center entry, decoded (see ProductStateDecoding in the doc).
struct ScEntry {
  std::string name;
  std::optional<std::int64_t> product_state;
  std::optional<std::string> state;  // on|off|snoozed|expired; nullopt when unknown
  std::optional<bool> up_to_date;
};

ScEntry Decode(const WmiRow& row) {
  ScEntry e;
  e.name = WmiString(row, "displayName").value_or("");
  e.product_state = WmiInt(row, "productState");
  if (!e.product_state) return e;
  // Bits 12-15: the scanner state; bits 4-7: the signature state.
  switch ((*e.product_state >> 12) & 0xF) {
    case 0:
      e.state = "off";
      break;
    case 1:
      e.state = "on";
      break;
    case 2:
      e.state = "snoozed";
      break;
    case 3:
      e.state = "expired";
      break;
    default:
      break;
  }
  switch ((*e.product_state >> 4) & 0xF) {
    case 0:
      e.up_to_date = true;
      break;
    case 1:
      e.up_to_date = false;
      break;
    default:
      break;
  }
  return e;
}

AntivirusFacts FromSecurityCenter(const ScEntry& e) {
  AntivirusFacts av;
  av.product = e.name;
  std::optional<bool> on;
  if (e.state) on = *e.state == "on";
  av.running = on;
  av.realtime = on;  // Security Center reports real-time protection as the product's state
  av.extra["installed"] = true;
  SetOptional(av.extra, "enabled", on);
  av.extra["source"] = "security_center";
  SetOptional(av.extra, "signatures_up_to_date", e.up_to_date);
  SetOptional(av.extra, "state", e.state);
  if (e.product_state) {
    av.extra["product_state"] = *e.product_state;
  } else {
    av.extra["product_state"] = nullptr;
  }
  if (!e.state) {
    av.extra["reason"] = e.product_state
                             ? "productState " + HexCode(*e.product_state) + ": unknown state"
                             : std::string("productState missing");
  }
  return av;
}

AntivirusFacts FromDefender(const WmiRow& row) {
  AntivirusFacts av;
  av.product = kDefenderProduct;
  std::vector<std::string> reasons;
  auto service = WmiBool(row, "AMServiceEnabled");
  auto enabled = WmiBool(row, "AntivirusEnabled");
  auto mode = WmiString(row, "AMRunningMode");
  // Passive mode (another product is primary, or Defender for Endpoint alongside it) scans on
  // demand only: it is installed and enabled, not off, but gives no real-time protection.
  std::optional<bool> mode_protects;
  if (mode) {
    const std::string lower = AsciiLower(*mode);
    if (lower == "normal" || lower == "edr block mode") {
      mode_protects = true;
    } else if (lower.find("passive") != std::string::npos || lower == "not running") {
      mode_protects = false;
    } else {
      reasons.push_back("unknown AMRunningMode \"" + *mode + "\"");
    }
  }
  if (service == false || enabled == false || mode_protects == false) {
    av.running = false;
  } else if (service && enabled && mode_protects) {
    av.running = true;
  }
  if (av.running == true) {
    av.realtime = WmiBool(row, "RealTimeProtectionEnabled");
  } else if (av.running == false) {
    av.realtime = false;
  }
  if (auto age = WmiInt(row, "AntivirusSignatureAge")) {
    if (*age >= 0 && *age < kNoSignatureAge) {
      av.signatures_age_days = static_cast<double>(*age);
    } else {
      reasons.push_back("no signatures loaded (AntivirusSignatureAge " + std::to_string(*age) +
                        ")");
    }
  }
  av.extra["installed"] = true;
  SetOptional(av.extra, "enabled", enabled);
  av.extra["source"] = "defender";
  SetOptional(av.extra, "running_mode", mode);
  SetOptional(av.extra, "tamper_protected", WmiBool(row, "IsTamperProtected"));
  SetOptional(av.extra, "behavior_monitoring", WmiBool(row, "BehaviorMonitorEnabled"));
  SetOptional(av.extra, "signatures_version", WmiString(row, "AntivirusSignatureVersion"));
  std::optional<std::string> updated;
  if (auto text = WmiString(row, "AntivirusSignatureLastUpdated")) {
    if (auto t = ParseCimDateTime(*text)) updated = FormatRfc3339(*t);
  }
  SetOptional(av.extra, "signatures_updated", updated);
  av.extra["signatures_up_to_date"] = nullptr;  // from Security Center, when it lists Defender
  if (!reasons.empty()) av.extra["reason"] = Join(reasons, "; ");
  return av;
}

class SecurityCenterProbe final : public Probe {
 public:
  explicit SecurityCenterProbe(WindowsSystem& system) : wmi_(system.wmi()) {}
  std::string_view name() const override { return "endpoint_protection.antivirus"; }

  void OnFailure(FactsDocument& facts, const std::string& reason) override {
    facts.endpoint_protection.antivirus.reset();
    facts.endpoint_protection.reason = reason;
  }

  Status Collect(FactsDocument& facts) override {
    auto& ep = facts.endpoint_protection;
    auto products = wmi_.Query(kSecurityCenter,
                               "SELECT displayName, productState, instanceGuid FROM "
                               "AntiVirusProduct");
    if (!products.ok()) {
      // Windows Server has no Security Center: third-party products cannot be listed, so the
      // list is unknown even when Defender alone could be read.
      ep.antivirus.reset();
      std::string why = products.status().message();
      if (products.status().code() == StatusCode::kNotFound) {
        why += " (Windows Security Center is not available, as on Windows Server)";
      }
      ep.reason = "antivirus products not listed: root\\SecurityCenter2: " + why;
      return Status();
    }
    std::vector<ScEntry> entries;
    for (const auto& row : *products) entries.push_back(Decode(row));

    std::vector<AntivirusFacts> list;
    std::optional<std::string> caveat;
    auto defender = wmi_.Query(kDefender,
                               "SELECT AMServiceEnabled, AntivirusEnabled, "
                               "RealTimeProtectionEnabled, AntivirusSignatureAge, AMRunningMode, "
                               "IsTamperProtected, BehaviorMonitorEnabled, "
                               "AntivirusSignatureVersion, AntivirusSignatureLastUpdated FROM "
                               "MSFT_MpComputerStatus");
    bool described_defender = false;
    if (defender.ok() && !defender->empty()) {
      AntivirusFacts d = FromDefender(defender->front());
      for (const auto& e : entries) {
        if (IsDefenderName(e.name)) SetOptional(d.extra, "signatures_up_to_date", e.up_to_date);
      }
      list.push_back(std::move(d));
      described_defender = true;
    } else if (!defender.ok() && defender.status().code() != StatusCode::kNotFound) {
      // Defender is there but unreadable: its Security Center entry (if any) stands in.
      caveat = "Microsoft Defender status not read: " + defender.status().message();
    }
    for (const auto& e : entries) {
      if (described_defender && IsDefenderName(e.name)) continue;
      AntivirusFacts av = FromSecurityCenter(e);
      if (IsDefenderName(e.name)) {
        av.product = kDefenderProduct;
        if (caveat) av.extra["reason"] = *caveat;
      }
      list.push_back(std::move(av));
    }
    ep.antivirus = std::move(list);
    if (caveat) ep.reason = caveat;
    return Status();
  }

 private:
  WmiClient& wmi_;
};

}  // namespace

std::unique_ptr<Probe> NewSecurityCenterProbe(WindowsSystem& system) {
  return std::make_unique<SecurityCenterProbe>(system);
}

}  // namespace bulwark
