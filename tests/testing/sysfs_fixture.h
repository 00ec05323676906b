// SysfsFixture: builds a root tree that mirrors the kernel's real layout for the
// disk-encryption probe: sys/devices/... directories with dev, removable, partition,
// dm/{name,uuid}, md/, loop/backing_file and relative slaves/ symlinks; sys/dev/block/MAJ:MIN,
// sys/block/NAME and sys/class/block/NAME links; dev/mapper/NAME -> ../dm-N; proc/self/mountinfo
// and proc/swaps. Test-only.
#ifndef BULWARK_TESTS_TESTING_SYSFS_FIXTURE_H_
#define BULWARK_TESTS_TESTING_SYSFS_FIXTURE_H_

#include <map>
#include <string>
#include <vector>

#include "tests/testing/temp_dir.h"

namespace bulwark::testing {

class SysfsFixture {
 public:
  explicit SysfsFixture(const TempDir& root) : root_(root) {}

  // bus: "sata", "nvme", "usb" or "virtio" (decides the sysfs path, as on real hardware).
  void AddDisk(const std::string& name, int major, int minor, bool removable = false,
               const std::string& bus = "sata");
  void AddPartition(const std::string& disk, const std::string& name, int major, int minor);
  // A device-mapper device "dm-N" named `dm_name` with `uuid` over `slaves`; an empty uuid
  // writes an empty dm/uuid file, as for a dm device created without one.
  void AddDm(const std::string& name, int major, int minor, const std::string& dm_name,
             const std::string& uuid, const std::vector<std::string>& slaves);
  void AddMd(const std::string& name, int major, int minor, const std::vector<std::string>& slaves);
  void AddLoop(const std::string& name, int major, int minor, const std::string& backing_file);

  // One mountinfo line; ids are assigned in order.
  void AddMount(int major, int minor, const std::string& mount_point, const std::string& fstype,
                const std::string& source, const std::string& root = "/");
  // Appends a raw line to mountinfo (for garbage tests).
  void AddRawMountLine(const std::string& line) { mount_lines_.push_back(line); }
  void AddSwap(const std::string& path, const std::string& type = "partition");
  // The usual pseudo filesystems (proc, sysfs, tmpfs, devtmpfs, cgroup2, ...).
  void AddPseudoMounts();

  // Writes proc/self/mountinfo and proc/swaps. Call after all Add* calls.
  void Write() const;

  // In-root sysfs directory of a device added above ("/sys/devices/.../sda").
  const std::string& SysfsDir(const std::string& name) const { return dirs_.at(name); }
  // Host path where a device's contents (e.g. a LUKS image) belong: ROOT/dev/NAME.
  std::string DevicePath(const std::string& name) const { return root_.Join("dev/" + name); }

 private:
  void AddDevice(const std::string& name, const std::string& dir, int major, int minor);
  void LinkSlaves(const std::string& name, const std::vector<std::string>& slaves);

  const TempDir& root_;
  std::map<std::string, std::string> dirs_;  // device name -> in-root sysfs dir
  std::vector<std::string> mount_lines_;
  std::vector<std::string> swap_lines_;
  int next_mount_id_ = 20;
};

}  // namespace bulwark::testing

#endif  // BULWARK_TESTS_TESTING_SYSFS_FIXTURE_H_
