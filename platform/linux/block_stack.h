// The device stack under a block device, read from sysfs, and the encryption verdict for it.
//
// BlockStackReader walks sys/dev/block/MAJ:MIN -> the device's sysfs directory -> slaves/ ...
// down to disks, partitions and loop devices, classifying each layer (dm-crypt, LVM and other
// stacking dm targets, md RAID, partition, disk). EvaluateEncryption() is pure: a stack is
// encrypted when every path down to storage passes through dm-crypt; one unencrypted path makes
// it unencrypted; otherwise anything the reader could not classify makes it unknown.
//
// Thread-safety: BlockStackReader holds a const FileSystem& and no other state.
#ifndef BULWARK_PLATFORM_LINUX_BLOCK_STACK_H_
#define BULWARK_PLATFORM_LINUX_BLOCK_STACK_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/status.h"
#include "agent/probes/dm_uuid.h"
#include "agent/sys/file_system.h"

namespace bulwark {

enum class BlockKind {
  kDisk,
  kPartition,
  kDmCrypt,
  kDmStacking,
  kDmUnknown,
  kMd,
  kLoop,
  kMissing,  // sysfs entry absent or unreadable; `problem` says which
};

struct BlockNode {
  std::string name;        // kernel name, e.g. "dm-0", "nvme0n1p3"
  std::string sysfs_path;  // canonical in-root path of the device directory
  BlockKind kind = BlockKind::kMissing;
  DmUuidInfo dm;                       // for dm devices
  std::optional<std::string> dm_name;  // /dev/mapper/<dm_name>
  std::optional<std::string> loop_backing_file;
  bool removable = false;  // disk's removable flag is 1, or it hangs off a USB bus
  std::string problem;     // why kind is kMissing/kDmUnknown
  std::vector<BlockNode> slaves;
};

// "/dev/mapper/<name>" for dm devices, "/dev/<name>" otherwise.
std::string DevicePathOf(const BlockNode& node);

// "dm-0:crypt-luks2", "dm-1:lvm", "sda3:partition" ... in walk order.
std::vector<std::string> DescribeStack(const BlockNode& node);

struct EncryptionVerdict {
  std::optional<bool> encrypted;
  const BlockNode* crypt = nullptr;  // the first dm-crypt layer found, when encrypted
  std::string reason;                // why unknown, or why not encrypted
  bool removable = false;            // some storage leaf is removable
};

// Decides loop devices: the verdict of the filesystem holding the backing file.
using LoopResolver = std::function<EncryptionVerdict(const BlockNode& loop)>;

EncryptionVerdict EvaluateEncryption(const BlockNode& node, const LoopResolver& resolve_loop);

class BlockStackReader {
 public:
  explicit BlockStackReader(const FileSystem& fs) : fs_(fs) {}

  // The stack under block device MAJ:MIN.
  BlockNode ReadByNumber(std::uint32_t major, std::uint32_t minor) const;

  // The stack under a device path as written in mountinfo or /proc/swaps ("/dev/dm-2",
  // "/dev/mapper/vg-swap", "/dev/disk/by-uuid/..."). kNotFound when it names no block device.
  Result<BlockNode> ReadByPath(std::string_view device_path) const;

  // The stack under the device whose sysfs directory is `sysfs_dir` (canonical, in-root).
  BlockNode ReadBySysfsDir(const std::string& sysfs_dir) const;

 private:
  BlockNode ReadNode(const std::string& sysfs_dir, int depth,
                     std::vector<std::string>& visiting) const;
  bool IsRemovable(const std::string& disk_dir) const;

  const FileSystem& fs_;
};

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_LINUX_BLOCK_STACK_H_
