// The SID of the user this test process runs as, for the Windows seam tests (HKCU is
// HKU\<that SID>; Wine's console user is that SID too). Empty when the token is unreadable.
#ifndef BULWARK_TESTS_UNIT_PLATFORM_WINDOWS_SYSTEM_CURRENT_USER_H_
#define BULWARK_TESTS_UNIT_PLATFORM_WINDOWS_SYSTEM_CURRENT_USER_H_

// clang-format off
#include <windows.h>
#include <sddl.h>
// clang-format on

#include <string>
#include <vector>

#include "platform/windows/system/win_strings.h"

namespace bulwark::testing {

inline std::string CurrentUserSid() {
  HANDLE token = nullptr;
  if (!::OpenProcessToken(::GetCurrentProcess(), TOKEN_QUERY, &token)) return {};
  DWORD size = 0;
  ::GetTokenInformation(token, TokenUser, nullptr, 0, &size);
  std::vector<BYTE> buffer(size);
  std::string out;
  if (::GetTokenInformation(token, TokenUser, buffer.data(), size, &size)) {
    LPWSTR text = nullptr;
    if (::ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(buffer.data())->User.Sid, &text)) {
      out = WideToUtf8(text);
      ::LocalFree(text);
    }
  }
  ::CloseHandle(token);
  return out;
}

}  // namespace bulwark::testing

#endif  // BULWARK_TESTS_UNIT_PLATFORM_WINDOWS_SYSTEM_CURRENT_USER_H_
