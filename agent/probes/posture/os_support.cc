#include "agent/probes/posture/os_support.h"

#include <array>

#include "agent/base/strings.h"
#include "agent/probes/posture/civil_time.h"

namespace bulwark {
namespace {

struct SupportEntry {
  std::string_view id;
  std::string_view version;
  std::string_view last_day;
};

// Sources: wiki.debian.org/LTS, ubuntu.com/about/release-cycle, access.redhat.com/support/policy/
// updates/errata. A derivative with the same lifecycle reuses the upstream dates.
constexpr std::array<SupportEntry, 26> kOsSupportTable = {{
    {"debian", "9", "2022-06-30"},     {"debian", "10", "2024-06-30"},
    {"debian", "11", "2026-08-31"},    {"debian", "12", "2028-06-30"},
    {"debian", "13", "2030-06-30"},    {"ubuntu", "18.04", "2023-05-31"},
    {"ubuntu", "20.04", "2025-05-31"}, {"ubuntu", "22.04", "2027-05-31"},
    {"ubuntu", "23.10", "2024-07-11"}, {"ubuntu", "24.04", "2029-04-30"},
    {"ubuntu", "24.10", "2025-07-10"}, {"ubuntu", "25.04", "2026-01-15"},
    {"centos", "7", "2024-06-30"},     {"rhel", "7", "2024-06-30"},
    {"rhel", "8", "2029-05-31"},       {"rhel", "9", "2032-05-31"},
    {"rhel", "10", "2035-05-31"},      {"rocky", "8", "2029-05-31"},
    {"rocky", "9", "2032-05-31"},      {"almalinux", "8", "2029-03-01"},
    {"almalinux", "9", "2032-05-31"},  {"fedora", "38", "2024-05-21"},
    {"fedora", "39", "2024-11-26"},    {"fedora", "40", "2025-05-13"},
    {"fedora", "41", "2025-12-15"},    {"linuxmint", "21", "2027-04-30"},
}};

std::string Get(const std::map<std::string, std::string>& kv, const char* key) {
  auto it = kv.find(key);
  return it == kv.end() ? std::string() : it->second;
}

}  // namespace

std::optional<std::string_view> BuiltinSupportEnd(std::string_view id,
                                                  std::string_view version_id) {
  for (std::string_view version : {version_id, version_id.substr(0, version_id.find('.'))}) {
    for (const auto& e : kOsSupportTable) {
      if (e.id == id && e.version == version) return e.last_day;
    }
  }
  return std::nullopt;
}

OsSupportStatus EvaluateOsSupport(const std::map<std::string, std::string>& os_release,
                                  std::chrono::system_clock::time_point now) {
  OsSupportStatus out;
  const std::string id = Get(os_release, "ID");
  const std::string version = Get(os_release, "VERSION_ID");
  std::string end = Get(os_release, "SUPPORT_END");
  if (!end.empty() && ParseIsoDate(end)) {
    out.source = "os-release";
  } else if (id.empty()) {
    out.reason = "os-release has no ID";
    return out;
  } else if (version.empty()) {
    out.reason =
        "os-release of " + id + " has no VERSION_ID (testing, unstable or rolling release)";
    return out;
  } else if (auto builtin = BuiltinSupportEnd(id, version)) {
    end = std::string(*builtin);
    out.source = "builtin";
  } else {
    out.reason =
        "no SUPPORT_END in os-release and no built-in support date for " + id + " " + version;
    return out;
  }
  out.support_end = end;
  // Supported through the whole last day (UTC).
  out.supported = now < *ParseIsoDate(end) + std::chrono::hours(24);
  return out;
}

}  // namespace bulwark
