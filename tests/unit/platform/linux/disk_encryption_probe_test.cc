// The Linux disk-encryption probe against fixture roots that mirror the kernel's layout, with
// real LUKS headers made by cryptsetup(8). Every header-derived field is checked against what
// `cryptsetup luksDump` reports for the same image.
#include "platform/linux/disk_encryption_probe.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "agent/base/strings.h"
#include "platform/linux/cryptsetup_luks_reader.h"
#include "platform/linux/rooted_file_system.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/fake_command_runner.h"
#include "tests/testing/luks_fixture.h"
#include "tests/testing/sysfs_fixture.h"

namespace bulwark {
namespace {

using testing::DumpLuks;
using testing::LuksDump;
using testing::LuksImageOptions;
using testing::MakeLuksImage;
using testing::SysfsFixture;
using testing::TempDir;

std::string NoDashes(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), '-'), s.end());
  return s;
}

std::string CryptUuid(const std::string& type, const std::string& luks_uuid) {
  return "CRYPT-" + type + "-" + NoDashes(luks_uuid) + "-luks-" + luks_uuid;
}

constexpr char kLvmUuid[] = "LVM-Xy3kLq0Zp1cB2dE3fG4hI5jK6lM7nO8pQ9rS0tU1vW2xY3zA4bC5dE6fG7hI8j";

class FakeLuksReader final : public LuksReader {
 public:
  explicit FakeLuksReader(Status header_error) : header_error_(std::move(header_error)) {}
  Result<LuksHeader> ReadHeader(const std::string&) const override { return header_error_; }
  Result<ActiveCrypt> ReadActive(const std::string&) const override {
    return PermissionDeniedError("not root");
  }

 private:
  Status header_error_;
};

class DiskEncryptionProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::HaveCryptsetup()) GTEST_FAIL() << "cryptsetup(8) is required by these tests";
  }

  // Runs the probe over the fixture root with the given LUKS reader.
  FactsDocument Collect(const LuksReader& luks) {
    auto fs = RootedFileSystem::Create(root_.path());
    EXPECT_TRUE(fs.ok()) << fs.status().ToString();
    SystemRef system(*fs, runner_, clock_);
    DiskEncryptionProbe probe(system, luks);
    FactsDocument facts;
    ProbeRegistry registry;
    registry.Add(std::make_unique<DiskEncryptionProbe>(system, luks));
    registry.CollectAll(facts);
    return facts;
  }
  FactsDocument Collect() { return Collect(reader_); }

  static const VolumeFacts* ByMount(const FactsDocument& f, const std::string& mount_point) {
    if (!f.disk_encryption.volumes) return nullptr;
    for (const auto& v : *f.disk_encryption.volumes) {
      if (v.mount_point == mount_point) return &v;
    }
    return nullptr;
  }
  static const VolumeFacts* Swap(const FactsDocument& f, std::size_t index = 0) {
    if (!f.disk_encryption.volumes) return nullptr;
    for (const auto& v : *f.disk_encryption.volumes) {
      if (v.role == "swap" && index-- == 0) return &v;
    }
    return nullptr;
  }

  // Asserts the header-derived fields of `v` against cryptsetup's dump of `image`.
  static void ExpectMatchesDump(const VolumeFacts& v, const std::string& image) {
    LuksDump dump = DumpLuks(image);
    ASSERT_GT(dump.version, 0);
    EXPECT_EQ(v.encrypted, true);
    EXPECT_EQ(v.scheme, "luks" + std::to_string(dump.version));
    EXPECT_EQ(v.cipher, dump.cipher);
    EXPECT_EQ(v.key_bits, dump.key_bits);
    EXPECT_EQ(v.uuid, dump.uuid);
    ASSERT_TRUE(v.keyslots.has_value());
    std::vector<int> slots;
    for (const auto& k : *v.keyslots) slots.push_back(k.slot);
    std::sort(dump.keyslots.begin(), dump.keyslots.end());
    EXPECT_EQ(slots, dump.keyslots);
    for (const auto& [type, slot] : dump.tokens) {
      auto it = std::find_if(v.keyslots->begin(), v.keyslots->end(),
                             [&](const KeySlotFacts& k) { return k.slot == slot; });
      ASSERT_NE(it, v.keyslots->end()) << "token keyslot " << slot;
      EXPECT_EQ(it->protector, ProtectorForTokenType(type));
    }
    EXPECT_FALSE(v.reason.has_value()) << *v.reason;
  }

  TempDir root_;
  SysfsFixture sys_{root_};
  testing::FakeClock clock_;
  testing::FakeCommandRunner runner_;
  CryptsetupLuksReader reader_;
};

