#include "platform/windows/wmi_values.h"

#include <cstdio>

#include "agent/base/strings.h"
#include "agent/base/time_util.h"
#include "agent/probes/posture/civil_time.h"

namespace bulwark {
namespace {

const WmiValue* Find(const WmiRow& row, const std::string& name) {
  auto it = row.find(name);
  return it == row.end() ? nullptr : &it->second;
}

// Codes a BitLocker or WMI call returns in practice, for a readable reason.
const char* CodeName(std::uint32_t code) {
  switch (code) {
    case 0x80310000u:
      return "FVE_E_LOCKED_VOLUME";
    case 0x80310001u:
      return "FVE_E_NOT_ENCRYPTED";
    case 0x80310008u:
      return "FVE_E_NOT_ACTIVATED";
    case 0x8031006Eu:
      return "FVE_E_NOT_DECRYPTED";
    case 0x80070005u:
      return "E_ACCESSDENIED";
    case 0x80041003u:
      return "WBEM_E_ACCESS_DENIED";
    case 0x80041002u:
      return "WBEM_E_NOT_FOUND";
    case 0x80041010u:
      return "WBEM_E_INVALID_CLASS";
    case 0x8004100Eu:
      return "WBEM_E_INVALID_NAMESPACE";
    case 0x80041008u:
      return "WBEM_E_INVALID_PARAMETER";
    default:
      return nullptr;
  }
}

}  // namespace

std::optional<std::int64_t> WmiInt(const WmiRow& row, const std::string& name) {
  const WmiValue* v = Find(row, name);
  if (v == nullptr) return std::nullopt;
  if (const auto* i = std::get_if<std::int64_t>(v)) return *i;
  if (const auto* u = std::get_if<std::uint64_t>(v)) {
    if (*u > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(*u);
  }
  if (const auto* s = std::get_if<std::string>(v)) {
    auto parsed = ParseUint64(*s);
    if (!parsed || *parsed > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(*parsed);
  }
  return std::nullopt;
}

std::optional<bool> WmiBool(const WmiRow& row, const std::string& name) {
  const WmiValue* v = Find(row, name);
  if (v == nullptr) return std::nullopt;
  if (const auto* b = std::get_if<bool>(v)) return *b;
  auto i = WmiInt(row, name);
  if (i == 0) return false;
  if (i == 1) return true;
  return std::nullopt;
}

std::optional<std::string> WmiString(const WmiRow& row, const std::string& name) {
  const WmiValue* v = Find(row, name);
  if (v == nullptr) return std::nullopt;
  if (const auto* s = std::get_if<std::string>(v)) return *s;
  return std::nullopt;
}

std::optional<std::vector<std::string>> WmiStrings(const WmiRow& row, const std::string& name) {
  const WmiValue* v = Find(row, name);
  if (v == nullptr) return std::nullopt;
  if (const auto* a = std::get_if<std::vector<std::string>>(v)) return *a;
  if (const auto* s = std::get_if<std::string>(v)) return std::vector<std::string>{*s};
  return std::nullopt;
}

std::string HexCode(std::int64_t code) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X",
                static_cast<unsigned>(static_cast<std::uint64_t>(code) & 0xFFFFFFFFu));
  return buf;
}

Status MethodOutcome(const Result<WmiRow>& out, const std::string& method) {
  if (!out.ok()) return Status(out.status().code(), method + ": " + out.status().message());
  auto rv = WmiInt(*out, "ReturnValue");
  if (!rv) return InternalError(method + ": no ReturnValue");
  if (*rv == 0) return Status();
  std::string text = method + " returned " + HexCode(*rv);
  if (const char* n = CodeName(static_cast<std::uint32_t>(static_cast<std::uint64_t>(*rv))))
    text += std::string(" (") + n + ")";
  return FailedPreconditionError(text);
}

std::string WmiObjectPath(const std::string& wmi_class, const std::string& key,
                          const std::string& value) {
  std::string escaped;
  for (char c : value) {
    if (c == '\\' || c == '"') escaped.push_back('\\');
    escaped.push_back(c);
  }
  return wmi_class + "." + key + "=\"" + escaped + "\"";
}

std::optional<std::chrono::system_clock::time_point> ParseCimDateTime(const std::string& text) {
  // yyyymmddHHMMSS.mmmmmmsUUU
  if (text.size() != 25 || text[14] != '.' || (text[21] != '+' && text[21] != '-'))
    return std::nullopt;
  auto num = [&](std::size_t pos, std::size_t len) -> std::optional<std::int64_t> {
    auto v = ParseUint64(std::string_view(text).substr(pos, len));
    if (!v) return std::nullopt;
    return static_cast<std::int64_t>(*v);
  };
  auto year = num(0, 4), month = num(4, 2), day = num(6, 2), hour = num(8, 2), minute = num(10, 2),
       second = num(12, 2), offset = num(22, 3);
  if (!year || !month || !day || !hour || !minute || !second || !offset) return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 ||
      *second > 60)
    return std::nullopt;
  std::int64_t days =
      DaysFromCivil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day));
  std::int64_t secs = days * 86400 + *hour * 3600 + *minute * 60 + *second;
  // Local = UTC + offset, so UTC = local - offset.
  secs -= (text[21] == '+' ? 1 : -1) * *offset * 60;
  return std::chrono::system_clock::time_point(std::chrono::seconds(secs));
}

