// Windows side of the OS seams. WindowsSystem implements System (FileSystem rooted at a
// directory or the live %SystemDrive%, CommandRunner over CreateProcessW without cmd.exe,
// Clock) and adds the Windows-only seams the probes need. NewDefaultSystem() on Windows builds
// it. Declared here so the seam is cross-platform from the first commit; implemented with the
// Windows agent.
#ifndef BULWARK_PLATFORM_WINDOWS_WINDOWS_SYSTEM_H_
#define BULWARK_PLATFORM_WINDOWS_WINDOWS_SYSTEM_H_

#include <memory>
#include <string>

#include "agent/sys/system.h"
#include "platform/windows/wmi_client.h"

namespace bulwark {

// Registry reads (policy values: UAC, screen lock, automatic updates).
// kNotFound for a missing key or value; kPermissionDenied for access denied.
class Registry {
 public:
  virtual ~Registry() = default;
  // hive: "HKLM" | "HKU\\<SID>"; returns REG_DWORD values.
  virtual Result<std::uint32_t> ReadDword(const std::string& hive, const std::string& key,
                                          const std::string& value) const = 0;
  virtual Result<std::string> ReadString(const std::string& hive, const std::string& key,
                                         const std::string& value) const = 0;
};

class WindowsSystem : public System {
 public:
  virtual WmiClient& wmi() const = 0;
  virtual const Registry& registry() const = 0;
};

// The live Windows system.
Result<std::unique_ptr<WindowsSystem>> NewDefaultWindowsSystem();

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_WINDOWS_WINDOWS_SYSTEM_H_
