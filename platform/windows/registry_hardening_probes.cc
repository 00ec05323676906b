// Hardening probes that read the registry: hardening.uac and hardening.secure_boot.
// Mapping: docs/facts-windows.md, "hardening". A value that is absent takes the default
// Windows applies; a value that cannot be read (access denied) is null with the reason.
#include <string>
#include <vector>

#include "agent/base/strings.h"
#include "platform/windows/windows_probes.h"

namespace bulwark {
namespace {

namespace json = boost::json;

constexpr char kHklm[] = "HKLM";
constexpr char kPoliciesSystem[] = "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System";
constexpr char kSecureBootState[] = "SYSTEM\\CurrentControlSet\\Control\\SecureBoot\\State";
constexpr char kControl[] = "SYSTEM\\CurrentControlSet\\Control";

// A probe filling facts.hardening[key]: every field of its null shape is always present.
class RegistryHardeningProbe : public Probe {
 public:
  explicit RegistryHardeningProbe(WindowsSystem& system) : registry_(system.registry()) {}

  Status Collect(FactsDocument& facts) final {
    json::object out = NullShape();
    std::vector<std::string> reasons;
    Inspect(out, reasons);
    if (!reasons.empty()) out["reason"] = Join(reasons, "; ");
    facts.hardening[Key()] = std::move(out);
    return Status();
  }
  void OnFailure(FactsDocument& facts, const std::string& reason) final {
    json::object out = NullShape();
    out["reason"] = reason;
    facts.hardening[Key()] = std::move(out);
  }

 protected:
  virtual std::string Key() const = 0;
  virtual json::object NullShape() const = 0;
  virtual void Inspect(json::object& out, std::vector<std::string>& reasons) = 0;

  // The DWORD, `fallback` when absent (nullopt fallback: absent is unknown); nullopt with a
  // reason when unreadable.
  std::optional<std::uint32_t> Dword(const std::string& key, const std::string& value,
                                     std::optional<std::uint32_t> fallback,
                                     std::vector<std::string>& reasons) {
    auto r = registry_.ReadDword(kHklm, key, value);
    if (r.ok()) return *r;
    if (r.status().code() == StatusCode::kNotFound) return fallback;
    reasons.push_back(value + " not read: " + r.status().message());
    return std::nullopt;
  }

  const Registry& registry_;
};

class UacProbe final : public RegistryHardeningProbe {
 public:
  using RegistryHardeningProbe::RegistryHardeningProbe;
  std::string_view name() const override { return "hardening.uac"; }

 protected:
  std::string Key() const override { return "uac"; }
  json::object NullShape() const override {
    return {{"enabled", nullptr},
            {"admin_prompt", nullptr},
            {"user_prompt", nullptr},
            {"secure_desktop", nullptr},
            {"builtin_admin_approval_mode", nullptr},
            {"reason", nullptr}};
  }
  void Inspect(json::object& out, std::vector<std::string>& reasons) override {
    auto flag = [&](const char* field, const char* value, std::uint32_t fallback) {
      if (auto v = Dword(kPoliciesSystem, value, fallback, reasons)) out[field] = *v != 0;
    };
    flag("enabled", "EnableLUA", 1);
    flag("secure_desktop", "PromptOnSecureDesktop", 1);
    flag("builtin_admin_approval_mode", "FilterAdministratorToken", 0);
    static const char* const kAdmin[] = {"elevate_without_prompting",
                                         "credentials_secure_desktop",
                                         "consent_secure_desktop",
                                         "credentials",
                                         "consent",
                                         "consent_non_windows_binaries"};
    if (auto v = Dword(kPoliciesSystem, "ConsentPromptBehaviorAdmin", 5, reasons)) {
      if (*v < 6) {
        out["admin_prompt"] = kAdmin[*v];
      } else {
        reasons.push_back("unknown ConsentPromptBehaviorAdmin " + std::to_string(*v));
      }
    }
    if (auto v = Dword(kPoliciesSystem, "ConsentPromptBehaviorUser", 3, reasons)) {
      if (*v == 0) {
        out["user_prompt"] = "deny";
      } else if (*v == 1) {
        out["user_prompt"] = "credentials_secure_desktop";
      } else if (*v == 3) {
        out["user_prompt"] = "credentials";
      } else {
        reasons.push_back("unknown ConsentPromptBehaviorUser " + std::to_string(*v));
      }
    }
  }
};

class SecureBootProbe final : public RegistryHardeningProbe {
 public:
  using RegistryHardeningProbe::RegistryHardeningProbe;
  std::string_view name() const override { return "hardening.secure_boot"; }

 protected:
  std::string Key() const override { return "secure_boot"; }
  json::object NullShape() const override {
    return {{"uefi", nullptr},
            {"enabled", nullptr},
            {"setup_mode", nullptr},
            {"lockdown", nullptr},
            {"reason", nullptr}};
  }
  void Inspect(json::object& out, std::vector<std::string>& reasons) override {
    // PEFirmwareType: 1 BIOS, 2 UEFI (what GetFirmwareType reports, kept by the kernel).
    std::optional<bool> uefi;
    if (auto fw = Dword(kControl, "PEFirmwareType", std::nullopt, reasons)) {
      if (*fw == 1 || *fw == 2) {
        uefi = *fw == 2;
        out["uefi"] = *uefi;
      } else {
        reasons.push_back("unknown PEFirmwareType " + std::to_string(*fw));
      }
    } else if (reasons.empty()) {
      reasons.push_back("PEFirmwareType absent");
    }
    if (uefi == false) {
      out["enabled"] = false;  // legacy BIOS boot has no Secure Boot
      return;
    }
    const std::size_t before = reasons.size();
    if (auto on = Dword(kSecureBootState, "UEFISecureBootEnabled", std::nullopt, reasons)) {
      out["enabled"] = *on == 1;
    } else if (reasons.size() == before) {
      reasons.push_back("UEFISecureBootEnabled absent");
    }
    // SetupMode is a UEFI variable (GetFirmwareEnvironmentVariable), not in the registry.
  }
};

}  // namespace

std::unique_ptr<Probe> NewUacProbe(WindowsSystem& system) {
  return std::make_unique<UacProbe>(system);
}

std::unique_ptr<Probe> NewWindowsSecureBootProbe(WindowsSystem& system) {
  return std::make_unique<SecureBootProbe>(system);
}

}  // namespace bulwark
