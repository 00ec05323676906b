// libFuzzer target for strict base64. Properties checked on every input:
//   * canonical: whatever decodes re-encodes (in the alphabet it used) to exactly the input,
//     so one byte string has one accepted text (no envelope malleability);
//   * length: 3 bytes per group minus one per '=';
//   * round trip: encoding the input as bytes, in either alphabet, decodes back to it.
//
// Build (not wired into CMake; the clang fuzz build adds it):
//   clang++-14 -std=c++20 -fsanitize=fuzzer,address,undefined -I. tests/fuzz/base64_fuzz.cc \
//     policy/bundle/*.cc agent/base/*.cc -lboost_json -lcrypto -o base64_fuzz
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "policy/bundle/strict_base64.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using bulwark::bundle::Base64Alphabet;
  using bulwark::bundle::DecodeStrictBase64;
  using bulwark::bundle::EncodeBase64;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  Base64Alphabet used = Base64Alphabet::kStandard;
  auto decoded = DecodeStrictBase64(input, &used);
  if (decoded.ok()) {
    if (EncodeBase64(decoded.value(), used) != input) std::abort();
    // Length law: 3 bytes per 4-character group, minus one per '='.
    std::size_t pads = 0;
    for (char c : input) pads += c == '=' ? 1u : 0u;
    if (decoded.value().size() != input.size() / 4 * 3 - pads) std::abort();
  }

  for (const Base64Alphabet alphabet : {Base64Alphabet::kStandard, Base64Alphabet::kUrlSafe}) {
    const std::string text = EncodeBase64(input, alphabet);
    auto back = DecodeStrictBase64(text);
    if (!back.ok() || back.value() != input) std::abort();
  }
  return 0;
}
