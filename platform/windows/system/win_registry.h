// WinRegistry: the Registry seam over RegOpenKeyExW(KEY_QUERY_VALUE | KEY_WOW64_64KEY) and
// RegGetValueW, so a 32-bit build still reads the 64-bit view. Hives: "HKLM" and
// "HKU\\<SID>" (also "HKCU" and "HKCR", used by tests). Key paths use backslashes.
//
// Errors: "<hive>\\<key>: <value>: 0x00000002 (ERROR_FILE_NOT_FOUND)"; a missing key or value
// is kNotFound, access denied kPermissionDenied, a value of another type kInvalidArgument
// (ERROR_UNSUPPORTED_TYPE), an unknown hive kInvalidArgument. REG_EXPAND_SZ strings are
// returned expanded.
//
// Thread-safety: stateless; safe for concurrent use. Verified under Wine 8.0.
#ifndef BULWARK_PLATFORM_WINDOWS_SYSTEM_WIN_REGISTRY_H_
#define BULWARK_PLATFORM_WINDOWS_SYSTEM_WIN_REGISTRY_H_

#include <cstdint>
#include <string>

#include "platform/windows/windows_system.h"

namespace bulwark {

class WinRegistry final : public Registry {
 public:
  Result<std::uint32_t> ReadDword(const std::string& hive, const std::string& key,
                                  const std::string& value) const override;
  Result<std::string> ReadString(const std::string& hive, const std::string& key,
                                 const std::string& value) const override;
};

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_WINDOWS_SYSTEM_WIN_REGISTRY_H_
