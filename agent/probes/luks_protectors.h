// Pure mapping from a LUKS header's keyslots and tokens to key protectors. No I/O.
//
// A LUKS2 token names the mechanism that unlocks the keyslots it lists: "systemd-tpm2" -> "tpm2",
// "systemd-fido2" -> "fido2", "systemd-pkcs11" -> "pkcs11", "systemd-recovery" -> "recovery",
// "clevis" -> "clevis", "luks2-keyring" -> "keyring"; any other type -> "token:<type>".
// An active keyslot that no token references is unlocked by typing a secret: "passphrase"
// (a keyfile looks the same in the header, so it is reported as a passphrase too).
#ifndef BULWARK_AGENT_PROBES_LUKS_PROTECTORS_H_
#define BULWARK_AGENT_PROBES_LUKS_PROTECTORS_H_

#include <string>
#include <string_view>
#include <vector>

#include "agent/facts/facts.h"

namespace bulwark {

struct LuksToken {
  int id = 0;
  std::string type;
  std::vector<int> keyslots;
};

struct LuksKeyslot {
  int slot = 0;
  std::string pbkdf;  // may be empty when unknown
};

// The protector name for a token type.
std::string ProtectorForTokenType(std::string_view token_type);

// Per-keyslot protectors, in slot order. A keyslot referenced by several tokens takes the first.
std::vector<KeySlotFacts> MapKeyslots(const std::vector<LuksKeyslot>& active_keyslots,
                                      const std::vector<LuksToken>& tokens);

// The distinct protectors, in first-seen order (keyslot order).
std::vector<std::string> DistinctProtectors(const std::vector<KeySlotFacts>& keyslots);

}  // namespace bulwark

#endif  // BULWARK_AGENT_PROBES_LUKS_PROTECTORS_H_
