#include "platform/windows/system/win_registry.h"

#include <windows.h>

#include <string_view>
#include <utility>
#include <vector>

#include "platform/windows/system/win_strings.h"

namespace bulwark {
namespace {

// An open registry key, closed on destruction.
class Key {
 public:
  Key() = default;
  ~Key() {
    if (h_ != nullptr) ::RegCloseKey(h_);
  }
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  HKEY* Out() { return &h_; }
  HKEY get() const { return h_; }

 private:
  HKEY h_ = nullptr;
};

// Opens hive + key; `where` names it for messages.
Status Open(const std::string& hive, const std::string& key, Key& out, std::string& where) {
  HKEY root = nullptr;
  std::string subkey = key;
  if (hive == "HKLM") {
    root = HKEY_LOCAL_MACHINE;
  } else if (hive == "HKCU") {
    root = HKEY_CURRENT_USER;
  } else if (hive == "HKCR") {
    root = HKEY_CLASSES_ROOT;
  } else if (hive.rfind("HKU\\", 0) == 0 && hive.size() > 4) {
    root = HKEY_USERS;
    subkey = hive.substr(4) + (key.empty() ? "" : "\\" + key);
  } else {
    return InvalidArgumentError("registry: unknown hive '" + hive + "'");
  }
  where = hive + "\\" + key;
  std::wstring wide = Utf8ToWide(subkey);
  LSTATUS rc = ::RegOpenKeyExW(root, wide.c_str(), 0, KEY_QUERY_VALUE | KEY_WOW64_64KEY, out.Out());
  if (rc != ERROR_SUCCESS) return Win32ErrorToStatus(static_cast<std::uint32_t>(rc), where);
  return Status();
}

}  // namespace

Result<std::uint32_t> WinRegistry::ReadDword(const std::string& hive, const std::string& key,
                                             const std::string& value) const {
  Key k;
  std::string where;
  RETURN_IF_ERROR(Open(hive, key, k, where));
  std::wstring name = Utf8ToWide(value);
  DWORD data = 0;
  DWORD size = sizeof data;
  LSTATUS rc =
      ::RegGetValueW(k.get(), nullptr, name.c_str(), RRF_RT_REG_DWORD, nullptr, &data, &size);
  if (rc != ERROR_SUCCESS) {
    return Win32ErrorToStatus(static_cast<std::uint32_t>(rc), where + ": " + value);
  }
  return static_cast<std::uint32_t>(data);
}

Result<std::string> WinRegistry::ReadString(const std::string& hive, const std::string& key,
                                            const std::string& value) const {
  Key k;
  std::string where;
  RETURN_IF_ERROR(Open(hive, key, k, where));
  std::wstring name = Utf8ToWide(value);
  std::vector<wchar_t> buffer(256);
  for (int attempt = 0; attempt < 8; ++attempt) {
    DWORD size = static_cast<DWORD>(buffer.size() * sizeof(wchar_t));
    LSTATUS rc = ::RegGetValueW(k.get(), nullptr, name.c_str(), RRF_RT_REG_SZ, nullptr,
                                buffer.data(), &size);
    if (rc == ERROR_MORE_DATA) {  // the value grew or is long: size holds the bytes needed
      buffer.resize(size / sizeof(wchar_t) + 1);
      continue;
    }
    if (rc != ERROR_SUCCESS) {
      return Win32ErrorToStatus(static_cast<std::uint32_t>(rc), where + ": " + value);
    }
    std::size_t chars = size / sizeof(wchar_t);
    while (chars > 0 && buffer[chars - 1] == L'\0') --chars;  // the terminator(s)
    return WideToUtf8(std::wstring_view(buffer.data(), chars));
  }
  return UnavailableError(where + ": " + value + ": the value kept changing size");
}

}  // namespace bulwark
