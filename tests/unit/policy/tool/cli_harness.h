// In-process runs of the bulwark-policy command line for tests: captured streams, a fixed
// clock, the conformance keys and roots, and a small valid policy. Test-only.
#ifndef BULWARK_TESTS_UNIT_POLICY_TOOL_CLI_HARNESS_H_
#define BULWARK_TESTS_UNIT_POLICY_TOOL_CLI_HARNESS_H_

#include <sstream>
#include <string>
#include <vector>

#include "agent/base/time_util.h"
#include "policy/tool/policy_cli.h"

namespace bulwark::policy_tool::testing {

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

// The conformance cases' clock.
inline SystemTime FixedNow() { return *ParseRfc3339("2026-06-15T00:00:00Z"); }

inline CliRun RunCli(const std::vector<std::string>& args, SystemTime now = FixedNow()) {
  std::ostringstream out;
  std::ostringstream err;
  const CliContext ctx{out, err, [now] { return now; }};
  CliRun run;
  run.code = RunPolicyCli(args, ctx);
  run.out = out.str();
  run.err = err.str();
  return run;
}

// testdata/policy-conformance: keys/<name>.{key,pub}.pem, roots/1.root.json (org acme-prod,
// root role root1-3 2-of-3, policy role pol1-3 2-of-3, policy_epoch 1).
inline const std::string kConformanceDir =
    std::string(BULWARK_SOURCE_DIR) + "/../shared/testdata/policy-conformance/";
inline std::string TestKey(const std::string& name) {
  return kConformanceDir + "keys/" + name + ".key.pem";
}
inline std::string TestPub(const std::string& name) {
  return kConformanceDir + "keys/" + name + ".pub.pem";
}

// A valid unsigned policy for org acme-prod without issued_at/expires (sign stamps them).
inline constexpr char kPolicyJson[] = R"({
  "_type": "bulwark/policy/v1", "spec_version": "1.0",
  "org_id": "acme-prod", "policy_id": "baseline", "epoch": 1, "version": 12,
  "applies_to": {"platforms": ["linux"], "groups": ["*"]},
  "checks": [
    {"id": "os.linux", "title": "Runs Linux", "severity": "low",
     "condition": {"==": [{"var": "os.family"}, "linux"]},
     "remediation": {"summary": "Use Linux."}},
    {"id": "disk.system-encrypted", "title": "System volume is encrypted", "severity": "high",
     "condition": {"all": [{"filter": [{"var": "disk_encryption.volumes"},
                                       {"==": [{"var": "role"}, "system"]}]},
                           {"===": [{"var": "encrypted"}, true]}]},
     "remediation": {"summary": "Encrypt the system disk.", "steps": ["Call IT"]},
     "grace_days": 14}
  ]
})";

}  // namespace bulwark::policy_tool::testing

#endif  // BULWARK_TESTS_UNIT_POLICY_TOOL_CLI_HARNESS_H_
