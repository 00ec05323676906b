// Clock: the only source of time (abseil's injectable clock). Tests use FakeClock.
// Thread-safety: implementations are safe for concurrent use.
#ifndef BULWARK_AGENT_SYS_CLOCK_H_
#define BULWARK_AGENT_SYS_CLOCK_H_

#include <chrono>

namespace bulwark {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (may jump); used for timestamps and expiry.
  virtual std::chrono::system_clock::time_point Now() const = 0;
  // Monotonic time; used for intervals and timeouts.
  virtual std::chrono::steady_clock::time_point SteadyNow() const = 0;
};

}  // namespace bulwark

#endif  // BULWARK_AGENT_SYS_CLOCK_H_
