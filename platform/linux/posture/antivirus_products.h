// The antivirus / EDR products the endpoint_protection probe recognises, as data: adding a
// product is a new table row in antivirus_products.cc, not new code.
//
// A product is reported when it is installed (any installed_paths entry exists under the root)
// or running. `running` is true when a process has a comm in daemon_processes or an executable
// under exe_prefixes. `realtime` (on-access scanning) is true when a realtime_processes
// process runs; for EDR sensors whose kernel hooks are always on (realtime_when_running) it
// equals `running`; a live-only realtime_command may answer it instead ("true"/"false" on
// stdout). Signature age is read for the kinds SignatureSource names.
#ifndef BULWARK_PLATFORM_LINUX_POSTURE_ANTIVIRUS_PRODUCTS_H_
#define BULWARK_PLATFORM_LINUX_POSTURE_ANTIVIRUS_PRODUCTS_H_

#include <string>
#include <vector>

namespace bulwark {

enum class SignatureSource {
  kNone,            // signatures are not inspected (cloud-delivered, or no local format)
  kClamavDatabase,  // daily.cvd / daily.cld headers in signature_dirs
};

struct AntivirusProductSpec {
  std::string product{};                          // the name reported in "product"
  std::vector<std::string> installed_paths{};     // in-root paths
  std::vector<std::string> daemon_processes{};    // comm names (at most 15 bytes)
  std::vector<std::string> exe_prefixes{};        // executable path prefixes
  std::vector<std::string> updater_processes{};   // signature updater (comm)
  std::vector<std::string> realtime_processes{};  // on-access component (comm)
  bool realtime_when_running = false;
  std::vector<std::string> realtime_command{};  // argv; live only, when running
  std::vector<std::string> units{};             // systemd units; extra "enabled"
  SignatureSource signatures = SignatureSource::kNone;
  std::vector<std::string> signature_dirs{};
};

// The built-in table: ClamAV, Microsoft Defender for Endpoint, CrowdStrike Falcon,
// SentinelOne, Sophos (SPL and legacy SAV), ESET.
const std::vector<AntivirusProductSpec>& AntivirusProducts();

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_LINUX_POSTURE_ANTIVIRUS_PRODUCTS_H_
