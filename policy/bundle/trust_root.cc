#include "policy/bundle/trust_root.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <set>

#include "policy/bundle/schema_util.h"
#include "policy/bundle/strict_base64.h"
#include "policy/bundle/strict_json.h"

namespace bulwark::bundle {
namespace {

constexpr std::string_view kTrustRootType = "bulwark/trustroot/v1";
constexpr std::size_t kMaxRootPayloadDepth = 32;
constexpr std::size_t kMaxRootStringBytes = 64 * 1024;

std::string_view View(const boost::json::string& s) { return {s.data(), s.size()}; }

// A parsed root and the envelope it came from, so that signatures can be counted.
struct ParsedRoot {
  TrustRoot root;
  Envelope envelope;
};

Checked<Role> ParseRoleShape(const boost::json::object& roles, std::string_view name) {
  const boost::json::value* v = roles.if_contains(name);
  if (v == nullptr || !v->is_object()) {
    return Reject(Reason::kRootSchema, "roles." + std::string(name) + " missing or not an object");
  }
  const boost::json::value* keyids = v->get_object().if_contains("keyids");
  const boost::json::value* threshold = v->get_object().if_contains("threshold");
  if (keyids == nullptr || !keyids->is_array()) {
    return Reject(Reason::kRootSchema, "roles." + std::string(name) + ".keyids not an array");
  }
  Role role;
  for (const boost::json::value& id : keyids->get_array()) {
    if (!id.is_string()) {
      return Reject(Reason::kRootSchema,
                    "roles." + std::string(name) + ".keyids holds a non-string");
    }
    role.keyids.emplace_back(View(id.get_string()));
  }
  bool negative = false;
  std::optional<std::uint64_t> t =
      threshold == nullptr ? std::nullopt : NonNegativeInteger(*threshold, &negative);
  if (negative) {
    return Reject(Reason::kRootThreshold, "roles." + std::string(name) + ".threshold is negative");
  }
  if (!t) {
    return Reject(Reason::kRootSchema, "roles." + std::string(name) + ".threshold not an integer");
  }
  role.threshold = *t;
  return role;
}

Checked<Passed> CheckRole(const TrustRoot& root, const Role& role, std::string_view name) {
  std::set<std::string_view> seen;
  for (const std::string& id : role.keyids) {
    if (!seen.insert(id).second) {
      return Reject(Reason::kRootThreshold,
                    "roles." + std::string(name) + " lists keyid " + id + " twice");
    }
    if (!root.keys.contains(id)) {
      return Reject(Reason::kRootThreshold,
                    "roles." + std::string(name) + " names undefined keyid " + id);
    }
  }
  if (role.threshold < 1 || role.threshold > role.keyids.size()) {
    return Reject(Reason::kRootThreshold, "roles." + std::string(name) + ".threshold " +
                                              std::to_string(role.threshold) + " not in [1, " +
                                              std::to_string(role.keyids.size()) + "]");
  }
  return Passed{};
}

Checked<Passed> ParseKeys(const boost::json::object& keys, TrustRoot* root) {
  // Shape first, so a malformed entry is a schema error whatever order the keys come in.
  for (const auto& [keyid, entry] : keys) {
    const boost::json::object* e = entry.if_object();
    if (e == nullptr || e->if_contains("keytype") == nullptr || !e->at("keytype").is_string() ||
        e->if_contains("public_key") == nullptr || !e->at("public_key").is_string()) {
      return Reject(Reason::kRootSchema,
                    "keys." + std::string(keyid) + " needs string keytype and public_key");
    }
  }
  std::set<std::string> spkis;
  for (const auto& [keyid_sv, entry] : keys) {
    const std::string keyid(keyid_sv);
    const boost::json::object& e = entry.get_object();
    if (!IsKeyIdSyntax(keyid)) {
      return Reject(Reason::kRootKey, "keyid '" + keyid + "' is not 64 lowercase hex digits");
    }
    std::optional<KeyType> type = ParseKeyTypeName(View(e.at("keytype").get_string()));
    if (!type) return Reject(Reason::kRootKey, "key " + keyid + ": unknown keytype");
    Result<std::string> spki = DecodeStrictBase64(View(e.at("public_key").get_string()));
    if (!spki.ok()) {
      return Reject(Reason::kRootKey, "key " + keyid + ": " + spki.status().message());
    }
    Result<PublicKey> key = PublicKey::FromSpki(*type, *spki);
    if (!key.ok()) return Reject(Reason::kRootKey, "key " + keyid + ": " + key.status().message());
    if (key->keyid() != keyid) {
      return Reject(Reason::kRootKey, "key " + keyid + ": keyid != sha256(SPKI) " + key->keyid());
    }
    // Canonical SPKI means one encoding per key, so equal keys have equal bytes.
    if (!spkis.insert(*spki).second) {
      return Reject(Reason::kRootKey, "key " + keyid + ": public key listed twice");
    }
    root->keys.emplace(keyid, std::move(key).value());
  }
  return Passed{};
}

Checked<Passed> ParsePayload(const boost::json::value& doc, TrustRoot* root) {
  const boost::json::object* obj = doc.if_object();
  if (obj == nullptr) return Reject(Reason::kRootSchema, "payload is not an object");
  const auto str = [&](std::string_view k) -> std::optional<std::string_view> {
    const boost::json::value* v = obj->if_contains(k);
    if (v == nullptr || !v->is_string()) return std::nullopt;
    return View(v->get_string());
  };
  if (str("_type") != kTrustRootType) {
    return Reject(Reason::kRootSchema, "_type is not bulwark/trustroot/v1");
  }
  std::optional<std::string_view> spec = str("spec_version");
  if (!spec || !IsSpecVersionMajor1(*spec)) {
    return Reject(Reason::kRootSchema, "spec_version missing or not 1.x");
  }
  std::optional<std::string_view> org = str("org_id");
  if (!org || !IsIdentifier(*org)) return Reject(Reason::kRootSchema, "org_id missing or invalid");
  root->org_id = std::string(*org);
  const boost::json::value* version = obj->if_contains("version");
  std::optional<std::uint64_t> v = version ? SafePositiveInteger(*version) : std::nullopt;
  if (!v) return Reject(Reason::kRootSchema, "version not an integer in [1, 2^53-1]");
  root->version = *v;
  std::optional<SystemTime> expires = Timestamp(obj->if_contains("expires"));
  if (!expires) return Reject(Reason::kRootSchema, "expires missing or not YYYY-MM-DDTHH:MM:SSZ");
  root->expires = *expires;
  const boost::json::value* epoch = obj->if_contains("policy_epoch");
  std::optional<std::uint64_t> e = epoch ? SafePositiveInteger(*epoch) : std::nullopt;
  if (!e) return Reject(Reason::kRootSchema, "policy_epoch not an integer in [1, 2^53-1]");
  root->policy_epoch = *e;

  const boost::json::value* keys = obj->if_contains("keys");
  if (keys == nullptr || !keys->is_object()) {
    return Reject(Reason::kRootSchema, "keys missing or not an object");
  }
  const boost::json::value* roles = obj->if_contains("roles");
  if (roles == nullptr || !roles->is_object()) {
    return Reject(Reason::kRootSchema, "roles missing or not an object");
  }
  Checked<Role> root_role = ParseRoleShape(roles->get_object(), "root");
  if (!root_role.ok()) return root_role.error();
  Checked<Role> policy_role = ParseRoleShape(roles->get_object(), "policy");
  if (!policy_role.ok()) return policy_role.error();

  // E_ROOT_KEY before E_ROOT_THRESHOLD: a role naming a key whose entry is broken is a key
  // problem first (fixture E09).
  Checked<Passed> k = ParseKeys(keys->get_object(), root);
  if (!k.ok()) return k.error();
  root->root_role = std::move(root_role).value();
  root->policy_role = std::move(policy_role).value();
  Checked<Passed> r = CheckRole(*root, root->root_role, "root");
  if (!r.ok()) return r.error();
  Checked<Passed> p = CheckRole(*root, root->policy_role, "policy");
  if (!p.ok()) return p.error();

  for (const std::string& id : root->policy_role.keyids) {
    for (const std::string& rid : root->root_role.keyids) {
      if (id == rid)
        root->warnings.push_back("key " + id + " is in both the root and policy roles");
    }
  }
  return Passed{};
}

Checked<ParsedRoot> ParseRootEnvelope(std::string_view envelope_bytes) {
  Checked<Envelope> env = ParseEnvelope(envelope_bytes, kMaxRootEnvelopeBytes);
  if (!env.ok()) return env.error();
  if (env->payload_type != kTrustRootPayloadType) {
    return Reject(Reason::kPayloadType, "payloadType is not " + std::string(kTrustRootPayloadType));
  }
  Result<std::string> body = DecodeStrictBase64(env->payload_base64);
  if (!body.ok()) return Reject(Reason::kBase64, body.status().message());

  StrictJsonOptions options;
  options.max_depth = kMaxRootPayloadDepth;
  options.max_string_bytes = kMaxRootStringBytes;
  options.integers_only = true;
  auto doc = ParseStrictJson(*body, options);
  if (!doc.ok()) return JsonErrorToRejection(doc.error(), Reason::kPayloadParse);

  ParsedRoot parsed;
  Checked<Passed> p = ParsePayload(*doc, &parsed.root);
  if (!p.ok()) return p.error();
  parsed.root.envelope = std::string(envelope_bytes);
  parsed.root.payload = std::move(body).value();
  parsed.root.payload_sha256 = Sha256Hex(parsed.root.payload);
  parsed.envelope = std::move(env).value();
  return parsed;
}

// Number of distinct keys of `role` (as `signer` declares them) that signed `parsed`.
std::size_t CountRoleSignatures(const ParsedRoot& parsed, const TrustRoot& signer,
                                const Role& role) {
  const std::string pae = PreAuthEncoding(kTrustRootPayloadType, parsed.root.payload);
  return VerifiedKeyIds(parsed.envelope, pae, signer.RoleKeys(role)).size();
}

}  // namespace

std::vector<RoleKey> TrustRoot::RoleKeys(const Role& role) const {
  std::vector<RoleKey> out;
  out.reserve(role.keyids.size());
  for (const std::string& id : role.keyids) {
    auto it = keys.find(id);
    if (it != keys.end()) out.push_back(RoleKey{id, &it->second});
  }
  return out;
}

Checked<TrustRoot> ParseTrustRoot(std::string_view envelope_bytes) {
  Checked<ParsedRoot> parsed = ParseRootEnvelope(envelope_bytes);
  if (!parsed.ok()) return parsed.error();
  return std::move(std::move(parsed).value().root);
}

Checked<TrustRoot> LoadTrustedRoot(std::string_view envelope_bytes) {
  Checked<ParsedRoot> parsed = ParseRootEnvelope(envelope_bytes);
  if (!parsed.ok()) return parsed.error();
  const TrustRoot& root = parsed->root;
  const std::size_t n = CountRoleSignatures(*parsed, root, root.root_role);
  if (n < root.root_role.threshold) {
    return Reject(Reason::kRootSigNew, "root v" + std::to_string(root.version) + " carries " +
                                           std::to_string(n) + " of " +
                                           std::to_string(root.root_role.threshold) +
                                           " signatures of its own root role");
  }
  return std::move(std::move(parsed).value().root);
}

Checked<TrustRoot> VerifyNextRoot(const TrustRoot& current, std::string_view envelope_bytes) {
  Checked<ParsedRoot> parsed = ParseRootEnvelope(envelope_bytes);
  if (!parsed.ok()) return parsed.error();
  const TrustRoot& next = parsed->root;
  const std::size_t old_n = CountRoleSignatures(*parsed, current, current.root_role);
  if (old_n < current.root_role.threshold) {
    return Reject(Reason::kRootSigOld,
                  std::to_string(old_n) + " of " + std::to_string(current.root_role.threshold) +
                      " root keys of v" + std::to_string(current.version) + " signed");
  }
  const std::size_t new_n = CountRoleSignatures(*parsed, next, next.root_role);
  if (new_n < next.root_role.threshold) {
    return Reject(Reason::kRootSigNew, std::to_string(new_n) + " of " +
                                           std::to_string(next.root_role.threshold) +
                                           " of the new root's own root keys signed");
  }
  if (next.version != current.version + 1) {
    return Reject(Reason::kRootVersion, "expected root v" + std::to_string(current.version + 1) +
                                            ", got v" + std::to_string(next.version));
  }
  if (next.org_id != current.org_id) {
    return Reject(Reason::kRootSchema,
                  "org_id changed from " + current.org_id + " to " + next.org_id);
  }
  if (next.policy_epoch < current.policy_epoch) {
    return Reject(Reason::kRootVersion, "policy_epoch decreased from " +
                                            std::to_string(current.policy_epoch) + " to " +
                                            std::to_string(next.policy_epoch));
  }
  return std::move(std::move(parsed).value().root);
}

Result<std::string> InMemoryRootSource::FetchRoot(std::uint64_t version) {
  auto it = roots_.find(version);
  if (it == roots_.end()) return NotFoundError("root v" + std::to_string(version));
  return it->second;
}

RootUpdate UpdateTrustRoot(const TrustRoot& current, RootSource& source, SystemTime now,
                           std::size_t max_hops) {
  RootUpdate update;
  update.root = current;
  for (std::size_t hop = 0; hop < max_hops; ++hop) {
    const std::uint64_t wanted = update.root.version + 1;
    Result<std::string> bytes = source.FetchRoot(wanted);
    if (!bytes.ok()) {
      if (bytes.status().code() == StatusCode::kNotFound) break;
      update.error = Reject(Reason::kRootFetch, "trust/" + std::to_string(wanted) +
                                                    ".root.json: " + bytes.status().ToString());
      return update;
    }
    Checked<TrustRoot> next = VerifyNextRoot(update.root, *bytes);
    if (!next.ok()) {
      Rejection r = next.error();
      r.detail = "trust/" + std::to_string(wanted) + ".root.json: " + r.detail;
      update.error = std::move(r);
      return update;
    }
    update.verified.push_back(next.value());
    update.root = std::move(next).value();
  }
  if (update.root.expires <= now) {
    update.error =
        Reject(Reason::kRootExpired, "root v" + std::to_string(update.root.version) +
                                         " expired at " + FormatRfc3339(update.root.expires));
  }
  return update;
}

}  // namespace bulwark::bundle
