#include "platform/linux/working_set.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/testing/temp_dir.h"

namespace bulwark {
namespace {

constexpr char kSmaps[] =
    "55d0c0a00000-55d0c0a02000 r--p 00000000 fe:00 247134                     /usr/bin/with "
    "space\n"
    "Size:                  8 kB\n"
    "Rss:                   8 kB\n"
    "Anonymous:             0 kB\n"
    "Swap:                  0 kB\n"
    "Locked:                0 kB\n"
    "VmFlags: rd mr mw me \n"
    "7f0000000000-7f0000004000 r--p 001f0000 fe:00 1000                       "
    "/usr/lib/libx.so\n"
    "Rss:                  16 kB\n"
    "Anonymous:             4 kB\n"
    "7f0000004000-7f0000005000 rw-p 001f4000 fe:00 1000                       "
    "/usr/lib/libx.so\n"
    "Rss:                   4 kB\n"
    "7f0000005000-7f0000006000 r-xp 00000000 00:00 0 \n"
    "Rss:                   4 kB\n"
    "7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0                          [vdso]\n"
    "Rss:                   4 kB\n"
    "7f0000010000-7f0000012000 r-xp 00000000 fe:00 1001                       /usr/lib/liby.so\n"
    "Rss:                   8 kB\n"
    "Swap:                  4 kB\n"
    "7f0000020000-7f0000022000 r-xp 00000000 fe:00 1002                       /usr/lib/libz.so\n"
    "Rss:                   8 kB\n"
    "VmFlags: rd ex mr mw me lo \n"
    "7f0000030000-7f0000032000 r--s 00000000 fe:00 1003                       /dev/shm/x\n"
    "Rss:                   8 kB\n";

TEST(WorkingSetTest, ParsesEachMappingWithTheFieldsThatDecide) {
  std::vector<SmapsMapping> m = ParseSmaps(kSmaps);
  ASSERT_EQ(m.size(), 8u);
  EXPECT_EQ(m[0].start, 0x55d0c0a00000u);
  EXPECT_EQ(m[0].end, 0x55d0c0a02000u);
  EXPECT_EQ(m[0].path, "/usr/bin/with space");
  EXPECT_FALSE(m[0].writable);
  EXPECT_TRUE(m[0].is_private);
  EXPECT_EQ(m[0].rss_kb, 8u);
  EXPECT_EQ(m[1].anonymous_kb, 4u);
  EXPECT_TRUE(m[2].writable);
  EXPECT_EQ(m[3].path, "");
  EXPECT_EQ(m[4].path, "[vdso]");
  EXPECT_EQ(m[5].swap_kb, 4u);
  EXPECT_TRUE(m[6].locked);
  EXPECT_FALSE(m[7].is_private);
}

TEST(WorkingSetTest, OnlyUnwrittenPrivateFileMappingsAreDroppable) {
  std::vector<SmapsMapping> m = ParseSmaps(kSmaps);
  ASSERT_EQ(m.size(), 8u);
  EXPECT_TRUE(IsDroppable(m[0]));   // read-only file data
  EXPECT_FALSE(IsDroppable(m[1]));  // relocated (RELRO): has copy-on-write pages
  EXPECT_FALSE(IsDroppable(m[2]));  // writable
  EXPECT_FALSE(IsDroppable(m[3]));  // anonymous
  EXPECT_FALSE(IsDroppable(m[4]));  // [vdso]
  EXPECT_FALSE(IsDroppable(m[5]));  // a copy-on-write page is in swap
  EXPECT_FALSE(IsDroppable(m[6]));  // locked
  EXPECT_FALSE(IsDroppable(m[7]));  // shared
}

// Resident kB of the mapping that starts at `address` in this process, or -1.
long ResidentKb(const void* address) {
  std::ifstream in("/proc/self/smaps");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const SmapsMapping& m : ParseSmaps(text)) {
    if (m.start == reinterpret_cast<std::uintptr_t>(address)) return static_cast<long>(m.rss_kb);
  }
  return -1;
}

class WorkingSetFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    page_ = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    size_ = 16 * page_;
    std::string content(size_, '\0');
    for (std::size_t i = 0; i < size_; ++i) content[i] = static_cast<char>('a' + i % 26);
    expected_ = content;
    std::ofstream(path_, std::ios::binary) << content;
    fd_ = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd_, 0);
  }
  void TearDown() override {
    if (fd_ >= 0) close(fd_);
  }
  // Reads every page so that all of them are resident.
  static std::string Touch(const char* data, std::size_t size) { return std::string(data, size); }

  testing::TempDir dir_;
  std::string path_ = dir_.Join("data");
  std::size_t page_ = 0;
  std::size_t size_ = 0;
  std::string expected_;
  int fd_ = -1;
};

TEST_F(WorkingSetFileTest, DropsReadOnlyFilePagesThatReadBackTheSame) {
  void* map = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
  ASSERT_NE(map, MAP_FAILED);
  const char* data = static_cast<const char*>(map);
  EXPECT_EQ(Touch(data, size_), expected_);
  EXPECT_EQ(ResidentKb(map), static_cast<long>(size_ / 1024));

  auto dropped = TrimWorkingSet();
  ASSERT_TRUE(dropped.ok()) << dropped.status().ToString();
  EXPECT_GE(*dropped, size_ / 1024);
  EXPECT_EQ(ResidentKb(map), 0);
  EXPECT_EQ(Touch(data, size_), expected_);  // faulted back in from the file
  munmap(map, size_);
}

TEST_F(WorkingSetFileTest, KeepsPagesWrittenBeforeTheMappingWasMadeReadOnly) {
  // What the dynamic loader does with RELRO: write (relocate), then mprotect read-only. The
  // written pages exist only in memory; dropping them would bring back the file's bytes.
  void* map = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd_, 0);
  ASSERT_NE(map, MAP_FAILED);
  char* data = static_cast<char*>(map);
  std::memcpy(data, "relocated", 9);
  ASSERT_EQ(mprotect(map, size_, PROT_READ), 0);
  EXPECT_EQ(Touch(data, size_).substr(9), expected_.substr(9));

  auto dropped = TrimWorkingSet();
  ASSERT_TRUE(dropped.ok()) << dropped.status().ToString();
  EXPECT_EQ(std::string(data, 9), "relocated");
  EXPECT_GT(ResidentKb(map), 0);
  munmap(map, size_);
}

}  // namespace
}  // namespace bulwark
