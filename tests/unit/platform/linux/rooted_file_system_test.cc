// One conformance suite run against both ways RootedFileSystem resolves paths: the live root
// (kernel resolution, paths given as absolute host paths) and a fixture root (our own in-root
// resolution), so the two cannot drift. Then the root-specific guarantees.
#include "platform/linux/rooted_file_system.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/testing/temp_dir.h"

namespace bulwark {
namespace {

using testing::TempDir;

struct Mode {
  const char* name;
  bool live;
  RootedFileSystem::Resolution resolution;
};

class FileSystemConformanceTest : public ::testing::TestWithParam<Mode> {
 protected:
  void SetUp() override {
    dir_.WriteFile("/etc/os-release", "ID=debian\n");
    dir_.WriteFile("/sys/devices/virtual/block/dm-0/dev", "254:0\n");
    dir_.Symlink("/sys/dev/block/254:0", "../../devices/virtual/block/dm-0");
    dir_.Symlink("/sys/block/dm-0", "../devices/virtual/block/dm-0");
    dir_.Symlink("/link-to-link", "sys/block/dm-0");
    dir_.Symlink("/loop-a", "loop-b");
    dir_.Symlink("/loop-b", "loop-a");
    dir_.Symlink("/dangling", "nowhere");
    dir_.MakeDirs("/empty");
    auto fs = RootedFileSystem::Create(GetParam().live ? "/" : dir_.path(), GetParam().resolution);
    ASSERT_TRUE(fs.ok()) << fs.status().ToString();
    fs_.emplace(std::move(*fs));
  }
  // The path to hand to the file system for in-fixture path `p`.
  std::string P(const std::string& p) const { return GetParam().live ? dir_.path() + p : p; }

