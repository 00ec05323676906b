#include "platform/linux/posture/host_state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "agent/base/strings.h"
#include "agent/probes/posture/console_session.h"

namespace bulwark {
namespace {

constexpr std::size_t kAccountFileMax = 16u << 20;  // large directory-synced passwd files
constexpr std::size_t kMaxProcesses = 1u << 16;
constexpr std::size_t kMaxSessions = 4096;

// Unit directories whose *.wants/ and *.requires/ links enable units, admin first.
constexpr const char* kUnitDirs[] = {"/etc/systemd/system", "/usr/lib/systemd/system",
                                     "/lib/systemd/system"};

bool IsNumeric(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

ConsoleUser FromLogind(const FileSystem& fs) {
  ConsoleUser out;
  auto names = fs.ListDirectory("/run/systemd/sessions");
  if (!names.ok()) {
    out.reason = "logind sessions: " + names.status().ToString();
    return out;
  }
  std::string preferred;
  if (auto seat = fs.ReadFile("/run/systemd/seats/seat0", 64 * 1024); seat.ok()) {
    preferred = ParseLogindSeat(*seat).active_session;
  }
  std::vector<LogindSession> sessions;
  for (const auto& name : *names) {
    if (sessions.size() >= kMaxSessions) break;
    if (name.find('.') != std::string::npos) continue;  // "*.ref" FIFOs, temporary files
    auto text = fs.ReadFile("/run/systemd/sessions/" + name, 64 * 1024);
    if (text.ok()) sessions.push_back(ParseLogindSession(name, *text));
  }
  out.known = true;
  out.source = "logind";
  const LogindSession* s = PickConsoleSession(sessions, preferred);
  if (s == nullptr) {
    out.reason = "no active local session on seat0";
    return out;
  }
  out.name = s->user;
  out.uid = s->uid;
  out.session = s->id;
  out.type = s->type;
  out.desktop = s->desktop;
  return out;
}

}  // namespace

const PasswdEntry* AccountsSnapshot::FindUser(std::string_view name) const {
  for (const auto& p : passwd) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::optional<bool> UnitStates::IsEnabled(std::string_view unit) const {
  if (!systemd_present) return std::nullopt;
  const std::string u(unit);
  return enabled.count(u) > 0 && masked.count(u) == 0;
}

const AccountsSnapshot& PostureHostState::accounts() {
  if (accounts_) return *accounts_;
  AccountsSnapshot snap;
  if (auto text = fs().ReadFile("/etc/passwd", kAccountFileMax); text.ok()) {
    snap.passwd = ParsePasswd(*text).entries;
  } else {
    snap.passwd_status = text.status();
  }
  if (auto text = fs().ReadFile("/etc/group", kAccountFileMax); text.ok()) {
    snap.groups = ParseGroup(*text).entries;
  } else {
    snap.group_status = text.status();
  }
  accounts_ = std::move(snap);
  return *accounts_;
}

void PostureHostState::LoadProcesses() {
  // Marked loaded before scanning: a seam that throws is tried once, not by every caller.
  processes_loaded_ = true;
  processes_reason_ = "process table unavailable: the scan of /proc did not complete";
  auto names = fs().ListDirectory("/proc");
  if (!names.ok()) {
    processes_reason_ = "process table unavailable: " + names.status().ToString();
    return;
  }
  std::vector<ProcessInfo> table;
  for (const auto& name : *names) {
    if (!IsNumeric(name) || table.size() >= kMaxProcesses) continue;
    auto pid = ParseUint64(name);
    if (!pid || *pid > 0xffffffffu) continue;
    const std::string dir = "/proc/" + name;
    auto comm = fs().ReadFile(dir + "/comm", 256);
    if (!comm.ok()) continue;  // exited while we looked
    ProcessInfo info;
    info.pid = static_cast<std::uint32_t>(*pid);
    info.comm = std::string(TrimWhitespace(*comm));
    if (auto exe = fs().ReadLink(dir + "/exe"); exe.ok()) info.exe = std::move(*exe);
    table.push_back(std::move(info));
  }
  if (table.empty()) {
    processes_reason_ = "process table unavailable: no processes under /proc";
    return;
  }
  processes_ = std::move(table);
  processes_reason_.clear();
}

const std::optional<std::vector<ProcessInfo>>& PostureHostState::processes() {
  if (!processes_loaded_) LoadProcesses();
  return processes_;
}

const std::string& PostureHostState::processes_reason() {
  if (!processes_loaded_) LoadProcesses();
  return processes_reason_;
}

std::optional<bool> PostureHostState::AnyRunning(const std::vector<std::string>& comms,
                                                 const std::vector<std::string>& exe_prefixes) {
  const auto& table = processes();
  if (!table) return std::nullopt;
  for (const auto& p : *table) {
    if (std::find(comms.begin(), comms.end(), p.comm) != comms.end()) return true;
    for (const auto& prefix : exe_prefixes) {
      if (!p.exe.empty() && StartsWith(p.exe, prefix)) return true;
    }
  }
  return false;
}

const UnitStates& PostureHostState::units() {
  if (units_) return *units_;
  UnitStates states;
  std::set<std::string> seen_dirs;
  for (const char* dir : kUnitDirs) {
    auto canonical = fs().Canonicalize(dir);
    if (!canonical.ok() || !seen_dirs.insert(*canonical).second) continue;  // /lib -> /usr/lib
    auto entries = fs().ListDirectory(*canonical);
    if (!entries.ok()) continue;
    states.systemd_present = true;
    const bool admin_dir = std::string_view(dir) == "/etc/systemd/system";
    for (const auto& entry : *entries) {
      const std::string path = *canonical + "/" + entry;
      if (EndsWith(entry, ".wants") || EndsWith(entry, ".requires")) {
        auto units = fs().ListDirectory(path);
        if (!units.ok()) continue;
        for (const auto& unit : *units) states.enabled.insert(unit);
      } else if (admin_dir) {
        auto target = fs().ReadLink(path);
        if (target.ok() && *target == "/dev/null") states.masked.insert(entry);
      }
    }
  }
  units_ = std::move(states);
  return *units_;
}

const ConsoleUser& PostureHostState::console_user() {
  if (console_) return *console_;
  ConsoleUser out = FromLogind(fs());
  if (!out.known) {
    // No logind runtime data: fall back to utmp (run/utmp; var/run is normally a link to it).
    std::string logind_reason = out.reason;
    Result<std::string> utmp = fs().ReadFile("/run/utmp", 16u << 20);
    if (!utmp.ok()) utmp = fs().ReadFile("/var/run/utmp", 16u << 20);
    if (!utmp.ok()) {
      out.reason = logind_reason + "; utmp: " + utmp.status().ToString();
    } else {
      out.known = true;
      out.source = "utmp";
      const bool can_check_pids = processes().has_value();
      for (const auto& record : ConsoleUtmpCandidates(DecodeUtmp(*utmp))) {
        // utmp keeps stale records after a crash; trust only logins whose process is alive.
        if (can_check_pids && !fs().Exists("/proc/" + std::to_string(record.pid))) continue;
        out.name = record.user;
        out.session = record.line;
        out.type = StartsWith(record.line, ":") ? "x11" : "tty";
        break;
      }
      if (!out.name) out.reason = "no console login in utmp";
    }
  }
  if (out.name && !out.uid) {
    if (const PasswdEntry* p = accounts().FindUser(*out.name)) out.uid = p->uid;
  }
  console_ = std::move(out);
  return *console_;
}

Result<std::string> ReadFileHead(const FileSystem& fs, std::string_view path,
                                 std::size_t max_bytes) {
  return fs.ReadFileHead(path, max_bytes);
}

}  // namespace bulwark
