// Reads the sudoers policy through the FileSystem seam: the main file and everything it
// includes (#include/@include files, #includedir/@includedir directories), spliced in
// evaluation order for AnalyzeAdmins (agent/probes/posture/admin_analysis.h).
//
// Hostile trees cannot make it loop or balloon: a file already being read further up the
// include chain is skipped with a warning (a includes b includes a; an #includedir that
// includes its own directory), and nesting depth, file count and total bytes are capped. A
// limit hit or a file that exists but cannot be read is recorded in `unreadable`: the policy
// is then incomplete and the caller must not claim to know every administrator.
//
// Thread-safety: stateless functions over a const FileSystem.
#ifndef BULWARK_PLATFORM_LINUX_POSTURE_SUDOERS_LOADER_H_
#define BULWARK_PLATFORM_LINUX_POSTURE_SUDOERS_LOADER_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "agent/probes/posture/admin_analysis.h"
#include "agent/sys/file_system.h"

namespace bulwark {

struct SudoersLoadOptions {
  std::string short_hostname;   // for "%h" in include paths; "" skips such includes
  std::size_t max_depth = 8;    // include nesting below the main file
  std::size_t max_files = 128;  // files read in total
  std::size_t max_file_bytes = 4u << 20;
  std::size_t max_total_bytes = 16u << 20;
};

struct SudoersLoadResult {
  bool main_present = false;  // the main file exists (sudo installed)
  std::vector<SourcedSudoersEntry> entries;
  std::vector<std::string> files;       // every file read, in order
  std::vector<std::string> warnings;    // "<file>:<line>: <message>", skipped includes, ...
  std::vector<std::string> unreadable;  // "<file>: <why>"; non-empty means incomplete
};

SudoersLoadResult LoadSudoers(const FileSystem& fs, std::string_view main_file,
                              const SudoersLoadOptions& options = {});

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_LINUX_POSTURE_SUDOERS_LOADER_H_
