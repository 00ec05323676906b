#include "agent/probes/luks_protectors.h"

#include <algorithm>
#include <array>
#include <utility>

namespace bulwark {

std::string ProtectorForTokenType(std::string_view token_type) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kMap = {{
      {"systemd-tpm2", "tpm2"},
      {"systemd-fido2", "fido2"},
      {"systemd-pkcs11", "pkcs11"},
      {"systemd-recovery", "recovery"},
      {"clevis", "clevis"},
      {"luks2-keyring", "keyring"},
  }};
  for (const auto& [type, protector] : kMap) {
    if (token_type == type) return std::string(protector);
  }
  return "token:" + std::string(token_type);
}

std::vector<KeySlotFacts> MapKeyslots(const std::vector<LuksKeyslot>& active_keyslots,
                                      const std::vector<LuksToken>& tokens) {
  std::vector<KeySlotFacts> out;
  for (const auto& ks : active_keyslots) {
    KeySlotFacts facts;
    facts.slot = ks.slot;
    facts.protector = "passphrase";
    for (const auto& token : tokens) {
      if (std::find(token.keyslots.begin(), token.keyslots.end(), ks.slot) !=
          token.keyslots.end()) {
        facts.protector = ProtectorForTokenType(token.type);
        break;
      }
    }
    if (!ks.pbkdf.empty()) facts.pbkdf = ks.pbkdf;
    out.push_back(std::move(facts));
  }
  return out;
}

std::vector<std::string> DistinctProtectors(const std::vector<KeySlotFacts>& keyslots) {
  std::vector<std::string> out;
  for (const auto& ks : keyslots) {
    if (std::find(out.begin(), out.end(), ks.protector) == out.end()) out.push_back(ks.protector);
  }
  return out;
}

}  // namespace bulwark
