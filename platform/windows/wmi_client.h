// WmiClient: the seam to Windows Management Instrumentation, declared platform-neutrally so the
// Windows probes' mapping logic compiles and is tested anywhere from recorded rows.
//
// The real implementation (COM on one dedicated thread, IWbemServices) comes with the Windows
// agent; every COM/WMI error becomes a Status whose message carries the HRESULT in hex, e.g.
// "ROOT\\CIMV2\\Security\\MicrosoftVolumeEncryption: 0x8004100E (WBEM_E_INVALID_NAMESPACE)".
// kNotFound: namespace or class absent (Home editions, feature not installed);
// kPermissionDenied: access denied (not elevated).
//
// Thread-safety: implementations serialise calls onto their COM thread; safe for concurrent use.
#ifndef BULWARK_PLATFORM_WINDOWS_WMI_CLIENT_H_
#define BULWARK_PLATFORM_WINDOWS_WMI_CLIENT_H_

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "agent/base/status.h"

namespace bulwark {

// One WMI property or out-parameter value. VT_NULL maps to std::monostate.
using WmiValue = std::variant<std::monostate, bool, std::int64_t, std::uint64_t, double,
                              std::string, std::vector<std::string>, std::vector<std::int64_t>>;

// One instance (or a method's out-parameters): property name -> value.
using WmiRow = std::map<std::string, WmiValue>;

class WmiClient {
 public:
  virtual ~WmiClient() = default;

  // Runs a WQL query in `wmi_namespace` (e.g. "ROOT\\CIMV2").
  virtual Result<std::vector<WmiRow>> Query(const std::string& wmi_namespace,
                                            const std::string& wql) = 0;

  // Calls `method` on the instance at `object_path` (e.g.
  // "Win32_EncryptableVolume.DeviceID='\\\\?\\Volume{...}\\'") with `in` parameters and
  // returns the out-parameters, including "ReturnValue".
  virtual Result<WmiRow> CallMethod(const std::string& wmi_namespace,
                                    const std::string& object_path, const std::string& method,
                                    const WmiRow& in) = 0;
};

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_WINDOWS_WMI_CLIENT_H_
