#include "agent/probes/mountinfo.h"

#include <gtest/gtest.h>

namespace bulwark {
namespace {

TEST(MountInfoTest, ParsesTheKernelExample) {
  auto r = ParseMountInfo(
      "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n");
  ASSERT_EQ(r.entries.size(), 1u);
  EXPECT_TRUE(r.malformed_lines.empty());
  const auto& e = r.entries[0];
  EXPECT_EQ(e.mount_id, 36u);
  EXPECT_EQ(e.parent_id, 35u);
  EXPECT_EQ(e.major, 98u);
  EXPECT_EQ(e.minor, 0u);
  EXPECT_EQ(e.root, "/mnt1");
  EXPECT_EQ(e.mount_point, "/mnt/parent");
  EXPECT_EQ(e.options, "rw,noatime");
  EXPECT_EQ(e.fstype, "ext3");
  EXPECT_EQ(e.source, "/dev/root");
  EXPECT_EQ(e.super_options, "rw,errors=continue");
}

TEST(MountInfoTest, HandlesZeroOrManyOptionalFieldsAndEscapes) {
  auto r = ParseMountInfo(
      "22 1 254:1 / / rw,relatime - ext4 /dev/mapper/vg-root rw\n"
      "23 22 8:17 / /media/USB\\040STICK rw shared:5 master:3 propagate_from:2 - vfat /dev/sdb1 "
      "rw\n"
      "24 22 0:50 / /run/user rw - tmpfs tmpfs\n");
  ASSERT_EQ(r.entries.size(), 3u);
  EXPECT_EQ(r.entries[0].mount_point, "/");
  EXPECT_EQ(r.entries[1].mount_point, "/media/USB STICK");
  EXPECT_EQ(r.entries[1].fstype, "vfat");
  EXPECT_EQ(r.entries[2].super_options, "");
}

struct BadLine {
  const char* name;
  const char* line;
};

class MountInfoMalformedTest : public ::testing::TestWithParam<BadLine> {};

TEST_P(MountInfoMalformedTest, SkipsAndCountsTheLine) {
  std::string text = std::string("22 1 8:1 / / rw - ext4 /dev/sda1 rw\n") + GetParam().line + "\n" +
                     "23 22 8:2 / /home rw - ext4 /dev/sda2 rw\n";
  auto r = ParseMountInfo(text);
  EXPECT_EQ(r.entries.size(), 2u);
  EXPECT_EQ(r.malformed_lines, std::vector<std::size_t>{2});
}

INSTANTIATE_TEST_SUITE_P(
    Table, MountInfoMalformedTest,
    ::testing::Values(BadLine{"Words", "not a mountinfo line at all"},
                      BadLine{"NoSeparator", "30 1 8:3 / /x rw shared:1 ext4 /dev/sda3 rw"},
                      BadLine{"SeparatorTooLate", "30 1 8:3 / /x rw - ext4"},
                      BadLine{"BadDevice", "30 1 8-3 / /x rw - ext4 /dev/sda3 rw"},
                      BadLine{"BadMajor", "30 1 x:3 / /x rw - ext4 /dev/sda3 rw"},
                      BadLine{"HugeMinor", "30 1 8:99999999999 / /x rw - ext4 /dev/sda3 rw"},
                      BadLine{"NegativeId", "-30 1 8:3 / /x rw - ext4 /dev/sda3 rw"},
                      BadLine{"RelativeMountPoint", "30 1 8:3 / x rw - ext4 /dev/sda3 rw"},
                      BadLine{"Binary", "\x01\x02\x03 \xff\xfe\xfd 8:1"},
                      BadLine{"Truncated", "30 1 8:3 / /x"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(MountInfoTest, EmptyAndBlankInput) {
  EXPECT_TRUE(ParseMountInfo("").entries.empty());
  auto r = ParseMountInfo("\n\n  \n");
  EXPECT_TRUE(r.entries.empty());
  EXPECT_TRUE(r.malformed_lines.empty());
}

TEST(MountInfoTest, VeryLongLineIsRejectedNotCrashed) {
  std::string text = std::string(1 << 20, 'x') + "\n22 1 8:1 / / rw - ext4 /dev/sda1 rw\n";
  auto r = ParseMountInfo(text);
  EXPECT_EQ(r.entries.size(), 1u);
  EXPECT_EQ(r.malformed_lines.size(), 1u);
}

}  // namespace
}  // namespace bulwark
