// Building and signing trust roots (application/vnd.bulwark.trustroot.v1+json) for
// `bulwark-policy root init|sign|rotate`, and telling how far a root is from being valid.
//
// A root is born unsigned (a draft envelope with no signatures) or signed at once; offline key
// holders then add their signatures one at a time (AddRootSignatures keeps the payload bytes,
// so earlier signatures stay valid). A rotation N -> N+1 must carry >= threshold of root N's
// root keys AND >= threshold of its own (SIGNED-BUNDLES.md R4); InspectRootSignatures counts
// both and asks the bundle module (LoadTrustedRoot, VerifyNextRoot) for the final verdict.
//
// Pure functions over bytes and keys; thread-safe.
#ifndef BULWARK_POLICY_TOOL_ROOT_BUILDER_H_
#define BULWARK_POLICY_TOOL_ROOT_BUILDER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "agent/base/time_util.h"
#include "policy/bundle/keys.h"
#include "policy/bundle/reason.h"
#include "policy/bundle/signer.h"
#include "policy/bundle/trust_root.h"

namespace bulwark::policy_tool {

// The content of a trust-root payload.
struct RootSpec {
  std::string org_id;
  std::uint64_t version = 1;
  SystemTime expires;
  std::uint64_t policy_epoch = 1;
  std::vector<bundle::PublicKey> root_keys;  // role order is kept
  std::uint64_t root_threshold = 0;
  std::vector<bundle::PublicKey> policy_keys;
  std::uint64_t policy_threshold = 0;
};

// The spec of an existing root (the starting point of a rotation).
RootSpec SpecFromRoot(const bundle::TrustRoot& root);

// The payload JSON: {"_type":"bulwark/trustroot/v1","spec_version":"1.0","org_id",...,
// "keys":{keyid:{keytype,public_key}},"roles":{"root":{keyids,threshold},"policy":{...}}},
// compact, members in SIGNED-BUNDLES.md order. Keys used by both roles are listed once.
// Errors: kInvalidArgument when a role lists the same key twice. Thresholds and the rest are
// validated by ParseTrustRoot on the envelope (DraftRootEnvelope does that).
Result<std::string> BuildRootPayload(const RootSpec& spec);

// BuildRootPayload as an unsigned envelope, checked with bundle::ParseTrustRoot (schema,
// keys, roles). Errors: kInvalidArgument naming the problem and its E_ROOT_* code.
Result<std::string> DraftRootEnvelope(const RootSpec& spec);

// Adds one signature per key over the payload of the trust-root envelope `envelope_bytes`,
// keeping every existing signature; a key that already signed is signed afresh in place.
// Unusable existing entries (no string sig, bad base64) are dropped and reported in `notes`.
// Errors: kInvalidArgument when the envelope is not a trust-root envelope or would exceed 16
// signatures.
Result<std::string> AddRootSignatures(std::string_view envelope_bytes,
                                      const std::vector<const bundle::PrivateKey*>& keys,
                                      std::vector<std::string>* notes);

// How far a root envelope is from being usable.
struct RootSigningStatus {
  std::string org_id;
  std::uint64_t version = 0;
  SystemTime expires;
  std::size_t own_signed = 0;  // distinct keys of its own root role that signed
  std::uint64_t own_threshold = 0;
  bool has_previous = false;  // counted against a previous root too
  std::uint64_t previous_version = 0;
  std::size_t previous_signed = 0;
  std::uint64_t previous_threshold = 0;
  bool complete = false;                   // the bundle module accepts it
  std::optional<bundle::Rejection> error;  // enough signatures, but still rejected
  std::vector<std::string> warnings;       // from the trust-root parser
};

// Counts the signatures of `envelope_bytes` (and, when `previous` is set, those of previous's
// root role), then, if the counts reach the thresholds, checks it with LoadTrustedRoot and
// VerifyNextRoot(*previous, ...). Fails only when the envelope is not a well-formed root.
bundle::Checked<RootSigningStatus> InspectRootSignatures(std::string_view envelope_bytes,
                                                         const bundle::TrustRoot* previous);

// One line: "root v2 (org acme): complete: 2 of 2 signatures of its own root keys, 2 of 2 of
// root v1's" or "... NOT YET VALID: 1 of 2 ..., needs 1 more ...".
std::string DescribeRootStatus(const RootSigningStatus& status);

// One line summarising a root's content: roles, thresholds, epoch, expiry.
std::string DescribeRoot(const bundle::TrustRoot& root);

}  // namespace bulwark::policy_tool

#endif  // BULWARK_POLICY_TOOL_ROOT_BUILDER_H_
