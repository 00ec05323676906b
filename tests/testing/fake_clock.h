// FakeClock: a Clock that moves only when told. Thread-safe.
#ifndef BULWARK_TESTS_TESTING_FAKE_CLOCK_H_
#define BULWARK_TESTS_TESTING_FAKE_CLOCK_H_

#include <mutex>

#include "agent/sys/clock.h"

namespace bulwark::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::chrono::system_clock::time_point now = {}) : now_(now) {}
  std::chrono::system_clock::time_point Now() const override {
    std::lock_guard lock(mu_);
    return now_;
  }
  std::chrono::steady_clock::time_point SteadyNow() const override {
    std::lock_guard lock(mu_);
    return steady_;
  }
  void Advance(std::chrono::nanoseconds d) {
    std::lock_guard lock(mu_);
    now_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
    steady_ += d;
  }
  // Sets wall time only (a user or NTP moving the clock); monotonic time is unaffected.
  void SetWall(std::chrono::system_clock::time_point t) {
    std::lock_guard lock(mu_);
    now_ = t;
  }

 private:
  mutable std::mutex mu_;
  std::chrono::system_clock::time_point now_;
  std::chrono::steady_clock::time_point steady_{};
};

}  // namespace bulwark::testing

#endif  // BULWARK_TESTS_TESTING_FAKE_CLOCK_H_
