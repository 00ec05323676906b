// Typed reads of WMI values and method results, shared by the Windows probes. Pure functions,
// no I/O; they accept every form a real IWbemClassObject value arrives in (CIM uint32 as a
// signed VT_I4, CIM uint64/sint64 as a decimal string, booleans as VT_BOOL).
#ifndef BULWARK_PLATFORM_WINDOWS_WMI_VALUES_H_
#define BULWARK_PLATFORM_WINDOWS_WMI_VALUES_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/status.h"
#include "platform/windows/wmi_client.h"

namespace bulwark {

// The integer value of `name`; nullopt when absent, null, or not an integer.
std::optional<std::int64_t> WmiInt(const WmiRow& row, const std::string& name);
// The boolean value of `name` (VT_BOOL, or an integer 0/1); nullopt otherwise.
std::optional<bool> WmiBool(const WmiRow& row, const std::string& name);
// The string value of `name`; nullopt when absent, null or not a string.
std::optional<std::string> WmiString(const WmiRow& row, const std::string& name);
// The string array value of `name` (a single string counts as one element).
std::optional<std::vector<std::string>> WmiStrings(const WmiRow& row, const std::string& name);

// A 32-bit return code in hex as Windows prints it: "0x80310000". Negative values (a CIM uint32
// carried in a VT_I4) are taken modulo 2^32.
std::string HexCode(std::int64_t code);

// The outcome of a WMI method call: OK when the call succeeded and its ReturnValue is 0;
// otherwise an error whose message names the method and the code in hex (with the symbolic
// name for the codes BitLocker and WMI commonly return), keeping the call's status code.
Status MethodOutcome(const Result<WmiRow>& out, const std::string& method);

// A WMI object path selecting the instance of `wmi_class` whose key `key` is `value`:
// Win32_EncryptableVolume.DeviceID="\\\\?\\Volume{...}\\" (backslashes and quotes escaped).
std::string WmiObjectPath(const std::string& wmi_class, const std::string& key,
                          const std::string& value);

// A CIM DATETIME ("20261128091200.000000+060", offset in minutes) as a UTC time point;
// nullopt when malformed or a CIM interval ("...:000").
std::optional<std::chrono::system_clock::time_point> ParseCimDateTime(const std::string& text);

// Win32_QuickFixEngineering.InstalledOn as midnight UTC of that day. Accepts "M/D/YYYY" (what
// the WMI provider writes on current Windows, whatever the display language), "YYYYMMDD", and a
// FILETIME as 16 hex digits (older systems); years 1980-2200. nullopt for anything else, e.g. a
// localized "12.11.2026", which could be read two ways.
std::optional<std::chrono::system_clock::time_point> ParseHotfixInstalledOn(
    const std::string& text);

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_WINDOWS_WMI_VALUES_H_
