#include "agent/probes/dm_uuid.h"

#include <array>
#include <utility>

#include "agent/base/strings.h"

namespace bulwark {
namespace {

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// "CRYPT-LUKS2-0123...(32 hex)-name" -> "01234567-89ab-cdef-0123-456789abcdef".
std::optional<std::string> LuksUuidFromTail(std::string_view tail) {
  if (tail.size() < 32) return std::nullopt;
  for (std::size_t i = 0; i < 32; ++i) {
    if (!IsHex(tail[i])) return std::nullopt;
  }
  if (tail.size() > 32 && tail[32] != '-') return std::nullopt;
  std::string hex = AsciiLower(tail.substr(0, 32));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

}  // namespace

DmUuidInfo ClassifyDmUuid(std::string_view uuid) {
  DmUuidInfo info;
  uuid = TrimWhitespace(uuid);
  if (StartsWith(uuid, "CRYPT-")) {
    std::string_view rest = uuid.substr(6);
    auto dash = rest.find('-');
    std::string_view type = rest.substr(0, dash);
    std::string_view tail =
        dash == std::string_view::npos ? std::string_view() : rest.substr(dash + 1);
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kCrypt = {{
        {"LUKS1", "luks1"},
        {"LUKS2", "luks2"},
        {"PLAIN", "plain"},
        {"BITLK", "bitlocker"},
        {"TCRYPT", "tcrypt"},
        {"LOOPAES", "loopaes"},
        {"FVAULT2", "fvault2"},
    }};
    for (const auto& [prefix, name] : kCrypt) {
      if (type == prefix) {
        info.kind = DmKind::kCrypt;
        info.subsystem = std::string(name);
        if (prefix == "LUKS1" || prefix == "LUKS2") info.luks_uuid = LuksUuidFromTail(tail);
        return info;
      }
    }
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kStack = {{
        {"VERITY", "verity"},
        {"INTEGRITY", "integrity"},
        {"SUBDEV", "integrity"},
    }};
    for (const auto& [prefix, name] : kStack) {
      if (type == prefix) {
        info.kind = DmKind::kStacking;
        info.subsystem = std::string(name);
        return info;
      }
    }
    info.subsystem = "crypt-" + AsciiLower(type);
    return info;  // an unknown CRYPT type: cannot tell whether it encrypts
  }
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kPrefixes = {{
      {"LVM-", "lvm"},
      {"mpath-", "multipath"},
      {"DMRAID-", "dmraid"},
      {"stratis-", "stratis"},
      {"VDO-", "vdo"},
  }};
  for (const auto& [prefix, name] : kPrefixes) {
    if (StartsWith(uuid, prefix)) {
      info.kind = DmKind::kStacking;
      info.subsystem = std::string(name);
      return info;
    }
  }
  // kpartx partitions: "part1-mpath-...", "part2-LVM-..."
  if (StartsWith(uuid, "part")) {
    std::size_t i = 4;
    while (i < uuid.size() && uuid[i] >= '0' && uuid[i] <= '9') ++i;
    if (i > 4 && i < uuid.size() && uuid[i] == '-') {
      info.kind = DmKind::kStacking;
      info.subsystem = "partition";
      return info;
    }
  }
  return info;
}

}  // namespace bulwark
