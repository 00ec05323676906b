// Pure parser for /proc/<pid>/mountinfo (proc(5)). No I/O.
//
//   36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//   (1)(2)(3)   (4)   (5)         (6)        (7)      (8) (9)  (10)      (11)
//
// Paths are unescaped (\040 -> ' '). Malformed lines are skipped and counted, never fatal:
// a probe must report the good lines of a damaged file.
#ifndef BULWARK_AGENT_PROBES_MOUNTINFO_H_
#define BULWARK_AGENT_PROBES_MOUNTINFO_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bulwark {

struct MountInfoEntry {
  std::uint64_t mount_id = 0;
  std::uint64_t parent_id = 0;
  std::uint32_t major = 0;
  std::uint32_t minor = 0;
  std::string root;         // root of the mount within the filesystem ("/" unless a bind mount)
  std::string mount_point;  // relative to the process's root
  std::string options;      // per-mount options
  std::string fstype;       // e.g. "ext4", "fuse.sshfs"
  std::string source;       // e.g. "/dev/mapper/vg-root", "tmpfs"
  std::string super_options;
};

struct MountInfoParseResult {
  std::vector<MountInfoEntry> entries;
  std::vector<std::size_t> malformed_lines;  // 1-based line numbers
};

MountInfoParseResult ParseMountInfo(std::string_view text);

}  // namespace bulwark

#endif  // BULWARK_AGENT_PROBES_MOUNTINFO_H_
