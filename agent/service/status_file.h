// The agent's status file: what the last cycle found, for `bulwark-agent status`, which any
// local user may run. Written atomically 0644 by the service after every cycle and upload;
// it holds no secret (no credential, no facts beyond the host name), only the policy, each
// check's outcome with its remediation and deadline, and the queue's counters.
//
//   {"schema":"bulwark.status/1","updated_at":"...","device_id":"...","server":"...",
//    "hostname":"...","policy":{"policy_id","epoch","version","sha256"}|null,
//    "policy_outcome":"accept|noop|reject|blocked|fetch_failed|none","policy_reason":"...",
//    "last_scan_at":"..."|null,"compliant":bool|null,"results":[{id,title,severity,status,
//    reason,remediation,deadline}],"queue":{"pending","dead_letters","dropped_total"},
//    "last_upload":{"at","outcome","error"}|null,"next_scan_at":"..."|null}
#ifndef BULWARK_AGENT_SERVICE_STATUS_FILE_H_
#define BULWARK_AGENT_SERVICE_STATUS_FILE_H_

#include <boost/json/object.hpp>
#include <string>

#include "agent/base/status.h"
#include "agent/base/time_util.h"

namespace bulwark {

inline constexpr char kStatusSchema[] = "bulwark.status/1";

// Writes `status` (its "schema" and "updated_at" set here) to `path`, creating the parent
// directory 0755 if needed.
Status WriteStatusFile(const std::string& path, boost::json::object status, SystemTime now);

// Reads and checks the schema. kNotFound when the service has not written it yet.
Result<boost::json::object> ReadStatusFile(const std::string& path);

// The human form: policy and compliance, each failing check with its remediation and deadline
// (relative to `now`), the queue, the last upload.
std::string RenderStatus(const boost::json::object& status, SystemTime now);

}  // namespace bulwark

#endif  // BULWARK_AGENT_SERVICE_STATUS_FILE_H_
