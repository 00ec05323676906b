#include "platform/windows/system/win_registry.h"

#include <gtest/gtest.h>
// clang-format off
#include <windows.h>
#include <sddl.h>
// clang-format on

#include <memory>
#include <string>
#include <vector>

#include "platform/windows/system/win_strings.h"
#include "tests/unit/platform/windows/system/current_user.h"

namespace bulwark {
namespace {

using testing::CurrentUserSid;

// Creates HKCU\Software\BulwarkTest-<pid> with a few values; deletes it on destruction.
class TestKey {
 public:
  TestKey() : path_("Software\\BulwarkTest-" + std::to_string(::GetCurrentProcessId())) {
    std::wstring wide = Utf8ToWide(path_);
    ok_ = ::RegCreateKeyExW(HKEY_CURRENT_USER, wide.c_str(), 0, nullptr, 0, KEY_ALL_ACCESS, nullptr,
                            &key_, nullptr) == ERROR_SUCCESS;
  }
  ~TestKey() {
    if (key_ != nullptr) ::RegCloseKey(key_);
    std::wstring wide = Utf8ToWide(path_);
    ::RegDeleteTreeW(HKEY_CURRENT_USER, wide.c_str());
    ::RegDeleteKeyW(HKEY_CURRENT_USER, wide.c_str());
  }
  bool ok() const { return ok_; }
  const std::string& path() const { return path_; }
  bool SetDword(const wchar_t* name, DWORD value) {
    return ::RegSetValueExW(key_, name, 0, REG_DWORD, reinterpret_cast<const BYTE*>(&value),
                            sizeof value) == ERROR_SUCCESS;
  }
  bool SetString(const wchar_t* name, const std::wstring& value, DWORD type = REG_SZ) {
    return ::RegSetValueExW(key_, name, 0, type, reinterpret_cast<const BYTE*>(value.c_str()),
                            static_cast<DWORD>((value.size() + 1) * sizeof(wchar_t))) ==
           ERROR_SUCCESS;
  }

 private:
  std::string path_;
  HKEY key_ = nullptr;
  bool ok_ = false;
};

TEST(WinRegistryTest, ReadsBackValuesWrittenUnderHkcu) {
  TestKey key;
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(key.SetDword(L"Timeout", 900));
  ASSERT_TRUE(key.SetString(L"Name", L"Bulwark \x00E9t\x00E9"));
  std::wstring long_value(3000, L'x');
  ASSERT_TRUE(key.SetString(L"Long", long_value));
  WinRegistry registry;
  auto dword = registry.ReadDword("HKCU", key.path(), "Timeout");
  ASSERT_TRUE(dword.ok()) << dword.status().ToString();
  EXPECT_EQ(*dword, 900u);
  auto name = registry.ReadString("HKCU", key.path(), "Name");
  ASSERT_TRUE(name.ok()) << name.status().ToString();
  EXPECT_EQ(*name, "Bulwark \xC3\xA9t\xC3\xA9");
  auto long_read = registry.ReadString("HKCU", key.path(), "Long");
  ASSERT_TRUE(long_read.ok()) << long_read.status().ToString();
  EXPECT_EQ(long_read->size(), 3000u);
}

TEST(WinRegistryTest, ExpandStringIsReturnedExpanded) {
  TestKey key;
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(key.SetString(L"Path", L"%SystemRoot%\\system32", REG_EXPAND_SZ));
  wchar_t root[MAX_PATH] = {};
  ASSERT_GT(::GetEnvironmentVariableW(L"SystemRoot", root, MAX_PATH), 0u);
  WinRegistry registry;
  auto value = registry.ReadString("HKCU", key.path(), "Path");
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_EQ(*value, WideToUtf8(root) + "\\system32");
}

TEST(WinRegistryTest, ReadsTheSameValueThroughHkuAndTheUserSid) {
  TestKey key;
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(key.SetDword(L"ScreenSaveTimeOut", 600));
  const std::string sid = CurrentUserSid();
  ASSERT_FALSE(sid.empty());
  WinRegistry registry;
  auto value = registry.ReadDword("HKU\\" + sid, key.path(), "ScreenSaveTimeOut");
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_EQ(*value, 600u);
}

TEST(WinRegistryTest, MissingKeyAndValueAreNotFoundWithTheCode) {
  TestKey key;
  ASSERT_TRUE(key.ok());
  WinRegistry registry;
  auto missing_key = registry.ReadDword("HKLM", "Software\\BulwarkNoSuchKey", "X");
  ASSERT_FALSE(missing_key.ok());
  EXPECT_EQ(missing_key.status(),
            NotFoundError("HKLM\\Software\\BulwarkNoSuchKey: 0x00000002 (ERROR_FILE_NOT_FOUND)"));
  auto missing_value = registry.ReadString("HKCU", key.path(), "Absent");
  ASSERT_FALSE(missing_value.ok());
  EXPECT_EQ(missing_value.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing_value.status().message().find(": Absent: 0x00000002"), std::string::npos)
      << missing_value.status().message();
}

TEST(WinRegistryTest, WrongTypeIsInvalidArgumentAndUnknownHiveIsRejected) {
  TestKey key;
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(key.SetString(L"Text", L"12"));
  WinRegistry registry;
  auto wrong = registry.ReadDword("HKCU", key.path(), "Text");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument) << wrong.status().ToString();
  auto hive = registry.ReadDword("HKXX", "Software", "X");
  ASSERT_FALSE(hive.ok());
  EXPECT_EQ(hive.status().code(), StatusCode::kInvalidArgument);
}

TEST(WinRegistryTest, ReadsTheMachineProductName) {
  WinRegistry registry;
  auto product =
      registry.ReadString("HKLM", "Software\\Microsoft\\Windows NT\\CurrentVersion", "ProductName");
  ASSERT_TRUE(product.ok()) << product.status().ToString();
  EXPECT_EQ(product->rfind("Microsoft Windows", 0), 0u) << *product;
}

}  // namespace
}  // namespace bulwark
