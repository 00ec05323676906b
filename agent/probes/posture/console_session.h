// Pure decoders for the two sources that say who sits at the machine's console: logind's runtime
// files (run/systemd/seats/seat0, run/systemd/sessions/<id>) and the utmp database (run/utmp).
// No I/O.
#ifndef BULWARK_AGENT_PROBES_POSTURE_CONSOLE_SESSION_H_
#define BULWARK_AGENT_PROBES_POSTURE_CONSOLE_SESSION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bulwark {

// One logind session file (KEY=value lines written by systemd-logind).
struct LogindSession {
  std::string id;  // the file name
  std::optional<std::uint32_t> uid;
  std::string user;
  std::string seat;  // "seat0" for the local console; empty for remote/ssh sessions
  bool active = false;
  bool remote = false;
  std::string state;          // "active", "online", "closing"
  std::string session_class;  // "user", "greeter", "lock-screen", "background", ...
  std::string type;           // "x11", "wayland", "tty", "unspecified"
  std::string desktop;        // XDG_SESSION_DESKTOP, e.g. "GNOME" (may be empty)
  std::string display;        // X11 display, e.g. ":0"
  std::string tty;
};

LogindSession ParseLogindSession(std::string_view id, std::string_view text);

// run/systemd/seats/<seat>: the seat's active session.
struct LogindSeat {
  std::string active_session;  // empty when none
  std::optional<std::uint32_t> active_uid;
};

LogindSeat ParseLogindSeat(std::string_view text);

// The session of the person at the local console: on seat0, active, not remote, of class
// "user". `preferred_id` (seat0's ACTIVE) wins when it qualifies. nullptr when nobody is logged
// in at the console (a greeter on seat0 is nobody).
const LogindSession* PickConsoleSession(const std::vector<LogindSession>& sessions,
                                        std::string_view preferred_id);

inline constexpr std::size_t kUtmpRecordSize = 384;  // glibc struct utmp on 64-bit Linux
inline constexpr int kUtmpUserProcess = 7;

// One utmp record, decoded from the glibc layout used on x86_64 and aarch64 (little-endian,
// 32-bit ut_tv): type, pid, line[32], id[4], user[32], host[256], exit, session, tv, addr.
struct UtmpRecord {
  int type = 0;
  std::int32_t pid = 0;
  std::string line;  // "tty1", ":0", "pts/3"
  std::string user;
  std::string host;
  std::int64_t time_seconds = 0;
};

// Decodes whole records; a trailing partial record and records with an impossible type are
// ignored.
std::vector<UtmpRecord> DecodeUtmp(std::string_view bytes);

// USER_PROCESS records on a local console line (X display ":N", virtual terminal "ttyN" or
// "console"), X displays first, then the most recent login first. Pseudo-terminals (pts/N)
// are never console logins.
std::vector<UtmpRecord> ConsoleUtmpCandidates(const std::vector<UtmpRecord>& records);

}  // namespace bulwark

#endif  // BULWARK_AGENT_PROBES_POSTURE_CONSOLE_SESSION_H_
