// Splitting an HTTP origin-form target into its path and decoded query parameters.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace bulwark::collector {

struct RequestTarget {
  std::string path;                          // percent-decoded, never empty
  std::map<std::string, std::string> query;  // decoded; a repeated name keeps its first value
};

// nullopt for a target that is not origin-form ("/..."), has bad percent-escapes, or decodes
// to a NUL byte.
std::optional<RequestTarget> ParseRequestTarget(std::string_view target);

}  // namespace bulwark::collector
