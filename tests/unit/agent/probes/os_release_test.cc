#include "agent/probes/os_release.h"

#include <gtest/gtest.h>

namespace bulwark {
namespace {

TEST(OsReleaseTest, ParsesDebian) {
  auto m = ParseOsRelease(
      "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
      "NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n"
      "HOME_URL=\"https://www.debian.org/\"\n");
  EXPECT_EQ(m["PRETTY_NAME"], "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(m["ID"], "debian");
  EXPECT_EQ(m["VERSION_ID"], "12");
}

TEST(OsReleaseTest, QuotesEscapesCommentsAndJunk) {
  auto m = ParseOsRelease(
      "# comment\n"
      "A='single quoted'\n"
      "B=\"with \\\"escaped\\\" quote\"\n"
      "C=\"unterminated\n"
      "lower=ignored\n"
      "=novalue\n"
      "D=\n"
      "\xff\xfe=junk\n"
      "  E=spaced  \n");
  EXPECT_EQ(m["A"], "single quoted");
  EXPECT_EQ(m["B"], "with \"escaped\" quote");
  EXPECT_EQ(m.count("C"), 0u);
  EXPECT_EQ(m.count("lower"), 0u);
  EXPECT_EQ(m["D"], "");
  EXPECT_EQ(m["E"], "spaced");
  EXPECT_EQ(m.size(), 4u);
}

}  // namespace
}  // namespace bulwark
