#include "tests/testing/realistic_report.h"

#include <boost/json/array.hpp>
#include <chrono>

#include "agent/base/time_util.h"

namespace bulwark::testing {
namespace json = boost::json;

json::object RealisticReport(const std::string& id, const std::string& machine) {
  json::array results;
  const char* severities[] = {"low", "medium", "high", "critical"};
  for (int i = 0; i < 29; ++i) {
    results.push_back({{"id", "linux.check-" + std::to_string(i)},
                       {"title", "Workstation hardening requirement number " + std::to_string(i)},
                       {"severity", severities[i % 4]},
                       {"status", i % 7 == 0 ? "fail" : "pass"},
                       {"reason", nullptr},
                       {"deadline", nullptr}});
  }
  json::array volumes;
  for (const char* mp : {"/", "/home", "[SWAP]"}) {
    volumes.push_back(
        {{"mount_point", mp},
         {"device", "/dev/mapper/vg0-" + std::string(mp == std::string("/") ? "root" : "data")},
         {"role", mp == std::string("/boot") ? "boot" : "system"},
         {"encrypted", true},
         {"scheme", "luks2"},
         {"cipher", "aes-xts-plain64"},
         {"key_bits", 512},
         {"uuid", "0b9a7c55-2f64-4f7a-9d0c-5f1e2f6a9b31"},
         {"key_protectors", {"passphrase", "tpm2"}},
         {"reason", nullptr}});
  }
  json::object facts = {
      {"schema", "bulwark.facts/1"},
      {"collected_at", "2026-11-28T16:00:00Z"},
      {"host", {{"hostname", "ws-" + machine}, {"machine_id", machine}}},
      {"os",
       {{"family", "linux"},
        {"id", "debian"},
        {"name", "Debian GNU/Linux 12 (bookworm)"},
        {"version", "12"},
        {"kernel", "6.1.0-27-amd64"}}},
      {"disk_encryption", {{"volumes", std::move(volumes)}}},
      {"local_admins",
       {{"members", {{{"name", "alice"}, {"id", "1000"}, {"via", {"group:sudo"}}}}},
        {"console_user", "alice"},
        {"console_user_is_admin", true}}},
      {"endpoint_protection",
       {{"antivirus",
         {{{"product", "ClamAV"},
           {"running", true},
           {"realtime", false},
           {"signatures_age_days", 1}}}},
        {"firewall", {{"enabled", true}, {"backend", "nftables"}, {"default_inbound", "drop"}}},
        {"mac", {{"name", "apparmor"}, {"mode", "enforcing"}}}}},
      {"hardening",
       {{"screen_lock", {{"enabled", true}, {"idle_seconds", 300}}},
        {"updates", {{"automatic", true}, {"pending_security", 0}}},
        {"secure_boot", {{"enabled", true}}},
        {"ssh", {{"permit_root_login", "no"}, {"password_authentication", false}}}}}};
  return {
      {"schema", "bulwark.report/1"},
      {"report_id", id},
      {"generated_at", bulwark::FormatRfc3339(std::chrono::time_point_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now()))},
      {"policy",
       {{"policy_id", "baseline"},
        {"epoch", 1},
        {"version", 1764000000},
        {"sha256", std::string(64, 'a')}}},
      {"compliant", false},
      {"results", std::move(results)},
      {"facts", std::move(facts)}};
}

}  // namespace bulwark::testing
