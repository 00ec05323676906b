#include "platform/linux/disk_encryption_probe.h"

#include <algorithm>
#include <map>
#include <set>

#include "agent/base/strings.h"
#include "agent/probes/mountinfo.h"
#include "agent/probes/swaps.h"

namespace bulwark {
namespace {

// Read-only image filesystems (snaps, live media): they hold no user data at rest.
bool IsImageFilesystem(const std::string& fstype) {
  return fstype == "squashfs" || fstype == "erofs" || fstype == "iso9660";
}

// Filesystems whose mountinfo MAJ:MIN is an anonymous device (major 0) although they sit on
// block devices; they are resolved through the mount source instead.
bool IsAnonymousBlockFilesystem(const std::string& fstype) {
  return fstype == "btrfs" || fstype == "zfs" || fstype == "bcachefs";
}

struct MountGroup {
  const MountInfoEntry* primary = nullptr;
  std::vector<std::string> others;
};

// The mount that represents a filesystem: "/" if it is mounted there, else a mount of the
// filesystem's own root (not a bind of a subdirectory) with the shortest path, else the first.
bool Better(const MountInfoEntry& a, const MountInfoEntry& b) {
  if ((a.mount_point == "/") != (b.mount_point == "/")) return a.mount_point == "/";
  if ((a.root == "/") != (b.root == "/")) return a.root == "/";
  return a.mount_point.size() < b.mount_point.size();
}

// Longest mount point that contains `path`.
const VolumeFacts* VolumeContaining(const std::vector<VolumeFacts>& volumes,
                                    const std::string& path) {
  const VolumeFacts* best = nullptr;
  std::size_t best_len = 0;
  auto consider = [&](const VolumeFacts& v, const std::string& mp) {
    bool contains = mp == "/" || path == mp || StartsWith(path, mp + "/");
    if (contains && (best == nullptr || mp.size() > best_len)) {
      best = &v;
      best_len = mp.size();
    }
  };
  for (const auto& v : volumes) {
    if (v.role == "swap" || !v.mount_point) continue;
    consider(v, *v.mount_point);
    for (const auto& mp : v.other_mount_points) consider(v, mp);
  }
  return best;
}

// Copies the encryption facts of the filesystem holding a file (swap file, loop backing file).
void InheritFrom(const VolumeFacts& holder, VolumeFacts& v) {
  v.encrypted = holder.encrypted;
  v.scheme = holder.scheme;
  v.cipher = holder.cipher;
  v.key_bits = holder.key_bits;
  v.uuid = holder.uuid;
  v.key_protectors = holder.key_protectors;
  v.keyslots = holder.keyslots;
  v.encryption_device = holder.encryption_device;
  v.reason = holder.reason;
  v.removable = holder.removable;
  for (const auto& s : holder.stack) v.stack.push_back(s);
}

}  // namespace

std::string RoleForMount(const std::string& mount_point, bool removable) {
  if (mount_point == "/") return "system";
  if (mount_point == "/boot" || mount_point == "/boot/efi" || mount_point == "/efi") return "boot";
  if (removable) return "removable";
  return "data";
}

void DiskEncryptionProbe::OnFailure(FactsDocument& facts, const std::string& reason) {
  facts.disk_encryption.volumes.reset();
  facts.disk_encryption.reason = reason;
}

void DiskEncryptionProbe::ApplyVerdict(const EncryptionVerdict& verdict, VolumeFacts& v,
                                       HeaderCache& headers) const {
  v.encrypted = verdict.encrypted;
  v.removable = verdict.removable;
  if (verdict.encrypted == false) {
    v.key_protectors = std::vector<std::string>{};  // nothing protects an unencrypted volume
    return;
  }
  if (!verdict.encrypted.has_value()) {
    v.reason = verdict.reason;
    return;
  }
  const BlockNode& crypt = *verdict.crypt;
  v.scheme = crypt.dm.subsystem;
  v.uuid = crypt.dm.luks_uuid;
  if (crypt.slaves.size() != 1 || crypt.slaves[0].name.empty()) {
    v.reason = DevicePathOf(crypt) + ": dm-crypt device without exactly one underlying device";
    return;
  }
  const std::string device = "/dev/" + crypt.slaves[0].name;
  v.encryption_device = device;
  const bool is_luks = crypt.dm.subsystem == "luks1" || crypt.dm.subsystem == "luks2";
  const FileSystem& fs = system_.file_system();
  if (is_luks) {
    auto cached = headers.find(device);
    if (cached == headers.end()) {
      cached = headers.emplace(device, luks_.ReadHeader(fs.HostPath(device))).first;
    }
    const Result<LuksHeader>& header = cached->second;
    if (!header.ok()) {
      std::string why = header.status().message();
      if (header.status().code() == StatusCode::kPermissionDenied)
        why += "; run as root to read it";
      v.reason = "LUKS header of " + device + " not read: " + why;
      return;
    }
    v.scheme = header->version;
    v.cipher = header->cipher;
    v.key_bits = header->key_bits;
    if (v.uuid && *v.uuid != header->uuid) {
      v.reason = "dm uuid names LUKS " + *v.uuid + " but " + device + " holds " + header->uuid;
    }
    v.uuid = header->uuid;
    auto slots = MapKeyslots(header->active_keyslots, header->tokens);
    v.key_protectors = DistinctProtectors(slots);
    v.keyslots = std::move(slots);
    return;
  }
  // No on-disk header (plain) or a foreign format: only the kernel's table knows the cipher.
  if (fs.IsLiveRoot() && crypt.dm_name) {
    auto active = luks_.ReadActive(*crypt.dm_name);
    if (active.ok()) {
      v.cipher = active->cipher;
      v.key_bits = active->key_bits;
      return;
    }
    v.reason = crypt.dm.subsystem +
               " dm-crypt: cipher not read from the kernel: " + active.status().message();
    return;
  }
  v.reason = crypt.dm.subsystem +
             " dm-crypt has no on-disk header; its cipher is known only to the running kernel";
}

Status DiskEncryptionProbe::Collect(FactsDocument& facts) {
  const FileSystem& fs = system_.file_system();
  ASSIGN_OR_RETURN(std::string mountinfo_text, fs.ReadFile("/proc/self/mountinfo"));
  MountInfoParseResult mountinfo = ParseMountInfo(mountinfo_text);
  std::vector<std::string> caveats;
  if (!mountinfo.malformed_lines.empty()) {
    caveats.push_back(std::to_string(mountinfo.malformed_lines.size()) +
                      " malformed line(s) in /proc/self/mountinfo ignored");
  }

  // One group per filesystem, in first-seen order.
  std::vector<std::pair<std::string, MountGroup>> groups;
  std::map<std::string, std::size_t> index;
  for (const auto& e : mountinfo.entries) {
    if (IsImageFilesystem(e.fstype)) continue;
    if (e.major == 0 && !IsAnonymousBlockFilesystem(e.fstype)) continue;  // pseudo/net/fuse
    std::string key = std::to_string(e.major) + ":" + std::to_string(e.minor);
    auto [it, inserted] = index.emplace(key, groups.size());
    if (inserted) {
      groups.push_back({key, MountGroup{&e, {}}});
      continue;
    }
    MountGroup& g = groups[it->second].second;
    if (Better(e, *g.primary)) {
      g.others.push_back(g.primary->mount_point);
      g.primary = &e;
    } else {
      g.others.push_back(e.mount_point);
    }
  }

  BlockStackReader reader(fs);
  HeaderCache headers;
  std::vector<VolumeFacts> volumes;
  std::vector<std::pair<std::size_t, BlockNode>> deferred;
  for (auto& [key, group] : groups) {
    const MountInfoEntry& e = *group.primary;
    VolumeFacts v;
    v.mount_point = e.mount_point;
    v.fstype = e.fstype;
    v.other_mount_points = group.others;
    std::sort(v.other_mount_points.begin(), v.other_mount_points.end());
    BlockNode stack;
    if (e.major == 0) {
      auto resolved = reader.ReadByPath(e.source);
      if (!resolved.ok()) {
        v.device = e.source;
        v.role = RoleForMount(e.mount_point, false);
        v.reason = e.fstype + " on " + e.source + ": device not found (" +
                   resolved.status().message() + ")";
        volumes.push_back(std::move(v));
        continue;
      }
      stack = std::move(*resolved);
    } else {
      stack = reader.ReadByNumber(e.major, e.minor);
    }
    v.device = stack.kind == BlockKind::kMissing ? e.source : DevicePathOf(stack);
    v.stack = DescribeStack(stack);
    bool has_loop = std::any_of(v.stack.begin(), v.stack.end(),
                                [](const std::string& s) { return EndsWith(s, ":loop"); });
    if (has_loop) {
      deferred.emplace_back(volumes.size(), std::move(stack));
      volumes.push_back(std::move(v));
      continue;
    }
    EncryptionVerdict verdict = EvaluateEncryption(stack, nullptr);
    ApplyVerdict(verdict, v, headers);
    v.role = RoleForMount(e.mount_point, verdict.removable);
    if (e.fstype == "zfs" && v.encrypted == false) {
      // ZFS can encrypt natively below the pool; we do not read dataset properties yet.
      v.encrypted.reset();
      v.reason = "zfs native encryption is not inspected";
    }
    volumes.push_back(std::move(v));
  }

  // Loop devices: encrypted exactly when the filesystem holding the backing file is.
  for (auto& [pos, stack] : deferred) {
    VolumeFacts& v = volumes[pos];
    LoopResolver resolve = [&](const BlockNode& loop) {
      EncryptionVerdict lv;
      if (!loop.loop_backing_file) {
        lv.reason = "/dev/" + loop.name + ": loop backing file unknown";
        return lv;
      }
      const VolumeFacts* holder = VolumeContaining(volumes, *loop.loop_backing_file);
      if (holder == nullptr || holder == &v || holder->stack.empty() ||
          std::any_of(holder->stack.begin(), holder->stack.end(),
                      [](const std::string& s) { return EndsWith(s, ":loop"); })) {
        lv.reason = "/dev/" + loop.name + ": filesystem holding " + *loop.loop_backing_file +
                    " not determined";
        return lv;
      }
      lv.encrypted = holder->encrypted;
      lv.removable = holder->removable.value_or(false);
      lv.reason = "loop device " + loop.name + " backed by " + *loop.loop_backing_file + " on " +
                  holder->mount_point.value_or("?");
      return lv;
    };
    EncryptionVerdict verdict = EvaluateEncryption(stack, resolve);
    v.encrypted = verdict.encrypted;
    v.removable = verdict.removable;
    v.reason = verdict.reason;
    v.role = RoleForMount(*v.mount_point, verdict.removable);
  }

  // Swap areas.
  auto swaps_text = fs.ReadFile("/proc/swaps");
  if (!swaps_text.ok()) {
    if (swaps_text.status().code() != StatusCode::kNotFound) {
      caveats.push_back("swap areas unknown: " + swaps_text.status().message());
    }
  } else {
    SwapsParseResult swaps = ParseSwaps(*swaps_text);
    if (!swaps.malformed_lines.empty()) {
      caveats.push_back(std::to_string(swaps.malformed_lines.size()) +
                        " malformed line(s) in /proc/swaps ignored");
    }
    for (const auto& s : swaps.entries) {
      // zram swap lives in compressed RAM: nothing reaches storage, nothing to encrypt.
      if (StartsWith(s.path, "/dev/zram")) continue;
      VolumeFacts v;
      v.role = "swap";
      v.device = s.path;
      v.fstype = "swap";
      if (s.type == "file") {
        const VolumeFacts* holder = VolumeContaining(volumes, s.path);
        v.stack.push_back("file:" + s.path);
        if (holder == nullptr) {
          v.reason = "swap file " + s.path + " is on no listed filesystem";
        } else {
          InheritFrom(*holder, v);
        }
        volumes.push_back(std::move(v));
        continue;
      }
      auto stack = reader.ReadByPath(s.path);
      if (!stack.ok()) {
        v.reason = "swap device " + s.path + ": " + stack.status().message();
        volumes.push_back(std::move(v));
        continue;
      }
      v.device = DevicePathOf(*stack);
      v.stack = DescribeStack(*stack);
      EncryptionVerdict verdict = EvaluateEncryption(*stack, nullptr);
      ApplyVerdict(verdict, v, headers);
      volumes.push_back(std::move(v));
    }
  }

  facts.disk_encryption.volumes = std::move(volumes);
  if (!caveats.empty()) facts.disk_encryption.reason = Join(caveats, "; ");
  return Status::Ok();
}

}  // namespace bulwark