std::optional<std::chrono::system_clock::time_point> ParseHotfixInstalledOn(
    const std::string& text) {
  using TimePoint = std::chrono::system_clock::time_point;
  const std::string_view s = TrimWhitespace(text);
  auto date = [](std::uint64_t y, std::uint64_t m, std::uint64_t d) -> std::optional<TimePoint> {
    if (y < 1980 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04u-%02u-%02u", static_cast<unsigned>(y),
                  static_cast<unsigned>(m), static_cast<unsigned>(d));
    return ParseIsoDate(buf);  // also rejects 2/30
  };
  if (auto parts = Split(s, '/'); parts.size() == 3) {  // "M/D/YYYY"
    if (parts[0].empty() || parts[0].size() > 2 || parts[1].empty() || parts[1].size() > 2 ||
        parts[2].size() != 4)
      return std::nullopt;
    auto m = ParseUint64(parts[0]), d = ParseUint64(parts[1]), y = ParseUint64(parts[2]);
    if (!m || !d || !y) return std::nullopt;
    return date(*y, *m, *d);
  }
  if (s.size() == 8) {  // "YYYYMMDD"
    auto y = ParseUint64(s.substr(0, 4)), m = ParseUint64(s.substr(4, 2)),
         d = ParseUint64(s.substr(6, 2));
    if (!y || !m || !d) return std::nullopt;
    return date(*y, *m, *d);
  }
  if (s.size() == 16) {  // FILETIME in hex: 100 ns ticks since 1601-01-01
    std::uint64_t ticks = 0;
    for (char c : s) {
      int digit = c >= '0' && c <= '9'   ? c - '0'
                  : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                         : -1;
      if (digit < 0) return std::nullopt;
      ticks = (ticks << 4) | static_cast<std::uint64_t>(digit);
    }
    constexpr std::uint64_t kUnixEpochTicks = 116444736000000000ull;
    if (ticks < kUnixEpochTicks) return std::nullopt;
    const std::uint64_t secs = (ticks - kUnixEpochTicks) / 10000000ull;
    constexpr std::uint64_t k2201 = 7289654400ull;  // 2201-01-01, within the clock's range
    if (secs >= k2201) return std::nullopt;
    const std::string day =
        FormatRfc3339(TimePoint(std::chrono::seconds(static_cast<std::int64_t>(secs))))
            .substr(0, 10);
    auto y = ParseUint64(std::string_view(day).substr(0, 4));
    if (!y || *y < 1980 || *y > 2200) return std::nullopt;
    return ParseIsoDate(day);
  }
  return std::nullopt;
}

}  // namespace bulwark
