#include "agent/probes/posture/console_session.h"

#include <algorithm>

#include "agent/base/strings.h"
#include "agent/probes/posture/key_value.h"

namespace bulwark {
namespace {

std::optional<std::uint32_t> ToUid(const std::string& s) {
  auto v = ParseUint64(s);
  if (!v || *v > 0xffffffffu) return std::nullopt;
  return static_cast<std::uint32_t>(*v);
}

std::string Get(const std::map<std::string, std::string>& kv, const char* key) {
  auto it = kv.find(key);
  return it == kv.end() ? std::string() : it->second;
}

// A fixed-size, NUL-padded char array field.
std::string CString(std::string_view bytes) {
  auto nul = bytes.find('\0');
  return std::string(bytes.substr(0, nul));
}

std::uint32_t LittleEndian32(std::string_view bytes, std::size_t offset) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[offset + i])) << (8 * i);
  }
  return v;
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

LogindSession ParseLogindSession(std::string_view id, std::string_view text) {
  const auto kv = ParseKeyValue(text);
  LogindSession s;
  s.id = std::string(id);
  s.uid = ToUid(Get(kv, "UID"));
  s.user = Get(kv, "USER");
  s.seat = Get(kv, "SEAT");
  s.active = Get(kv, "ACTIVE") == "1";
  s.remote = Get(kv, "REMOTE") == "1";
  s.state = Get(kv, "STATE");
  s.session_class = Get(kv, "CLASS");
  s.type = Get(kv, "TYPE");
  s.desktop = Get(kv, "DESKTOP");
  s.display = Get(kv, "DISPLAY");
  s.tty = Get(kv, "TTY");
  return s;
}

LogindSeat ParseLogindSeat(std::string_view text) {
  const auto kv = ParseKeyValue(text);
  return LogindSeat{Get(kv, "ACTIVE"), ToUid(Get(kv, "ACTIVE_UID"))};
}

const LogindSession* PickConsoleSession(const std::vector<LogindSession>& sessions,
                                        std::string_view preferred_id) {
  auto qualifies = [](const LogindSession& s) {
    const bool user_class = s.session_class.empty() || s.session_class == "user";
    return s.seat == "seat0" && s.active && !s.remote && user_class && !s.user.empty() &&
           s.state != "closing";
  };
  const LogindSession* fallback = nullptr;
  for (const auto& s : sessions) {
    if (!qualifies(s)) continue;
    if (s.id == preferred_id) return &s;
    if (fallback == nullptr) fallback = &s;
  }
  return fallback;
}

std::vector<UtmpRecord> DecodeUtmp(std::string_view bytes) {
  std::vector<UtmpRecord> out;
  for (std::size_t off = 0; off + kUtmpRecordSize <= bytes.size(); off += kUtmpRecordSize) {
    std::string_view rec = bytes.substr(off, kUtmpRecordSize);
    const int type = static_cast<int>(LittleEndian32(rec, 0) & 0xffff);
    if (type < 0 || type > 9) continue;
    UtmpRecord r;
    r.type = type;
    r.pid = static_cast<std::int32_t>(LittleEndian32(rec, 4));
    r.line = CString(rec.substr(8, 32));
    r.user = CString(rec.substr(44, 32));
    r.host = CString(rec.substr(76, 256));
    r.time_seconds = static_cast<std::int32_t>(LittleEndian32(rec, 340));
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<UtmpRecord> ConsoleUtmpCandidates(const std::vector<UtmpRecord>& records) {
  std::vector<UtmpRecord> out;
  for (const auto& r : records) {
    if (r.type != kUtmpUserProcess || r.user.empty()) continue;
    std::string_view line = r.line;
    const bool display = StartsWith(line, ":") && IsDigits(line.substr(1, line.find('.') - 1));
    const bool vt = StartsWith(line, "tty") && IsDigits(line.substr(3));
    if (display || vt || line == "console") out.push_back(r);
  }
  std::stable_sort(out.begin(), out.end(), [](const UtmpRecord& a, const UtmpRecord& b) {
    const bool ad = StartsWith(a.line, ":"), bd = StartsWith(b.line, ":");
    if (ad != bd) return ad;
    return a.time_seconds > b.time_seconds;
  });
  return out;
}

}  // namespace bulwark
