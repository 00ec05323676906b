#include "platform/linux/working_set.h"

#include <malloc.h>
#include <sys/mman.h>

#include <charconv>
#include <fstream>
#include <iterator>
#include <sstream>

namespace bulwark {
namespace {

bool ParseHex(std::string_view text, std::uintptr_t& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, 16);
  return ec == std::errc() && end == text.data() + text.size();
}

// "Rss:                  8 kB" -> 8.
std::size_t KiloBytes(std::string_view rest) {
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  std::size_t value = 0;
  std::from_chars(rest.data(), rest.data() + rest.size(), value);
  return value;
}

// A mapping's header line: "start-end perms offset dev inode [path]".
bool ParseHeader(std::string_view line, SmapsMapping& m) {
  const std::size_t dash = line.find('-');
  const std::size_t space = line.find(' ');
  if (dash == std::string_view::npos || space == std::string_view::npos || dash > space) {
    return false;
  }
  if (!ParseHex(line.substr(0, dash), m.start) ||
      !ParseHex(line.substr(dash + 1, space - dash - 1), m.end)) {
    return false;
  }
  const std::string_view perms = line.substr(space + 1, 4);
  if (perms.size() != 4) return false;
  m.writable = perms[1] == 'w';
  m.is_private = perms[3] == 'p';
  // Skip offset, device and inode; the path is whatever follows them.
  std::size_t pos = space + 1;
  for (int field = 0; field < 4 && pos != std::string_view::npos; ++field) {
    pos = line.find(' ', pos);
    if (pos != std::string_view::npos) pos = line.find_first_not_of(' ', pos);
  }
  m.path = pos == std::string_view::npos ? "" : std::string(line.substr(pos));
  return true;
}

}  // namespace

std::vector<SmapsMapping> ParseSmaps(std::string_view text) {
  std::vector<SmapsMapping> mappings;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    const std::size_t colon = line.find(':');
    const std::size_t space = line.find(' ');
    // Field lines are "Name: value"; header lines start with an address range.
    if (colon != std::string_view::npos && (space == std::string_view::npos || colon < space)) {
      if (mappings.empty()) continue;
      SmapsMapping& m = mappings.back();
      const std::string_view name = line.substr(0, colon);
      const std::string_view rest = line.substr(colon + 1);
      if (name == "Rss") {
        m.rss_kb = KiloBytes(rest);
      } else if (name == "Anonymous") {
        m.anonymous_kb = KiloBytes(rest);
      } else if (name == "Swap") {
        m.swap_kb = KiloBytes(rest);
      } else if (name == "Locked") {
        m.locked = m.locked || KiloBytes(rest) > 0;
      } else if (name == "VmFlags") {
        m.locked = m.locked || rest.find(" lo") != std::string_view::npos;
      }
      continue;
    }
    SmapsMapping m;
    if (ParseHeader(line, m)) mappings.push_back(std::move(m));
  }
  return mappings;
}

bool IsDroppable(const SmapsMapping& m) {
  // A real file (not "[vdso]", "[heap]", anonymous), never written by this process.
  return !m.path.empty() && m.path.front() == '/' && m.is_private && !m.writable &&
         m.anonymous_kb == 0 && m.swap_kb == 0 && !m.locked && m.end > m.start;
}

Result<std::size_t> TrimWorkingSet() {
  std::ifstream in("/proc/self/smaps");
  if (!in) return UnavailableError("cannot read /proc/self/smaps");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t dropped_kb = 0;
  for (const SmapsMapping& m : ParseSmaps(text)) {
    if (!IsDroppable(m) || m.rss_kb == 0) continue;
    // NOLINTNEXTLINE(performance-no-int-to-ptr): the address is the kernel's.
    void* start = reinterpret_cast<void*>(m.start);
    if (madvise(start, m.end - m.start, MADV_DONTNEED) == 0) dropped_kb += m.rss_kb;
  }
  malloc_trim(0);
  return dropped_kb;
}

}  // namespace bulwark
