// Strict base64 (RFC 4648) for DSSE payloads and signatures.
//
// DSSE says verifiers MUST accept both the standard (§4, "+/") and the URL-safe (§5, "-_")
// alphabet. Everything else that lenient decoders tolerate is refused, so that one byte
// string has exactly one accepted text form (no envelope malleability):
//   * padding is required: the length is a multiple of 4 and the last group carries 0-2 '=';
//   * unused bits of the last symbol must be zero (canonical encoding, RFC 4648 §3.5);
//   * no whitespace, no line breaks, no '=' before the end;
//   * one alphabet per string: "+" or "/" together with "-" or "_" fails.
// The empty string decodes to zero bytes.
//
// Pure functions, thread-safe. Errors are kInvalidArgument with the offending offset.
#ifndef BULWARK_POLICY_BUNDLE_STRICT_BASE64_H_
#define BULWARK_POLICY_BUNDLE_STRICT_BASE64_H_

#include <string>
#include <string_view>

#include "agent/base/status.h"

namespace bulwark::bundle {

enum class Base64Alphabet {
  kStandard,  // RFC 4648 §4: A-Z a-z 0-9 + /
  kUrlSafe,   // RFC 4648 §5: A-Z a-z 0-9 - _
};

// Decodes `text` under the rules above. When `alphabet` is non-null it receives the alphabet
// the text used (kStandard when the text uses neither "+/" nor "-_", where both agree).
Result<std::string> DecodeStrictBase64(std::string_view text, Base64Alphabet* alphabet = nullptr);

// Encodes with padding in the given alphabet. DecodeStrictBase64(EncodeBase64(b, a)) == b.
std::string EncodeBase64(std::string_view bytes,
                         Base64Alphabet alphabet = Base64Alphabet::kStandard);

}  // namespace bulwark::bundle

#endif  // BULWARK_POLICY_BUNDLE_STRICT_BASE64_H_
