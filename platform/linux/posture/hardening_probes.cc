#include "platform/linux/posture/hardening_probes.h"

#include <boost/json/array.hpp>

#include "agent/base/strings.h"
#include "agent/probes/os_release.h"
#include "agent/probes/posture/crypttab.h"
#include "agent/probes/posture/os_support.h"
#include "platform/linux/posture/json_util.h"

namespace bulwark {
namespace json = boost::json;
using posture_json::Opt;

namespace {

constexpr char kEfiGlobal[] = "8be4df61-93ca-11d2-aa0d-e98c0d7b4b17";

json::object NullObject(std::initializer_list<const char*> fields) {
  json::object o;
  for (const char* f : fields) o[f] = nullptr;
  o["reason"] = nullptr;
  return o;
}

// An EFI variable holding one boolean byte after its 4-byte attributes.
Result<bool> ReadEfiBool(const FileSystem& fs, const std::string& name) {
  ASSIGN_OR_RETURN(std::string data,
                   fs.ReadFile("/sys/firmware/efi/efivars/" + name + "-" + kEfiGlobal, 4096));
  if (data.size() < 5) return InvalidArgumentError(name + " EFI variable is truncated");
  return data[4] == 1;
}

std::string OctalMode(std::uint32_t mode) {
  std::string out = "0000";
  for (int i = 3; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>('0' + (mode & 7));
    mode >>= 3;
  }
  return out;
}

}  // namespace

Status HardeningProbe::Collect(FactsDocument& facts) {
  json::object out = NullShape();
  RETURN_IF_ERROR(Inspect(facts, out));
  facts.hardening[std::string(key())] = std::move(out);
  return Status::Ok();
}

void HardeningProbe::OnFailure(FactsDocument& facts, const std::string& reason) {
  json::object out = NullShape();
  out["reason"] = reason;
  facts.hardening[std::string(key())] = std::move(out);
}

std::vector<std::unique_ptr<Probe>> MakeHardeningProbes(std::shared_ptr<PostureHostState> state) {
  std::vector<std::unique_ptr<Probe>> probes;
  probes.push_back(std::make_unique<SecureBootProbe>(state));
  probes.push_back(std::make_unique<ScreenLockProbe>(state));
  probes.push_back(std::make_unique<AutomaticUpdatesProbe>(state));
  probes.push_back(std::make_unique<PendingUpdatesProbe>(state));
  probes.push_back(std::make_unique<SshServerProbe>(state));
  probes.push_back(std::make_unique<CrypttabProbe>(state));
  probes.push_back(std::make_unique<AslrProbe>(state));
  probes.push_back(std::make_unique<OsSupportProbe>(std::move(state)));
  return probes;
}

// --- secure_boot -----------------------------------------------------------------------------

json::object SecureBootProbe::NullShape() const {
  return NullObject({"uefi", "enabled", "setup_mode", "lockdown"});
}

Status SecureBootProbe::Inspect(const FactsDocument& facts, json::object& out) {
  (void)facts;
  const FileSystem& fs = state().fs();
  if (auto text = fs.ReadFile("/sys/kernel/security/lockdown", 256); text.ok()) {
    // "[none] integrity confidentiality": the selected mode is bracketed.
    const auto open = text->find('['), close = text->find(']');
    if (open != std::string::npos && close != std::string::npos && close > open) {
      out["lockdown"] = text->substr(open + 1, close - open - 1);
    }
  }
  if (!fs.Exists("/sys/firmware")) {
    out["reason"] = "firmware information not available (/sys/firmware missing)";
    return Status::Ok();
  }
  if (!fs.Exists("/sys/firmware/efi")) {
    out["uefi"] = false;
    out["enabled"] = false;
    out["reason"] = "booted in legacy BIOS mode: Secure Boot is not available";
    return Status::Ok();
  }
  out["uefi"] = true;
  auto vars = fs.ListDirectory("/sys/firmware/efi/efivars");
  if (!vars.ok() || vars->empty()) {
    out["reason"] = "EFI variables not readable (efivarfs not mounted?)";
    return Status::Ok();
  }
  auto enabled = ReadEfiBool(fs, "SecureBoot");
  if (enabled.ok()) {
    out["enabled"] = *enabled;
  } else if (enabled.status().code() == StatusCode::kNotFound) {
    out["enabled"] = false;
    out["reason"] = "the firmware has no SecureBoot variable (no Secure Boot support)";
  } else {
    out["reason"] = "SecureBoot variable: " + enabled.status().ToString();
  }
  if (auto setup = ReadEfiBool(fs, "SetupMode"); setup.ok()) out["setup_mode"] = *setup;
  return Status::Ok();
}

// --- aslr ------------------------------------------------------------------------------------

json::object AslrProbe::NullShape() const {
  return NullObject({"randomize_va_space", "enabled", "full"});
}

Status AslrProbe::Inspect(const FactsDocument& facts, json::object& out) {
  (void)facts;
  auto text = state().fs().ReadFile("/proc/sys/kernel/randomize_va_space", 64);
  if (!text.ok()) {
    out["reason"] = "randomize_va_space: " + text.status().ToString();
    return Status::Ok();
  }
  auto value = ParseUint64(TrimWhitespace(*text));
  if (!value || *value > 2) {
    out["reason"] = "unexpected randomize_va_space value";
    return Status::Ok();
  }
  out["randomize_va_space"] = *value;
  out["enabled"] = *value >= 1;
  out["full"] = *value == 2;
  return Status::Ok();
}

// --- os_support ------------------------------------------------------------------------------

json::object OsSupportProbe::NullShape() const {
  return NullObject({"id", "version_id", "supported", "support_end", "source"});
}

Status OsSupportProbe::Inspect(const FactsDocument& facts, json::object& out) {
  (void)facts;
  const FileSystem& fs = state().fs();
  auto text = fs.ReadFile("/etc/os-release", 64 * 1024);
  if (!text.ok()) text = fs.ReadFile("/usr/lib/os-release", 64 * 1024);
  if (!text.ok()) {
    out["reason"] = "os-release: " + text.status().ToString();
    return Status::Ok();
  }
  const auto fields = ParseOsRelease(*text);
  auto get = [&](const char* k) -> json::value {
    auto it = fields.find(k);
    return it == fields.end() || it->second.empty() ? json::value(nullptr)
                                                    : json::value(it->second);
  };
  out["id"] = get("ID");
  out["version_id"] = get("VERSION_ID");
  const OsSupportStatus status = EvaluateOsSupport(fields, state().system().clock().Now());
  out["supported"] = Opt(status.supported);
  out["support_end"] = Opt(status.support_end);
  out["source"] = Opt(status.source);
  out["reason"] = Opt(status.reason);
  return Status::Ok();
}

// --- crypttab --------------------------------------------------------------------------------

json::object CrypttabProbe::NullShape() const {
  return NullObject({"present", "entries", "insecure_key_files"});
}

Status CrypttabProbe::Inspect(const FactsDocument& facts, json::object& out) {
  (void)facts;
  const FileSystem& fs = state().fs();
  auto text = fs.ReadFile("/etc/crypttab", 1u << 20);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) {
      out["present"] = false;
      out["entries"] = json::array();
      out["insecure_key_files"] = 0;
    } else {
      out["reason"] = "/etc/crypttab: " + text.status().ToString();
    }
    return Status::Ok();
  }
  out["present"] = true;
  json::array entries;
  std::size_t insecure = 0;
  for (const CrypttabEntry& e : ParseCrypttab(*text).entries) {
    std::string key_file = e.key_file;
    KeyFileKind kind = ClassifyKeyFile(key_file);
    // systemd looks up /etc/cryptsetup-keys.d/<name>.key when no key file is named.
    if (kind == KeyFileKind::kNone && e.name.find('/') == std::string::npos) {
      const std::string implicit = "/etc/cryptsetup-keys.d/" + e.name + ".key";
      if (fs.Exists(implicit)) {
        key_file = implicit;
        kind = KeyFileKind::kFile;
      }
    }
    json::object entry{
        {"name", e.name},
        {"device", e.device},
        {"key_file", kind == KeyFileKind::kNone ? json::value(nullptr) : json::value(key_file)},
        {"key_file_kind", KeyFileKindName(kind)},
        {"key_file_mode", nullptr},
        {"key_file_owner_uid", nullptr},
        {"key_file_secure", nullptr},
        {"options", e.options},
        {"reason", nullptr}};
    if (kind == KeyFileKind::kRandom) {
      entry["key_file_secure"] = true;
    } else if (kind == KeyFileKind::kDevice || kind == KeyFileKind::kRemote) {
      entry["reason"] = "the key is on another device; its permissions are not inspected";
    } else if (kind == KeyFileKind::kFile) {
      auto info = fs.Stat(key_file);
      if (!info.ok()) {
        entry["reason"] = info.status().code() == StatusCode::kNotFound
                              ? "key file not found under this root (it may live only in the "
                                "initramfs)"
                              : "key file: " + info.status().ToString();
      } else if (info->type != FileType::kRegular) {
        entry["reason"] = "key file is not a regular file";
      } else {
        const bool secure = info->uid == 0 && (info->mode & 0077) == 0;
        entry["key_file_mode"] = OctalMode(info->mode);
        entry["key_file_owner_uid"] = info->uid;
        entry["key_file_secure"] = secure;
        if (!secure) ++insecure;
      }
    }
    entries.push_back(std::move(entry));
  }
  out["entries"] = std::move(entries);
  out["insecure_key_files"] = insecure;
  return Status::Ok();
}

}  // namespace bulwark
