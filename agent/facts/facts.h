// The facts document: what the probes observed on one host, schema "bulwark.facts/1"
// (SPEC.md §4, field by field in docs/facts.md). Facts are observations, never verdicts:
// every value that could not be observed is std::nullopt (JSON null) and the nearest
// `reason` says why. A failed probe leaves its section's main value null with a reason;
// the other sections are unaffected.
//
// Shared by the agent (probes fill it) and the collector (which stores the JSON form).
// Plain value types; not thread-safe for concurrent mutation.
#ifndef BULWARK_AGENT_FACTS_FACTS_H_
#define BULWARK_AGENT_FACTS_FACTS_H_

#include <boost/json/object.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bulwark {

inline constexpr char kFactsSchema[] = "bulwark.facts/1";

struct HostFacts {
  std::optional<std::string> hostname;
  std::optional<std::string> machine_id;
};

struct OsFacts {
  std::string family;                  // "linux" | "windows"
  std::optional<std::string> id;       // os-release ID, e.g. "debian"
  std::optional<std::string> name;     // PRETTY_NAME, else NAME
  std::optional<std::string> version;  // VERSION_ID, e.g. "12"
  std::optional<std::string> kernel;   // kernel release, e.g. "6.1.0-26-amd64"
};

// One LUKS keyslot and what unlocks it.
struct KeySlotFacts {
  int slot = 0;
  std::string protector;             // "passphrase", "tpm2", "fido2", ...
  std::optional<std::string> pbkdf;  // "argon2id", "pbkdf2", ...
};

// One persistent volume: a mounted block-backed filesystem or a swap area.
struct VolumeFacts {
  std::optional<std::string> mount_point;  // null for swap
  std::string device;                      // the mounted device, e.g. "/dev/mapper/vg-root"
  std::string role;                        // system|boot|data|swap|removable
  std::optional<bool> encrypted;
  std::optional<std::string> scheme;  // luks1|luks2|plain|bitlocker
  std::optional<std::string> cipher;  // "aes-xts-plain64" (LUKS) or "xts-aes-256" (BitLocker)
  std::optional<int> key_bits;
  std::optional<std::string> uuid;                         // LUKS or volume UUID
  std::optional<std::vector<std::string>> key_protectors;  // null when not readable
  std::optional<std::string> protection;                   // on|off|suspended (BitLocker)
  std::optional<std::string> conversion;  // encrypted|encrypting|decrypted|decrypting|...
  std::optional<double> conversion_percent;
  std::optional<std::string> reason;  // why something above is null (or a caveat)

  // Bulwark extensions beyond the normative subset.
  std::optional<std::string> fstype;
  std::vector<std::string> other_mount_points;   // bind mounts / subvolumes of the same fs
  std::optional<std::string> encryption_device;  // the device holding the LUKS header
  std::vector<std::string> stack;                // "dm-1:lvm", "dm-0:crypt", "sda3:partition"
  std::optional<bool> removable;
  std::optional<std::vector<KeySlotFacts>> keyslots;
  // Platform-specific extras (Windows: lock_status, used_space_only, encryption_method);
  // empty on Linux. They never overwrite the members above.
  boost::json::object extra;
};

struct DiskEncryptionFacts {
  std::optional<std::vector<VolumeFacts>> volumes;  // null when the probe failed
  std::optional<std::string> reason;
};

struct AdminMemberFacts {
  std::string name;
  std::optional<std::string> id;  // uid or SID
  std::vector<std::string> via;   // "group:sudo", "sudoers:/etc/sudoers.d/it:3", "uid0"
};

struct LocalAdminsFacts {
  std::optional<std::vector<AdminMemberFacts>> members;  // null when not collected
  std::optional<std::string> console_user;
  std::optional<bool> console_user_is_admin;
  std::optional<std::string> reason;
  // Probe-specific extras (nopasswd_grants, uid0_accounts, ...).
  boost::json::object extra;
};

struct AntivirusFacts {
  std::string product;
  std::optional<bool> running;
  std::optional<bool> realtime;
  std::optional<double> signatures_age_days;
  boost::json::object extra;
};

struct FirewallFacts {
  std::optional<bool> enabled;
  std::optional<std::string> backend;
  std::optional<std::string> default_inbound;  // drop|accept
  std::optional<std::string> reason;
  boost::json::object extra;
};

struct MacFacts {
  std::optional<std::string> name;  // apparmor|selinux
  std::optional<std::string> mode;  // enforcing|complain|permissive|disabled
  std::optional<std::string> reason;
  boost::json::object extra;
};

struct EndpointProtectionFacts {
  std::optional<std::vector<AntivirusFacts>> antivirus;
  FirewallFacts firewall;
  MacFacts mac;
  std::optional<std::string> reason;
};

// A probe that failed as a whole, for diagnostics ("probe_errors" in the JSON form).
struct ProbeError {
  std::string probe;
  std::string reason;
};

struct FactsDocument {
  std::chrono::system_clock::time_point collected_at;
  HostFacts host;
  OsFacts os;
  DiskEncryptionFacts disk_encryption;
  LocalAdminsFacts local_admins;
  EndpointProtectionFacts endpoint_protection;
  // One object per hardening probe ("secure_boot", "screen_lock", "ssh", ...).
  std::map<std::string, boost::json::object> hardening;
  std::vector<ProbeError> probe_errors;
};

}  // namespace bulwark

#endif  // BULWARK_AGENT_FACTS_FACTS_H_
