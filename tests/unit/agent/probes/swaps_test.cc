#include "agent/probes/swaps.h"

#include <gtest/gtest.h>

namespace bulwark {
namespace {

TEST(SwapsTest, ParsesPartitionsAndFiles) {
  auto r = ParseSwaps(
      "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
      "/dev/dm-2                               partition\t999420\t\t0\t\t-2\n"
      "/swap\\040file file 1048572 12 5\n");
  ASSERT_EQ(r.entries.size(), 2u);
  EXPECT_TRUE(r.malformed_lines.empty());
  EXPECT_EQ(r.entries[0].path, "/dev/dm-2");
  EXPECT_EQ(r.entries[0].type, "partition");
  EXPECT_EQ(r.entries[0].size_kib, 999420u);
  EXPECT_EQ(r.entries[0].priority, -2);
  EXPECT_EQ(r.entries[1].path, "/swap file");
  EXPECT_EQ(r.entries[1].used_kib, 12u);
  EXPECT_EQ(r.entries[1].priority, 5);
}

TEST(SwapsTest, HeaderOnlyMeansNoSwap) {
  auto r = ParseSwaps("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
  EXPECT_TRUE(r.entries.empty());
  EXPECT_TRUE(r.malformed_lines.empty());
}

TEST(SwapsTest, MalformedLinesAreCounted) {
  auto r = ParseSwaps(
      "Filename Type Size Used Priority\n"
      "/dev/sda2 partition 100 0\n"              // missing field
      "dev/sda3 partition 100 0 -1\n"            // relative path
      "/dev/sda4 partition big 0 -1\n"           // not a number
      "/dev/sda5 partition 100 0 --1\n"          // bad priority
      "/dev/sda6 partition 100 0 99999999999\n"  // priority overflow
      "\xff\xfe\n"
      "/dev/sda7 partition 100 0 -1\n");
  ASSERT_EQ(r.entries.size(), 1u);
  EXPECT_EQ(r.entries[0].path, "/dev/sda7");
  EXPECT_EQ(r.malformed_lines, (std::vector<std::size_t>{2, 3, 4, 5, 6, 7}));
}

}  // namespace
}  // namespace bulwark
