// Secrets the collector hands out and checks: device credentials, and comparisons against the
// admin token and enrolment secret. Secrets are 256-bit random values; the store keeps only
// their SHA-256, and every comparison is constant-time.
//
// A device credential is the string "<device_id>.<secret>", where secret is 64 lowercase hex
// characters. Agents send it as `Authorization: Bearer <credential>`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "agent/base/status.h"

namespace bulwark::collector {

struct DeviceSecret {
  std::string secret;  // 64 lowercase hex characters; handed to the agent once, never stored
  std::string hash;    // what the store keeps: HashSecret(secret)
};

// Draws a fresh secret from the OpenSSL CSPRNG. kInternal if it fails.
Result<DeviceSecret> NewDeviceSecret();

// The credential string an agent presents: "<device_id>.<secret>".
std::string FormatDeviceCredential(std::string_view device_id, std::string_view secret);

// Hash of a secret that the store keeps (lowercase hex SHA-256).
std::string HashSecret(std::string_view secret);

struct PresentedCredential {
  std::string device_id;
  std::string secret;
};

// Splits a device credential; nullopt unless it is "<device_id>.<64 hex>" with a device id of
// URL-safe characters (at most 64).
std::optional<PresentedCredential> ParseDeviceCredential(std::string_view token);

// The token of an `Authorization: Bearer <token>` header value; empty if absent or malformed.
std::string_view BearerToken(std::string_view authorization);

// Constant-time equality of two hex digests (false if lengths differ).
bool DigestEquals(std::string_view a, std::string_view b);

// A new random opaque identifier: `prefix` followed by 26 base32 characters.
Result<std::string> RandomIdentifier(std::string_view prefix);

}  // namespace bulwark::collector
