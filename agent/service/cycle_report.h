// What one scan cycle produces and keeps: the uploaded report (SPEC.md §3's bulwark.report/1
// plus the fields the collector and the fleet view need), the memory of when each check first
// failed (deadlines count from it), and the scan schedule.
#ifndef BULWARK_AGENT_SERVICE_CYCLE_REPORT_H_
#define BULWARK_AGENT_SERVICE_CYCLE_REPORT_H_

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "agent/base/status.h"
#include "agent/base/time_util.h"
#include "policy/engine/engine.h"

namespace bulwark {

// A fresh report id: "r-" and 32 random hex digits (128 bits from the OS's CSPRNG).
Result<std::string> NewReportId();

struct ReportContext {
  std::string report_id;
  SystemTime generated_at;
  std::string device_id;
  std::string agent_version;
  std::uint64_t root_version = 0;
  boost::json::object queue;         // the queue's counters (pending, dropped_total, ...)
  boost::json::array policy_events;  // policy_events rows not reported yet
};

// policy::BuildReport's document plus report_id, generated_at, device_id (when enrolled),
// "agent": {version, root_version, queue}, and "policy_events".
boost::json::object BuildCycleReport(const policy::PolicyRef& policy,
                                     const std::vector<policy::CheckResult>& results,
                                     const boost::json::value& facts, const ReportContext& context);

// When each check was first seen failing: kept across cycles in a small JSON file
// (`{"check-id":"RFC 3339"}`) so a deadline does not move every scan. A missing or unreadable
// file is an empty memory (deadlines then start now).
std::map<std::string, SystemTime> LoadFirstFailed(const std::string& path);
// The memory after a scan: failing checks keep their first time (or get `now`), others leave.
std::map<std::string, SystemTime> UpdateFirstFailed(const std::map<std::string, SystemTime>& before,
                                                    const std::vector<policy::CheckResult>& results,
                                                    SystemTime now);
Status SaveFirstFailed(const std::string& path, const std::map<std::string, SystemTime>& memory);

// interval ± splay × interval, uniformly, so a fleet started together spreads out.
std::chrono::milliseconds SplayedInterval(std::chrono::seconds interval, double splay,
                                          std::mt19937_64& rng);

}  // namespace bulwark

#endif  // BULWARK_AGENT_SERVICE_CYCLE_REPORT_H_
