// Real LUKS headers for tests, made by the `cryptsetup` binary on sparse image files (fast PBKDF2
// with 1000 iterations), and a reader of what `cryptsetup luksDump` says about an image, so tests
// can assert the probe's facts against cryptsetup's own view. Test-only; needs cryptsetup(8).
#ifndef BULWARK_TESTS_TESTING_LUKS_FIXTURE_H_
#define BULWARK_TESTS_TESTING_LUKS_FIXTURE_H_

#include <string>
#include <vector>

namespace bulwark::testing {

struct LuksImageOptions {
  std::string type = "luks2";  // "luks1" | "luks2"
  std::string cipher;          // empty: cryptsetup's default (aes-xts-plain64)
  int key_size_bits = 0;       // 0: default
  int extra_keyslots = 0;      // passphrase keyslots added after the first
  // LUKS2 tokens to import, each bound to a new keyslot: "systemd-tpm2", "systemd-recovery", ...
  std::vector<std::string> tokens;
};

// Creates a LUKS image at `path` (host path). Fails the test on error.
void MakeLuksImage(const std::string& path, const LuksImageOptions& options);

struct LuksDump {
  int version = 0;
  std::string uuid;
  std::string cipher;  // "aes-xts-plain64"
  int key_bits = 0;
  std::vector<int> keyslots;                        // active keyslot numbers
  std::vector<std::pair<std::string, int>> tokens;  // (type, keyslot)
};

// Parses `cryptsetup luksDump path`.
LuksDump DumpLuks(const std::string& path);

// True when cryptsetup(8) is installed.
bool HaveCryptsetup();

}  // namespace bulwark::testing

#endif  // BULWARK_TESTS_TESTING_LUKS_FIXTURE_H_