TEST_F(DiskEncryptionProbeTest, PlainLuks2RootWithUnencryptedBootIsEncrypted) {
  sys_.AddDisk("nvme0n1", 259, 0, false, "nvme");
  sys_.AddPartition("nvme0n1", "nvme0n1p1", 259, 1);
  sys_.AddPartition("nvme0n1", "nvme0n1p2", 259, 2);
  sys_.AddPartition("nvme0n1", "nvme0n1p3", 259, 3);
  MakeLuksImage(sys_.DevicePath("nvme0n1p3"), {});
  const std::string uuid = DumpLuks(sys_.DevicePath("nvme0n1p3")).uuid;
  sys_.AddDm("dm-0", 254, 0, "luks-" + uuid, CryptUuid("LUKS2", uuid), {"nvme0n1p3"});
  sys_.AddPseudoMounts();
  sys_.AddMount(254, 0, "/", "ext4", "/dev/mapper/luks-" + uuid);
  sys_.AddMount(259, 2, "/boot", "ext4", "/dev/nvme0n1p2");
  sys_.AddMount(259, 1, "/boot/efi", "vfat", "/dev/nvme0n1p1");
  sys_.Write();

  FactsDocument f = Collect();
  ASSERT_TRUE(f.disk_encryption.volumes.has_value()) << f.disk_encryption.reason.value_or("");
  ASSERT_EQ(f.disk_encryption.volumes->size(), 3u) << "pseudo and image filesystems are skipped";
  const VolumeFacts* root = ByMount(f, "/");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->role, "system");
  EXPECT_EQ(root->device, "/dev/mapper/luks-" + uuid);
  EXPECT_EQ(root->encryption_device, "/dev/nvme0n1p3");
  ExpectMatchesDump(*root, sys_.DevicePath("nvme0n1p3"));
  EXPECT_EQ(root->key_protectors, (std::vector<std::string>{"passphrase"}));
  EXPECT_EQ(root->stack, (std::vector<std::string>{"dm-0:crypt-luks2", "nvme0n1p3:partition"}));
  EXPECT_EQ(root->removable, false);

  const VolumeFacts* boot = ByMount(f, "/boot");
  ASSERT_NE(boot, nullptr);
  EXPECT_EQ(boot->role, "boot");
  EXPECT_EQ(boot->encrypted, false);
  EXPECT_EQ(boot->key_protectors, std::vector<std::string>{});
  EXPECT_EQ(ByMount(f, "/boot/efi")->role, "boot");
  EXPECT_TRUE(f.probe_errors.empty());
}

TEST_F(DiskEncryptionProbeTest, LvmOnLuks2RootAndSwapAreEncryptedWithTokens) {
  sys_.AddDisk("sda", 8, 0);
  sys_.AddPartition("sda", "sda1", 8, 1);
  sys_.AddPartition("sda", "sda3", 8, 3);
  LuksImageOptions options;
  options.tokens = {"systemd-tpm2", "systemd-recovery", "acme-token"};
  MakeLuksImage(sys_.DevicePath("sda3"), options);
  const std::string uuid = DumpLuks(sys_.DevicePath("sda3")).uuid;
  sys_.AddDm("dm-0", 254, 0, "sda3_crypt", CryptUuid("LUKS2", uuid), {"sda3"});
  sys_.AddDm("dm-1", 254, 1, "vg-root", std::string(kLvmUuid) + "root", {"dm-0"});
  sys_.AddDm("dm-2", 254, 2, "vg-swap", std::string(kLvmUuid) + "swap", {"dm-0"});
  sys_.AddMount(254, 1, "/", "ext4", "/dev/mapper/vg-root");
  sys_.AddMount(8, 1, "/boot", "ext2", "/dev/sda1");
  sys_.AddSwap("/dev/dm-2");
  sys_.Write();

  FactsDocument f = Collect();
  const VolumeFacts* root = ByMount(f, "/");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->device, "/dev/mapper/vg-root");
  ExpectMatchesDump(*root, sys_.DevicePath("sda3"));
  EXPECT_EQ(root->key_protectors,
            (std::vector<std::string>{"passphrase", "tpm2", "recovery", "token:acme-token"}));
  EXPECT_EQ(root->stack,
            (std::vector<std::string>{"dm-1:lvm", "dm-0:crypt-luks2", "sda3:partition"}));

  const VolumeFacts* swap = Swap(f);
  ASSERT_NE(swap, nullptr);
  EXPECT_EQ(swap->mount_point, std::nullopt);
  EXPECT_EQ(swap->device, "/dev/mapper/vg-swap");
  ExpectMatchesDump(*swap, sys_.DevicePath("sda3"));
}

