// BitLockerProbe: Win32_Volume (what is mounted) joined with Win32_EncryptableVolume (what
// BitLocker says), by method calls rather than cached properties, which lag behind conversion
// and are absent on older builds. Mapping: docs/facts-windows.md, "disk_encryption".
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/strings.h"
#include "platform/windows/windows_probes.h"
#include "platform/windows/wmi_values.h"

namespace bulwark {

namespace {

constexpr char kBitLockerNamespace[] = "ROOT\\CIMV2\\Security\\MicrosoftVolumeEncryption";
constexpr char kCimv2[] = "ROOT\\CIMV2";
constexpr char kEncryptableVolume[] = "Win32_EncryptableVolume";

struct Cipher {
  const char* name;
  std::optional<int> key_bits;
  const char* method;  // the EncryptionMethod name Get-BitLockerVolume prints
};

// GetEncryptionMethod values (Win32_EncryptableVolume documentation).
std::optional<Cipher> CipherFor(std::int64_t method) {
  switch (method) {
    case 1:
      return Cipher{"aes-cbc-128-diffuser", 128, "Aes128Diffuser"};
    case 2:
      return Cipher{"aes-cbc-256-diffuser", 256, "Aes256Diffuser"};
    case 3:
      return Cipher{"aes-cbc-128", 128, "Aes128"};
    case 4:
      return Cipher{"aes-cbc-256", 256, "Aes256"};
    case 5:
      return Cipher{"hardware", std::nullopt, "Hardware"};
    case 6:
      return Cipher{"xts-aes-128", 256, "XtsAes128"};  // two AES-128 keys, counted like LUKS
    case 7:
      return Cipher{"xts-aes-256", 512, "XtsAes256"};
    default:
      return std::nullopt;
  }
}

// GetKeyProtectorType values; nullptr for a value this agent does not know.
const char* ProtectorName(std::int64_t type) {
  switch (type) {
    case 0:
      return "unknown";
    case 1:
      return "tpm";
    case 2:
      return "external_key";
    case 3:
      return "recovery";
    case 4:
      return "tpm+pin";
    case 5:
      return "tpm+startup_key";
    case 6:
      return "tpm+pin+startup_key";
    case 7:
      return "public_key";
    case 8:
      return "passphrase";
    case 9:
      return "tpm_certificate";
    case 10:
      return "ad_account";
    default:
      return nullptr;
  }
}

const char* ConversionName(std::int64_t status) {
  switch (status) {
    case 0:
      return "decrypted";
    case 1:
      return "encrypted";
    case 2:
      return "encrypting";
    case 3:
      return "decrypting";
    case 4:
      return "encryption_paused";
    case 5:
      return "decryption_paused";
    default:
      return nullptr;
  }
}

// "C:\\" -> "C:", "C:\\Data\\" -> "C:\\Data"; nullopt for a volume without a drive letter or
// mount folder ("\\\\?\\Volume{...}\\").
std::optional<std::string> MountPointOf(const std::string& name) {
  if (name.empty() || StartsWith(name, "\\\\?\\")) return std::nullopt;
  std::string mp = name;
  if (mp.size() > 2 && mp.back() == '\\') mp.pop_back();
  return mp;
}

// "{8F2C1D3E-...}" -> "8f2c1d3e-..."; nullopt when empty.
std::optional<std::string> VolumeUuid(const std::optional<std::string>& id) {
  if (!id || id->empty()) return std::nullopt;
  std::string s = AsciiLower(*id);
  if (s.size() >= 2 && s.front() == '{' && s.back() == '}') s = s.substr(1, s.size() - 2);
  return s;
}

// The value of an out-parameter for a reason: the number, or "(none)".
std::string Describe(const WmiRow& out, const std::string& name) {
  auto v = WmiInt(out, name);
  return v ? std::to_string(*v) : std::string("(none)");
}

class BitLockerProbe final : public Probe {
 public:
  explicit BitLockerProbe(WindowsSystem& system) : wmi_(system.wmi()) {}
  std::string_view name() const override { return "disk_encryption"; }

  void OnFailure(FactsDocument& facts, const std::string& reason) override {
    facts.disk_encryption.volumes.reset();
    facts.disk_encryption.reason = reason;
  }

