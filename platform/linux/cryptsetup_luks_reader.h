// CryptsetupLuksReader: LuksReader over libcryptsetup (crypt_init + crypt_load, read-only).
// libcryptsetup's own log output is captured into the returned Status, never printed.
#ifndef BULWARK_PLATFORM_LINUX_CRYPTSETUP_LUKS_READER_H_
#define BULWARK_PLATFORM_LINUX_CRYPTSETUP_LUKS_READER_H_

#include "platform/linux/luks_reader.h"

namespace bulwark {

class CryptsetupLuksReader final : public LuksReader {
 public:
  CryptsetupLuksReader();
  Result<LuksHeader> ReadHeader(const std::string& host_path) const override;
  Result<ActiveCrypt> ReadActive(const std::string& dm_name) const override;
};

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_LINUX_CRYPTSETUP_LUKS_READER_H_
