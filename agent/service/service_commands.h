// The service-side commands of bulwark-agent (SPEC.md §3): run, enroll, preseed, status,
// queue.
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
// `preseed`: records, without any network, the collector and the enrolment secret for the
// service's own first enrolment (installers: the MSI's SERVER_URL and ENROLL_SECRET). Copies
// the secret, a CA file and a trust root into the agent's directories; an enrolled device
// keeps its enrolment (the preseed serves if it is ever lost).
int RunPreseedCommand(const std::vector<std::string>& args, const AgentPlatform& platform,
                      std::ostream& out, std::ostream& err);
int RunStatusCommand(const std::vector<std::string>& args, const AgentPlatform& platform,
                     std::ostream& out, std::ostream& err);
int RunQueueCommand(const std::vector<std::string>& args, const AgentPlatform& platform,
                    std::ostream& out, std::ostream& err);

}  // namespace bulwark

#endif  // BULWARK_AGENT_SERVICE_SERVICE_COMMANDS_H_