  Status Collect(FactsDocument& facts) override {
    auto listed = wmi_.Query(
        kCimv2,
        "SELECT DeviceID, Name, DriveLetter, FileSystem, DriveType, BootVolume FROM Win32_Volume");
    if (!listed.ok()) return listed.status().WithContext("Win32_Volume");
    auto encryptable = wmi_.Query(kBitLockerNamespace,
                                  "SELECT DeviceID, DriveLetter, VolumeType, PersistentVolumeID "
                                  "FROM Win32_EncryptableVolume");
    std::optional<std::string> bitlocker_unreadable;
    std::map<std::string, const WmiRow*> by_device;
    if (!encryptable.ok()) {
      std::string why = encryptable.status().message();
      if (encryptable.status().code() == StatusCode::kPermissionDenied) {
        why += " (run as administrator)";
      } else if (encryptable.status().code() == StatusCode::kNotFound) {
        why += " (BitLocker WMI provider not present)";
      }
      bitlocker_unreadable = "BitLocker status not read: Win32_EncryptableVolume: " + why;
    } else {
      for (const auto& row : *encryptable) {
        if (auto id = WmiString(row, "DeviceID")) by_device[*id] = &row;
      }
    }

    std::vector<VolumeFacts> volumes;
    for (const auto& row : *listed) {
      auto device = WmiString(row, "DeviceID");
      auto mount_point = MountPointOf(WmiString(row, "Name").value_or(""));
      if (!device || !mount_point) continue;  // no drive letter and no mount folder
      VolumeFacts v;
      // The Windows-only members are always present, null until BitLocker says otherwise.
      v.extra["lock_status"] = nullptr;
      v.extra["used_space_only"] = nullptr;
      v.extra["encryption_method"] = nullptr;
      v.device = *device;
      v.mount_point = mount_point;
      if (auto fs = WmiString(row, "FileSystem"); fs && !fs->empty()) v.fstype = AsciiLower(*fs);
      // Win32_Volume.DriveType 2: removable disk.
      const bool removable_drive = WmiInt(row, "DriveType") == 2;
      v.removable = removable_drive;
      // BootVolume: the volume holding Windows (Microsoft's "boot" is Bulwark's "system").
      v.role = removable_drive                      ? "removable"
               : WmiBool(row, "BootVolume") == true ? "system"
                                                    : "data";
      if (bitlocker_unreadable) {
        v.reason = bitlocker_unreadable;
      } else if (auto it = by_device.find(*device); it == by_device.end()) {
        // Not encryptable by BitLocker (e.g. a network or optical volume); nothing is known.
        v.reason = "not listed by Win32_EncryptableVolume";
      } else {
        MapVolume(*it->second, v);
      }
      volumes.push_back(std::move(v));
    }
    // Windows always has the volume it runs from. A list without it (Wine lists no volumes
    // at all) is incomplete, and an empty list would let "every volume is encrypted" pass.
    if (std::none_of(volumes.begin(), volumes.end(),
                     [](const VolumeFacts& v) { return v.role == "system"; })) {
      return Status(StatusCode::kDataLoss,
                    "Win32_Volume listed " + std::to_string(volumes.size()) +
                        " mounted volume(s) and none holding Windows (BootVolume): the list "
                        "is incomplete");
    }
    std::sort(volumes.begin(), volumes.end(), [](const VolumeFacts& a, const VolumeFacts& b) {
      return a.mount_point < b.mount_point;
    });
    facts.disk_encryption.volumes = std::move(volumes);
    // Listing succeeded: the reason for unknown BitLocker state sits on each volume.
    facts.disk_encryption.reason.reset();
    return Status();
  }

 private:
  Result<WmiRow> Call(const std::string& path, const std::string& method, const WmiRow& in = {}) {
    auto out = wmi_.CallMethod(kBitLockerNamespace, path, method, in);
    RETURN_IF_ERROR(MethodOutcome(out, method));
    return out;
  }

