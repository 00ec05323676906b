// agent/base/file_util_win.cc and windows_util.cc against the real Win32 file system.
#include <aclapi.h>
#include <gmock/gmock.h>
#include <sddl.h>

#include "agent/base/file_util.h"
#include "agent/base/windows_util.h"
#include "tests/unit/platform/windows/agent/win_test_util.h"

namespace bulwark {
namespace {

using testing::kWineKeepsNoFileDacls;
using testing::ReadFileOrEmpty;
using testing::RunningOnWine;
using testing::WinTempDir;

// The SIDs ("S-1-5-18", ...) of the DACL's ACCESS_ALLOWED entries; `protected_dacl` tells
// whether the DACL is protected from inheritance; `other` counts entries of any other type.
struct DaclView {
  bool protected_dacl = false;
  std::vector<std::string> allowed_sids;
  int other = 0;
};

DaclView ReadDacl(const std::string& path) {
  DaclView view;
  PACL dacl = nullptr;
  PSECURITY_DESCRIPTOR sd = nullptr;
  const DWORD err =
      ::GetNamedSecurityInfoW(win::Utf8ToWide(path).c_str(), SE_FILE_OBJECT,
                              DACL_SECURITY_INFORMATION, nullptr, nullptr, &dacl, nullptr, &sd);
  EXPECT_EQ(err, static_cast<DWORD>(ERROR_SUCCESS)) << path;
  if (err != ERROR_SUCCESS) return view;
  SECURITY_DESCRIPTOR_CONTROL control = 0;
  DWORD revision = 0;
  ::GetSecurityDescriptorControl(sd, &control, &revision);
  view.protected_dacl = (control & SE_DACL_PROTECTED) != 0;
  for (DWORD i = 0; dacl != nullptr && i < dacl->AceCount; ++i) {
    void* ace = nullptr;
    if (!::GetAce(dacl, i, &ace)) continue;
    if (static_cast<ACE_HEADER*>(ace)->AceType != ACCESS_ALLOWED_ACE_TYPE) {
      ++view.other;
      continue;
    }
    wchar_t* text = nullptr;
    if (::ConvertSidToStringSidW(&static_cast<ACCESS_ALLOWED_ACE*>(ace)->SidStart, &text)) {
      view.allowed_sids.push_back(win::WideToUtf8(text));
      ::LocalFree(text);
    }
  }
  ::LocalFree(sd);
  return view;
}

// Gives `path` an unprotected DACL granting Everyone (S-1-1-0) full control.
void GrantEveryone(const std::string& path) {
  PSECURITY_DESCRIPTOR sd = nullptr;
  ASSERT_TRUE(::ConvertStringSecurityDescriptorToSecurityDescriptorW(
      L"D:(A;OICI;FA;;;WD)", SDDL_REVISION_1, &sd, nullptr));
  BOOL present = FALSE;
  BOOL defaulted = FALSE;
  PACL dacl = nullptr;
  ASSERT_TRUE(::GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted));
  const DWORD err =
      ::SetNamedSecurityInfoW(win::Utf8ToWide(path).data(), SE_FILE_OBJECT,
                              DACL_SECURITY_INFORMATION | UNPROTECTED_DACL_SECURITY_INFORMATION,
                              nullptr, nullptr, dacl, nullptr);
  ::LocalFree(sd);
  ASSERT_EQ(err, static_cast<DWORD>(ERROR_SUCCESS));
}

TEST(CreatePrivateDirectoryTest, GivesNewDirectoriesAProtectedSystemAndAdministratorsDacl) {
  WinTempDir tmp;
  const std::string parent = tmp.Join("Bulwark");
  const std::string state = parent + "\\state";
  Status created = CreatePrivateDirectory(state);
  ASSERT_TRUE(created.ok()) << created.message();
  if (RunningOnWine()) GTEST_SKIP() << kWineKeepsNoFileDacls;

  for (const std::string& dir : {state, parent}) {
    DaclView view = ReadDacl(dir);
    EXPECT_TRUE(view.protected_dacl) << dir;
    EXPECT_EQ(view.other, 0) << dir;
    EXPECT_THAT(view.allowed_sids, ::testing::UnorderedElementsAre("S-1-5-18", "S-1-5-32-544"))
        << dir;
  }
  auto check = win::HasPrivateDacl(state);
  ASSERT_TRUE(check.ok()) << check.status().message();
  EXPECT_TRUE(*check);
}

TEST(CreatePrivateDirectoryTest, ReplacesAWeakerDaclOnAnExistingDirectory) {
  WinTempDir tmp;
  const std::string state = tmp.Join("state");
  ASSERT_TRUE(::CreateDirectoryW(win::Utf8ToWide(state).c_str(), nullptr));
  GrantEveryone(state);
  auto before = win::HasPrivateDacl(state);
  ASSERT_TRUE(before.ok());
  ASSERT_FALSE(*before);  // the fixture really is weaker

  Status created = CreatePrivateDirectory(state);
  ASSERT_TRUE(created.ok()) << created.message();
  if (RunningOnWine()) GTEST_SKIP() << kWineKeepsNoFileDacls;

  DaclView view = ReadDacl(state);
  EXPECT_TRUE(view.protected_dacl);
  EXPECT_THAT(view.allowed_sids, ::testing::UnorderedElementsAre("S-1-5-18", "S-1-5-32-544"));
}

TEST(PrivateDaclSddlTest, GrantsOnlySystemAndAdministratorsAndIsProtected) {
  auto directory = win::PrivateDaclSddl(true);
  ASSERT_TRUE(directory.ok()) << directory.status().message();
  EXPECT_EQ(*directory, "D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)");
  auto file = win::PrivateDaclSddl(false);
  ASSERT_TRUE(file.ok()) << file.status().message();
  EXPECT_EQ(*file, "D:P(A;;FA;;;SY)(A;;FA;;;BA)");
}

TEST(ProtectDataDirectoryTest, CreatesTheFolderAndGivesItTheDataDacl) {
  WinTempDir dir;
  const std::string data = dir.path() + "\\Bulwark";
  Status s = win::ProtectDataDirectory(data);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_NE(::GetFileAttributesW(win::Utf8ToWide(data).c_str()), INVALID_FILE_ATTRIBUTES);
  EXPECT_TRUE(win::ProtectDataDirectory(data).ok());  // again: idempotent
  EXPECT_EQ(win::ProtectDataDirectory(dir.path() + "\\missing\\Bulwark").code(),
            StatusCode::kNotFound);
  if (RunningOnWine()) GTEST_SKIP() << kWineKeepsNoFileDacls;
  const DaclView view = ReadDacl(data);
  EXPECT_TRUE(view.protected_dacl);
  EXPECT_THAT(view.allowed_sids,
              ::testing::UnorderedElementsAre("S-1-5-18", "S-1-5-32-544", "S-1-5-32-545"));
}

TEST(CheckOnlyAdminsCanWriteTest, AcceptsTheCallersFileAndRefusesOneEveryoneMayWrite) {
  WinTempDir dir;
  const std::string path = dir.Join("agent.conf");
  dir.WriteFile("agent.conf", "interval = 60\n");
  Status own = CheckOnlyAdminsCanWrite(path);
  EXPECT_TRUE(own.ok()) << own.message();
  EXPECT_EQ(CheckOnlyAdminsCanWrite(dir.Join("missing")).code(), StatusCode::kNotFound);
  if (RunningOnWine()) GTEST_SKIP() << kWineKeepsNoFileDacls;
  // Everyone (S-1-1-0) may modify it: refused, naming the SID.
  PSECURITY_DESCRIPTOR sd = nullptr;
  ASSERT_TRUE(::ConvertStringSecurityDescriptorToSecurityDescriptorW(
      L"D:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;0x1301bf;;;WD)", SDDL_REVISION_1, &sd, nullptr));
  BOOL present = FALSE;
  BOOL defaulted = FALSE;
  PACL dacl = nullptr;
  ASSERT_TRUE(::GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted));
  std::wstring wide = win::Utf8ToWide(path);
  ASSERT_EQ(::SetNamedSecurityInfoW(wide.data(), SE_FILE_OBJECT,
                                    DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                                    nullptr, nullptr, dacl, nullptr),
            static_cast<DWORD>(ERROR_SUCCESS));
  ::LocalFree(sd);
  Status refused = CheckOnlyAdminsCanWrite(path);
  EXPECT_EQ(refused.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(refused.message(), ::testing::HasSubstr("writable by S-1-1-0"));
}

TEST(CreatePrivateDirectoryTest, RefusesAFileInTheWay) {
  WinTempDir tmp;
  tmp.WriteFile("state", "x");
  Status s = CreatePrivateDirectory(tmp.Join("state"));
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.message();
}

TEST(WriteFileAtomicTest, ReplacesContentsAndLeavesNoTemporaryFile) {
  WinTempDir tmp;
  const std::string path = tmp.Join("status.json");
  ASSERT_TRUE(WriteFileAtomic(path, "first", 0644).ok());
  ASSERT_TRUE(WriteFileAtomic(path, "second version", 0644).ok());
  EXPECT_EQ(ReadFileOrEmpty(path), "second version");
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(win::Utf8ToWide(tmp.path()))) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST(WriteFileAtomicTest, GivesAPrivateModeTheProtectedDacl) {
  WinTempDir tmp;
  const std::string secret = tmp.Join("credential");
  const std::string shared = tmp.Join("status.json");
  ASSERT_TRUE(WriteFileAtomic(secret, "dev.secret\n", 0600).ok());
  ASSERT_TRUE(WriteFileAtomic(shared, "{}", 0644).ok());
  EXPECT_EQ(ReadFileOrEmpty(secret), "dev.secret\n");
  if (RunningOnWine()) GTEST_SKIP() << kWineKeepsNoFileDacls;

  DaclView view = ReadDacl(secret);
  EXPECT_TRUE(view.protected_dacl);
  EXPECT_THAT(view.allowed_sids, ::testing::UnorderedElementsAre("S-1-5-18", "S-1-5-32-544"));
  EXPECT_FALSE(ReadDacl(shared).protected_dacl);
}

TEST(WriteFileAtomicTest, FailsWithNotFoundInAMissingDirectory) {
  WinTempDir tmp;
  Status s = WriteFileAtomic(tmp.Join("missing\\file"), "x", 0644);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.message();
  EXPECT_NE(s.message().find("0x00000003"), std::string::npos) << s.message();
}

TEST(CreateFileExclusiveTest, RefusesAnExistingFileAndKeepsIt) {
  WinTempDir tmp;
  const std::string path = tmp.Join("root.json");
  ASSERT_TRUE(CreateFileExclusive(path, "one", 0600).ok());
  Status again = CreateFileExclusive(path, "two", 0600);
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists) << again.message();
  EXPECT_EQ(ReadFileOrEmpty(path), "one");
}

