// Signed trust roots and policy bundles for tests that need real ones (collector, agent):
// one org with an Ed25519 root key and an Ed25519 + ECDSA P-256 policy role (2 of 2), built
// with the project's own signer.
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/time_util.h"
#include "policy/bundle/signer.h"

namespace bulwark::testing {

class SignedPolicyFixture {
 public:
  explicit SignedPolicyFixture(std::string org_id = "acme-prod");

  // Trust root `version` (1, 2, ...): version 1 is self-signed by root key 1; version N>1 is
  // signed by root keys N-1 and N (a rotation), so it chains from N-1.
  std::string Root(std::uint64_t version);

  // A policy payload valid from `now` - 1 h to `now` + 30 days with two checks (firewall on,
  // system volume encrypted).
  boost::json::object Policy(std::string_view policy_id, std::uint64_t version, SystemTime now,
                             std::vector<std::string> platforms = {"linux"}) const;

  // Signs a payload with the policy role (both keys) or only with the given keys.
  std::string Sign(const boost::json::object& payload) const;
  std::string SignWith(const boost::json::object& payload,
                       const std::vector<const bundle::PrivateKey*>& keys) const;

  const std::string& org_id() const { return org_id_; }
  const bundle::PrivateKey& policy_ed25519() const { return *policy_ed_; }

 private:
  const bundle::PrivateKey& RootKey(std::uint64_t version);

  std::string org_id_;
  std::vector<std::unique_ptr<bundle::PrivateKey>> root_keys_;  // [i] = key of root i+1
  std::unique_ptr<bundle::PrivateKey> policy_ed_;
  std::unique_ptr<bundle::PrivateKey> policy_ec_;
};

}  // namespace bulwark::testing
