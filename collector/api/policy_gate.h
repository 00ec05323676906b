// What the collector checks before it publishes an admin's upload. Agents verify everything
// again themselves; this gate exists so a mistake (wrong key, expired bundle, older version,
// a root that does not chain) is refused at upload time with the reason, instead of being
// served to a fleet that would reject it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/time_util.h"
#include "collector/store/store.h"
#include "policy/bundle/reason.h"
#include "policy/bundle/trust_root.h"

namespace bulwark::collector {

// A trust root upload. With no root published yet, `envelope` must be a valid root signed by
// its own root role (the admin token vouches for it, as the installer does for agents); after
// that it must be exactly latest.version + 1 and chain from `latest` (SIGNED-BUNDLES.md R2-R4).
bundle::Checked<bundle::TrustRoot> VerifyTrustRootUpload(
    const std::optional<std::string>& latest_envelope, std::string_view envelope);

// A policy bundle upload, verified against `root_envelope` (the newest published root) as an
// agent of each platform would at `now` (P1-P11). The record's `platforms` are the platforms
// it verified for. Rollback is decided by the caller against what is published.
bundle::Checked<PolicyRecord> VerifyPolicyUpload(std::string_view root_envelope,
                                                 std::string_view envelope, SystemTime now);

}  // namespace bulwark::collector
