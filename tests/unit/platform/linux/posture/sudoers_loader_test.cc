#include "platform/linux/posture/sudoers_loader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/unit/platform/linux/posture/posture_test_support.h"

namespace bulwark {
namespace {

using testing::PostureFixture;

std::vector<std::string> Files(const SudoersLoadResult& r) { return r.files; }

TEST(SudoersLoaderTest, SplicesIncludesInOrder) {
  PostureFixture f;
  f.dir.WriteFile("etc/sudoers",
                  "alice ALL=ALL\n@include local\n@includedir /etc/sudoers.d\nzed ALL=ALL\n");
  f.dir.WriteFile("etc/local", "bob ALL=ALL\n");
  f.dir.WriteFile("etc/sudoers.d/20-b", "dave ALL=ALL\n");
  f.dir.WriteFile("etc/sudoers.d/10-a", "carol ALL=ALL\n");
  f.dir.MakeDirs("etc/sudoers.d/subdir");
  const SudoersLoadResult r = LoadSudoers(f.faulty, "/etc/sudoers");
  EXPECT_TRUE(r.main_present);
  EXPECT_TRUE(r.unreadable.empty());
  EXPECT_EQ(Files(r), (std::vector<std::string>{"/etc/sudoers", "/etc/local", "/etc/sudoers.d/10-a",
                                                "/etc/sudoers.d/20-b"}));
  std::vector<std::string> order;
  for (const auto& e : r.entries) {
    order.push_back(std::get<SudoersUserSpec>(e.entry.value).users[0].value + "@" + e.file);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"alice@/etc/sudoers", "bob@/etc/local",
                                             "carol@/etc/sudoers.d/10-a",
                                             "dave@/etc/sudoers.d/20-b", "zed@/etc/sudoers"}));
}

TEST(SudoersLoaderTest, MissingFilesAndWarnings) {
  PostureFixture absent;
  EXPECT_FALSE(LoadSudoers(absent.faulty, "/etc/sudoers").main_present);

  PostureFixture f;
  f.dir.WriteFile("etc/sudoers", "@include /etc/nope\n@includedir /etc/nodir\nbad line\n", 0666);
  const SudoersLoadResult r = LoadSudoers(f.faulty, "/etc/sudoers");
  EXPECT_TRUE(r.unreadable.empty());
  ASSERT_EQ(r.warnings.size(), 3u);
  EXPECT_NE(r.warnings[0].find("world-writable"), std::string::npos);
  EXPECT_NE(r.warnings[1].find("/etc/sudoers:3"), std::string::npos);
  EXPECT_NE(r.warnings[2].find("does not exist"), std::string::npos);
}

TEST(SudoersLoaderTest, LimitsMakeTheResultIncomplete) {
  PostureFixture f;
  f.dir.WriteFile("etc/sudoers", "@includedir /etc/sudoers.d\n");
  for (char c = 'a'; c <= 'e'; ++c)
    f.dir.WriteFile(std::string("etc/sudoers.d/") + c, "x ALL=ALL\n");
  SudoersLoadOptions options;
  options.max_files = 3;
  SudoersLoadResult r = LoadSudoers(f.faulty, "/etc/sudoers", options);
  ASSERT_EQ(r.unreadable.size(), 1u);
  EXPECT_NE(r.unreadable[0].find("more than 3 sudoers files"), std::string::npos);
  EXPECT_EQ(r.files.size(), 3u);

  options = SudoersLoadOptions{};
  options.max_total_bytes = 30;
  r = LoadSudoers(f.faulty, "/etc/sudoers", options);
  ASSERT_EQ(r.unreadable.size(), 1u);
  EXPECT_NE(r.unreadable[0].find("bytes in total"), std::string::npos);

  options = SudoersLoadOptions{};
  options.max_file_bytes = 5;
  r = LoadSudoers(f.faulty, "/etc/sudoers", options);
  EXPECT_FALSE(r.unreadable.empty());
  EXPECT_NE(r.unreadable[0].find("resource_exhausted"), std::string::npos);
}

TEST(SudoersLoaderTest, FifoAndDeviceEntriesAreNotRead) {
  PostureFixture f;
  f.dir.WriteFile("etc/sudoers", "@include /etc/fifo\n@includedir /etc/sudoers.d\n");
  ASSERT_EQ(::mkfifo(f.dir.Join("etc/fifo").c_str(), 0600), 0);
  f.dir.MakeDirs("etc/sudoers.d");
  ASSERT_EQ(::mkfifo(f.dir.Join("etc/sudoers.d/pipe").c_str(), 0600), 0);
  const SudoersLoadResult r = LoadSudoers(f.faulty, "/etc/sudoers");
  // The included FIFO cannot be read (never blocks); the one in the directory is skipped.
  ASSERT_EQ(r.unreadable.size(), 1u);
  EXPECT_NE(r.unreadable[0].find("/etc/fifo"), std::string::npos);
}

}  // namespace
}  // namespace bulwark
