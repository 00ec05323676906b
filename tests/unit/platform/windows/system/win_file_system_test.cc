#include "platform/windows/system/win_file_system.h"

#include <gtest/gtest.h>
#include <windows.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "platform/windows/system/win_strings.h"

namespace bulwark {
namespace {

// A fresh directory under %TEMP%, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    wchar_t temp[MAX_PATH + 1] = {};
    ::GetTempPathW(MAX_PATH + 1, temp);
    path_ =
        std::filesystem::path(temp) / (L"bulwark-fs-" + std::to_wstring(::GetCurrentProcessId()) +
                                       L"-" + std::to_wstring(::GetTickCount64()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string Utf8(const std::wstring& name = L"") const {
    return WideToUtf8((name.empty() ? path_ : path_ / name).wstring());
  }
  void Write(const std::wstring& name, const std::string& data) const {
    std::ofstream out(path_ / name, std::ios::binary);
    out << data;
  }

 private:
  std::filesystem::path path_;
};

TEST(LiveWindowsFileSystemTest, ReadsFilesWithTheCap) {
  TempDir dir;
  dir.Write(L"a.txt", "hello\r\nworld");
  LiveWindowsFileSystem fs;
  auto data = fs.ReadFile(dir.Utf8(L"a.txt"));
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_EQ(*data, "hello\r\nworld");
  auto capped = fs.ReadFile(dir.Utf8(L"a.txt"), 5);
  ASSERT_FALSE(capped.ok());
  EXPECT_EQ(capped.status().code(), StatusCode::kResourceExhausted);
  auto head = fs.ReadFileHead(dir.Utf8(L"a.txt"), 5);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(*head, "hello");
}

TEST(LiveWindowsFileSystemTest, MissingFileIsNotFoundWithTheCode) {
  TempDir dir;
  LiveWindowsFileSystem fs;
  auto data = fs.ReadFile(dir.Utf8(L"missing.txt"));
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), StatusCode::kNotFound);
  EXPECT_NE(data.status().message().find("0x00000002 (ERROR_FILE_NOT_FOUND)"), std::string::npos);
  EXPECT_FALSE(fs.Exists(dir.Utf8(L"missing.txt")));
  EXPECT_EQ(fs.Canonicalize(dir.Utf8(L"missing.txt")).status().code(), StatusCode::kNotFound);
}

TEST(LiveWindowsFileSystemTest, RelativePathIsInvalidArgument) {
  LiveWindowsFileSystem fs;
  EXPECT_EQ(fs.ReadFile("windows\\win.ini").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fs.Stat("C:relative").status().code(), StatusCode::kInvalidArgument);
}

TEST(LiveWindowsFileSystemTest, ListsSortedAndStats) {
  TempDir dir;
  dir.Write(L"b.txt", "12345");
  dir.Write(L"a.txt", "1");
  dir.Write(L"\x00E9t\x00E9.txt", "");
  std::filesystem::create_directory(std::filesystem::path(Utf8ToWide(dir.Utf8())) / L"sub");
  LiveWindowsFileSystem fs;
  auto names = fs.ListDirectory(dir.Utf8());
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  EXPECT_EQ(*names, (std::vector<std::string>{"a.txt", "b.txt", "sub", "\xC3\xA9t\xC3\xA9.txt"}));
  auto file = fs.Stat(dir.Utf8(L"b.txt"));
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->type, FileType::kRegular);
  EXPECT_EQ(file->size, 5u);
  auto sub = fs.Stat(dir.Utf8(L"sub"));
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub->type, FileType::kDirectory);
  EXPECT_EQ(fs.ListDirectory(dir.Utf8(L"nope")).status().code(), StatusCode::kNotFound);
}

TEST(LiveWindowsFileSystemTest, ReadLinkOnARegularFileIsInvalidArgument) {
  TempDir dir;
  dir.Write(L"plain.txt", "x");
  LiveWindowsFileSystem fs;
  auto link = fs.ReadLink(dir.Utf8(L"plain.txt"));
  ASSERT_FALSE(link.ok());
  EXPECT_EQ(link.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fs.ReadLink(dir.Utf8(L"missing")).status().code(), StatusCode::kNotFound);
}

TEST(LiveWindowsFileSystemTest, CanonicalizeResolvesDotDotAndForwardSlashes) {
  TempDir dir;
  dir.Write(L"c.txt", "x");
  LiveWindowsFileSystem fs;
  auto expected = fs.Canonicalize(dir.Utf8(L"c.txt"));
  ASSERT_TRUE(expected.ok()) << expected.status().ToString();
  std::string twisted = dir.Utf8() + "/sub/../c.txt";
  std::filesystem::create_directory(std::filesystem::path(Utf8ToWide(dir.Utf8())) / L"sub");
  auto resolved = fs.Canonicalize(twisted);
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  EXPECT_EQ(*resolved, *expected);
  EXPECT_EQ(resolved->rfind("\\\\?\\", 0), std::string::npos);
  EXPECT_EQ(fs.HostPath("C:\\x"), "C:\\x");
  EXPECT_TRUE(fs.IsLiveRoot());
}

}  // namespace
}  // namespace bulwark
