// Pure classifier for device-mapper UUIDs (/sys/block/dm-N/dm/uuid). No I/O.
//
// The subsystem prefix of a dm UUID says which tool made the device and so what it does:
//   CRYPT-LUKS2-<32 hex>-<name>   dm-crypt opened from a LUKS2 header (LUKS1 alike)
//   CRYPT-PLAIN-<name>            plain dm-crypt, no header
//   CRYPT-BITLK-/TCRYPT-/...      dm-crypt from other formats
//   CRYPT-VERITY-, CRYPT-INTEGRITY-, CRYPT-SUBDEV-   dm-verity/dm-integrity: not encryption
//   LVM-<vg uuid><lv uuid>        LVM logical volume
//   mpath-, part<N>-, DMRAID-, stratis-, VDO-        other stacking targets
// Anything else is kUnknown: the probe reports "unknown" rather than guessing.
#ifndef BULWARK_AGENT_PROBES_DM_UUID_H_
#define BULWARK_AGENT_PROBES_DM_UUID_H_

#include <optional>
#include <string>
#include <string_view>

namespace bulwark {

enum class DmKind {
  kCrypt,     // encrypts its single underlying device
  kStacking,  // maps onto underlying devices without encrypting (LVM, multipath, verity, ...)
  kUnknown,   // prefix not recognised (or empty uuid)
};

struct DmUuidInfo {
  DmKind kind = DmKind::kUnknown;
  // For kCrypt: "luks1", "luks2", "plain", "bitlocker", "tcrypt", "loopaes", "fvault2".
  // For kStacking: "lvm", "multipath", "partition", "verity", "integrity", "dmraid", ...
  std::string subsystem;
  // For LUKS: the header UUID recovered from the dm UUID, dashed (8-4-4-4-12, lower case).
  std::optional<std::string> luks_uuid;
};

DmUuidInfo ClassifyDmUuid(std::string_view uuid);

}  // namespace bulwark

#endif  // BULWARK_AGENT_PROBES_DM_UUID_H_
