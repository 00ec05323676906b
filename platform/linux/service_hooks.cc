#include "platform/linux/service_hooks.h"

#include <pthread.h>
#include <signal.h>
#include <systemd/sd-daemon.h>

#include <string>
#include <thread>

namespace bulwark {
namespace {

class SystemdNotifier final : public ServiceNotifier {
 public:
  SystemdNotifier() {
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(/*unset_environment=*/0, &usec) > 0) {
      watchdog_ = std::chrono::milliseconds(usec / 1000);
    }
  }
  void Ready() override { sd_notify(0, "READY=1"); }
  void Reloading() override { sd_notify(0, "RELOADING=1"); }
  void Stopping() override { sd_notify(0, "STOPPING=1"); }
  void Status(std::string_view text) override {
    sd_notify(0, ("STATUS=" + std::string(text)).c_str());
  }
  void Watchdog() override {
    if (watchdog_.count() > 0) sd_notify(0, "WATCHDOG=1");
  }
  std::chrono::milliseconds WatchdogInterval() const override { return watchdog_; }

 private:
  std::chrono::milliseconds watchdog_{0};
};

// SIGUSR2 only ends the routing thread (sent by the guard to its own thread).
class SignalRouter {
 public:
  explicit SignalRouter(ServiceControl& control) {
    sigemptyset(&set_);
    for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR2}) sigaddset(&set_, s);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    thread_ = std::thread([this, &control] {
      while (true) {
        int sig = 0;
        if (sigwait(&set_, &sig) != 0) continue;
        if (sig == SIGUSR2) return;
        if (sig == SIGHUP) {
          control.RequestReload();
        } else {
          control.RequestStop();
        }
      }
    });
  }
  ~SignalRouter() {
    pthread_kill(thread_.native_handle(), SIGUSR2);
    thread_.join();
  }

 private:
  sigset_t set_{};
  std::thread thread_;
};

}  // namespace

std::unique_ptr<ServiceNotifier> MakeSystemdNotifier() {
  return std::make_unique<SystemdNotifier>();
}

std::shared_ptr<void> RouteSignalsTo(ServiceControl& control) {
  return std::make_shared<SignalRouter>(control);
}

}  // namespace bulwark
