// Pure parser for /proc/swaps. No I/O.
//
//   Filename                                Type            Size            Used    Priority
//   /dev/dm-2                               partition       999420          0       -2
//   /swap\040file                           file            1048572         0       -3
//
// The header line is skipped; malformed lines are skipped and counted.
#ifndef BULWARK_AGENT_PROBES_SWAPS_H_
#define BULWARK_AGENT_PROBES_SWAPS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bulwark {

struct SwapEntry {
  std::string path;  // unescaped
  std::string type;  // "partition" | "file" | other
  std::uint64_t size_kib = 0;
  std::uint64_t used_kib = 0;
  std::int64_t priority = 0;
};

struct SwapsParseResult {
  std::vector<SwapEntry> entries;
  std::vector<std::size_t> malformed_lines;  // 1-based
};

SwapsParseResult ParseSwaps(std::string_view text);

}  // namespace bulwark

#endif  // BULWARK_AGENT_PROBES_SWAPS_H_