  TempDir dir_;
  std::optional<RootedFileSystem> fs_;
};

TEST_P(FileSystemConformanceTest, ReadsFilesThroughRelativeSymlinks) {
  EXPECT_EQ(*fs_->ReadFile(P("/etc/os-release")), "ID=debian\n");
  EXPECT_EQ(*fs_->ReadFile(P("/sys/dev/block/254:0/dev")), "254:0\n");
  EXPECT_EQ(*fs_->ReadFile(P("/link-to-link/dev")), "254:0\n");
}

TEST_P(FileSystemConformanceTest, ReadFileHeadStopsAtTheCap) {
  EXPECT_EQ(*fs_->ReadFileHead(P("/etc/os-release"), 3), "ID=");
  EXPECT_EQ(*fs_->ReadFileHead(P("/etc/os-release"), 100), "ID=debian\n");
  EXPECT_EQ(*fs_->ReadFileHead(P("/etc/os-release"), 0), "");
  EXPECT_EQ(fs_->ReadFileHead(P("/empty"), 3).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fs_->ReadFileHead(P("/missing"), 3).status().code(), StatusCode::kNotFound);
}

TEST_P(FileSystemConformanceTest, CanonicalizeResolvesEveryLink) {
  EXPECT_EQ(*fs_->Canonicalize(P("/sys/dev/block/254:0")), P("/sys/devices/virtual/block/dm-0"));
  EXPECT_EQ(*fs_->Canonicalize(P("/link-to-link")), P("/sys/devices/virtual/block/dm-0"));
  EXPECT_EQ(*fs_->Canonicalize(P("/sys/./block/../block/dm-0")),
            P("/sys/devices/virtual/block/dm-0"));
}

TEST_P(FileSystemConformanceTest, ErrorsHaveTheRightCodes) {
  EXPECT_EQ(fs_->ReadFile(P("/missing")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(fs_->ReadFile(P("/dangling")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(fs_->Canonicalize(P("/dangling")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(fs_->ReadFile(P("/loop-a")).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(fs_->ReadFile(P("/empty")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fs_->ReadFile("relative/path").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fs_->ReadFile(P("/etc/os-release"), 3).status().code(), StatusCode::kResourceExhausted);
}

TEST_P(FileSystemConformanceTest, ListsSortedAndReadsLinksAndStats) {
  auto names = fs_->ListDirectory(P("/sys/block"));
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{"dm-0"});
  EXPECT_TRUE(fs_->ListDirectory(P("/empty"))->empty());
  EXPECT_EQ(*fs_->ReadLink(P("/sys/block/dm-0")), "../devices/virtual/block/dm-0");
  EXPECT_EQ(fs_->Stat(P("/sys/block/dm-0"))->type, FileType::kDirectory);
  EXPECT_EQ(fs_->Stat(P("/sys/block/dm-0"), false)->type, FileType::kSymlink);
  EXPECT_EQ(fs_->Stat(P("/etc/os-release"))->size, 10u);
  EXPECT_TRUE(fs_->Exists(P("/etc")));
  EXPECT_FALSE(fs_->Exists(P("/dangling")));
}

INSTANTIATE_TEST_SUITE_P(
    Modes, FileSystemConformanceTest,
    ::testing::Values(Mode{"Live", true, RootedFileSystem::Resolution::kKernel},
                      Mode{"Rooted", false, RootedFileSystem::Resolution::kKernel},
                      Mode{"RootedManual", false, RootedFileSystem::Resolution::kManual}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

class RootedEscapeTest : public ::testing::TestWithParam<RootedFileSystem::Resolution> {};

TEST_P(RootedEscapeTest, AbsoluteAndDotDotLinksStayInsideTheRoot) {
  TempDir outside;
  outside.WriteFile("/secret", "host secret");
  TempDir root;
  root.WriteFile("/secret", "in-root file");
  // Both would escape to the host if the kernel resolved them.
  root.Symlink("/abs", outside.path() + "/secret");
  root.Symlink("/dir/up", "../../../../../../../../secret");
  root.Symlink("/etc/passwd-link", "/secret");
  auto fs = RootedFileSystem::Create(root.path(), GetParam());
  ASSERT_TRUE(fs.ok());
  EXPECT_EQ(fs->ReadFile("/abs").status().code(), StatusCode::kNotFound)
      << "an absolute target is re-rooted, not followed on the host";
  EXPECT_EQ(*fs->ReadFile("/dir/up"), "in-root file");
  EXPECT_EQ(*fs->ReadFile("/etc/passwd-link"), "in-root file");
  EXPECT_EQ(*fs->ReadFile("/../../secret"), "in-root file");
  EXPECT_EQ(*fs->Canonicalize("/dir/up"), "/secret");
  EXPECT_EQ(fs->HostPath("/dev/sda"), root.path() + "/dev/sda");
  EXPECT_FALSE(fs->IsLiveRoot());
}

INSTANTIATE_TEST_SUITE_P(Resolutions, RootedEscapeTest,
                         ::testing::Values(RootedFileSystem::Resolution::kKernel,
                                           RootedFileSystem::Resolution::kManual));

TEST(RootedFileSystemTest, NeverBlocksOnFifosOrDevices) {
  TempDir root;
  root.MakeDirs("/proc");
  ASSERT_EQ(::mkfifo(root.Join("/proc/swaps").c_str(), 0644), 0);
  root.Symlink("/dev/zero-link", "/dev/zero");
  auto fs = RootedFileSystem::Create(root.path());
  ASSERT_TRUE(fs.ok());
  EXPECT_EQ(fs->ReadFile("/proc/swaps").status().code(), StatusCode::kInvalidArgument);
  auto live = RootedFileSystem::Create("/");
  EXPECT_EQ(live->ReadFile("/dev/zero").status().code(), StatusCode::kInvalidArgument);
}

TEST(RootedFileSystemTest, CreateRejectsBadRoots) {
  EXPECT_EQ(RootedFileSystem::Create("relative").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RootedFileSystem::Create("/nonexistent/root").status().code(), StatusCode::kNotFound);
  TempDir dir;
  dir.WriteFile("/file", "x");
  EXPECT_EQ(RootedFileSystem::Create(dir.Join("/file")).status().code(),
            StatusCode::kInvalidArgument);
  auto trailing = RootedFileSystem::Create(dir.path() + "///");
  ASSERT_TRUE(trailing.ok());
  EXPECT_EQ(*trailing->ReadFile("/file"), "x");
  EXPECT_TRUE(RootedFileSystem::Create("/")->IsLiveRoot());
}

TEST(RootedFileSystemTest, UnreadableFileIsPermissionDeniedForUnprivilegedUsers) {
  if (::geteuid() == 0) {
    // Root bypasses file modes; the unprivileged path is covered by the agent CLI test that
    // runs bulwark-agent as 'nobody'. Here just check that the mode is reported.
    TempDir dir;
    dir.WriteFile("/etc/shadow", "x", 0600);
    auto fs = RootedFileSystem::Create(dir.path());
    EXPECT_EQ(fs->Stat("/etc/shadow")->mode, 0600u);
    return;
  }
  TempDir dir;
  dir.WriteFile("/etc/shadow", "x", 0000);
  auto fs = RootedFileSystem::Create(dir.path());
  EXPECT_EQ(fs->ReadFile("/etc/shadow").status().code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace bulwark
