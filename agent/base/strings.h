// Small string helpers used by the pure parsers. No I/O, no allocation beyond the results.
#ifndef BULWARK_AGENT_BASE_STRINGS_H_
#define BULWARK_AGENT_BASE_STRINGS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bulwark {

// Removes ASCII whitespace (space, \t, \n, \r, \v, \f) from both ends.
std::string_view TrimWhitespace(std::string_view s);

// Splits on `sep`, keeping empty fields: Split("a::b", ':') == {"a", "", "b"}.
std::vector<std::string_view> Split(std::string_view s, char sep);

// Splits on runs of ASCII whitespace, dropping empty fields.
std::vector<std::string_view> SplitWhitespace(std::string_view s);

// Splits into lines on '\n'; a trailing newline does not produce an empty last line.
std::vector<std::string_view> SplitLines(std::string_view s);

bool StartsWith(std::string_view s, std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);

// Parses a whole string of decimal digits (no sign, no spaces) into an unsigned integer.
// Returns nullopt on empty input, a non-digit or overflow.
std::optional<std::uint64_t> ParseUint64(std::string_view s);

// Decodes the octal escapes the kernel uses in /proc files ("\040" for a space, "\011",
// "\012", "\134"). Malformed escapes are kept literally.
std::string UnescapeOctal(std::string_view s);

// Lower-cases ASCII letters only.
std::string AsciiLower(std::string_view s);

// Joins with `sep`.
std::string Join(const std::vector<std::string>& parts, std::string_view sep);

}  // namespace bulwark

#endif  // BULWARK_AGENT_BASE_STRINGS_H_
