// System: the bundle of OS seams handed to every probe, the queue and the service
// (leveldb's Env, Envoy's Api). Platform code provides NewDefaultSystem(); tests build one
// from fakes. A System owns nothing by contract; implementations document ownership.
//
// Thread-safety: the accessors are const and the seams themselves are thread-safe.
#ifndef BULWARK_AGENT_SYS_SYSTEM_H_
#define BULWARK_AGENT_SYS_SYSTEM_H_

#include "agent/sys/clock.h"
#include "agent/sys/command_runner.h"
#include "agent/sys/file_system.h"

namespace bulwark {

class System {
 public:
  virtual ~System() = default;
  virtual const FileSystem& file_system() const = 0;
  virtual CommandRunner& command_runner() const = 0;
  virtual const Clock& clock() const = 0;
};

// A System over seams owned elsewhere; the referenced objects must outlive it.
class SystemRef final : public System {
 public:
  SystemRef(const FileSystem& fs, CommandRunner& runner, const Clock& clock)
      : fs_(fs), runner_(runner), clock_(clock) {}
  const FileSystem& file_system() const override { return fs_; }
  CommandRunner& command_runner() const override { return runner_; }
  const Clock& clock() const override { return clock_; }

 private:
  const FileSystem& fs_;
  CommandRunner& runner_;
  const Clock& clock_;
};

}  // namespace bulwark

#endif  // BULWARK_AGENT_SYS_SYSTEM_H_
