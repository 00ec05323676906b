// ComWmiClient: the real WmiClient over IWbemLocator/IWbemServices.
//
// All COM work runs on a ComThread (shared with the firewall policy). One IWbemServices per
// namespace is connected on first use (IWbemLocator::ConnectServer, proxy blanket
// RPC_C_AUTHN_LEVEL_CALL + RPC_C_IMP_LEVEL_IMPERSONATE) and cached on that thread; a failed
// connection is not cached, so a namespace that appears later (a feature being installed) is
// found on the next call.
//
// Query: IWbemServices::ExecQuery("WQL", WBEM_FLAG_FORWARD_ONLY | WBEM_FLAG_RETURN_IMMEDIATELY);
// each IEnumWbemClassObject::Next waits at most Options::next_timeout, so a hung provider gives
// kDeadlineExceeded rather than a hung agent. Each row holds the non-system properties
// (WBEM_FLAG_NONSYSTEM_ONLY), converted by CIM type: CIM_UINT64/CIM_SINT64 (carried as BSTR) ->
// uint64_t/int64_t, the other integers (VT_UI1, VT_I2, VT_I4 — CIM_UINT32 reinterpreted as
// unsigned) -> int64_t, VT_BOOL -> bool, reals -> double, strings/datetimes/references ->
// UTF-8 string, string arrays -> vector<string>, integer arrays -> vector<int64_t>, VT_NULL ->
// monostate. Properties of other types (embedded objects) are left out of the row.
//
// CallMethod: GetObject(class of the path) -> GetMethod (in-signature) -> SpawnInstance -> Put
// of each in-parameter converted to the type its signature declares -> ExecMethod(object_path)
// -> the out-parameters row, including ReturnValue (a non-zero ReturnValue is not an error
// here: MethodOutcome() in wmi_values.h judges it). An in-parameter the signature lacks is
// kInvalidArgument.
//
// Errors: "<namespace>: <operation>: 0x%08X (<symbolic name>)", code per HresultToStatus()
// (win_strings.h): invalid namespace/class -> kNotFound, access denied -> kPermissionDenied,
// RPC server unavailable -> kUnavailable, malformed WQL -> kInvalidArgument. The client
// passes on what the provider says: Windows reports a query on an unknown class as
// WBEM_E_INVALID_CLASS (0x80041010) from Next; Wine 8.0's wbemprox returns no rows instead,
// and cannot tell an unknown class from one without instances (GetObject fails for both,
// e.g. its empty Win32_Volume), so no emulation is attempted.
//
// Thread-safety: safe for concurrent use; calls are serialised onto the COM thread.
// Verified under Wine 8.0 (wbemprox: ROOT\CIMV2 queries, StdRegProv methods, the invalid
// namespace/class/query paths). DCOM proxies, the proxy blanket, remote-provider timeouts and
// the BitLocker/SecurityCenter2/Defender providers need a real Windows machine.
#ifndef BULWARK_PLATFORM_WINDOWS_SYSTEM_COM_WMI_CLIENT_H_
#define BULWARK_PLATFORM_WINDOWS_SYSTEM_COM_WMI_CLIENT_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "platform/windows/system/com_thread.h"
#include "platform/windows/wmi_client.h"

namespace bulwark {

class ComWmiClient final : public WmiClient {
 public:
  struct Options {
    // The longest one IEnumWbemClassObject::Next may wait for the next row.
    std::chrono::milliseconds next_timeout{30000};
    // The longest a caller waits for the COM thread to finish its call (queueing included).
    std::chrono::milliseconds call_timeout{120000};
  };

  // REQUIRES: com != nullptr.
  static Result<std::unique_ptr<ComWmiClient>> Create(std::shared_ptr<ComThread> com,
                                                      Options options);
  static Result<std::unique_ptr<ComWmiClient>> Create(std::shared_ptr<ComThread> com) {
    return Create(std::move(com), Options{});
  }
  // Releases every interface on the COM thread.
  ~ComWmiClient() override;

  Result<std::vector<WmiRow>> Query(const std::string& wmi_namespace,
                                    const std::string& wql) override;
  Result<WmiRow> CallMethod(const std::string& wmi_namespace, const std::string& object_path,
                            const std::string& method, const WmiRow& in) override;

  struct State;  // COM-thread state: the locator and the per-namespace services

 private:
  ComWmiClient(std::shared_ptr<ComThread> com, Options options, std::shared_ptr<State> state)
      : com_(std::move(com)), options_(options), state_(std::move(state)) {}

  std::shared_ptr<ComThread> com_;
  Options options_;
  // Touched only on the COM thread; shared so that work outliving a timed-out caller stays
  // valid.
  std::shared_ptr<State> state_;
};

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_WINDOWS_SYSTEM_COM_WMI_CLIENT_H_