TEST_F(DiskEncryptionProbeTest, Luks1DataVolumeMatchesLuksDump) {
  sys_.AddDisk("sda", 8, 0);
  sys_.AddPartition("sda", "sda1", 8, 1);
  sys_.AddDisk("sdb", 8, 16);
  sys_.AddPartition("sdb", "sdb1", 8, 17);
  LuksImageOptions options;
  options.type = "luks1";
  options.cipher = "aes-cbc-essiv:sha256";
  options.key_size_bits = 256;
  options.extra_keyslots = 1;
  MakeLuksImage(sys_.DevicePath("sdb1"), options);
  const std::string uuid = DumpLuks(sys_.DevicePath("sdb1")).uuid;
  sys_.AddDm("dm-3", 254, 3, "data", CryptUuid("LUKS1", uuid), {"sdb1"});
  sys_.AddMount(8, 1, "/", "ext4", "/dev/sda1");
  sys_.AddMount(254, 3, "/data", "xfs", "/dev/mapper/data");
  sys_.Write();

  FactsDocument f = Collect();
  const VolumeFacts* data = ByMount(f, "/data");
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(data->role, "data");
  ExpectMatchesDump(*data, sys_.DevicePath("sdb1"));
  EXPECT_EQ(data->scheme, "luks1");
  EXPECT_EQ(data->cipher, "aes-cbc-essiv:sha256");
  EXPECT_EQ(data->key_bits, 256);
  EXPECT_EQ(data->keyslots->size(), 2u);
  EXPECT_EQ(ByMount(f, "/")->encrypted, false);
}

TEST_F(DiskEncryptionProbeTest, PlainDmCryptSwapIsEncryptedWithUnknownCipher) {
  sys_.AddDisk("sda", 8, 0);
  sys_.AddPartition("sda", "sda1", 8, 1);
  sys_.AddPartition("sda", "sda4", 8, 4);
  sys_.AddDm("dm-4", 254, 4, "cryptswap", "CRYPT-PLAIN-cryptswap", {"sda4"});
  sys_.AddMount(8, 1, "/", "ext4", "/dev/sda1");
  sys_.AddSwap("/dev/mapper/cryptswap");
  sys_.Write();

  FactsDocument f = Collect();
  const VolumeFacts* swap = Swap(f);
  ASSERT_NE(swap, nullptr);
  EXPECT_EQ(swap->encrypted, true);
  EXPECT_EQ(swap->scheme, "plain");
  EXPECT_EQ(swap->cipher, std::nullopt);
  EXPECT_EQ(swap->key_protectors, std::nullopt);
  ASSERT_TRUE(swap->reason.has_value());
  EXPECT_NE(swap->reason->find("running kernel"), std::string::npos) << *swap->reason;
}

TEST_F(DiskEncryptionProbeTest, UnencryptedDiskAndRemovableUsbAreReportedAsSuch) {
  sys_.AddDisk("vda", 252, 0, false, "virtio");
  sys_.AddDisk("sdc", 8, 32);
  sys_.AddPartition("sdc", "sdc1", 8, 33);
  sys_.AddDisk("sdd", 8, 48, /*removable=*/true, "usb");
  sys_.AddPartition("sdd", "sdd1", 8, 49);
  sys_.AddDisk("sde", 8, 64, /*removable=*/false, "usb");  // USB disk claiming to be fixed
  sys_.AddMount(252, 0, "/", "ext4", "/dev/vda");
  sys_.AddMount(8, 33, "/srv", "ext4", "/dev/sdc1");
  sys_.AddMount(8, 49, "/media/alice/USB STICK", "vfat", "/dev/sdd1");
  sys_.AddMount(8, 64, "/media/alice/backup", "ext4", "/dev/sde");
  sys_.Write();

  FactsDocument f = Collect();
  const VolumeFacts* srv = ByMount(f, "/srv");
  ASSERT_NE(srv, nullptr);
  EXPECT_EQ(srv->role, "data");
  EXPECT_EQ(srv->encrypted, false);
  EXPECT_EQ(srv->scheme, std::nullopt);
  const VolumeFacts* usb = ByMount(f, "/media/alice/USB STICK");
  ASSERT_NE(usb, nullptr) << "mount point with an escaped space";
  EXPECT_EQ(usb->role, "removable");
  EXPECT_EQ(usb->removable, true);
  EXPECT_EQ(usb->encrypted, false);
  EXPECT_EQ(ByMount(f, "/media/alice/backup")->role, "removable");
  EXPECT_EQ(ByMount(f, "/")->role, "system");
}

