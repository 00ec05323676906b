// Bounded gzip decoding for request bodies (`Content-Encoding: gzip`).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "agent/base/status.h"

namespace bulwark::collector {

// Inflates one gzip member. Stops with kResourceExhausted as soon as the output would exceed
// `max_output` bytes (so a gzip bomb costs at most that much memory), kInvalidArgument for
// corrupt, truncated or trailing data.
Result<std::string> GunzipBounded(std::string_view input, std::size_t max_output);

// Compresses `input` as one gzip member (used by tests, the demo client and the load bench).
Result<std::string> Gzip(std::string_view input);

}  // namespace bulwark::collector
