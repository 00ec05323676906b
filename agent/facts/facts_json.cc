#include "agent/facts/facts_json.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include "agent/base/time_util.h"

namespace bulwark {
namespace json = boost::json;
namespace {

template <typename T>
json::value Opt(const std::optional<T>& v) {
  if (!v) return nullptr;
  return json::value_from(*v);
}

json::value OptStrings(const std::optional<std::vector<std::string>>& v) {
  if (!v) return nullptr;
  json::array out;
  for (const auto& s : *v) out.emplace_back(s);
  return out;
}

json::array Strings(const std::vector<std::string>& v) {
  json::array out;
  for (const auto& s : v) out.emplace_back(s);
  return out;
}

// Copies probe-specific extras without overwriting the normative members.
void MergeExtra(json::object& into, const json::object& extra) {
  for (const auto& [key, value] : extra) {
    if (!into.contains(key)) into.emplace(key, value);
  }
}

}  // namespace

json::value VolumeToJson(const VolumeFacts& v) {
  json::object o;
  o["mount_point"] = Opt(v.mount_point);
  o["device"] = v.device;
  o["role"] = v.role;
  o["encrypted"] = Opt(v.encrypted);
  o["scheme"] = Opt(v.scheme);
  o["cipher"] = Opt(v.cipher);
  o["key_bits"] = Opt(v.key_bits);
  o["uuid"] = Opt(v.uuid);
  o["key_protectors"] = OptStrings(v.key_protectors);
  o["protection"] = Opt(v.protection);
  o["conversion"] = Opt(v.conversion);
  o["conversion_percent"] = Opt(v.conversion_percent);
  o["reason"] = Opt(v.reason);
  o["fstype"] = Opt(v.fstype);
  o["other_mount_points"] = Strings(v.other_mount_points);
  o["encryption_device"] = Opt(v.encryption_device);
  o["stack"] = Strings(v.stack);
  o["removable"] = Opt(v.removable);
  if (v.keyslots) {
    json::array slots;
    for (const auto& k : *v.keyslots) {
      slots.push_back(
          json::object{{"slot", k.slot}, {"protector", k.protector}, {"pbkdf", Opt(k.pbkdf)}});
    }
    o["keyslots"] = std::move(slots);
  } else {
    o["keyslots"] = nullptr;
  }
  MergeExtra(o, v.extra);
  return o;
}

json::value FactsToJson(const FactsDocument& f) {
  json::object doc;
  doc["schema"] = kFactsSchema;
  doc["collected_at"] = FormatRfc3339(f.collected_at);
  doc["host"] =
      json::object{{"hostname", Opt(f.host.hostname)}, {"machine_id", Opt(f.host.machine_id)}};
  doc["os"] = json::object{{"family", f.os.family},
                           {"id", Opt(f.os.id)},
                           {"name", Opt(f.os.name)},
                           {"version", Opt(f.os.version)},
                           {"kernel", Opt(f.os.kernel)}};

  json::object disk;
  if (f.disk_encryption.volumes) {
    json::array volumes;
    for (const auto& v : *f.disk_encryption.volumes) volumes.push_back(VolumeToJson(v));
    disk["volumes"] = std::move(volumes);
  } else {
    disk["volumes"] = nullptr;
  }
  disk["reason"] = Opt(f.disk_encryption.reason);
  doc["disk_encryption"] = std::move(disk);

  json::object admins;
  if (f.local_admins.members) {
    json::array members;
    for (const auto& m : *f.local_admins.members) {
      members.push_back(json::object{{"name", m.name}, {"id", Opt(m.id)}, {"via", Strings(m.via)}});
    }
    admins["members"] = std::move(members);
  } else {
    admins["members"] = nullptr;
  }
  admins["console_user"] = Opt(f.local_admins.console_user);
  admins["console_user_is_admin"] = Opt(f.local_admins.console_user_is_admin);
  admins["reason"] = Opt(f.local_admins.reason);
  MergeExtra(admins, f.local_admins.extra);
  doc["local_admins"] = std::move(admins);

  const auto& ep = f.endpoint_protection;
  json::object protection;
  if (ep.antivirus) {
    json::array av;
    for (const auto& a : *ep.antivirus) {
      json::object o{{"product", a.product},
                     {"running", Opt(a.running)},
                     {"realtime", Opt(a.realtime)},
                     {"signatures_age_days", Opt(a.signatures_age_days)}};
      MergeExtra(o, a.extra);
      av.push_back(std::move(o));
    }
    protection["antivirus"] = std::move(av);
  } else {
    protection["antivirus"] = nullptr;
  }
  json::object fw{{"enabled", Opt(ep.firewall.enabled)},
                  {"backend", Opt(ep.firewall.backend)},
                  {"default_inbound", Opt(ep.firewall.default_inbound)},
                  {"reason", Opt(ep.firewall.reason)}};
  MergeExtra(fw, ep.firewall.extra);
  protection["firewall"] = std::move(fw);
  json::object mac{
      {"name", Opt(ep.mac.name)}, {"mode", Opt(ep.mac.mode)}, {"reason", Opt(ep.mac.reason)}};
  MergeExtra(mac, ep.mac.extra);
  protection["mac"] = std::move(mac);
  protection["reason"] = Opt(ep.reason);
  doc["endpoint_protection"] = std::move(protection);

  json::object hardening;
  for (const auto& [name, object] : f.hardening) hardening[name] = object;
  doc["hardening"] = std::move(hardening);

  json::array errors;
  for (const auto& e : f.probe_errors) {
    errors.push_back(json::object{{"probe", e.probe}, {"reason", e.reason}});
  }
  doc["probe_errors"] = std::move(errors);
  return doc;
}

std::string SerializeFacts(const FactsDocument& facts) {
  return json::serialize(FactsToJson(facts));
}

}  // namespace bulwark