TEST_F(DiskEncryptionProbeTest, BindMountsAndSubvolumesAreOneVolume) {
  sys_.AddDisk("sda", 8, 0);
  sys_.AddPartition("sda", "sda2", 8, 2);
  MakeLuksImage(sys_.DevicePath("sda2"), {});
  const std::string uuid = DumpLuks(sys_.DevicePath("sda2")).uuid;
  sys_.AddDm("dm-0", 254, 0, "luks-" + uuid, CryptUuid("LUKS2", uuid), {"sda2"});
  // btrfs reports an anonymous device number; the same number for every subvolume mount.
  sys_.AddMount(0, 31, "/home", "btrfs", "/dev/mapper/luks-" + uuid, "/@home");
  sys_.AddMount(0, 31, "/", "btrfs", "/dev/mapper/luks-" + uuid, "/@");
  sys_.AddMount(0, 31, "/var/lib/docker/btrfs", "btrfs", "/dev/mapper/luks-" + uuid,
                "/@/var/lib/docker/btrfs");
  sys_.Write();

  FactsDocument f = Collect();
  ASSERT_EQ(f.disk_encryption.volumes->size(), 1u);
  const VolumeFacts& v = f.disk_encryption.volumes->front();
  EXPECT_EQ(v.mount_point, "/");
  EXPECT_EQ(v.role, "system");
  EXPECT_EQ(v.fstype, "btrfs");
  EXPECT_EQ(v.other_mount_points, (std::vector<std::string>{"/home", "/var/lib/docker/btrfs"}));
  ExpectMatchesDump(v, sys_.DevicePath("sda2"));
}

TEST_F(DiskEncryptionProbeTest, LuksOnRaidIsEncrypted) {
  sys_.AddDisk("sda", 8, 0);
  sys_.AddPartition("sda", "sda1", 8, 1);
  sys_.AddDisk("sdb", 8, 16);
  sys_.AddPartition("sdb", "sdb1", 8, 17);
  sys_.AddMd("md0", 9, 0, {"sda1", "sdb1"});
  MakeLuksImage(sys_.DevicePath("md0"), {});
  const std::string uuid = DumpLuks(sys_.DevicePath("md0")).uuid;
  sys_.AddDm("dm-0", 254, 0, "md0_crypt", CryptUuid("LUKS2", uuid), {"md0"});
  sys_.AddMount(254, 0, "/", "ext4", "/dev/mapper/md0_crypt");
  sys_.Write();

  FactsDocument f = Collect();
  const VolumeFacts* root = ByMount(f, "/");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->encryption_device, "/dev/md0");
  ExpectMatchesDump(*root, sys_.DevicePath("md0"));
  EXPECT_EQ(root->stack, (std::vector<std::string>{"dm-0:crypt-luks2", "md0:md", "sda1:partition",
                                                   "sdb1:partition"}));
}

TEST_F(DiskEncryptionProbeTest, LvmSpanningAnUnencryptedDiskIsNotEncrypted) {
  sys_.AddDisk("sda", 8, 0);
  sys_.AddPartition("sda", "sda3", 8, 3);
  sys_.AddDisk("sdb", 8, 16);
  MakeLuksImage(sys_.DevicePath("sda3"), {});
  const std::string uuid = DumpLuks(sys_.DevicePath("sda3")).uuid;
  sys_.AddDm("dm-0", 254, 0, "sda3_crypt", CryptUuid("LUKS2", uuid), {"sda3"});
  sys_.AddDm("dm-1", 254, 1, "vg-data", std::string(kLvmUuid) + "data", {"dm-0", "sdb"});
  sys_.AddMount(254, 1, "/data", "ext4", "/dev/mapper/vg-data");
  sys_.Write();

  FactsDocument f = Collect();
  const VolumeFacts* data = ByMount(f, "/data");
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(data->encrypted, false) << "part of the volume group sits on plain /dev/sdb";
}

