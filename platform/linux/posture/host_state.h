// PostureHostState: host observations that several posture probes need (accounts, running
// processes, systemd unit enablement, the console user), read once through the System seam on
// first use and then shared, so a full `facts` run scans /proc and etc/passwd only once.
//
// Every source honours the System's root: proc/ under --root DIR is the fixture's proc/.
// Live-only facts are never taken from the host running the agent when the root is not "/".
//
// Ownership: the System must outlive this object; probes share it through std::shared_ptr.
// Thread-safety: not thread-safe; probes run one at a time (ProbeRegistry::CollectAll).
#ifndef BULWARK_PLATFORM_LINUX_POSTURE_HOST_STATE_H_
#define BULWARK_PLATFORM_LINUX_POSTURE_HOST_STATE_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "agent/probes/posture/account_db.h"
#include "agent/sys/system.h"

namespace bulwark {

struct AccountsSnapshot {
  Status passwd_status;  // why etc/passwd could not be read (OK when it was)
  Status group_status;
  std::vector<PasswdEntry> passwd;
  std::vector<GroupEntry> groups;
  const PasswdEntry* FindUser(std::string_view name) const;
};

struct ProcessInfo {
  std::uint32_t pid = 0;
  std::string comm;  // proc/<pid>/comm: the first 15 bytes of the program name
  std::string exe;   // proc/<pid>/exe link target; "" for kernel threads or when unreadable
};

// systemd units enabled through *.wants / *.requires symlinks, or masked (linked to /dev/null).
struct UnitStates {
  bool systemd_present = false;  // etc/systemd/system or a vendor unit directory exists
  std::set<std::string> enabled;
  std::set<std::string> masked;
  // true: enabled and not masked; false: not enabled (or masked); null: no systemd layout.
  std::optional<bool> IsEnabled(std::string_view unit) const;
  bool IsMasked(std::string_view unit) const { return masked.count(std::string(unit)) > 0; }
};

struct ConsoleUser {
  bool known = false;               // the sources could be read
  std::optional<std::string> name;  // null: nobody at the console (known) or unknown
  std::optional<std::uint32_t> uid;
  std::string source;   // "logind" or "utmp"
  std::string session;  // logind session id or utmp line
  std::string type;     // logind TYPE: "x11", "wayland", "tty", ...
  std::string desktop;  // logind DESKTOP, e.g. "GNOME"
  std::string reason;   // why unknown, or that nobody is logged in
};

class PostureHostState {
 public:
  explicit PostureHostState(const System& system) : system_(system) {}

  const System& system() const { return system_; }
  const FileSystem& fs() const { return system_.file_system(); }

  const AccountsSnapshot& accounts();

  // Every process under proc/, or nullopt when the process table is not available (no
  // numeric entries under proc/, as in an unmounted image); see processes_reason().
  const std::optional<std::vector<ProcessInfo>>& processes();
  const std::string& processes_reason();

  // Whether a process runs whose comm is one of `comms` or whose executable lies under one of
  // `exe_prefixes`; null when the process table is not available.
  std::optional<bool> AnyRunning(const std::vector<std::string>& comms,
                                 const std::vector<std::string>& exe_prefixes = {});

  const UnitStates& units();
  const ConsoleUser& console_user();

 private:
  void LoadProcesses();

  const System& system_;
  std::optional<AccountsSnapshot> accounts_;
  bool processes_loaded_ = false;
  std::optional<std::vector<ProcessInfo>> processes_;
  std::string processes_reason_;
  std::optional<UnitStates> units_;
  std::optional<ConsoleUser> console_;
};

// Reads at most `max_bytes` from the start of a file, however large it is (headers of
// multi-megabyte databases). Goes through FileSystem::ReadFile when the file is small enough;
// for a larger regular file it opens FileSystem::HostPath of the in-root canonical path itself,
// since the FileSystem seam has no partial read yet.
Result<std::string> ReadFileHead(const FileSystem& fs, std::string_view path,
                                 std::size_t max_bytes);

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_LINUX_POSTURE_HOST_STATE_H_
