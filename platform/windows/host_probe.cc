// WindowsHostProbe: host and os (docs/facts-windows.md, "Top level, host, os") from WMI, with
// the registry as the fallback for the version and the machine id.
#include <algorithm>
#include <string>

#include "agent/base/strings.h"
#include "platform/windows/windows_probes.h"
#include "platform/windows/wmi_values.h"

namespace bulwark {
namespace {

constexpr char kCimv2[] = "ROOT\\CIMV2";
constexpr char kCurrentVersion[] = "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion";

std::optional<std::string> NonEmpty(std::optional<std::string> s) {
  if (!s) return std::nullopt;
  std::string t(TrimWhitespace(*s));
  if (t.empty()) return std::nullopt;
  return t;
}

// SMBIOS UUIDs of all F or all 0 are placeholders firmware vendors ship.
bool IsPlaceholderUuid(const std::string& uuid) {
  std::string hex;
  for (char c : uuid) {
    if (c != '-') hex.push_back(c);
  }
  return hex.empty() || std::all_of(hex.begin(), hex.end(), [](char c) { return c == '0'; }) ||
         std::all_of(hex.begin(), hex.end(), [](char c) { return c == 'f'; });
}

std::optional<WmiRow> FirstRow(WmiClient& wmi, const std::string& wql) {
  auto rows = wmi.Query(kCimv2, wql);
  if (!rows.ok() || rows->empty()) return std::nullopt;
  return rows->front();
}

class WindowsHostProbe final : public Probe {
 public:
  explicit WindowsHostProbe(WindowsSystem& system)
      : wmi_(system.wmi()), registry_(system.registry()) {}
  std::string_view name() const override { return "host"; }

  Status Collect(FactsDocument& facts) override {
    facts.os.family = "windows";
    facts.os.id = "windows";
    if (auto cs = FirstRow(wmi_, "SELECT DNSHostName, Name FROM Win32_ComputerSystem")) {
      facts.host.hostname = NonEmpty(WmiString(*cs, "DNSHostName"));
      if (!facts.host.hostname) facts.host.hostname = NonEmpty(WmiString(*cs, "Name"));
    }
    if (auto product = FirstRow(wmi_, "SELECT UUID FROM Win32_ComputerSystemProduct")) {
      if (auto uuid = NonEmpty(WmiString(*product, "UUID"))) {
        std::string lower = AsciiLower(*uuid);
        if (!IsPlaceholderUuid(lower)) facts.host.machine_id = lower;
      }
    }
    if (!facts.host.machine_id) {
      auto guid = registry_.ReadString("HKLM", "SOFTWARE\\Microsoft\\Cryptography", "MachineGuid");
      if (guid.ok()) facts.host.machine_id = NonEmpty(AsciiLower(*guid));
    }

    // Win32_OperatingSystem.Version is "MAJOR.MINOR.BUILD", as RtlGetVersion reports it.
    if (auto os = FirstRow(wmi_, "SELECT Caption, Version FROM Win32_OperatingSystem")) {
      facts.os.name = NonEmpty(WmiString(*os, "Caption"));
      facts.os.version = NonEmpty(WmiString(*os, "Version"));
    }
    if (!facts.os.version) {
      auto major = registry_.ReadDword("HKLM", kCurrentVersion, "CurrentMajorVersionNumber");
      auto minor = registry_.ReadDword("HKLM", kCurrentVersion, "CurrentMinorVersionNumber");
      auto build = registry_.ReadString("HKLM", kCurrentVersion, "CurrentBuildNumber");
      if (major.ok() && minor.ok() && build.ok()) {
        facts.os.version = std::to_string(*major) + "." + std::to_string(*minor) + "." +
                           std::string(TrimWhitespace(*build));
      }
    }
    if (facts.os.version) {
      if (auto ubr = registry_.ReadDword("HKLM", kCurrentVersion, "UBR"); ubr.ok()) {
        facts.os.kernel = *facts.os.version + "." + std::to_string(*ubr);
      }
    }
    return Status();
  }

 private:
  WmiClient& wmi_;
  const Registry& registry_;
};

}  // namespace

std::unique_ptr<Probe> NewWindowsHostProbe(WindowsSystem& system) {
  return std::make_unique<WindowsHostProbe>(system);
}

}  // namespace bulwark