TEST_F(DiskEncryptionProbeTest, SwapFileAndLoopDeviceInheritTheirFilesystem) {
  sys_.AddDisk("sda", 8, 0);
  sys_.AddPartition("sda", "sda2", 8, 2);
  sys_.AddPartition("sda", "sda5", 8, 5);
  MakeLuksImage(sys_.DevicePath("sda2"), {});
  const std::string uuid = DumpLuks(sys_.DevicePath("sda2")).uuid;
  sys_.AddDm("dm-0", 254, 0, "root", CryptUuid("LUKS2", uuid), {"sda2"});
  sys_.AddLoop("loop7", 7, 7, "/var/lib/images/vm.img");
  sys_.AddLoop("loop8", 7, 8, "/srv/plain.img");
  sys_.AddMount(254, 0, "/", "ext4", "/dev/mapper/root");
  sys_.AddMount(8, 5, "/srv", "ext4", "/dev/sda5");
  sys_.AddMount(7, 7, "/mnt/vm", "ext4", "/dev/loop7");
  sys_.AddMount(7, 8, "/mnt/plain", "ext4", "/dev/loop8");
  sys_.AddSwap("/swap file", "file");
  sys_.Write();

  FactsDocument f = Collect();
  const VolumeFacts* swap = Swap(f);
  ASSERT_NE(swap, nullptr);
  EXPECT_EQ(swap->device, "/swap file");
  ExpectMatchesDump(*swap, sys_.DevicePath("sda2"));
  EXPECT_EQ(ByMount(f, "/mnt/vm")->encrypted, true);
  EXPECT_EQ(ByMount(f, "/mnt/plain")->encrypted, false);
}

TEST_F(DiskEncryptionProbeTest, UnreadableHeaderKeepsDmFactsAndSaysWhy) {
  sys_.AddDisk("sda", 8, 0);
  sys_.AddPartition("sda", "sda3", 8, 3);
  const std::string uuid = "0b9c8e2a-6d1f-4c3e-9a7b-5e4d3c2b1a09";
  sys_.AddDm("dm-0", 254, 0, "luks-" + uuid, CryptUuid("LUKS2", uuid), {"sda3"});
  sys_.AddMount(254, 0, "/", "ext4", "/dev/mapper/luks-" + uuid);
  sys_.Write();

  FakeLuksReader denied(PermissionDeniedError("/dev/sda3: Permission denied"));
  FactsDocument denied_facts = Collect(denied);
  const VolumeFacts* root = ByMount(denied_facts, "/");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->encrypted, true);
  EXPECT_EQ(root->scheme, "luks2");
  EXPECT_EQ(root->uuid, uuid) << "recovered from the dm uuid";
  EXPECT_EQ(root->cipher, std::nullopt);
  EXPECT_EQ(root->key_bits, std::nullopt);
  EXPECT_EQ(root->key_protectors, std::nullopt);
  ASSERT_TRUE(root->reason.has_value());
  EXPECT_NE(root->reason->find("run as root"), std::string::npos) << *root->reason;

  // With the real reader and no image at dev/sda3 at all, the reason names the missing device.
  FactsDocument missing_facts = Collect();
  const VolumeFacts* missing = ByMount(missing_facts, "/");
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->encrypted, true);
  ASSERT_TRUE(missing->reason.has_value());
  EXPECT_NE(missing->reason->find("/dev/sda3"), std::string::npos) << *missing->reason;
}

TEST_F(DiskEncryptionProbeTest, NotALuksHeaderIsReportedNotGuessed) {
  sys_.AddDisk("sda", 8, 0);
  sys_.AddPartition("sda", "sda3", 8, 3);
  root_.WriteFile("/dev/sda3", std::string(8192, '\0'));
  sys_.AddDm("dm-0", 254, 0, "c", CryptUuid("LUKS2", "0b9c8e2a-6d1f-4c3e-9a7b-5e4d3c2b1a09"),
             {"sda3"});
  sys_.AddMount(254, 0, "/", "ext4", "/dev/mapper/c");
  sys_.Write();
  FactsDocument f = Collect();
  const VolumeFacts* root = ByMount(f, "/");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->encrypted, true);
  EXPECT_EQ(root->cipher, std::nullopt);
  EXPECT_NE(root->reason.value_or("").find("no LUKS header"), std::string::npos)
      << root->reason.value_or("");
}

