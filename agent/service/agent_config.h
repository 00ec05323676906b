// bulwark-agent's configuration file (/etc/bulwark/agent.conf on Linux,
// %ProgramData%\Bulwark\agent.conf on Windows): `name = value` lines, `#` comments. Every
// setting has a default that suits a workstation; docs/agent.md lists them. The enrolment
// command stores the server and TLS settings it was given in the state directory, and those
// fill in what the file leaves unset, so `enroll` once is enough to run.
#ifndef BULWARK_AGENT_SERVICE_AGENT_CONFIG_H_
#define BULWARK_AGENT_SERVICE_AGENT_CONFIG_H_

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "agent/base/status.h"

namespace bulwark {

struct AgentConfig {
  std::string server;       // https://host[:port] of the collector; empty: from enrolment
  std::string ca_file;      // PEM CAs trusted for the collector; empty: the system store
  std::string pin;          // sha256//BASE64 SPKI pin of the collector (optional)
  std::string client_cert;  // optional client certificate and key (PEM)
  std::string client_key;
  std::string proxy;         // empty: https_proxy/no_proxy from the environment; "none"; a URL
  std::string state_dir;     // 0700: state.db, queue.db, credential
  std::string status_file;   // world-readable summary for `status` (no secrets)
  std::string trust_anchor;  // the installer's trust root (read-only install file)
  std::string root = "/";    // facts are read under this directory (testing, image audits)
  // The policy stream this device is assigned to. Set: a bundle of any other stream is refused
  // E_AUDIENCE (SIGNED-BUNDLES.md D10). Empty: the stream the collector serves.
  std::string policy_id;
  std::chrono::seconds interval{15 * 60};    // between scans
  double splay = 0.1;                        // each wait is interval ± splay × interval
  std::chrono::seconds policy_poll{5 * 60};  // between policy checks (ETag, cheap)
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds timeout{60};
  std::size_t queue_max_reports = 10000;
  std::size_t queue_max_bytes = 64u * 1024u * 1024u;
  std::size_t upload_batch = 100;
  std::chrono::seconds backoff_base{5};
  std::chrono::seconds backoff_cap{15 * 60};

  // `name` inside state_dir, joined with the platform's separator ('\\' on Windows, where a
  // state_dir ending in '/' is also taken as it is).
  std::string InStateDir(std::string_view name) const;
  std::string StateDbPath() const { return InStateDir("state.db"); }
  std::string QueueDbPath() const { return InStateDir("queue.db"); }
  std::string CredentialPath() const { return InStateDir("credential"); }
  std::string EnrollmentPath() const { return InStateDir("enrollment.json"); }
  // What `preseed` left for the service's own first enrolment (an Enrollment without a device
  // id), and the enrolment secret it copied (0600; kept for re-enrolment).
  std::string PreseedPath() const { return InStateDir("preseed.json"); }
  std::string EnrollSecretPath() const { return InStateDir("enroll_secret"); }
  std::string CollectorCaPath() const { return InStateDir("collector-ca.pem"); }
  // When each failing check was first seen failing (deadlines count from it).
  std::string FirstFailedPath() const { return InStateDir("first_failed.json"); }
};

// The platform's default paths (state dir, config file, status file, anchor).
AgentConfig DefaultAgentConfig();
std::string DefaultAgentConfigPath();

// Reads `path` over `base`. A missing file is kNotFound only when `required` (a file named on
// the command line); the default path may be absent. kInvalidArgument names the line or value.
Result<AgentConfig> LoadAgentConfig(const std::string& path, bool required,
                                    const AgentConfig& base);

// What `enroll` stored: the server and TLS settings, the device id.
struct Enrollment {
  std::string server;
  std::string ca_file;
  std::string pin;
  std::string device_id;
  std::string enroll_secret_file;  // kept to re-enrol when the collector answers 401
};
Result<Enrollment> LoadEnrollment(const std::string& path);
Status SaveEnrollment(const std::string& path, const Enrollment& enrollment);

// Fills unset server/ca_file/pin of `config` from `enrollment`.
void ApplyEnrollment(const Enrollment& enrollment, AgentConfig& config);

}  // namespace bulwark

#endif  // BULWARK_AGENT_SERVICE_AGENT_CONFIG_H_
