// DiskEncryptionProbe: which of this machine's volumes are encrypted, and how (Linux).
//
// Volumes are the mounted block-backed filesystems of proc/self/mountinfo, identified by
// MAJ:MIN (one volume per filesystem; bind mounts and further subvolume mounts are listed in
// other_mount_points), plus the swap areas of proc/swaps. Pseudo, network and FUSE filesystems
// have no block device and are skipped, as are read-only image filesystems (squashfs, erofs,
// iso9660). For each volume the sysfs device stack is walked down (BlockStackReader) and the
// LUKS header of the dm-crypt layer's device is read through the LuksReader seam.
//
// Unknown is null plus a reason: an unreadable header leaves cipher/key_bits/protectors null
// but keeps encrypted=true from the dm uuid; a missing sysfs entry or an unknown dm target
// makes encrypted null. See docs/facts.md for every field.
#ifndef BULWARK_PLATFORM_LINUX_DISK_ENCRYPTION_PROBE_H_
#define BULWARK_PLATFORM_LINUX_DISK_ENCRYPTION_PROBE_H_

#include <map>
#include <string>

#include "agent/probes/probe.h"
#include "agent/sys/system.h"
#include "platform/linux/block_stack.h"
#include "platform/linux/luks_reader.h"

namespace bulwark {

class DiskEncryptionProbe final : public Probe {
 public:
  // `system` and `luks` must outlive the probe.
  DiskEncryptionProbe(const System& system, const LuksReader& luks)
      : system_(system), luks_(luks) {}

  std::string_view name() const override { return "disk_encryption"; }
  Status Collect(FactsDocument& facts) override;
  void OnFailure(FactsDocument& facts, const std::string& reason) override;

 private:
  // Header reads of one Collect() by device: many LVM volumes share one LUKS container.
  using HeaderCache = std::map<std::string, Result<LuksHeader>>;

  // Fills the encryption fields of `volume` from a verdict over its stack.
  void ApplyVerdict(const EncryptionVerdict& verdict, VolumeFacts& volume,
                    HeaderCache& headers) const;

  const System& system_;
  const LuksReader& luks_;
};

// The role of a mounted filesystem (SPEC.md §4): "system" for "/", "boot" for /boot, /boot/efi
// and /efi, "removable" when on removable storage, "data" otherwise.
std::string RoleForMount(const std::string& mount_point, bool removable);

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_LINUX_DISK_ENCRYPTION_PROBE_H_
