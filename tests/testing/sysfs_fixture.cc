#include "tests/testing/sysfs_fixture.h"

#include <filesystem>

namespace bulwark::testing {
namespace {

std::string Relative(const std::string& target, const std::string& link) {
  return std::filesystem::path(target)
      .lexically_relative(std::filesystem::path(link).parent_path())
      .string();
}

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == ' ') {
      out += "\\040";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

void SysfsFixture::AddDevice(const std::string& name, const std::string& dir, int major,
                             int minor) {
  dirs_[name] = dir;
  const std::string number = std::to_string(major) + ":" + std::to_string(minor);
  root_.WriteFile(dir + "/dev", number + "\n");
  root_.WriteFile(dir + "/size", "65536\n");
  const std::string dev_link = "/sys/dev/block/" + number;
  root_.Symlink(dev_link, Relative(dir, dev_link));
  const std::string class_link = "/sys/class/block/" + name;
  root_.Symlink(class_link, Relative(dir, class_link));
}

void SysfsFixture::AddDisk(const std::string& name, int major, int minor, bool removable,
                           const std::string& bus) {
  std::string parent;
  if (bus == "nvme") {
    parent = "/sys/devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0";
  } else if (bus == "usb") {
    parent =
        "/sys/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0/block";
  } else if (bus == "virtio") {
    parent = "/sys/devices/pci0000:00/0000:00:04.0/virtio1/block";
  } else {
    parent = "/sys/devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block";
  }
  const std::string dir = parent + "/" + name;
  AddDevice(name, dir, major, minor);
  root_.WriteFile(dir + "/removable", removable ? "1\n" : "0\n");
  root_.MakeDirs(dir + "/slaves");
  root_.MakeDirs(dir + "/holders");
  const std::string block_link = "/sys/block/" + name;
  root_.Symlink(block_link, Relative(dir, block_link));
}

void SysfsFixture::AddPartition(const std::string& disk, const std::string& name, int major,
                                int minor) {
  const std::string dir = dirs_.at(disk) + "/" + name;
  AddDevice(name, dir, major, minor);
  root_.WriteFile(dir + "/partition", std::to_string(minor) + "\n");
  root_.MakeDirs(dir + "/holders");
}

void SysfsFixture::LinkSlaves(const std::string& name, const std::vector<std::string>& slaves) {
  const std::string dir = dirs_.at(name);
  root_.MakeDirs(dir + "/slaves");
  root_.MakeDirs(dir + "/holders");
  for (const auto& slave : slaves) {
    const std::string link = dir + "/slaves/" + slave;
    auto it = dirs_.find(slave);
    // A slave we never added becomes a dangling link, as in a broken sysfs.
    std::string target = it != dirs_.end() ? it->second : "/sys/devices/virtual/block/" + slave;
    root_.Symlink(link, Relative(target, link));
    if (it != dirs_.end()) {
      const std::string holder = it->second + "/holders/" + name;
      root_.Symlink(holder, Relative(dir, holder));
    }
  }
}

void SysfsFixture::AddDm(const std::string& name, int major, int minor, const std::string& dm_name,
                         const std::string& uuid, const std::vector<std::string>& slaves) {
  const std::string dir = "/sys/devices/virtual/block/" + name;
  AddDevice(name, dir, major, minor);
  root_.WriteFile(dir + "/removable", "0\n");
  root_.WriteFile(dir + "/dm/name", dm_name + "\n");
  root_.WriteFile(dir + "/dm/uuid", uuid.empty() ? "\n" : uuid + "\n");
  root_.WriteFile(dir + "/dm/suspended", "0\n");
  const std::string block_link = "/sys/block/" + name;
  root_.Symlink(block_link, Relative(dir, block_link));
  root_.Symlink("/dev/mapper/" + dm_name, "../" + name);
  LinkSlaves(name, slaves);
}

void SysfsFixture::AddMd(const std::string& name, int major, int minor,
                         const std::vector<std::string>& slaves) {
  const std::string dir = "/sys/devices/virtual/block/" + name;
  AddDevice(name, dir, major, minor);
  root_.WriteFile(dir + "/removable", "0\n");
  root_.WriteFile(dir + "/md/level", "raid1\n");
  const std::string block_link = "/sys/block/" + name;
  root_.Symlink(block_link, Relative(dir, block_link));
  LinkSlaves(name, slaves);
}

void SysfsFixture::AddLoop(const std::string& name, int major, int minor,
                           const std::string& backing_file) {
  const std::string dir = "/sys/devices/virtual/block/" + name;
  AddDevice(name, dir, major, minor);
  root_.WriteFile(dir + "/removable", "0\n");
  root_.WriteFile(dir + "/loop/backing_file", backing_file + "\n");
  root_.MakeDirs(dir + "/slaves");
  const std::string block_link = "/sys/block/" + name;
  root_.Symlink(block_link, Relative(dir, block_link));
}

void SysfsFixture::AddMount(int major, int minor, const std::string& mount_point,
                            const std::string& fstype, const std::string& source,
                            const std::string& root) {
  int id = next_mount_id_++;
  mount_lines_.push_back(std::to_string(id) + " 1 " + std::to_string(major) + ":" +
                         std::to_string(minor) + " " + Escape(root) + " " + Escape(mount_point) +
                         " rw,relatime shared:" + std::to_string(id) + " - " + fstype + " " +
                         Escape(source) + " rw");
}

void SysfsFixture::AddSwap(const std::string& path, const std::string& type) {
  swap_lines_.push_back(Escape(path) + "\t\t\t\t" + type + "\t\t999420\t\t0\t\t-2");
}

void SysfsFixture::AddPseudoMounts() {
  AddMount(0, 22, "/proc", "proc", "proc");
  AddMount(0, 21, "/sys", "sysfs", "sysfs");
  AddMount(0, 5, "/dev", "devtmpfs", "udev");
  AddMount(0, 24, "/run", "tmpfs", "tmpfs");
  AddMount(0, 26, "/sys/fs/cgroup", "cgroup2", "cgroup2");
  AddMount(0, 7, "/sys/kernel/security", "securityfs", "securityfs");
  AddMount(0, 43, "/run/user/1000/gvfs", "fuse.gvfsd-fuse", "gvfsd-fuse");
  AddMount(7, 3, "/snap/core22/1380", "squashfs", "/dev/loop3");
}

void SysfsFixture::Write() const {
  std::string mountinfo;
  for (const auto& line : mount_lines_) mountinfo += line + "\n";
  root_.WriteFile("/proc/self/mountinfo", mountinfo);
  std::string swaps = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";
  for (const auto& line : swap_lines_) swaps += line + "\n";
  root_.WriteFile("/proc/swaps", swaps);
}

}  // namespace bulwark::testing
