// Pure parser for the 512-byte header of a ClamAV signature database (daily.cvd / daily.cld):
//   ClamAV-VDB:<build time>:<version>:<signatures>:<f-level>:<md5>:<dsig>:<builder>:<unix time>
// padded with spaces. The build time is "%d %b %Y %H-%M %z" ("14 Nov 2024 09-32 -0500"); the
// ninth field, when present, is the same instant in seconds since the epoch. No I/O.
#ifndef BULWARK_AGENT_PROBES_POSTURE_CLAMAV_CVD_H_
#define BULWARK_AGENT_PROBES_POSTURE_CLAMAV_CVD_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/base/status.h"

namespace bulwark {

inline constexpr std::size_t kCvdHeaderSize = 512;

struct CvdHeader {
  std::optional<std::uint64_t> version;     // database version, e.g. 27458
  std::optional<std::uint64_t> signatures;  // number of signatures
  std::chrono::system_clock::time_point built;
  std::string builder;
};

// Parses the header at the start of `bytes` (only the first 512 bytes are looked at).
// kInvalidArgument when the magic is missing or no build time can be decoded.
Result<CvdHeader> ParseCvdHeader(std::string_view bytes);

// Parses "14 Nov 2024 09-32 -0500" (also accepts "09:32"); nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> ParseCvdTime(std::string_view text);

}  // namespace bulwark

#endif  // BULWARK_AGENT_PROBES_POSTURE_CLAMAV_CVD_H_
