// The bulwark-agent command line (SPEC.md §3), platform-neutral.
//
// Each OS's main() builds PlatformHooks (how to make its System and which probes it has) and
// calls RunAgentCli. Output goes to `out` (documents, tables) and `err` (one-line errors);
// logs go through spdlog to stderr. Exit codes: 0 success, 1 error (bad arguments, failure),
// 2 reserved for "check found failures" (oscap convention).
#ifndef BULWARK_AGENT_SERVICE_AGENT_CLI_H_
#define BULWARK_AGENT_SERVICE_AGENT_CLI_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "agent/base/status.h"
#include "agent/facts/facts.h"
#include "agent/probes/probe.h"
#include "agent/service/service_control.h"
#include "agent/sys/system.h"

namespace bulwark {

// The platform's part of the agent, bound by main().
class AgentPlatform {
 public:
  virtual ~AgentPlatform() = default;
  // "linux" or "windows".
  virtual std::string os_family() const = 0;
  // The System whose FileSystem reads under `root` ("/" for the live host).
  virtual Result<std::unique_ptr<System>> MakeSystem(const std::string& root) const = 0;
  // Adds this platform's probes, bound to `system`, to `registry`.
  virtual void RegisterProbes(const System& system, ProbeRegistry& registry) const = 0;
  // The service manager link for `run` (systemd's notify socket, the Windows SCM).
  virtual std::unique_ptr<ServiceNotifier> MakeNotifier() const {
    return std::make_unique<ServiceNotifier>();
  }
  // Routes stop and reload requests (SIGTERM/SIGINT/SIGHUP, service control) to `control`
  // until the returned guard is destroyed. Called before `run` starts any thread.
  virtual std::shared_ptr<void> RouteSignals(ServiceControl& control) const = 0;
  // Called by `run` after each burst of work, before it sleeps: gives back memory the process
  // keeps but will not touch until the next cycle. Returns the kilobytes released (0 when the
  // platform does nothing); errors are only worth a log line.
  virtual Result<std::size_t> ReleaseIdleMemory() const { return std::size_t{0}; }
};

// Collects the facts of `system` with the platform's probes; probe failures are logged.
FactsDocument CollectFacts(const AgentPlatform& platform, const System& system);

// Runs one invocation. `args` excludes the program name.
int RunAgentCli(const std::vector<std::string>& args, const AgentPlatform& platform,
                std::ostream& out, std::ostream& err);

}  // namespace bulwark

#endif  // BULWARK_AGENT_SERVICE_AGENT_CLI_H_
