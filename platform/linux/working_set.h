// Gives back the memory the agent holds between two cycles, the way Windows' EmptyWorkingSet
// does for idle services. After a cycle the process still has resident every page of code and
// read-only data that the cycle ran through (OpenSSL, libcurl, SQLite, the probes): about
// 17 MB, all of it clean file pages the kernel could drop at any time. TrimWorkingSet drops
// them from this process now (MADV_DONTNEED); the next cycle faults them back in from the page
// cache. It also returns free heap to the kernel (malloc_trim).
//
// Only mappings that cannot differ from their file are dropped: file-backed, not writable, and
// with no anonymous (copy-on-write) page. Relocated read-only data (RELRO) has such pages and is
// always kept; so are writable, anonymous, stack and special ([vdso], [vvar]) mappings.
//
// Thread-safety: safe to call while other threads run (it never drops a page that another
// thread could have written). Errors: kUnavailable when /proc/self/smaps cannot be read.
#ifndef BULWARK_PLATFORM_LINUX_WORKING_SET_H_
#define BULWARK_PLATFORM_LINUX_WORKING_SET_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"

namespace bulwark {

// One mapping of /proc/self/smaps, the fields TrimWorkingSet decides on.
struct SmapsMapping {
  std::uintptr_t start = 0;
  std::uintptr_t end = 0;
  bool writable = false;
  bool is_private = false;       // 'p' (copy-on-write), not 's' (shared)
  std::string path;              // empty for anonymous mappings; "[vdso]" and the like kept
  std::size_t rss_kb = 0;        // "Rss:"
  std::size_t anonymous_kb = 0;  // "Anonymous:": copy-on-write copies of file pages
  std::size_t swap_kb = 0;       // "Swap:": such copies swapped out
  bool locked = false;           // "Locked:" > 0 or "lo" in VmFlags
};

// Parses the text of /proc/<pid>/smaps. Lines it does not know are skipped.
std::vector<SmapsMapping> ParseSmaps(std::string_view text);

// True when dropping `mapping`'s pages cannot change what the process reads from it.
bool IsDroppable(const SmapsMapping& mapping);

// Drops every droppable mapping's pages and trims the heap; returns the kilobytes of resident
// memory dropped (the droppable mappings' Rss before the call).
Result<std::size_t> TrimWorkingSet();

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_LINUX_WORKING_SET_H_
