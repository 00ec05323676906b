// The Linux service plumbing of `bulwark-agent run`: systemd's notify protocol (READY=1,
// RELOADING=1, STOPPING=1, STATUS=, WATCHDOG=1 through libsystemd; no-ops outside systemd)
// and signal routing (SIGTERM/SIGINT stop, SIGHUP reloads) through one sigwait thread.
#ifndef BULWARK_PLATFORM_LINUX_SERVICE_HOOKS_H_
#define BULWARK_PLATFORM_LINUX_SERVICE_HOOKS_H_

#include <memory>

#include "agent/service/service_control.h"

namespace bulwark {

std::unique_ptr<ServiceNotifier> MakeSystemdNotifier();

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread (and so in threads it starts later)
// and serves them on a dedicated thread until the guard is destroyed.
std::shared_ptr<void> RouteSignalsTo(ServiceControl& control);

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_LINUX_SERVICE_HOOKS_H_
