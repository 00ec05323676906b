#include "tests/testing/signed_policy.h"

#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdlib>

#include "policy/bundle/dsse.h"
#include "policy/bundle/strict_base64.h"

namespace bulwark::testing {

using bundle::KeyType;
using bundle::PrivateKey;

namespace {

std::unique_ptr<PrivateKey> NewKey(KeyType type) {
  auto key = PrivateKey::Generate(type);
  if (!key.ok()) std::abort();  // the test machine's OpenSSL is broken
  return std::make_unique<PrivateKey>(std::move(key).value());
}

boost::json::object KeyEntry(const PrivateKey& k) {
  return {{"keytype", bundle::KeyTypeName(k.type())},
          {"public_key", bundle::EncodeBase64(k.spki_der())}};
}

}  // namespace

SignedPolicyFixture::SignedPolicyFixture(std::string org_id)
    : org_id_(std::move(org_id)),
      policy_ed_(NewKey(KeyType::kEd25519)),
      policy_ec_(NewKey(KeyType::kEcdsaP256)) {}

const PrivateKey& SignedPolicyFixture::RootKey(std::uint64_t version) {
  while (root_keys_.size() < version) root_keys_.push_back(NewKey(KeyType::kEd25519));
  return *root_keys_[version - 1];
}

std::string SignedPolicyFixture::Root(std::uint64_t version) {
  const PrivateKey& own = RootKey(version);
  boost::json::object keys;
  keys[own.keyid()] = KeyEntry(own);
  keys[policy_ed_->keyid()] = KeyEntry(*policy_ed_);
  keys[policy_ec_->keyid()] = KeyEntry(*policy_ec_);
  boost::json::object p = {{"_type", "bulwark/trustroot/v1"},
                           {"spec_version", "1.0"},
                           {"org_id", org_id_},
                           {"version", version},
                           {"expires", "2035-01-01T00:00:00Z"},
                           {"policy_epoch", 1}};
  p["keys"] = std::move(keys);
  p["roles"] = {
      {"root", {{"keyids", {own.keyid()}}, {"threshold", 1}}},
      {"policy", {{"keyids", {policy_ed_->keyid(), policy_ec_->keyid()}}, {"threshold", 2}}}};
  std::vector<const PrivateKey*> signers = {&own};
  if (version > 1) signers.insert(signers.begin(), &RootKey(version - 1));
  auto envelope =
      bundle::SignEnvelope(bundle::kTrustRootPayloadType, boost::json::serialize(p), signers);
  if (!envelope.ok()) std::abort();
  return std::move(envelope).value();
}

boost::json::object SignedPolicyFixture::Policy(std::string_view policy_id, std::uint64_t version,
                                                SystemTime now,
                                                std::vector<std::string> platforms) const {
  const auto second = std::chrono::time_point_cast<std::chrono::seconds>(now);
  boost::json::array platform_list(platforms.begin(), platforms.end());
  boost::json::object p = {{"_type", "bulwark/policy/v1"},
                           {"spec_version", "1.0"},
                           {"org_id", org_id_},
                           {"policy_id", policy_id},
                           {"epoch", 1},
                           {"version", version},
                           {"issued_at", FormatRfc3339(second - std::chrono::hours(1))},
                           {"expires", FormatRfc3339(second + std::chrono::hours(24 * 30))}};
  p["applies_to"] = {{"platforms", std::move(platform_list)}};
  p["checks"] = {
      {{"id", "fw.enabled"},
       {"title", "Firewall is on"},
       {"severity", "high"},
       {"condition", {{"===", {{{"var", "endpoint_protection.firewall.enabled"}}, true}}}},
       {"remediation", {{"summary", "Turn the firewall on."}}}},
      {{"id", "disk.system-encrypted"},
       {"title", "System volume is encrypted"},
       {"severity", "critical"},
       {"condition", {{"===", {{{"var", "disk_encryption.volumes.0.encrypted"}}, true}}}},
       {"remediation", {{"summary", "Encrypt the system volume."}}}}};
  return p;
}

std::string SignedPolicyFixture::Sign(const boost::json::object& payload) const {
  return SignWith(payload, {policy_ed_.get(), policy_ec_.get()});
}

std::string SignedPolicyFixture::SignWith(const boost::json::object& payload,
                                          const std::vector<const PrivateKey*>& keys) const {
  auto envelope =
      bundle::SignEnvelope(bundle::kPolicyPayloadType, boost::json::serialize(payload), keys);
  if (!envelope.ok()) std::abort();
  return std::move(envelope).value();
}

}  // namespace bulwark::testing
