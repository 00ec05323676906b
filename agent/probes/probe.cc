#include "agent/probes/probe.h"

#include <exception>
#include <string>

namespace bulwark {

void ProbeRegistry::CollectAll(FactsDocument& facts) const {
  for (const auto& probe : probes_) {
    std::string reason;
    try {
      Status status = probe->Collect(facts);
      if (!status.ok()) reason = status.ToString();
    } catch (const std::exception& e) {
      // A probe must not take the others down (e.g. std::bad_alloc on a hostile file).
      reason = std::string("probe threw: ") + e.what();
    }
    if (!reason.empty()) {
      probe->OnFailure(facts, reason);
      facts.probe_errors.push_back({std::string(probe->name()), reason});
    }
  }
}

}  // namespace bulwark
