#include "agent/probes/posture/account_db.h"

#include <gtest/gtest.h>

namespace bulwark {
namespace {

TEST(PasswdParserTest, ParsesEntriesAndSkipsMalformed) {
  const auto r = ParsePasswd(
      "root:x:0:0:root:/root:/bin/bash\n"
      "# comment\n"
      "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\r\n"
      "short:x:1\n"
      "neg:x:-1:0::/:/bin/sh\n"
      "big:x:4294967296:0::/:/bin/sh\n"
      ":x:5:5::/:/bin/sh\n"
      "+::::::\n"
      "\n"
      "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin");
  ASSERT_EQ(r.entries.size(), 3u);
  EXPECT_EQ(r.entries[1].name, "alice");
  EXPECT_EQ(r.entries[1].uid, 1000u);
  EXPECT_EQ(r.entries[1].gid, 1000u);
  EXPECT_EQ(r.entries[1].home, "/home/alice");
  EXPECT_EQ(r.entries[1].shell, "/bin/bash");
  EXPECT_EQ(r.entries[2].uid, 65534u);
  EXPECT_EQ(r.malformed_lines, (std::vector<std::size_t>{4, 5, 6, 7, 8}));
}

TEST(GroupParserTest, ParsesMembers) {
  const auto r = ParseGroup(
      "sudo:x:27:alice, bob,\n"
      "empty:x:100:\n"
      "bad:x:abc:alice\n"
      "toofew:x:1\n");
  ASSERT_EQ(r.entries.size(), 2u);
  EXPECT_EQ(r.entries[0].name, "sudo");
  EXPECT_EQ(r.entries[0].gid, 27u);
  EXPECT_EQ(r.entries[0].members, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_TRUE(r.entries[1].members.empty());
  EXPECT_EQ(r.malformed_lines, (std::vector<std::size_t>{3, 4}));
}

TEST(AccountDbTest, BinaryJunkIsSkipped) {
  std::string junk;
  for (int i = 0; i < 50000; ++i) junk.push_back(static_cast<char>((i * 37) % 256));
  EXPECT_TRUE(ParsePasswd(junk).entries.empty());
  EXPECT_TRUE(ParseGroup(junk).entries.empty());
}

}  // namespace
}  // namespace bulwark
