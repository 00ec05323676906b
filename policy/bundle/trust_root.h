// Trust roots (application/vnd.bulwark.trustroot.v1+json DSSE envelopes): load-time rules
// E07-E12 and the root update walk R1-R6 of SIGNED-BUNDLES.md.
//
// A TrustRoot names the org, a version, an expiry, the current policy epoch, the keys, and two
// roles (`root` signs the next root; `policy` signs bundles), each a list of keyids and a
// threshold. Load-time rules, applied to every root before it is used:
//   * E_ROOT_SCHEMA: the payload shape (_type, spec_version 1.x, org_id charset, version and
//     policy_epoch integers in [1, 2^53-1], exact-form expires, keys and roles objects);
//   * E_ROOT_KEY: per key — keyid syntax, known keytype, strict base64, canonical SPKI, no
//     small-order Ed25519 point, keyid == sha256(SPKI), no public key listed twice;
//   * E_ROOT_THRESHOLD: per role — keyids unique and all defined, 1 <= threshold <= len(keyids).
// Keys are checked before roles. Overlapping root/policy roles are allowed (the fixtures rely
// on it) but reported in `warnings`.
//
// Thread-safety: TrustRoot is an immutable value once built; RootSource implementations
// document their own.
#ifndef BULWARK_POLICY_BUNDLE_TRUST_ROOT_H_
#define BULWARK_POLICY_BUNDLE_TRUST_ROOT_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "agent/base/time_util.h"
#include "policy/bundle/dsse.h"
#include "policy/bundle/keys.h"
#include "policy/bundle/reason.h"

namespace bulwark::bundle {

inline constexpr std::size_t kMaxRootHops = 32;

struct Role {
  std::vector<std::string> keyids;
  std::uint64_t threshold = 0;
};

struct TrustRoot {
  std::string org_id;
  std::uint64_t version = 0;
  SystemTime expires;
  std::uint64_t policy_epoch = 0;
  std::map<std::string, PublicKey> keys;  // by canonical keyid
  Role root_role;
  Role policy_role;

  std::string envelope;               // the exact bytes that were verified (for persistence)
  std::string payload;                // the decoded payload bytes
  std::string payload_sha256;         // lowercase hex
  std::vector<std::string> warnings;  // e.g. root and policy roles share keys

  // The keys of `role`, in role order. Pointers stay valid while this TrustRoot lives and is
  // not copied-over.
  std::vector<RoleKey> RoleKeys(const Role& role) const;
};

// R2 + R3 without any signature check: envelope (64 KiB cap, P1 codes), payloadType ==
// trust-root type (E_PAYLOAD_TYPE), strict base64 (E_BASE64), strict payload JSON (P6 codes),
// then the load-time rules above. For tools (lint) and tests; never trust its result alone.
Checked<TrustRoot> ParseTrustRoot(std::string_view envelope_bytes);

// Loads the installer-shipped anchor or the newest root from the agent's database: everything
// ParseTrustRoot checks, plus its own root-role threshold over its envelope (E_ROOT_SIG_NEW).
// Its authenticity comes from the signed installer / the earlier walk; expiry is not checked
// here (R6 does that per cycle).
Checked<TrustRoot> LoadTrustedRoot(std::string_view envelope_bytes);

// R2-R4 for one hop: `envelope_bytes` claims to be root current.version + 1. After the
// ParseTrustRoot checks: >= threshold of `current`'s root role (E_ROOT_SIG_OLD), >= threshold
// of the new root's own root role (E_ROOT_SIG_NEW), version == current.version + 1
// (E_ROOT_VERSION), same org_id (E_ROOT_SCHEMA), policy_epoch not decreasing (E_ROOT_VERSION).
// Expiry of the new root is not checked (intermediate roots may have expired).
Checked<TrustRoot> VerifyNextRoot(const TrustRoot& current, std::string_view envelope_bytes);

// Where the walk gets trust/<N>.root.json (the agent: HTTPS from the collector, capped at
// 64 KiB; tests and `bulwark-policy verify`: files).
class RootSource {
 public:
  virtual ~RootSource() = default;
  // The bytes of root `version`, or kNotFound when it is not published (HTTP 404). Any other
  // error aborts the cycle (E_ROOT_FETCH).
  virtual Result<std::string> FetchRoot(std::uint64_t version) = 0;
};

// A RootSource over an in-memory map. Not thread-safe for concurrent Add/Fetch.
class InMemoryRootSource : public RootSource {
 public:
  void Add(std::uint64_t version, std::string envelope) { roots_[version] = std::move(envelope); }
  Result<std::string> FetchRoot(std::uint64_t version) override;

 private:
  std::map<std::uint64_t, std::string> roots_;
};

struct RootUpdate {
  TrustRoot root;                   // the root after the walk (last one verified)
  std::vector<TrustRoot> verified;  // every root accepted in this walk, in order (persist each)
  std::optional<Rejection> error;   // set when the walk failed or the final root expired (R6)
};

// R1-R6: walks current.version + 1, + 2, ... until kNotFound or `max_hops` roots were
// accepted. A failing hop stops the walk; roots verified before it stay accepted (R5). After
// the walk the resulting root must satisfy expires > now (E_ROOT_EXPIRED).
RootUpdate UpdateTrustRoot(const TrustRoot& current, RootSource& source, SystemTime now,
                           std::size_t max_hops = kMaxRootHops);

}  // namespace bulwark::bundle

#endif  // BULWARK_POLICY_BUNDLE_TRUST_ROOT_H_
