#include "agent/base/file_util.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "tests/testing/temp_dir.h"

namespace bulwark {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

unsigned ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST(WriteFileAtomicTest, ReplacesTheFileWholeWithExactlyTheMode) {
  testing::TempDir dir;
  const std::string path = dir.Join("credential");
  const mode_t old_umask = ::umask(0);  // the mode must not depend on the umask
  ASSERT_TRUE(WriteFileAtomic(path, "first", 0600).ok());
  ::umask(old_umask);
  EXPECT_EQ(Slurp(dir.Join("credential")), "first");
  EXPECT_EQ(ModeOf(path), 0600u);
  ASSERT_TRUE(WriteFileAtomic(path, "second, longer", 0644).ok());
  EXPECT_EQ(Slurp(dir.Join("credential")), "second, longer");
  EXPECT_EQ(ModeOf(path), 0644u);
  // No temporary file is left behind.
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    static_cast<void>(e);
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST(WriteFileAtomicTest, FailsNamingThePathAndLeavesTheOldFile) {
  testing::TempDir dir;
  Status s = WriteFileAtomic(dir.Join("missing/dir/file"), "x", 0600);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  EXPECT_THAT(s.message(), ::testing::HasSubstr("missing/dir/file"));
}

TEST(CreateFileExclusiveTest, RefusesExistingFilesAndSymlinks) {
  testing::TempDir dir;
  const std::string path = dir.Join("key");
  ASSERT_TRUE(CreateFileExclusive(path, "secret", 0600).ok());
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(CreateFileExclusive(path, "other", 0600).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(Slurp(dir.Join("key")), "secret");
  ASSERT_EQ(::symlink(dir.Join("elsewhere").c_str(), dir.Join("link").c_str()), 0);
  EXPECT_FALSE(CreateFileExclusive(dir.Join("link"), "x", 0600).ok());
  EXPECT_FALSE(std::filesystem::exists(dir.Join("elsewhere")));
}

TEST(CheckOnlyAdminsCanWriteTest, RefusesFilesOthersCanChange) {
  testing::TempDir dir;
  const std::string path = dir.Join("agent.conf");
  ASSERT_TRUE(WriteFileAtomic(path, "server = https://c\n", 0644).ok());
  EXPECT_TRUE(CheckOnlyAdminsCanWrite(path).ok());
  for (const unsigned mode : {0664u, 0646u, 0666u}) {
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    Status s = CheckOnlyAdminsCanWrite(path);
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << mode;
    EXPECT_THAT(s.message(), ::testing::HasSubstr("writable by group or others"));
    EXPECT_THAT(s.message(), ::testing::HasSubstr(path));
  }
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  EXPECT_EQ(CheckOnlyAdminsCanWrite(dir.Join("missing")).code(), StatusCode::kNotFound);
  if (::geteuid() == 0) {
    // Owned by another user (nobody): refused even though only that user can write it.
    ASSERT_EQ(::chown(path.c_str(), 65534, 65534), 0);
    Status s = CheckOnlyAdminsCanWrite(path);
    EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
    EXPECT_THAT(s.message(), ::testing::HasSubstr("owned by uid 65534"));
  }
}

}  // namespace
}  // namespace bulwark
