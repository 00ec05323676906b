// Strict JSON (RFC 8259) parsing for signed bytes: the one parser that reads envelopes,
// policy payloads and trust-root payloads, so a signer and a verifier can never disagree on
// what a document says (parser differentials, CVE-2017-12635 class).
//
// On top of RFC 8259 it refuses everything a lenient parser would silently accept:
//   * bytes that are not UTF-8 (overlong forms, surrogates D800-DFFF, > U+10FFFF, truncated
//     sequences), a leading byte-order mark, and \u escapes that pair surrogates wrongly;
//   * a member name that repeats in the same object, at any depth (compared after unescaping,
//     so "a" and "\u0061" are the same name);
//   * nesting deeper than `max_depth` — checked before descending, so a 5000-deep array costs
//     33 frames, not 5000;
//   * NaN, Infinity, numbers out of double range, and (with `integers_only`) any number with a
//     fraction or exponent: `11.0` and `1e3` fail;
//   * anything but whitespace after the value.
// Integers that fit int64/uint64 become int64/uint64; larger integer literals (e.g. 2^64) are
// kept as a double so that schema code can reject them with its own reason.
//
// Pure function: no I/O, no globals. Thread-safe. Memory is bounded by the input size.
#ifndef BULWARK_POLICY_BUNDLE_STRICT_JSON_H_
#define BULWARK_POLICY_BUNDLE_STRICT_JSON_H_

#include <boost/json/value.hpp>
#include <cstddef>
#include <string>
#include <string_view>

#include "policy/bundle/reason.h"

namespace bulwark::bundle {

struct StrictJsonOptions {
  // Containers nested deeper than this fail with kDepth; the outermost container is depth 1
  // and a top-level scalar is depth 0. Values above 256 are treated as 256.
  std::size_t max_depth = 32;
  // Longest allowed string (member names included), in decoded UTF-8 bytes; 0 = unlimited.
  std::size_t max_string_bytes = 0;
  // When true, numbers written with a fraction or an exponent fail with kNotInteger.
  bool integers_only = true;
};

enum class JsonErrorKind {
  kSyntax,        // not JSON, truncated, trailing data, NaN/Infinity, number out of range
  kEncoding,      // not UTF-8, BOM, bad surrogate escape, control character in a string
  kDuplicateKey,  // a member name repeats within one object
  kDepth,         // nesting deeper than max_depth
  kNotInteger,    // fraction or exponent with integers_only
  kStringTooLong  // a string longer than max_string_bytes
};

struct JsonError {
  JsonErrorKind kind;
  std::size_t offset;  // byte offset in the input where the problem was found
  std::string message;

  std::string ToString() const;  // "duplicate member name 'version' at byte 120"
};

Expected<boost::json::value, JsonError> ParseStrictJson(std::string_view text,
                                                        const StrictJsonOptions& options);

// Maps a JsonError to the reason codes of SIGNED-BUNDLES.md: duplicates -> E_DUPLICATE_KEY,
// depth -> E_DEPTH, everything else -> `parse_reason` (E_ENVELOPE_PARSE or E_PAYLOAD_PARSE).
Rejection JsonErrorToRejection(const JsonError& error, Reason parse_reason);

}  // namespace bulwark::bundle

#endif  // BULWARK_POLICY_BUNDLE_STRICT_JSON_H_
