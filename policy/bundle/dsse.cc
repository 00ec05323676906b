#include "policy/bundle/dsse.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "policy/bundle/strict_base64.h"
#include "policy/bundle/strict_json.h"

namespace bulwark::bundle {

Checked<Envelope> ParseEnvelope(std::string_view bytes, std::size_t max_bytes) {
  if (bytes.size() > max_bytes) {
    return Reject(Reason::kSize, "envelope is " + std::to_string(bytes.size()) + " bytes, limit " +
                                     std::to_string(max_bytes));
  }
  StrictJsonOptions options;
  options.max_depth = kMaxEnvelopeDepth;
  options.integers_only = false;  // unknown members are ignored, whatever numbers they hold
  auto parsed = ParseStrictJson(bytes, options);
  if (!parsed.ok()) return JsonErrorToRejection(parsed.error(), Reason::kEnvelopeParse);

  const boost::json::object* obj = parsed->if_object();
  if (obj == nullptr) return Reject(Reason::kField, "envelope is not a JSON object");
  const boost::json::value* type = obj->if_contains("payloadType");
  const boost::json::value* payload = obj->if_contains("payload");
  const boost::json::value* sigs = obj->if_contains("signatures");
  if (type == nullptr || !type->is_string()) {
    return Reject(Reason::kField, "payloadType missing or not a string");
  }
  if (payload == nullptr || !payload->is_string()) {
    return Reject(Reason::kField, "payload missing or not a string");
  }
  if (sigs == nullptr || !sigs->is_array()) {
    return Reject(Reason::kField, "signatures missing or not an array");
  }
  const boost::json::array& entries = sigs->get_array();
  if (entries.size() > kMaxSignatures) {
    return Reject(Reason::kTooManySigs, std::to_string(entries.size()) +
                                            " signature entries, limit " +
                                            std::to_string(kMaxSignatures));
  }

  Envelope env;
  env.payload_type = std::string(type->get_string());
  env.payload_base64 = std::string(payload->get_string());
  env.signatures.reserve(entries.size());
  for (const boost::json::value& entry : entries) {
    SignatureEntry out;
    const boost::json::object* e = entry.if_object();
    if (e != nullptr) {
      const boost::json::value* sig = e->if_contains("sig");
      const boost::json::value* keyid = e->if_contains("keyid");
      const bool keyid_ok = keyid == nullptr || keyid->is_string();
      if (sig != nullptr && sig->is_string() && keyid_ok) {
        out.usable = true;
        out.sig_base64 = std::string(sig->get_string());
        if (keyid != nullptr) out.keyid = std::string(keyid->get_string());
      }
    }
    env.signatures.push_back(std::move(out));
  }
  return env;
}

std::string PreAuthEncoding(std::string_view payload_type, std::string_view body) {
  std::string pae = "DSSEv1 ";
  pae += std::to_string(payload_type.size());
  pae += ' ';
  pae += payload_type;
  pae += ' ';
  pae += std::to_string(body.size());
  pae += ' ';
  pae += body;
  return pae;
}

std::set<std::string> VerifiedKeyIds(const Envelope& envelope, std::string_view pae,
                                     const std::vector<RoleKey>& role_keys, std::size_t enough) {
  std::set<std::string> accepted;
  for (const SignatureEntry& entry : envelope.signatures) {
    if (accepted.size() >= enough) break;
    if (!entry.usable) continue;
    Result<std::string> sig = DecodeStrictBase64(entry.sig_base64);
    if (!sig.ok()) continue;
    for (const RoleKey& candidate : role_keys) {
      // A hint selects the only key allowed to verify this entry (case A14).
      if (entry.keyid && *entry.keyid != candidate.keyid) continue;
      if (accepted.contains(candidate.keyid)) continue;
      if (candidate.key->Verify(pae, *sig)) {
        accepted.insert(candidate.keyid);
        break;
      }
    }
  }
  return accepted;
}

std::string SerializeEnvelope(std::string_view payload_type, std::string_view body,
                              const std::vector<EnvelopeSignature>& signatures) {
  boost::json::object obj;
  obj["payloadType"] = payload_type;
  obj["payload"] = EncodeBase64(body);
  boost::json::array sigs;
  for (const EnvelopeSignature& s : signatures) {
    boost::json::object e;
    if (s.keyid) e["keyid"] = *s.keyid;
    e["sig"] = EncodeBase64(s.sig);
    sigs.push_back(std::move(e));
  }
  obj["signatures"] = std::move(sigs);
  return boost::json::serialize(obj);
}

}  // namespace bulwark::bundle
