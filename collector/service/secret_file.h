// The admin token and enrolment secret live in files IT can rotate and mount.
#pragma once

#include <string>

#include "agent/base/status.h"

namespace bulwark::collector {

// Reads the secret in `path` (surrounding whitespace ignored). When the file does not exist and
// `create` is set, writes a fresh random secret (mode 0600, atomically) and returns it.
// kInvalidArgument for an empty or too short (< 16 characters) secret, kPermissionDenied when
// the file is readable by group or others (secrets must not leak to other local users).
Result<std::string> LoadOrCreateSecret(const std::string& path, bool create);

}  // namespace bulwark::collector