TEST_F(DiskEncryptionProbeTest, BrokenSysfsMakesEncryptionUnknownNotFalse) {
  sys_.AddDisk("sda", 8, 0);
  sys_.AddPartition("sda", "sda1", 8, 1);
  sys_.AddDm("dm-5", 254, 5, "weird", "FOO-1234", {"sda1"});
  sys_.AddDm("dm-6", 254, 6, "nouuid", "", {"sda1"});
  sys_.AddDm("dm-7", 254, 7, "dangling", std::string(kLvmUuid) + "x", {"sdz9"});
  sys_.AddDm("dm-8", 254, 8, "noslaves", std::string(kLvmUuid) + "y", {});
  sys_.AddMount(8, 99, "/gone", "ext4", "/dev/sda99");  // not in sysfs at all
  sys_.AddMount(254, 5, "/weird", "ext4", "/dev/mapper/weird");
  sys_.AddMount(254, 6, "/nouuid", "ext4", "/dev/mapper/nouuid");
  sys_.AddMount(254, 7, "/dangling", "ext4", "/dev/mapper/dangling");
  sys_.AddMount(254, 8, "/noslaves", "ext4", "/dev/mapper/noslaves");
  sys_.AddSwap("/dev/sdq2");
  sys_.Write();

  FactsDocument f = Collect();
  for (const char* mp : {"/gone", "/weird", "/nouuid", "/dangling", "/noslaves"}) {
    const VolumeFacts* v = ByMount(f, mp);
    ASSERT_NE(v, nullptr) << mp;
    EXPECT_EQ(v->encrypted, std::nullopt) << mp;
    EXPECT_TRUE(v->reason.has_value() && !v->reason->empty()) << mp;
  }
  EXPECT_NE(ByMount(f, "/weird")->reason->find("FOO-1234"), std::string::npos);
  EXPECT_NE(ByMount(f, "/gone")->reason->find("8:99"), std::string::npos);
  const VolumeFacts* swap = Swap(f);
  ASSERT_NE(swap, nullptr);
  EXPECT_EQ(swap->encrypted, std::nullopt);
  EXPECT_NE(swap->reason.value_or("").find("/dev/sdq2"), std::string::npos);
}

TEST_F(DiskEncryptionProbeTest, GarbageInMountinfoIsSkippedAndCounted) {
  sys_.AddDisk("sda", 8, 0);
  sys_.AddPartition("sda", "sda1", 8, 1);
  sys_.AddRawMountLine("this is not a mountinfo line");
  const char junk[] = "\x01\x02\xff\xfe binary \0 junk";
  sys_.AddRawMountLine(std::string(junk, sizeof junk - 1));
  sys_.AddRawMountLine("25 1 8:1 / /truncated rw");
  sys_.AddRawMountLine("26 1 x:y / /bad rw - ext4 /dev/sda1 rw");
  sys_.AddMount(8, 1, "/", "ext4", "/dev/sda1");
  sys_.AddRawMountLine(std::string(200000, 'A'));
  sys_.Write();

  FactsDocument f = Collect();
  ASSERT_TRUE(f.disk_encryption.volumes.has_value());
  ASSERT_EQ(f.disk_encryption.volumes->size(), 1u);
  EXPECT_EQ(f.disk_encryption.volumes->front().mount_point, "/");
  ASSERT_TRUE(f.disk_encryption.reason.has_value());
  EXPECT_NE(f.disk_encryption.reason->find("5 malformed line(s)"), std::string::npos)
      << *f.disk_encryption.reason;
}

TEST_F(DiskEncryptionProbeTest, MissingMountinfoFailsTheProbeWithAReason) {
  root_.MakeDirs("/proc");
  FactsDocument f = Collect();
  EXPECT_FALSE(f.disk_encryption.volumes.has_value());
  ASSERT_TRUE(f.disk_encryption.reason.has_value());
  EXPECT_NE(f.disk_encryption.reason->find("mountinfo"), std::string::npos);
  ASSERT_EQ(f.probe_errors.size(), 1u);
  EXPECT_EQ(f.probe_errors[0].probe, "disk_encryption");
}

TEST(RoleForMountTest, FollowsTheSpec) {
  EXPECT_EQ(RoleForMount("/", false), "system");
  EXPECT_EQ(RoleForMount("/", true), "system");
  EXPECT_EQ(RoleForMount("/boot", false), "boot");
  EXPECT_EQ(RoleForMount("/boot/efi", false), "boot");
  EXPECT_EQ(RoleForMount("/efi", false), "boot");
  EXPECT_EQ(RoleForMount("/home", false), "data");
  EXPECT_EQ(RoleForMount("/media/usb", true), "removable");
  EXPECT_EQ(RoleForMount("/bootstrap", false), "data");
}

}  // namespace
}  // namespace bulwark
