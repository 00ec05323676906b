#include "agent/probes/posture/clamav_cvd.h"

#include <gtest/gtest.h>

#include "agent/base/time_util.h"

namespace bulwark {
namespace {

std::string Pad(std::string header) {
  header.resize(kCvdHeaderSize, ' ');
  return header + std::string(1000, '\x1f');  // gzip data follows the header
}

TEST(CvdHeaderTest, UsesUnixTimeField) {
  auto h =
      ParseCvdHeader(Pad("ClamAV-VDB:14 Nov 2024 09-32 -0500:27458:2069690:90:"
                         "8f4a0e8b8ec5c8a2d5bd4b8d8e8c8a8b:AbCdEf:raynman:1731594720"));
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->version, 27458u);
  EXPECT_EQ(h->signatures, 2069690u);
  EXPECT_EQ(h->builder, "raynman");
  EXPECT_EQ(FormatRfc3339(h->built), "2024-11-14T14:32:00Z");
}

TEST(CvdHeaderTest, FallsBackToBuildTimeText) {
  auto h = ParseCvdHeader(Pad("ClamAV-VDB:14 Nov 2024 09-32 -0500:27458:2069690:90:x:y:z"));
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(FormatRfc3339(h->built), "2024-11-14T14:32:00Z");
}

TEST(CvdHeaderTest, MalformedHeadersAreErrors) {
  for (const std::string& bad :
       {std::string(), std::string("ClamAV-VDB"), Pad("ClamAV-VDB:garbage:1:2"),
        Pad("NOT-CLAMAV:14 Nov 2024 09-32 -0500:1:2:3:4:5:6:1731594720"),
        Pad("ClamAV-VDB:31 Foo 2024 09-32 +0000:1"), Pad("ClamAV-VDB:14 Nov 2024 25-32 +0000:1"),
        std::string(4096, '\0')}) {
    EXPECT_FALSE(ParseCvdHeader(bad).ok());
  }
}

TEST(CvdTimeTest, Table) {
  EXPECT_EQ(FormatRfc3339(*ParseCvdTime("01 Jan 2025 00-00 +0000")), "2025-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(*ParseCvdTime("29 Feb 2024 23:59 +0130")), "2024-02-29T22:29:00Z");
  EXPECT_EQ(FormatRfc3339(*ParseCvdTime("01 Mar 2024 10-00")), "2024-03-01T10:00:00Z");
  EXPECT_FALSE(ParseCvdTime("").has_value());
  EXPECT_FALSE(ParseCvdTime("00 Jan 2025 00-00 +0000").has_value());
  EXPECT_FALSE(ParseCvdTime("01 Jan 2025 0000 +0000").has_value());
  EXPECT_FALSE(ParseCvdTime("01 Jan 2025 00-00 0000").has_value());
}

}  // namespace
}  // namespace bulwark