  // Fills the BitLocker members of `v` from one Win32_EncryptableVolume instance.
  void MapVolume(const WmiRow& row, VolumeFacts& v) {
    std::vector<std::string> reasons;
    const std::string path = WmiObjectPath(kEncryptableVolume, "DeviceID", v.device);
    // VolumeType: 0 operating system volume, 1 fixed data, 2 portable (removable).
    auto type = WmiInt(row, "VolumeType");
    if (type == 0) {
      v.role = "system";
    } else if (type == 2) {
      v.role = "removable";
      v.removable = true;
    }
    v.uuid = VolumeUuid(WmiString(row, "PersistentVolumeID"));

    // Lock status first: a locked volume answers the other calls with FVE_E_LOCKED_VOLUME.
    // Statuses are kept as -1 when unknown.
    std::int64_t lock = -1;
    if (auto out = Call(path, "GetLockStatus"); out.ok()) {
      lock = WmiInt(*out, "LockStatus").value_or(-1);
      if (lock != 0 && lock != 1) {
        reasons.push_back("GetLockStatus: unknown LockStatus " + Describe(*out, "LockStatus"));
        lock = -1;
      }
    } else {
      reasons.push_back(out.status().message());
    }
    const bool locked = lock == 1;
    if (lock >= 0) v.extra["lock_status"] = locked ? "locked" : "unlocked";

    std::int64_t conversion = -1;
    if (locked) {
      // Unknowable while locked (and refused with FVE_E_LOCKED_VOLUME); the volume is encrypted.
    } else if (auto out = Call(path, "GetConversionStatus",
                               WmiRow{{"PrecisionFactor", WmiValue(std::int64_t{1})}});
               out.ok()) {
      conversion = WmiInt(*out, "ConversionStatus").value_or(-1);
      if (const char* name = ConversionName(conversion)) {
        v.conversion = name;
        // With PrecisionFactor 1 the percentage comes in tenths of a percent.
        auto pct = WmiInt(*out, "EncryptionPercentage").value_or(-1);
        if (pct >= 0 && pct <= 1000) v.conversion_percent = static_cast<double>(pct) / 10.0;
        // EncryptionFlags bit 0: encrypted (or encrypting) used disk space only. Meaningless
        // on a decrypted volume, which stays null.
        if (auto flags = WmiInt(*out, "EncryptionFlags"); flags && conversion != 0) {
          v.extra["used_space_only"] = (static_cast<std::uint64_t>(*flags) & 0x1u) != 0;
        }
      } else {
        reasons.push_back("GetConversionStatus: unknown ConversionStatus " +
                          Describe(*out, "ConversionStatus"));
        conversion = -1;
      }
    } else {
      reasons.push_back(out.status().message());
    }

    if (locked) {
      v.encrypted = true;
    } else if (conversion >= 0) {
      v.encrypted = conversion == 1;
    }
    if (locked || conversion > 0) v.scheme = "bitlocker";

    if (auto out = Call(path, "GetEncryptionMethod"); out.ok()) {
      const std::int64_t method = WmiInt(*out, "EncryptionMethod").value_or(-1);
      if (auto cipher = CipherFor(method)) {
        v.cipher = cipher->name;
        v.key_bits = cipher->key_bits;
        v.extra["encryption_method"] = cipher->method;
      } else if (method != 0) {  // 0: not encrypted, no cipher
        reasons.push_back("GetEncryptionMethod: unknown EncryptionMethod " +
                          Describe(*out, "EncryptionMethod"));
      }
    } else {
      reasons.push_back(out.status().message());
    }

    v.key_protectors = ReadProtectors(path, reasons);

    std::int64_t protection = -1;
    if (auto out = Call(path, "GetProtectionStatus"); out.ok()) {
      // 0 unprotected, 1 protected, 2 unknown (what a locked volume reports).
      protection = WmiInt(*out, "ProtectionStatus").value_or(-1);
      if (protection < 0 || protection > 2) {
        reasons.push_back("GetProtectionStatus: unknown ProtectionStatus " +
                          Describe(*out, "ProtectionStatus"));
        protection = -1;
      }
    } else {
      reasons.push_back(out.status().message());
    }
    if (protection == 2 && !locked) {
      reasons.push_back("GetProtectionStatus: ProtectionStatus 2 (unknown) on an unlocked volume");
    }
    if (locked || protection == 1) {
      v.protection = "on";
    } else if (protection == 0) {
      if (conversion == 0) {
        v.protection = "off";
      } else if (conversion > 0 && v.key_protectors) {
        // Encrypted (or converting) with protection off: suspended when protectors exist
        // (a clear key was added), off when there are none (device encryption not activated).
        v.protection = v.key_protectors->empty() ? "off" : "suspended";
      }
    }
    if (!reasons.empty()) v.reason = Join(reasons, "; ");
  }

  // Distinct protector types in GetKeyProtectors order; nullopt when not readable.
  std::optional<std::vector<std::string>> ReadProtectors(const std::string& path,
                                                         std::vector<std::string>& reasons) {
    auto out =
        Call(path, "GetKeyProtectors", WmiRow{{"KeyProtectorType", WmiValue(std::int64_t{0})}});
    if (!out.ok()) {
      reasons.push_back(out.status().message());
      return std::nullopt;
    }
    std::vector<std::string> types;
    for (const auto& id :
         WmiStrings(*out, "VolumeKeyProtectorID").value_or(std::vector<std::string>{})) {
      auto type_out =
          Call(path, "GetKeyProtectorType", WmiRow{{"VolumeKeyProtectorID", WmiValue(id)}});
      if (!type_out.ok()) {
        reasons.push_back(type_out.status().message());
        return std::nullopt;
      }
      const char* name = ProtectorName(WmiInt(*type_out, "KeyProtectorType").value_or(-1));
      if (name == nullptr) {
        reasons.push_back("GetKeyProtectorType: unknown KeyProtectorType " +
                          Describe(*type_out, "KeyProtectorType"));
        name = "unknown";
      }
      if (std::find(types.begin(), types.end(), name) == types.end()) types.push_back(name);
    }
    return types;
  }

  WmiClient& wmi_;
};

}  // namespace

std::unique_ptr<Probe> NewBitLockerProbe(WindowsSystem& system) {
  return std::make_unique<BitLockerProbe>(system);
}

}  // namespace bulwark
