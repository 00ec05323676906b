// FirewallProbe: Windows Defender Firewall per profile through the FirewallPolicy seam
// (INetFwPolicy2), plus third-party firewalls registered with Security Center. Mapping:
// docs/facts-windows.md, "firewall".
#include <array>
#include <string>
#include <vector>

#include "agent/base/strings.h"
#include "platform/windows/windows_probes.h"
#include "platform/windows/wmi_values.h"

namespace bulwark {
namespace {

struct ProfileName {
  FirewallProfile profile;
  const char* name;
  std::uint32_t bit;  // NET_FW_PROFILE2_* in CurrentProfileTypes
};

constexpr std::array<ProfileName, 3> kProfiles = {{{FirewallProfile::kDomain, "domain", 1},
                                                   {FirewallProfile::kPrivate, "private", 2},
                                                   {FirewallProfile::kPublic, "public", 4}}};

// NET_FW_ACTION: 0 block, 1 allow.
std::optional<std::string> ActionName(std::int64_t action) {
  if (action == 0) return "drop";
  if (action == 1) return "accept";
  return std::nullopt;
}

boost::json::value OptJson(const std::optional<std::string>& v) {
  if (!v) return nullptr;
  return boost::json::value(*v);
}

class FirewallProbe final : public Probe {
 public:
  explicit FirewallProbe(WindowsSystem& system) : policy_(system.firewall()), wmi_(system.wmi()) {}
  std::string_view name() const override { return "endpoint_protection.firewall"; }

  void OnFailure(FactsDocument& facts, const std::string& reason) override {
    FirewallFacts& fw = facts.endpoint_protection.firewall;
    fw = FirewallFacts{};
    fw.backend = "windows";
    fw.reason = reason;
  }

  Status Collect(FactsDocument& facts) override {
    FirewallFacts fw;
    fw.backend = "windows";
    std::vector<std::string> reasons;
    boost::json::object profiles;
    int read = 0, enabled_count = 0, drop_count = 0;
    bool any_disabled = false, any_accept = false;
    Status first_error;
    for (const auto& p : kProfiles) {
      auto state = policy_.Profile(p.profile);
      if (!state.ok()) {
        if (first_error.ok()) first_error = state.status();
        reasons.push_back(std::string(p.name) + " profile not read: " + state.status().message());
        profiles[p.name] = boost::json::object{
            {"enabled", nullptr}, {"default_inbound", nullptr}, {"default_outbound", nullptr}};
        continue;
      }
      ++read;
      auto inbound = ActionName(state->default_inbound);
      auto outbound = ActionName(state->default_outbound);
      if (!inbound) {
        reasons.push_back(std::string(p.name) + " profile: unknown DefaultInboundAction " +
                          std::to_string(state->default_inbound));
      }
      profiles[p.name] = boost::json::object{{"enabled", state->enabled},
                                             {"default_inbound", OptJson(inbound)},
                                             {"default_outbound", OptJson(outbound)}};
      if (state->enabled) {
        ++enabled_count;
      } else {
        any_disabled = true;
      }
      // What unsolicited inbound traffic gets: a profile that is off lets it in.
      if (!state->enabled || inbound == "accept") {
        any_accept = true;
      } else if (inbound == "drop") {
        ++drop_count;
      }
    }
    if (read == 0) return first_error;
    if (any_disabled) {
      fw.enabled = false;
    } else if (enabled_count == 3) {
      fw.enabled = true;
    }
    if (any_accept) {
      fw.default_inbound = "accept";
    } else if (drop_count == 3) {
      fw.default_inbound = "drop";
    }
    fw.extra["profiles"] = std::move(profiles);

    if (auto current = policy_.CurrentProfileTypes(); current.ok()) {
      boost::json::array active;
      for (const auto& p : kProfiles) {
        if ((*current & p.bit) != 0) active.emplace_back(p.name);
      }
      fw.extra["active_profiles"] = std::move(active);
    } else {
      fw.extra["active_profiles"] = nullptr;
      reasons.push_back("active profiles not read: " + current.status().message());
    }

    auto products = wmi_.Query("ROOT\\SecurityCenter2",
                               "SELECT displayName, productState FROM FirewallProduct");
    if (products.ok()) {
      boost::json::array others;
      for (const auto& row : *products) {
        boost::json::object o{{"product", WmiString(row, "displayName").value_or("")}};
        // Same productState layout as AntiVirusProduct: bits 12-15 are 1 when on.
        auto state = WmiInt(row, "productState");
        if (state && ((*state >> 12) & 0xF) <= 3) {
          o["enabled"] = ((*state >> 12) & 0xF) == 1;
        } else {
          o["enabled"] = nullptr;
        }
        others.push_back(std::move(o));
      }
      fw.extra["security_center_firewalls"] = std::move(others);
    } else {
      // Absent on Windows Server; not a reason to doubt Windows Defender Firewall.
      fw.extra["security_center_firewalls"] = nullptr;
    }

    if (!reasons.empty()) fw.reason = Join(reasons, "; ");
    facts.endpoint_protection.firewall = std::move(fw);
    return Status();
  }

 private:
  const FirewallPolicy& policy_;
  WmiClient& wmi_;
};

}  // namespace

std::unique_ptr<Probe> NewFirewallProbe(WindowsSystem& system) {
  return std::make_unique<FirewallProbe>(system);
}

}  // namespace bulwark
