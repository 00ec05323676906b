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

// The wall and monotonic clocks of the host: the one Clock outside tests.
class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::now();
  }
  std::chrono::steady_clock::time_point SteadyNow() const override {
    return std::chrono::steady_clock::now();
  }
};

}  // namespace bulwark

#endif  // BULWARK_AGENT_SYS_CLOCK_H_
