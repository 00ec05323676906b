// AgentService: `bulwark-agent run`. One thread runs the loop; everything it calls is
// synchronous:
//
//   start: open state.db and queue.db (state dir 0700), load the credential, READY=1;
//   scan (at start, then every interval ± splay, and at once when a new policy arrives):
//     policy update (root walk + bundle fetch, SIGNED-BUNDLES.md) → facts → evaluate →
//     report (with queue counters and unreported policy events) committed to the queue →
//     status file;
//   policy check (every policy_poll): the same update; a newly accepted policy triggers a scan;
//   upload (after each scan, then on backoff): drain the queue to the collector; 401 re-enrols
//   with the stored enrolment secret; 429/503/5xx/network wait with backoff;
//   stop (SIGTERM): the current upload request finishes, databases close, STOPPING=1;
//   reload (SIGHUP): the config file is read again and the HTTPS client rebuilt.
//
// `--once` runs one scan and one upload drain, then returns (0 when the report was delivered,
// 1 when it stays queued — it will go with the next run).
#ifndef BULWARK_AGENT_SERVICE_AGENT_SERVICE_H_
#define BULWARK_AGENT_SERVICE_AGENT_SERVICE_H_

#include <memory>
#include <ostream>
#include <string>

#include "agent/service/agent_cli.h"
#include "agent/service/agent_config.h"
#include "agent/service/service_control.h"

namespace bulwark {

struct AgentServiceOptions {
  std::string config_path;  // re-read on reload
  bool config_required = false;
  bool once = false;
};

// Runs the service until stopped (or one cycle with `once`). Returns the exit code; errors
// are logged (spdlog) and the fatal one is written to `err` as one line.
int RunAgentService(const AgentConfig& config, const AgentServiceOptions& options,
                    const AgentPlatform& platform, ServiceControl& control,
                    ServiceNotifier& notifier, std::ostream& err);

}  // namespace bulwark

#endif  // BULWARK_AGENT_SERVICE_AGENT_SERVICE_H_
