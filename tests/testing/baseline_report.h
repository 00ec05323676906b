// The agent's own report documents for the benches: a project baseline
// (policy/baselines/<os>-workstation.json) evaluated against a recorded facts fixture
// (tests/unit/policy/baselines/facts/<fixture>.json) and wrapped by BuildCycleReport, exactly
// as `bulwark-agent run` queues and uploads it. Sizes: linux-compliant ~16 KB, linux-unknown
// ~22 KB, linux-noncompliant ~25 KB (a failing check carries its remediation text).
#ifndef BULWARK_TESTS_TESTING_BASELINE_REPORT_H_
#define BULWARK_TESTS_TESTING_BASELINE_REPORT_H_

#include <string>

#include "agent/base/status.h"

namespace bulwark::testing {

// `fixture`: a file name under tests/unit/policy/baselines/facts without ".json" (its prefix,
// "linux-" or "windows-", picks the baseline). `device_id` may be empty (not enrolled).
// kNotFound / kInvalidArgument name the file that is missing or malformed.
Result<std::string> BaselineReport(const std::string& fixture, const std::string& report_id,
                                   const std::string& device_id);

}  // namespace bulwark::testing

#endif  // BULWARK_TESTS_TESTING_BASELINE_REPORT_H_
