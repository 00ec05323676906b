// Checking and stamping unsigned policy payloads (application/vnd.bulwark.policy.v1+json) for
// `bulwark-policy lint`, `sign` and `test`.
//
// Lint applies exactly the rules a verifying agent applies to the signed bytes (P6 strict JSON,
// P7 schema, P11 checks with the JSON Logic validator, the P9 validity window), but reports
// every problem it can, one line each, instead of the first: numbers with a fraction or
// exponent (agents reject those with E_PAYLOAD_PARSE), schema errors, and each check's problems.
// `issued_at`, `expires`, `version` and `epoch` may be left out of a draft: `sign` stamps them
// (version and epoch from its options or the trust root).
//
// Pure functions; thread-safe.
#ifndef BULWARK_POLICY_TOOL_POLICY_LINT_H_
#define BULWARK_POLICY_TOOL_POLICY_LINT_H_

#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "agent/base/time_util.h"

namespace bulwark::policy_tool {

struct LintReport {
  std::vector<std::string> problems;   // one line each; empty means the payload is signable
  std::size_t checks = 0;              // number of checks
  std::vector<std::string> unstamped;  // issued_at/expires/version/epoch left for `sign`
  boost::json::value document;         // the parsed payload (null when it does not parse)
};

// Lints payload text. With `allow_unstamped`, missing issued_at/expires/version/epoch are noted in
// `unstamped` instead of being problems.
LintReport LintPolicyText(std::string_view text, bool allow_unstamped);

// The payload text of a lint/test input: a policy payload as is, or, for a signed bundle (a
// JSON object with "payloadType" and "payload"), its decoded payload (signatures are not
// checked). Errors: kInvalidArgument for a trust root or a malformed envelope.
Result<std::string> PolicyTextOfInput(std::string_view bytes);

// How `sign` restamps a payload. Unset members keep what the payload says.
struct StampOptions {
  std::optional<SystemTime> issued_at;          // --issued-at (default: now if missing)
  std::optional<std::int64_t> expires_in_days;  // --expires-in-days (default 30)
  std::optional<std::uint64_t> version;         // --version N
  bool version_from_time = false;               // --version-from-time: issued_at in seconds
  std::optional<std::uint64_t> epoch;           // --epoch N (or the trust root's epoch)
  SystemTime now;
};

// Stamps `document` (a JSON object):
//   * issued_at := --issued-at, or now when --expires-in-days is given or issued_at is missing;
//     expires := issued_at + expires_in_days (default 30) whenever issued_at was stamped or
//     expires is missing or --expires-in-days is given;
//   * version := --version, or issued_at's Unix seconds with version_from_time;
//   * epoch := --epoch.
// Errors: kInvalidArgument when version or epoch is missing and no option provides it, or when
// issued_at cannot be read to derive expires.
Status StampPolicy(boost::json::value& document, const StampOptions& options);

}  // namespace bulwark::policy_tool

#endif  // BULWARK_POLICY_TOOL_POLICY_LINT_H_
