#include "policy/tool/root_builder.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <set>

#include "policy/bundle/dsse.h"
#include "policy/bundle/strict_base64.h"

namespace bulwark::policy_tool {
namespace {

Result<boost::json::object> RoleJson(const std::vector<bundle::PublicKey>& keys,
                                     std::uint64_t threshold, std::string_view name) {
  boost::json::array ids;
  std::set<std::string> seen;
  for (const bundle::PublicKey& key : keys) {
    if (!seen.insert(key.keyid()).second) {
      return InvalidArgumentError("key " + key.keyid() + " is listed twice in the " +
                                  std::string(name) + " role");
    }
    ids.emplace_back(key.keyid());
  }
  boost::json::object role;
  role["keyids"] = std::move(ids);
  role["threshold"] = threshold;
  return role;
}

std::string Signed(std::size_t n, std::uint64_t threshold) {
  return std::to_string(n) + " of " + std::to_string(threshold);
}

}  // namespace

RootSpec SpecFromRoot(const bundle::TrustRoot& root) {
  RootSpec spec;
  spec.org_id = root.org_id;
  spec.version = root.version;
  spec.expires = root.expires;
  spec.policy_epoch = root.policy_epoch;
  for (const bundle::RoleKey& k : root.RoleKeys(root.root_role)) spec.root_keys.push_back(*k.key);
  spec.root_threshold = root.root_role.threshold;
  for (const bundle::RoleKey& k : root.RoleKeys(root.policy_role)) {
    spec.policy_keys.push_back(*k.key);
  }
  spec.policy_threshold = root.policy_role.threshold;
  return spec;
}

Result<std::string> BuildRootPayload(const RootSpec& spec) {
  boost::json::object keys;
  for (const auto* list : {&spec.root_keys, &spec.policy_keys}) {
    for (const bundle::PublicKey& key : *list) {
      boost::json::object entry;
      entry["keytype"] = bundle::KeyTypeName(key.type());
      entry["public_key"] = bundle::EncodeBase64(key.spki_der());
      keys[key.keyid()] = std::move(entry);
    }
  }
  ASSIGN_OR_RETURN(boost::json::object root_role,
                   RoleJson(spec.root_keys, spec.root_threshold, "root"));
  ASSIGN_OR_RETURN(boost::json::object policy_role,
                   RoleJson(spec.policy_keys, spec.policy_threshold, "policy"));
  boost::json::object roles;
  roles["root"] = std::move(root_role);
  roles["policy"] = std::move(policy_role);

  boost::json::object payload;
  payload["_type"] = "bulwark/trustroot/v1";
  payload["spec_version"] = "1.0";
  payload["org_id"] = spec.org_id;
  payload["version"] = spec.version;
  payload["expires"] = FormatRfc3339(spec.expires);
  payload["policy_epoch"] = spec.policy_epoch;
  payload["keys"] = std::move(keys);
  payload["roles"] = std::move(roles);
  return boost::json::serialize(payload);
}

Result<std::string> DraftRootEnvelope(const RootSpec& spec) {
  ASSIGN_OR_RETURN(std::string payload, BuildRootPayload(spec));
  std::string envelope = bundle::SerializeEnvelope(bundle::kTrustRootPayloadType, payload, {});
  bundle::Checked<bundle::TrustRoot> parsed = bundle::ParseTrustRoot(envelope);
  if (!parsed.ok()) return InvalidArgumentError(parsed.error().ToString());
  return envelope;
}

Result<std::string> AddRootSignatures(std::string_view envelope_bytes,
                                      const std::vector<const bundle::PrivateKey*>& keys,
                                      std::vector<std::string>* notes) {
  bundle::Checked<bundle::Envelope> env =
      bundle::ParseEnvelope(envelope_bytes, bundle::kMaxRootEnvelopeBytes);
  if (!env.ok()) return InvalidArgumentError(env.error().ToString());
  if (env->payload_type != bundle::kTrustRootPayloadType) {
    return InvalidArgumentError("payloadType is '" + env->payload_type + "', not a trust root (" +
                                std::string(bundle::kTrustRootPayloadType) + ")");
  }
  Result<std::string> body = bundle::DecodeStrictBase64(env->payload_base64);
  if (!body.ok()) return InvalidArgumentError("E_BASE64: payload: " + body.status().message());

  std::vector<bundle::EnvelopeSignature> sigs;
  for (const bundle::SignatureEntry& entry : env->signatures) {
    Result<std::string> sig = entry.usable ? bundle::DecodeStrictBase64(entry.sig_base64)
                                           : Result<std::string>(InvalidArgumentError("unusable"));
    if (!sig.ok()) {
      notes->push_back("dropped an unusable signature entry" +
                       (entry.keyid ? " (keyid " + *entry.keyid + ")" : std::string()));
      continue;
    }
    sigs.push_back(bundle::EnvelopeSignature{entry.keyid, std::move(sig).value()});
  }
  const std::string pae = bundle::PreAuthEncoding(bundle::kTrustRootPayloadType, *body);
  for (const bundle::PrivateKey* key : keys) {
    ASSIGN_OR_RETURN(std::string sig, key->Sign(pae));
    bool replaced = false;
    for (bundle::EnvelopeSignature& existing : sigs) {
      if (existing.keyid == key->keyid()) {
        existing.sig = sig;
        replaced = true;
      }
    }
    if (replaced) {
      notes->push_back("key " + key->keyid() + " had already signed; its signature was renewed");
    } else {
      sigs.push_back(bundle::EnvelopeSignature{key->keyid(), std::move(sig)});
    }
  }
  if (sigs.size() > bundle::kMaxSignatures) {
    return InvalidArgumentError(std::to_string(sigs.size()) + " signatures, more than the " +
                                std::to_string(bundle::kMaxSignatures) + " a verifier reads");
  }
  return bundle::SerializeEnvelope(bundle::kTrustRootPayloadType, *body, sigs);
}

bundle::Checked<RootSigningStatus> InspectRootSignatures(std::string_view envelope_bytes,
                                                         const bundle::TrustRoot* previous) {
  bundle::Checked<bundle::TrustRoot> root = bundle::ParseTrustRoot(envelope_bytes);
  if (!root.ok()) return root.error();
  bundle::Checked<bundle::Envelope> env =
      bundle::ParseEnvelope(envelope_bytes, bundle::kMaxRootEnvelopeBytes);
  if (!env.ok()) return env.error();
  const std::string pae = bundle::PreAuthEncoding(bundle::kTrustRootPayloadType, root->payload);

  RootSigningStatus status;
  status.org_id = root->org_id;
  status.version = root->version;
  status.expires = root->expires;
  status.warnings = root->warnings;
  status.own_threshold = root->root_role.threshold;
  status.own_signed = bundle::VerifiedKeyIds(*env, pae, root->RoleKeys(root->root_role)).size();
  bool enough = status.own_signed >= status.own_threshold;
  if (previous != nullptr) {
    status.has_previous = true;
    status.previous_version = previous->version;
    status.previous_threshold = previous->root_role.threshold;
    status.previous_signed =
        bundle::VerifiedKeyIds(*env, pae, previous->RoleKeys(previous->root_role)).size();
    enough = enough && status.previous_signed >= status.previous_threshold;
  }
  if (!enough) return status;

  bundle::Checked<bundle::TrustRoot> loaded = bundle::LoadTrustedRoot(envelope_bytes);
  if (!loaded.ok()) {
    status.error = loaded.error();
    return status;
  }
  if (previous != nullptr) {
    bundle::Checked<bundle::TrustRoot> next = bundle::VerifyNextRoot(*previous, envelope_bytes);
    if (!next.ok()) {
      status.error = next.error();
      return status;
    }
  }
  status.complete = true;
  return status;
}

std::string DescribeRootStatus(const RootSigningStatus& s) {
  std::string counts = Signed(s.own_signed, s.own_threshold) + " signatures of its own root keys";
  if (s.has_previous) {
    counts += ", " + Signed(s.previous_signed, s.previous_threshold) + " of root v" +
              std::to_string(s.previous_version) + "'s root keys";
  }
  std::string line = "root v" + std::to_string(s.version) + " (org " + s.org_id + "): ";
  if (s.complete) {
    line += "complete: " + counts;
  } else if (s.error) {
    line += "rejected: " + s.error->ToString() + " (" + counts + ")";
  } else {
    line += "NOT YET VALID: " + counts + "; add signatures with 'bulwark-policy root sign'";
  }
  if (!s.has_previous && s.version > 1) {
    line += "; the signatures of root v" + std::to_string(s.version - 1) +
            "'s keys were not checked (pass --previous)";
  }
  return line;
}

std::string DescribeRoot(const bundle::TrustRoot& root) {
  return "root v" + std::to_string(root.version) + " of org " + root.org_id + ": root role " +
         std::to_string(root.root_role.threshold) + "-of-" +
         std::to_string(root.root_role.keyids.size()) + ", policy role " +
         std::to_string(root.policy_role.threshold) + "-of-" +
         std::to_string(root.policy_role.keyids.size()) + ", policy_epoch " +
         std::to_string(root.policy_epoch) + ", expires " + FormatRfc3339(root.expires);
}

}  // namespace bulwark::policy_tool
