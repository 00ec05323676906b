// Helpers for the Windows agent tests (run under Wine or on Windows): a temporary directory
// under %TEMP% removed on destruction, and file writes. Test-only.
#ifndef BULWARK_TESTS_UNIT_PLATFORM_WINDOWS_AGENT_WIN_TEST_UTIL_H_
#define BULWARK_TESTS_UNIT_PLATFORM_WINDOWS_AGENT_WIN_TEST_UTIL_H_

#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <gtest/gtest.h>
#include <windows.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "agent/base/windows_util.h"

namespace bulwark::testing {

class WinTempDir {
 public:
  WinTempDir() {
    static std::atomic<unsigned> counter{0};
    wchar_t base[MAX_PATH + 1] = {};
    const DWORD n = ::GetTempPathW(MAX_PATH + 1, base);
    std::string dir = win::WideToUtf8(std::wstring(base, n));
    if (!dir.empty() && dir.back() != '\\') dir += '\\';
    path_ = dir + "bulwark-test-" + std::to_string(::GetCurrentProcessId()) + "-" +
            std::to_string(counter.fetch_add(1)) + "-" + std::to_string(::GetTickCount64());
    if (!::CreateDirectoryW(win::Utf8ToWide(path_).c_str(), nullptr)) {
      ADD_FAILURE() << "cannot create " << path_ << ": " << ::GetLastError();
    }
  }
  ~WinTempDir() {
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(win::Utf8ToWide(path_)), ec);
  }
  WinTempDir(const WinTempDir&) = delete;
  WinTempDir& operator=(const WinTempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Join(std::string_view relative) const { return path_ + "\\" + std::string(relative); }

  void WriteFile(std::string_view relative, std::string_view contents) const {
    std::ofstream out(std::filesystem::path(win::Utf8ToWide(Join(relative))),
                      std::ios::binary | std::ios::trunc);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    if (!out) ADD_FAILURE() << "cannot write " << Join(relative);
  }

 private:
  std::string path_;
};

// Wine (ntdll exports wine_get_version): some Windows behaviour is missing there.
inline bool RunningOnWine() {
  HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && ::GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

// Mainline Wine keeps no DACL on files (it maps a DACL to Unix mode bits and synthesises the
// DACL it reports), so a DACL read back there proves nothing.
inline constexpr char kWineKeepsNoFileDacls[] =
    "Wine keeps no file DACLs (reads back a DACL synthesised from Unix mode bits); the DACL "
    "written is checked by PrivateDaclSddlTest";

inline std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(std::filesystem::path(win::Utf8ToWide(path)), std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace bulwark::testing

#endif  // BULWARK_TESTS_UNIT_PLATFORM_WINDOWS_AGENT_WIN_TEST_UTIL_H_
