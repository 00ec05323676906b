#include "platform/linux/block_stack.h"

#include <algorithm>

#include "agent/base/strings.h"

namespace bulwark {
namespace {

constexpr int kMaxDepth = 16;  // real stacks are 2-5 deep; deeper means a broken tree

std::string Basename(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string Parent(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

const char* KindName(const BlockNode& n) {
  switch (n.kind) {
    case BlockKind::kDisk:
      return "disk";
    case BlockKind::kPartition:
      return "partition";
    case BlockKind::kDmCrypt:
      return "crypt";
    case BlockKind::kDmStacking:
      return "dm";
    case BlockKind::kDmUnknown:
      return "dm-unknown";
    case BlockKind::kMd:
      return "md";
    case BlockKind::kLoop:
      return "loop";
    case BlockKind::kMissing:
      return "missing";
  }
  return "unknown";
}

void Describe(const BlockNode& n, std::vector<std::string>& out) {
  std::string entry = n.name.empty() ? std::string("?") : n.name;
  entry += ":";
  if ((n.kind == BlockKind::kDmCrypt || n.kind == BlockKind::kDmStacking) &&
      !n.dm.subsystem.empty()) {
    entry += n.kind == BlockKind::kDmCrypt ? "crypt-" + n.dm.subsystem : n.dm.subsystem;
  } else {
    entry += KindName(n);
  }
  out.push_back(std::move(entry));
  for (const auto& s : n.slaves) Describe(s, out);
}

}  // namespace

std::string DevicePathOf(const BlockNode& node) {
  if (node.dm_name && !node.dm_name->empty()) return "/dev/mapper/" + *node.dm_name;
  return "/dev/" + node.name;
}

std::vector<std::string> DescribeStack(const BlockNode& node) {
  std::vector<std::string> out;
  Describe(node, out);
  return out;
}

EncryptionVerdict EvaluateEncryption(const BlockNode& node, const LoopResolver& resolve_loop) {
  EncryptionVerdict v;
  switch (node.kind) {
    case BlockKind::kDmCrypt: {
      v.encrypted = true;
      v.crypt = &node;
      // Below the crypt layer only removability matters.
      for (const auto& s : node.slaves) {
        v.removable = v.removable || EvaluateEncryption(s, resolve_loop).removable;
      }
      return v;
    }
    case BlockKind::kDisk:
    case BlockKind::kPartition:
      v.encrypted = false;
      v.removable = node.removable;
      v.reason = "no dm-crypt layer above " + DevicePathOf(node);
      return v;
    case BlockKind::kLoop:
      if (resolve_loop) return resolve_loop(node);
      v.reason = "loop device " + node.name + ": backing file not resolved";
      return v;
    case BlockKind::kMissing:
    case BlockKind::kDmUnknown:
      v.reason = node.problem;
      return v;
    case BlockKind::kDmStacking:
    case BlockKind::kMd:
      break;
  }
  if (node.slaves.empty()) {
    v.reason = DevicePathOf(node) + ": stacking device lists no slaves in sysfs";
    return v;
  }
  std::optional<EncryptionVerdict> unencrypted, unknown, encrypted;
  for (const auto& s : node.slaves) {
    EncryptionVerdict sv = EvaluateEncryption(s, resolve_loop);
    v.removable = v.removable || sv.removable;
    if (sv.encrypted == false && !unencrypted) unencrypted = sv;
    if (!sv.encrypted.has_value() && !unknown) unknown = sv;
    if (sv.encrypted == true && !encrypted) encrypted = sv;
  }
  bool removable = v.removable;
  if (unencrypted) {
    v = *unencrypted;
  } else if (unknown) {
    v = *unknown;
  } else {
    v = *encrypted;
  }
  v.removable = removable;
  return v;
}

bool BlockStackReader::IsRemovable(const std::string& disk_dir) const {
  auto flag = fs_.ReadFile(disk_dir + "/removable", 64);
  if (flag.ok() && TrimWhitespace(*flag) == "1") return true;
  // USB disks often report removable=0; their sysfs path runs through the USB bus.
  return disk_dir.find("/usb") != std::string::npos;
}

BlockNode BlockStackReader::ReadNode(const std::string& dir, int depth,
                                     std::vector<std::string>& visiting) const {
  BlockNode node;
  node.name = Basename(dir);
  node.sysfs_path = dir;
  if (depth > kMaxDepth || std::find(visiting.begin(), visiting.end(), dir) != visiting.end()) {
    node.problem = dir + ": device stack loops or is deeper than " + std::to_string(kMaxDepth);
    return node;
  }
  if (auto dm_dir = fs_.Stat(dir + "/dm"); dm_dir.ok()) {
    if (auto name = fs_.ReadFile(dir + "/dm/name", 4096); name.ok()) {
      node.dm_name = std::string(TrimWhitespace(*name));
    }
    auto uuid = fs_.ReadFile(dir + "/dm/uuid", 4096);
    if (!uuid.ok()) {
      node.kind = BlockKind::kDmUnknown;
      node.problem = DevicePathOf(node) + ": cannot read dm uuid (" + uuid.status().message() + ")";
      return node;
    }
    node.dm = ClassifyDmUuid(*uuid);
    switch (node.dm.kind) {
      case DmKind::kCrypt:
        node.kind = BlockKind::kDmCrypt;
        break;
      case DmKind::kStacking:
        node.kind = BlockKind::kDmStacking;
        break;
      case DmKind::kUnknown:
        node.kind = BlockKind::kDmUnknown;
        node.problem = TrimWhitespace(*uuid).empty()
                           ? DevicePathOf(node) + ": device-mapper device without a uuid"
                           : DevicePathOf(node) + ": unknown device-mapper target (uuid '" +
                                 std::string(TrimWhitespace(*uuid)).substr(0, 64) + "')";
        return node;
    }
  } else if (fs_.Exists(dir + "/md")) {
    node.kind = BlockKind::kMd;
  } else if (fs_.Exists(dir + "/loop") || StartsWith(node.name, "loop")) {
    node.kind = BlockKind::kLoop;
    if (auto file = fs_.ReadFile(dir + "/loop/backing_file", 8192); file.ok()) {
      node.loop_backing_file = std::string(TrimWhitespace(*file));
    }
    return node;
  } else if (fs_.Exists(dir + "/partition")) {
    node.kind = BlockKind::kPartition;
    node.removable = IsRemovable(Parent(dir));
    return node;
  } else {
    node.kind = BlockKind::kDisk;
    node.removable = IsRemovable(dir);
  }

  auto slaves = fs_.ListDirectory(dir + "/slaves");
  if (!slaves.ok()) {
    if (node.kind == BlockKind::kDisk) return node;  // plain disks have an empty slaves/
    node.kind = BlockKind::kMissing;
    node.problem = DevicePathOf(node) + ": cannot list slaves (" + slaves.status().message() + ")";
    return node;
  }
  if (node.kind == BlockKind::kDisk && !slaves->empty()) {
    // A disk-like device built on others (bcache, drbd, ...): not something we can judge.
    node.kind = BlockKind::kDmUnknown;
    node.problem = DevicePathOf(node) + ": unknown stacking driver over " + Join(*slaves, ",");
    return node;
  }
  visiting.push_back(dir);
  for (const auto& slave : *slaves) {
    auto slave_dir = fs_.Canonicalize(dir + "/slaves/" + slave);
    if (!slave_dir.ok()) {
      BlockNode missing;
      missing.name = slave;
      missing.problem = "slave " + slave + " of " + DevicePathOf(node) + " not in sysfs (" +
                        slave_dir.status().message() + ")";
      node.slaves.push_back(std::move(missing));
      continue;
    }
    node.slaves.push_back(ReadNode(*slave_dir, depth + 1, visiting));
  }
  visiting.pop_back();
  return node;
}

BlockNode BlockStackReader::ReadBySysfsDir(const std::string& sysfs_dir) const {
  std::vector<std::string> visiting;
  return ReadNode(sysfs_dir, 0, visiting);
}

BlockNode BlockStackReader::ReadByNumber(std::uint32_t major, std::uint32_t minor) const {
  std::string number = std::to_string(major) + ":" + std::to_string(minor);
  auto dir = fs_.Canonicalize("/sys/dev/block/" + number);
  if (!dir.ok()) {
    BlockNode missing;
    missing.name = number;
    missing.problem = "block device " + number + " not in sysfs (" + dir.status().message() + ")";
    return missing;
  }
  return ReadBySysfsDir(*dir);
}

Result<BlockNode> BlockStackReader::ReadByPath(std::string_view device_path) const {
  std::string path(device_path);
  if (!StartsWith(path, "/dev/")) return NotFoundError(path + ": not a device path");
  // Follow udev's symlinks (/dev/mapper/x -> ../dm-0, /dev/disk/by-uuid/...) inside the root.
  if (auto canonical = fs_.Canonicalize(path); canonical.ok() && StartsWith(*canonical, "/dev/")) {
    path = *canonical;
  }
  if (StartsWith(path, "/dev/mapper/")) {
    std::string dm_name = path.substr(12);
    ASSIGN_OR_RETURN(auto names, fs_.ListDirectory("/sys/block"));
    for (const auto& name : names) {
      if (!StartsWith(name, "dm-")) continue;
      auto n = fs_.ReadFile("/sys/block/" + name + "/dm/name", 4096);
      if (n.ok() && TrimWhitespace(*n) == dm_name) {
        ASSIGN_OR_RETURN(std::string dir, fs_.Canonicalize("/sys/block/" + name));
        return ReadBySysfsDir(dir);
      }
    }
    return NotFoundError(std::string(device_path) + ": no device-mapper device of that name");
  }
  std::string name = Basename(path);
  auto dir = fs_.Canonicalize("/sys/class/block/" + name);
  if (!dir.ok()) return dir.status().WithContext(std::string(device_path));
  return ReadBySysfsDir(*dir);
}

}  // namespace bulwark
