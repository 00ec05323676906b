// Pure parser for crypttab(5) and the classification of its key-file field. No I/O.
//   # <name>  <device>                                   <key file>        <options>
//   cryptdata UUID=7c1e...                                /etc/keys/d.key   luks,discard
//   cryptswap /dev/sda3                                   /dev/urandom      swap,cipher=...
#ifndef BULWARK_AGENT_PROBES_POSTURE_CRYPTTAB_H_
#define BULWARK_AGENT_PROBES_POSTURE_CRYPTTAB_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace bulwark {

struct CrypttabEntry {
  std::string name;
  std::string device;
  std::string key_file;  // "" when the field is absent
  std::string options;
  std::size_t line = 0;
};

struct CrypttabParseResult {
  std::vector<CrypttabEntry> entries;
  std::vector<std::size_t> malformed_lines;  // fewer than two fields
};

CrypttabParseResult ParseCrypttab(std::string_view text);

enum class KeyFileKind {
  kNone,    // "", "-" or "none": a passphrase, TPM2 or FIDO2 token unlocks the volume
  kRandom,  // /dev/urandom, /dev/random, /dev/hw_random: a throw-away key (swap, tmp)
  kDevice,  // another path under /dev/: a key stored on a (removable) device
  kRemote,  // "path:device" (systemd): a key file on another device
  kFile,    // a key file on this system
};

KeyFileKind ClassifyKeyFile(std::string_view key_file);
std::string_view KeyFileKindName(KeyFileKind kind);  // "none", "random", "device", ...

}  // namespace bulwark

#endif  // BULWARK_AGENT_PROBES_POSTURE_CRYPTTAB_H_
