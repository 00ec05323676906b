#include "agent/service/facts_table.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <sstream>
#include <vector>

#include "agent/base/strings.h"
#include "agent/base/time_util.h"

namespace bulwark {
namespace {

std::string OrUnknown(const std::optional<std::string>& v) { return v ? *v : "unknown"; }

std::string Tri(const std::optional<bool>& v) {
  if (!v) return "unknown";
  return *v ? "yes" : "no";
}

// Renders rows as left-aligned columns separated by two spaces.
std::string Columns(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace

std::string RenderFactsTable(const FactsDocument& f) {
  std::ostringstream out;
  out << "Host:      " << OrUnknown(f.host.hostname) << "  (machine-id "
      << OrUnknown(f.host.machine_id) << ")\n";
  out << "OS:        " << OrUnknown(f.os.name) << "  kernel " << OrUnknown(f.os.kernel) << "\n";
  out << "Collected: " << FormatRfc3339(f.collected_at) << "\n\n";

  out << "Disk encryption\n";
  if (!f.disk_encryption.volumes) {
    out << "  unknown: " << OrUnknown(f.disk_encryption.reason) << "\n";
  } else if (f.disk_encryption.volumes->empty()) {
    out << "  no persistent volumes found\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    rows.push_back(
        {"  MOUNT", "DEVICE", "ROLE", "ENCRYPTED", "SCHEME", "CIPHER", "BITS", "PROTECTORS"});
    std::vector<std::string> notes;
    for (const auto& v : *f.disk_encryption.volumes) {
      std::string protectors = v.key_protectors ? Join(*v.key_protectors, ",") : "unknown";
      if (v.key_protectors && v.key_protectors->empty()) protectors = "-";
      rows.push_back({"  " + v.mount_point.value_or("[swap]"), v.device, v.role, Tri(v.encrypted),
                      v.scheme.value_or("-"), v.cipher.value_or("-"),
                      v.key_bits ? std::to_string(*v.key_bits) : "-", protectors});
      if (v.reason) notes.push_back("  " + v.mount_point.value_or(v.device) + ": " + *v.reason);
    }
    out << Columns(rows);
    if (!notes.empty()) {
      out << "\n  Notes:\n";
      for (const auto& n : notes) out << "  " << n << "\n";
    }
  }
  out << "\nLocal administrators\n";
  if (!f.local_admins.members) {
    out << "  unknown: " << OrUnknown(f.local_admins.reason) << "\n";
  } else if (f.local_admins.members->empty()) {
    out << "  none besides root\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"  NAME", "ID", "VIA"});
    for (const auto& m : *f.local_admins.members) {
      rows.push_back({"  " + m.name, m.id.value_or("-"), Join(m.via, ", ")});
    }
    out << Columns(rows);
  }
  out << "  console user: " << f.local_admins.console_user.value_or("none")
      << ", administrator: " << Tri(f.local_admins.console_user_is_admin) << "\n";

  const auto& ep = f.endpoint_protection;
  out << "\nEndpoint protection\n";
  if (!ep.antivirus) {
    out << "  antivirus: unknown (" << OrUnknown(ep.reason) << ")\n";
  } else if (ep.antivirus->empty()) {
    out << "  antivirus: none found\n";
  } else {
    for (const auto& av : *ep.antivirus) {
      out << "  antivirus: " << av.product << ", running " << Tri(av.running) << ", real-time "
          << Tri(av.realtime);
      if (av.signatures_age_days) {
        std::ostringstream age;
        age.precision(1);
        age << std::fixed << *av.signatures_age_days;
        out << ", signatures " << age.str() << " days old";
      }
      out << "\n";
    }
  }
  out << "  firewall:  " << (ep.firewall.backend ? *ep.firewall.backend + ", " : "") << "enabled "
      << Tri(ep.firewall.enabled) << ", inbound default "
      << ep.firewall.default_inbound.value_or("unknown");
  if (ep.firewall.reason) out << " (" << *ep.firewall.reason << ")";
  out << "\n  MAC:       " << ep.mac.name.value_or("none") << " " << ep.mac.mode.value_or("");
  if (ep.mac.reason) out << " (" << *ep.mac.reason << ")";
  out << "\n";

  if (!f.hardening.empty()) {
    out << "\nHardening\n";
    for (const auto& [name, object] : f.hardening) {
      std::string line = "  " + name + ":";
      for (const auto& [key, value] : object) {
        if (value.is_object() || value.is_array()) continue;  // details: see --json
        line += " " + std::string(key) + "=" + boost::json::serialize(value);
        if (line.size() > 160) {
          line += " ...";
          break;
        }
      }
      out << line << "\n";
    }
  }

  if (!f.probe_errors.empty()) {
    out << "\nProbe errors\n";
    for (const auto& e : f.probe_errors) out << "  " << e.probe << ": " << e.reason << "\n";
  }
  return out.str();
}

}  // namespace bulwark
