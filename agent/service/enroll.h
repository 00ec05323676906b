// Enrolment with the collector (POST /api/v1/enroll): the enrolment secret and this host's
// identity buy a device id and a per-device credential, stored 0600 in the state directory
// with the server settings (so `run` needs no more configuration). Used by `bulwark-agent
// enroll` and by the service when the collector answers 401 to its credential.
#ifndef BULWARK_AGENT_SERVICE_ENROLL_H_
#define BULWARK_AGENT_SERVICE_ENROLL_H_

#include <string>

#include "agent/base/status.h"
#include "agent/facts/facts.h"
#include "agent/net/https_client.h"
#include "agent/service/agent_config.h"

namespace bulwark {

// Creates `dir` (and parents) if missing and makes it private: 0700, or on Windows the
// protected SYSTEM + Administrators DACL (CreatePrivateDirectory, agent/base/file_util.h).
// kPermissionDenied names it.
Status PrepareStateDir(const std::string& dir);

// Reads a secret file: its content without surrounding whitespace; kInvalidArgument if empty.
Result<std::string> ReadSecretFile(const std::string& path);

// Reads a whole file as bytes; kNotFound names the path.
Result<std::string> ReadWholeFile(const std::string& path);

// Enrols through `client` and stores the credential and `enrollment` (its device_id filled in)
// under config.state_dir. Errors are one line: the collector's refusal (wrong secret, revoked
// device) or the transport failure.
Result<Enrollment> EnrollDevice(const AgentConfig& config, Enrollment enrollment,
                                const std::string& enroll_secret, const FactsDocument& host,
                                net::HttpsClient& client);

// The stored device credential ("device_id.secret"); kNotFound when not enrolled.
Result<std::string> LoadCredential(const AgentConfig& config);

// Builds the HTTPS client for `config` (server, CA, pin, client cert, proxy, timeouts).
Result<std::unique_ptr<net::HttpsClient>> MakeCollectorClient(const AgentConfig& config);

}  // namespace bulwark

#endif  // BULWARK_AGENT_SERVICE_ENROLL_H_
