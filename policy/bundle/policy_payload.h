// The policy payload (application/vnd.bulwark.policy.v1+json): strict parse (P6), schema (P7)
// and the semantic check of its checks (P11). See SIGNED-BUNDLES.md and SPEC.md §5.
//
// Pure functions; thread-safe as long as the OperatorValidator is.
#ifndef BULWARK_POLICY_BUNDLE_POLICY_PAYLOAD_H_
#define BULWARK_POLICY_BUNDLE_POLICY_PAYLOAD_H_

#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "agent/base/time_util.h"
#include "policy/bundle/reason.h"

namespace bulwark::bundle {

inline constexpr std::size_t kMaxPayloadDepth = 32;
inline constexpr std::size_t kMaxPayloadStringBytes = 64 * 1024;
inline constexpr std::size_t kMaxChecks = 10000;

struct PolicyPayload {
  std::string org_id;
  std::string policy_id;
  std::uint64_t epoch = 0;
  std::uint64_t version = 0;
  SystemTime issued_at;
  SystemTime expires;
  std::vector<std::string> platforms;  // applies_to.platforms
  boost::json::value document;         // the whole payload, for the policy engine
};

// P6 + P7. P6 (strict JSON: UTF-8, no BOM, depth <= 32 checked before descending, strings
// <= 64 KiB, integers only, no NaN/Infinity, no trailing data) fails with E_PAYLOAD_PARSE,
// E_DUPLICATE_KEY or E_DEPTH. P7 fails with E_SCHEMA: _type "bulwark/policy/v1", spec_version
// 1.x, org_id/policy_id identifiers, epoch/version integers in [1, 2^53-1], issued_at/expires
// in the exact "YYYY-MM-DDTHH:MM:SSZ" form, applies_to an object whose platforms is an array
// of strings (groups, if present, too), checks an array of at most 10 000 entries, optional
// min_agent_version string, optional external array.
Checked<PolicyPayload> ParsePolicyPayload(std::string_view body);

// Validates one check's JSON Logic `condition` (unknown operators, arity). The JSON Logic
// module provides the real one (bulwark_jsonlogic's ValidateRule); an empty function accepts
// everything. Any non-OK Status rejects the whole bundle with E_SCHEMA.
using OperatorValidator = std::function<Status(const boost::json::value& condition)>;

// P11, on a document that passed ParsePolicyPayload. Every check is an object with a unique
// non-empty string id, a string title, severity low|medium|high|critical, a condition that
// the validator accepts, and remediation.summary (string); optional platforms (array of
// strings), grace_days (integer >= 0), remediation.steps (array of strings), remediation.url
// (string), references (object). Each external entry has a string name, a 64-hex sha256 and an
// integer length >= 0. Any violation: E_SCHEMA (a check is never silently dropped).
Checked<Passed> ValidateChecks(const boost::json::value& document,
                               const OperatorValidator& validator);

}  // namespace bulwark::bundle

#endif  // BULWARK_POLICY_BUNDLE_POLICY_PAYLOAD_H_
