// The service-side commands of bulwark-agent (SPEC.md §3): run, enroll, status, queue.
// Each returns the process exit code: 0 success, 1 error (one line on `err`).
#ifndef BULWARK_AGENT_SERVICE_SERVICE_COMMANDS_H_
#define BULWARK_AGENT_SERVICE_SERVICE_COMMANDS_H_

#include <ostream>
#include <string>
#include <vector>

#include "agent/service/agent_cli.h"

namespace bulwark {

int RunServiceCommand(const std::vector<std::string>& args, const AgentPlatform& platform,
                      std::ostream& out, std::ostream& err);
int RunEnrollCommand(const std::vector<std::string>& args, const AgentPlatform& platform,
                     std::ostream& out, std::ostream& err);
int RunStatusCommand(const std::vector<std::string>& args, const AgentPlatform& platform,
                     std::ostream& out, std::ostream& err);
int RunQueueCommand(const std::vector<std::string>& args, const AgentPlatform& platform,
                    std::ostream& out, std::ostream& err);

}  // namespace bulwark

#endif  // BULWARK_AGENT_SERVICE_SERVICE_COMMANDS_H_
