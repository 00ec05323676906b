// EvaluateEncryption is pure: table tests over hand-built stacks.
#include "platform/linux/block_stack.h"

#include <gtest/gtest.h>

namespace bulwark {
namespace {

BlockNode Leaf(const std::string& name, BlockKind kind, bool removable = false) {
  BlockNode n;
  n.name = name;
  n.kind = kind;
  n.removable = removable;
  return n;
}

BlockNode Dm(const std::string& name, DmKind kind, const std::string& subsystem,
             std::vector<BlockNode> slaves) {
  BlockNode n;
  n.name = name;
  n.kind = kind == DmKind::kCrypt ? BlockKind::kDmCrypt : BlockKind::kDmStacking;
  n.dm.kind = kind;
  n.dm.subsystem = subsystem;
  n.dm_name = name + "-mapped";
  n.slaves = std::move(slaves);
  return n;
}

TEST(EvaluateEncryptionTest, CryptAnywhereOnEveryPathIsEncrypted) {
  BlockNode crypt = Dm("dm-0", DmKind::kCrypt, "luks2", {Leaf("sda3", BlockKind::kPartition)});
  BlockNode lvm = Dm("dm-1", DmKind::kStacking, "lvm", {crypt});
  auto v = EvaluateEncryption(lvm, nullptr);
  EXPECT_EQ(v.encrypted, true);
  ASSERT_NE(v.crypt, nullptr);
  EXPECT_EQ(v.crypt->name, "dm-0");
  EXPECT_EQ(DescribeStack(lvm),
            (std::vector<std::string>{"dm-1:lvm", "dm-0:crypt-luks2", "sda3:partition"}));
  EXPECT_EQ(DevicePathOf(lvm), "/dev/mapper/dm-1-mapped");
}

TEST(EvaluateEncryptionTest, OnePlainPathMakesTheVolumeUnencrypted) {
  BlockNode crypt = Dm("dm-0", DmKind::kCrypt, "luks2", {Leaf("sda3", BlockKind::kPartition)});
  BlockNode lvm = Dm("dm-1", DmKind::kStacking, "lvm", {crypt, Leaf("sdb", BlockKind::kDisk)});
  EXPECT_EQ(EvaluateEncryption(lvm, nullptr).encrypted, false);
}

TEST(EvaluateEncryptionTest, UnknownBeatsEncryptedButNotUnencrypted) {
  BlockNode crypt = Dm("dm-0", DmKind::kCrypt, "luks2", {Leaf("sda3", BlockKind::kPartition)});
  BlockNode unknown = Leaf("dm-9", BlockKind::kDmUnknown);
  unknown.problem = "unknown target";
  auto v = EvaluateEncryption(Dm("dm-1", DmKind::kStacking, "lvm", {crypt, unknown}), nullptr);
  EXPECT_EQ(v.encrypted, std::nullopt);
  EXPECT_EQ(v.reason, "unknown target");
  auto w = EvaluateEncryption(
      Dm("dm-1", DmKind::kStacking, "lvm", {unknown, Leaf("sdb", BlockKind::kDisk)}), nullptr);
  EXPECT_EQ(w.encrypted, false);
}

TEST(EvaluateEncryptionTest, StackingWithoutSlavesIsUnknown) {
  auto v = EvaluateEncryption(Dm("dm-1", DmKind::kStacking, "lvm", {}), nullptr);
  EXPECT_EQ(v.encrypted, std::nullopt);
  EXPECT_NE(v.reason.find("no slaves"), std::string::npos);
}

TEST(EvaluateEncryptionTest, RemovableComesFromAnyLeafEvenBelowCrypt) {
  BlockNode crypt =
      Dm("dm-0", DmKind::kCrypt, "luks2", {Leaf("sdb1", BlockKind::kPartition, true)});
  auto v = EvaluateEncryption(crypt, nullptr);
  EXPECT_EQ(v.encrypted, true);
  EXPECT_TRUE(v.removable);
  EXPECT_TRUE(EvaluateEncryption(Leaf("sdc", BlockKind::kDisk, true), nullptr).removable);
}

TEST(EvaluateEncryptionTest, LoopDevicesAskTheResolver) {
  BlockNode loop = Leaf("loop0", BlockKind::kLoop);
  EXPECT_EQ(EvaluateEncryption(loop, nullptr).encrypted, std::nullopt);
  auto v = EvaluateEncryption(loop, [](const BlockNode&) {
    EncryptionVerdict r;
    r.encrypted = true;
    return r;
  });
  EXPECT_EQ(v.encrypted, true);
}

}  // namespace
}  // namespace bulwark
