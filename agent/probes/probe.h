// Probe: one source of facts (disk encryption, local admins, firewall, ...).
//
// A probe receives its OS seams in its constructor and fills its own section of the facts
// document. Expected trouble inside a probe (an unreadable file, an unknown value) is recorded
// as null + reason in the section itself; Collect() returns an error only when the probe could
// produce nothing, and then OnFailure() marks its section unknown.
//
// Thread-safety: a probe is used by one thread at a time.
#ifndef BULWARK_AGENT_PROBES_PROBE_H_
#define BULWARK_AGENT_PROBES_PROBE_H_

#include <memory>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "agent/facts/facts.h"

namespace bulwark {

class Probe {
 public:
  virtual ~Probe() = default;
  // A stable identifier, e.g. "disk_encryption"; used in probe_errors.
  virtual std::string_view name() const = 0;
  virtual Status Collect(FactsDocument& facts) = 0;
  // Called when Collect() failed or threw: set the probe's section to null with `reason`.
  virtual void OnFailure(FactsDocument& facts, const std::string& reason) {
    (void)facts;
    (void)reason;
  }
};

// An explicit, ordered list of probes, built by main (no static registration).
class ProbeRegistry {
 public:
  void Add(std::unique_ptr<Probe> probe) { probes_.push_back(std::move(probe)); }
  std::size_t size() const { return probes_.size(); }

  // Runs every probe in order. A probe that fails, or throws, is recorded in
  // facts.probe_errors and its section marked unknown; the others still run.
  void CollectAll(FactsDocument& facts) const;

 private:
  std::vector<std::unique_ptr<Probe>> probes_;
};

}  // namespace bulwark

#endif  // BULWARK_AGENT_PROBES_PROBE_H_
