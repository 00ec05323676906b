// Reason codes for signed-bundle verification (SIGNED-BUNDLES.md) and the small value type
// every verification step returns: either a value or a Rejection naming the reason.
//
// The codes are part of the external contract: the conformance fixtures assert them, the
// agent reports them upstream and `bulwark-policy verify` prints them. Never renumber or
// rename one; add new ones at the end.
//
// Thread-safety: value types only.
#ifndef BULWARK_POLICY_BUNDLE_REASON_H_
#define BULWARK_POLICY_BUNDLE_REASON_H_

#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace bulwark::bundle {

enum class Reason {
  // Policy envelope (P1-P5).
  kSize,           // E_SIZE: envelope larger than its cap (1 MiB policy, 64 KiB root)
  kEnvelopeParse,  // E_ENVELOPE_PARSE: envelope is not strict JSON
  kDuplicateKey,   // E_DUPLICATE_KEY: a member name repeats in some object (envelope or payload)
  kDepth,          // E_DEPTH: nesting deeper than allowed (envelope 4, payload 32)
  kField,          // E_FIELD: not an object, or payloadType/payload/signatures missing or mistyped
  kTooManySigs,    // E_TOO_MANY_SIGS: more than 16 signature entries
  kPayloadType,    // E_PAYLOAD_TYPE: payloadType is not byte-equal to the expected type
  kBase64,         // E_BASE64: payload is not strict base64
  kThreshold,      // E_THRESHOLD: fewer distinct policy-role keys verified than the threshold
  // Policy payload (P6-P11).
  kPayloadParse,     // E_PAYLOAD_PARSE: payload is not strict JSON (UTF-8, integers only, ...)
  kSchema,           // E_SCHEMA: payload violates the policy schema or a check is invalid
  kAudience,         // E_AUDIENCE: wrong org, policy stream or platform
  kEpoch,            // E_EPOCH: epoch differs from the root's policy_epoch or went backwards
  kValidityTooLong,  // E_VALIDITY_TOO_LONG: expires - issued_at not in (0, 90 days]
  kNotYetValid,      // E_NOT_YET_VALID: issued_at more than 5 minutes after now
  kExpired,          // E_EXPIRED: expires <= now
  kRollback,         // E_ROLLBACK: version below the stored one
  kEquivocation,     // E_EQUIVOCATION: same version as stored, different bytes
  // Trust root update (R1-R6) and load-time rules.
  kRootSchema,     // E_ROOT_SCHEMA: root payload violates the trust-root schema
  kRootKey,        // E_ROOT_KEY: bad key: keyid mismatch, non-canonical SPKI, weak, duplicate
  kRootThreshold,  // E_ROOT_THRESHOLD: role keyids repeat/undefined or threshold out of range
  kRootSigOld,     // E_ROOT_SIG_OLD: new root lacks the current root's root-role threshold
  kRootSigNew,     // E_ROOT_SIG_NEW: new root lacks its own root-role threshold
  kRootVersion,    // E_ROOT_VERSION: version != current + 1, or policy_epoch decreased
  kRootExpired,    // E_ROOT_EXPIRED: the newest root has expired (freeze)
  kRootFetch,      // E_ROOT_FETCH: fetching trust/<N>.root.json failed other than "not found"
};

// "E_SIZE", "E_THRESHOLD", ... (the exact strings of the fixtures).
std::string_view ReasonCode(Reason reason);

// Inverse of ReasonCode; nullopt for an unknown string.
std::optional<Reason> ParseReasonCode(std::string_view code);

// Why a step refused its input: the stable code plus a human-readable detail for logs.
struct Rejection {
  Reason reason;
  std::string detail;

  // "E_THRESHOLD: 1 of 2 required policy keys verified".
  std::string ToString() const;
};

// Holds either a T or an E; the pre-C++23 stand-in for std::expected.
template <typename T, typename E>
class [[nodiscard]] Expected {
  static_assert(!std::is_same_v<std::remove_cvref_t<T>, std::remove_cvref_t<E>>);

 public:
  Expected(T value) : storage_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
  Expected(E error) : storage_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return storage_.index() == 0; }

  // REQUIRES: ok().
  const T& value() const& { return Get0(); }
  T& value() & { return std::get<0>(storage_); }
  T&& value() && { return std::get<0>(std::move(storage_)); }
  const T* operator->() const { return &Get0(); }
  T* operator->() { return &std::get<0>(storage_); }
  const T& operator*() const& { return Get0(); }

  // REQUIRES: !ok().
  const E& error() const {
    if (ok()) std::abort();  // reading the error of a success is a bug
    return std::get<1>(storage_);
  }

 private:
  const T& Get0() const {
    if (!ok()) std::abort();  // reading the value of a failure is a bug
    return std::get<0>(storage_);
  }
  std::variant<T, E> storage_;
};

// The return type of every verification step.
template <typename T>
using Checked = Expected<T, Rejection>;

// Checked<void> stand-in.
struct Passed {};

inline Rejection Reject(Reason reason, std::string detail) {
  return Rejection{reason, std::move(detail)};
}

}  // namespace bulwark::bundle

#endif  // BULWARK_POLICY_BUNDLE_REASON_H_
