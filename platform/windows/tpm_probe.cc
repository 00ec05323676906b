// TpmProbe: hardening.tpm from Win32_Tpm (ROOT\CIMV2\Security\MicrosoftTpm). Mapping:
// docs/facts-windows.md, "tpm". The namespace is readable by administrators only, so access
// denied is "unknown" (null + reason), never "no TPM"; only an answered query without an
// instance means there is no TPM.
#include <string>
#include <vector>

#include "agent/base/strings.h"
#include "platform/windows/windows_probes.h"
#include "platform/windows/wmi_values.h"

namespace bulwark {
namespace {

namespace json = boost::json;

constexpr char kTpmNamespace[] = "ROOT\\CIMV2\\Security\\MicrosoftTpm";

json::object NullShape() {
  return {{"present", nullptr},
          {"enabled", nullptr},
          {"activated", nullptr},
          {"owned", nullptr},
          {"spec_version", nullptr},
          {"manufacturer", nullptr},
          {"manufacturer_version", nullptr},
          {"reason", nullptr}};
}

// Trims spaces and the NULs some firmware pads vendor strings with.
std::string TrimVendor(const std::string& s) {
  std::size_t begin = 0, end = s.size();
  auto pad = [](char c) { return c == ' ' || c == '\0' || c == '\t'; };
  while (begin < end && pad(s[begin])) ++begin;
  while (end > begin && pad(s[end - 1])) --end;
  return s.substr(begin, end - begin);
}

// ManufacturerId is the TCG vendor id: four ASCII bytes, big-endian ("INTC" 0x494E5443).
std::optional<std::string> VendorFromId(std::int64_t id) {
  if (id <= 0 || id > 0xFFFFFFFF) return std::nullopt;
  std::string text;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const auto c = static_cast<char>((static_cast<std::uint64_t>(id) >> shift) & 0xFFu);
    if (c == '\0') continue;
    if (c < 0x20 || c > 0x7E) return std::nullopt;
    text.push_back(c);
  }
  text = TrimVendor(text);
  if (text.empty()) return std::nullopt;
  return text;
}

class TpmProbe final : public Probe {
 public:
  explicit TpmProbe(WindowsSystem& system) : wmi_(system.wmi()) {}
  std::string_view name() const override { return "hardening.tpm"; }

  void OnFailure(FactsDocument& facts, const std::string& reason) override {
    json::object out = NullShape();
    out["reason"] = reason;
    facts.hardening["tpm"] = std::move(out);
  }

  Status Collect(FactsDocument& facts) override {
    json::object out = NullShape();
    std::vector<std::string> reasons;
    Inspect(out, reasons);
    if (!reasons.empty()) out["reason"] = Join(reasons, "; ");
    facts.hardening["tpm"] = std::move(out);
    return Status();
  }

 private:
  void Inspect(json::object& out, std::vector<std::string>& reasons) {
    // SELECT *: ManufacturerIdTxt exists only on Windows 10 and later, and naming an absent
    // property fails the whole query.
    auto rows = wmi_.Query(kTpmNamespace, "SELECT * FROM Win32_Tpm");
    if (!rows.ok()) {
      std::string why = "TPM state not read: Win32_Tpm: " + rows.status().message();
      if (rows.status().code() == StatusCode::kPermissionDenied) {
        why += " (run as administrator)";
      } else if (rows.status().code() == StatusCode::kNotFound) {
        why += " (TPM WMI provider not present)";
      }
      reasons.push_back(why);
      return;
    }
    if (rows->empty()) {
      // The provider answered and knows no TPM: none is present (or it is hidden in firmware).
      out["present"] = false;
      out["enabled"] = false;
      out["activated"] = false;
      out["owned"] = false;
      return;
    }
    const WmiRow& tpm = rows->front();
    out["present"] = true;
    auto flag = [&](const char* field, const char* property) {
      if (auto v = WmiBool(tpm, property)) {
        out[field] = *v;
      } else {
        reasons.push_back(std::string(property) + " not reported");
      }
    };
    flag("enabled", "IsEnabled_InitialValue");
    flag("activated", "IsActivated_InitialValue");
    flag("owned", "IsOwned_InitialValue");

    // SpecVersion: "<spec version>, <spec level>, <revision>", e.g. "2.0, 0, 1.38".
    if (auto spec = WmiString(tpm, "SpecVersion"); spec && !spec->empty()) {
      const std::string version(TrimWhitespace(std::string_view(*spec).substr(0, spec->find(','))));
      if (version == "2.0" || version == "1.2") {
        out["spec_version"] = version;
      } else {
        reasons.push_back("unknown SpecVersion \"" + *spec + "\"");
      }
    } else {
      reasons.push_back("SpecVersion not reported");
    }

    std::optional<std::string> vendor;
    if (auto txt = WmiString(tpm, "ManufacturerIdTxt")) {
      if (std::string t = TrimVendor(*txt); !t.empty()) vendor = t;
    }
    if (!vendor) {
      if (auto id = WmiInt(tpm, "ManufacturerId")) vendor = VendorFromId(*id);
    }
    if (vendor) out["manufacturer"] = *vendor;
    if (auto version = WmiString(tpm, "ManufacturerVersion")) {
      if (std::string v = TrimVendor(*version); !v.empty()) out["manufacturer_version"] = v;
    }
  }

  WmiClient& wmi_;
};

}  // namespace

std::unique_ptr<Probe> NewTpmProbe(WindowsSystem& system) {
  return std::make_unique<TpmProbe>(system);
}

}  // namespace bulwark
