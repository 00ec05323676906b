#include "platform/linux/posture/antivirus_products.h"

namespace bulwark {

const std::vector<AntivirusProductSpec>& AntivirusProducts() {
  static const auto* const kProducts = new std::vector<AntivirusProductSpec>{
      {
          .product = "ClamAV",
          .installed_paths = {"/usr/sbin/clamd", "/usr/bin/clamscan", "/usr/bin/freshclam"},
          .daemon_processes = {"clamd"},
          .updater_processes = {"freshclam"},
          .realtime_processes = {"clamonacc"},
          .units = {"clamav-daemon.service", "clamav-freshclam.service", "clamd@scan.service",
                    "clamav-clamonacc.service", "clamonacc.service"},
          .signatures = SignatureSource::kClamavDatabase,
          .signature_dirs = {"/var/lib/clamav"},
      },
      {
          .product = "Microsoft Defender for Endpoint",
          .installed_paths = {"/opt/microsoft/mdatp/sbin/wdavdaemon", "/usr/bin/mdatp"},
          .daemon_processes = {"wdavdaemon"},
          .exe_prefixes = {"/opt/microsoft/mdatp/"},
          .realtime_command = {"mdatp", "health", "--field", "real_time_protection_enabled"},
          .units = {"mdatp.service"},
      },
      {
          .product = "CrowdStrike Falcon",
          .installed_paths = {"/opt/CrowdStrike/falconctl", "/opt/CrowdStrike/falcond"},
          .daemon_processes = {"falcond", "falcon-sensor"},
          .exe_prefixes = {"/opt/CrowdStrike/"},
          .realtime_when_running = true,
          .units = {"falcon-sensor.service"},
      },
      {
          .product = "SentinelOne",
          .installed_paths = {"/opt/sentinelone/bin/sentinelctl"},
          .daemon_processes = {"s1-agent", "s1-orchestrator", "sentinelone-age"},
          .exe_prefixes = {"/opt/sentinelone/"},
          .realtime_when_running = true,
          .units = {"sentinelone.service"},
      },
      {
          .product = "Sophos",
          .installed_paths = {"/opt/sophos-spl/bin/wdctl", "/opt/sophos-av/bin/savdstatus"},
          .daemon_processes = {"sophos_watchdog", "savd"},
          .exe_prefixes = {"/opt/sophos-spl/", "/opt/sophos-av/"},
          .realtime_processes = {"soapd", "savscand"},
          .units = {"sophos-spl.service", "sav-protect.service"},
      },
      {
          .product = "ESET",
          .installed_paths = {"/opt/eset/efs/sbin/startd", "/opt/eset/eea/sbin/startd",
                              "/opt/eset/esets/sbin/esets_daemon"},
          .daemon_processes = {"esets_daemon"},
          .exe_prefixes = {"/opt/eset/"},
          .realtime_processes = {"oaeventd"},
          .units = {"efs.service", "eea.service", "esets.service"},
      },
  };
  return *kProducts;
}

}  // namespace bulwark
