// DSSE envelopes (github.com/secure-systems-lab/dsse, protocol v1) with the Bulwark profile
// of SIGNED-BUNDLES.md: strict JSON, size and signature-count caps, strict base64, and
// threshold counting by distinct trusted keys.
//
//   {"payloadType": "<type>", "payload": "<base64>", "signatures": [{"keyid": "..", "sig": ".."}]}
//
// Unknown members are ignored (DSSE). Pure functions; thread-safe.
#ifndef BULWARK_POLICY_BUNDLE_DSSE_H_
#define BULWARK_POLICY_BUNDLE_DSSE_H_

#include <cstddef>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "policy/bundle/keys.h"
#include "policy/bundle/reason.h"

namespace bulwark::bundle {

inline constexpr std::string_view kPolicyPayloadType = "application/vnd.bulwark.policy.v1+json";
inline constexpr std::string_view kTrustRootPayloadType =
    "application/vnd.bulwark.trustroot.v1+json";

inline constexpr std::size_t kMaxPolicyEnvelopeBytes = 1024 * 1024;
inline constexpr std::size_t kMaxRootEnvelopeBytes = 64 * 1024;
inline constexpr std::size_t kMaxSignatures = 16;
inline constexpr std::size_t kMaxEnvelopeDepth = 4;

// One entry of "signatures". Entries that are not objects, lack a string "sig", or carry a
// non-string "keyid" are kept (they count towards the 16-entry cap) but marked unusable.
struct SignatureEntry {
  bool usable = false;
  std::optional<std::string> keyid;  // the hint, verbatim
  std::string sig_base64;            // not yet decoded
};

struct Envelope {
  std::string payload_type;
  std::string payload_base64;  // not yet decoded: decoding is step P3
  std::vector<SignatureEntry> signatures;
};

// P1: size cap (E_SIZE, checked before any parsing), strict JSON (E_ENVELOPE_PARSE,
// E_DUPLICATE_KEY, E_DEPTH with depth <= 4), an object with string payloadType and payload
// and an array signatures (E_FIELD), at most 16 entries (E_TOO_MANY_SIGS).
Checked<Envelope> ParseEnvelope(std::string_view bytes, std::size_t max_bytes);

// DSSE pre-authentication encoding:
//   "DSSEv1" SP len(type) SP type SP len(body) SP body   (lengths in ASCII decimal bytes).
std::string PreAuthEncoding(std::string_view payload_type, std::string_view body);

// A key the verifier may count, as the trust root declares it for one role.
struct RoleKey {
  std::string keyid;     // canonical keyid (sha256 of the SPKI)
  const PublicKey* key;  // not owned; outlives the call
};

// P4: the set of distinct role keys (by canonical keyid) that produced a valid signature over
// `pae`. For each usable entry: decode `sig` strictly (skip on failure); candidates are the role
// key whose keyid equals the hint if a hint is present (none if unknown), else all role keys;
// each candidate not yet counted is tried with its own algorithm and the first success counts.
// A key therefore counts once however many entries (or malleated twins) it signed.
//
// `enough` stops the walk once that many keys are counted (the returned set then holds exactly
// `enough` ids). The verifier passes the role threshold: the count only ever grows and P5 only
// asks whether it reaches the threshold, so the outcome and reason code are those of the full
// walk, without paying for signatures beyond the threshold. The default counts every key.
std::set<std::string> VerifiedKeyIds(const Envelope& envelope, std::string_view pae,
                                     const std::vector<RoleKey>& role_keys,
                                     std::size_t enough = std::numeric_limits<std::size_t>::max());

// Builds envelope JSON with standard base64 (the signing side; used by tools and tests).
struct EnvelopeSignature {
  std::optional<std::string> keyid;
  std::string sig;  // raw signature bytes
};
std::string SerializeEnvelope(std::string_view payload_type, std::string_view body,
                              const std::vector<EnvelopeSignature>& signatures);

}  // namespace bulwark::bundle

#endif  // BULWARK_POLICY_BUNDLE_DSSE_H_
