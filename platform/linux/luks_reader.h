// LuksReader: the seam to libcryptsetup. The disk-encryption probe asks it for the header of a
// LUKS device (by host path) and, on a live system, for the parameters of an active plain
// dm-crypt mapping (by dm name). The real implementation is CryptsetupLuksReader; tests use it
// on real headers made by `cryptsetup luksFormat`, and a fake only for states a test machine
// cannot produce.
//
// Thread-safety: implementations are safe for concurrent use.
// Errors: kPermissionDenied (not root), kNotFound (no such device), kInvalidArgument (no LUKS
// header there), kDataLoss (corrupt header), kUnavailable (device busy/locked).
#ifndef BULWARK_PLATFORM_LINUX_LUKS_READER_H_
#define BULWARK_PLATFORM_LINUX_LUKS_READER_H_

#include <string>
#include <vector>

#include "agent/base/status.h"
#include "agent/probes/luks_protectors.h"

namespace bulwark {

struct LuksHeader {
  std::string version;  // "luks1" | "luks2"
  std::string cipher;   // cipher-mode, e.g. "aes-xts-plain64"
  int key_bits = 0;     // volume key size in bits, e.g. 512 for aes-xts with 256-bit AES
  std::string uuid;     // header UUID, lower case, dashed
  std::vector<LuksKeyslot> active_keyslots;
  std::vector<LuksToken> tokens;  // LUKS2 only
};

struct ActiveCrypt {
  std::string cipher;  // cipher-mode
  int key_bits = 0;
};

class LuksReader {
 public:
  virtual ~LuksReader() = default;
  // Reads the LUKS header of the device or image file at `host_path`, read-only.
  virtual Result<LuksHeader> ReadHeader(const std::string& host_path) const = 0;
  // Reads the cipher of the active dm-crypt mapping `dm_name` from the kernel (live only).
  virtual Result<ActiveCrypt> ReadActive(const std::string& dm_name) const = 0;
};

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_LINUX_LUKS_READER_H_
