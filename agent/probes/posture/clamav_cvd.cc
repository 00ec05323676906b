#include "agent/probes/posture/clamav_cvd.h"

#include <array>
#include <vector>

#include "agent/base/strings.h"
#include "agent/probes/posture/civil_time.h"

namespace bulwark {
namespace {

std::optional<unsigned> SmallNumber(std::string_view s, unsigned max) {
  auto v = ParseUint64(s);
  if (!v || *v > max) return std::nullopt;
  return static_cast<unsigned>(*v);
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> ParseCvdTime(std::string_view text) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto parts = SplitWhitespace(text);
  if (parts.size() != 4 && parts.size() != 5) return std::nullopt;
  auto day = SmallNumber(parts[0], 31);
  unsigned month = 0;
  for (unsigned i = 0; i < kMonths.size(); ++i) {
    if (parts[1] == kMonths[i]) month = i + 1;
  }
  auto year = SmallNumber(parts[2], 9999);
  std::string_view hm = parts[3];
  if (!day || *day == 0 || month == 0 || !year || *year < 1970 || hm.size() != 5 ||
      (hm[2] != '-' && hm[2] != ':')) {
    return std::nullopt;
  }
  auto hour = SmallNumber(hm.substr(0, 2), 23);
  auto minute = SmallNumber(hm.substr(3, 2), 59);
  if (!hour || !minute) return std::nullopt;
  std::int64_t offset_minutes = 0;
  if (parts.size() == 5) {
    std::string_view z = parts[4];
    if (z.size() != 5 || (z[0] != '+' && z[0] != '-')) return std::nullopt;
    auto oh = SmallNumber(z.substr(1, 2), 23);
    auto om = SmallNumber(z.substr(3, 2), 59);
    if (!oh || !om) return std::nullopt;
    offset_minutes = (z[0] == '-' ? -1 : 1) * static_cast<std::int64_t>(*oh * 60 + *om);
  }
  const std::int64_t seconds = DaysFromCivil(*year, month, *day) * 86400 +
                               static_cast<std::int64_t>(*hour) * 3600 +
                               static_cast<std::int64_t>(*minute) * 60 - offset_minutes * 60;
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

Result<CvdHeader> ParseCvdHeader(std::string_view bytes) {
  constexpr std::string_view kMagic = "ClamAV-VDB:";
  std::string_view header = bytes.substr(0, kCvdHeaderSize);
  if (!StartsWith(header, kMagic)) {
    return InvalidArgumentError("not a ClamAV database: missing ClamAV-VDB header");
  }
  auto nul = header.find('\0');
  header = TrimWhitespace(header.substr(0, nul));
  auto fields = Split(header, ':');
  CvdHeader out;
  auto field = [&](std::size_t i) -> std::string_view {
    return i < fields.size() ? TrimWhitespace(fields[i]) : std::string_view();
  };
  out.version = ParseUint64(field(2));
  out.signatures = ParseUint64(field(3));
  out.builder = std::string(field(7));
  if (auto unix_time = ParseUint64(field(8)); unix_time && *unix_time < (1ull << 40)) {
    out.built = std::chrono::system_clock::time_point(
        std::chrono::seconds(static_cast<std::int64_t>(*unix_time)));
    return out;
  }
  if (auto t = ParseCvdTime(field(1))) {
    out.built = *t;
    return out;
  }
  return InvalidArgumentError("ClamAV database header has no readable build time");
}

}  // namespace bulwark
