// How the outside world steers a running agent service: stop (SIGTERM, service stop), reload
// the configuration (SIGHUP), upload now (`queue flush` is a separate process and signals
// nothing; it uploads itself). The platform's main() turns signals or service-control events
// into these calls; the service loop waits on it between jobs.
//
// Thread-safety: every member may be called from any thread.
#ifndef BULWARK_AGENT_SERVICE_SERVICE_CONTROL_H_
#define BULWARK_AGENT_SERVICE_SERVICE_CONTROL_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string_view>

namespace bulwark {

class ServiceControl {
 public:
  void RequestStop() { Set(stop_); }
  void RequestReload() { Set(reload_); }

  bool stop_requested() const { return stop_.load(); }
  // True once per RequestReload.
  bool TakeReload() { return reload_.exchange(false); }
  // The flag long operations (an upload drain) poll between steps.
  const std::atomic<bool>& stop_flag() const { return stop_; }

  // Returns at `deadline` or as soon as a stop or reload is requested.
  void WaitUntil(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_until(lock, deadline, [this] { return stop_.load() || reload_.load(); });
  }

 private:
  void Set(std::atomic<bool>& flag) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      flag.store(true);
    }
    cv_.notify_all();
  }

  std::atomic<bool> stop_{false};
  std::atomic<bool> reload_{false};
  std::mutex mu_;
  std::condition_variable cv_;
};

// The service manager's side (systemd's sd_notify on Linux; the SCM on Windows). All no-ops
// when not run by a service manager.
class ServiceNotifier {
 public:
  virtual ~ServiceNotifier() = default;
  virtual void Ready() {}
  virtual void Reloading() {}
  virtual void Stopping() {}
  virtual void Status(std::string_view /*text*/) {}
  // Tells the manager the service is alive; called at least every WatchdogInterval().
  virtual void Watchdog() {}
  // How often Watchdog() must be called; zero when no watchdog is armed.
  virtual std::chrono::milliseconds WatchdogInterval() const { return {}; }
};

}  // namespace bulwark

#endif  // BULWARK_AGENT_SERVICE_SERVICE_CONTROL_H_