TEST(WindowsUtilTest, RoundTripsUtf8ThroughUtf16) {
  const std::string text =
      "C:\\Donn\xC3\xA9"
      "es\\\xE6\x97\xA5\xE6\x9C\xAC";
  EXPECT_EQ(win::WideToUtf8(win::Utf8ToWide(text)), text);
  EXPECT_EQ(win::Utf8ToWide("\xC3\xA9"), std::wstring(L"\u00e9"));
}

TEST(WindowsUtilTest, MapsWin32ErrorsToCodesWithHex) {
  Status denied = win::Win32ErrorToStatus(ERROR_ACCESS_DENIED, "open x");
  EXPECT_EQ(denied.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(denied.message().rfind("open x: 0x00000005", 0), 0u) << denied.message();
  EXPECT_EQ(win::Win32ErrorToStatus(ERROR_FILE_NOT_FOUND, "x").code(), StatusCode::kNotFound);
  EXPECT_EQ(win::Win32ErrorToStatus(ERROR_FILE_EXISTS, "x").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(win::Win32ErrorToStatus(ERROR_DISK_FULL, "x").code(), StatusCode::kResourceExhausted);
}

TEST(WindowsUtilTest, FindsProgramData) {
  auto dir = win::ProgramDataDirectory();
  ASSERT_TRUE(dir.ok()) << dir.status().message();
  EXPECT_GE(dir->size(), 3u);
  EXPECT_EQ((*dir)[1], ':');
  EXPECT_NE(dir->back(), '\\');
}

}  // namespace
}  // namespace bulwark
