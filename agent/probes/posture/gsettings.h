// Pure parsers for the output of `gsettings list-recursively SCHEMA` and `gsettings get`, whose
// values are GVariant text ("true", "uint32 300", "'string'"). No I/O.
#ifndef BULWARK_AGENT_PROBES_POSTURE_GSETTINGS_H_
#define BULWARK_AGENT_PROBES_POSTURE_GSETTINGS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace bulwark {

// "org.gnome.desktop.screensaver lock-enabled true" lines -> {"org.gnome...screensaver
// lock-enabled" -> "true"}. Lines with fewer than three fields are skipped.
std::map<std::string, std::string> ParseGsettingsList(std::string_view text);

// GVariant text booleans: "true"/"false".
std::optional<bool> GVariantBool(std::string_view text);

// GVariant text integers with an optional type prefix: "300", "uint32 300", "int32 5".
// Negative or non-numeric values are nullopt.
std::optional<std::uint64_t> GVariantUint(std::string_view text);

}  // namespace bulwark

#endif  // BULWARK_AGENT_PROBES_POSTURE_GSETTINGS_H_
