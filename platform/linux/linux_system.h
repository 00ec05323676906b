// LinuxSystem: the real System on Linux (RootedFileSystem, PosixCommandRunner, SystemClock).
// NewDefaultSystem() is the only place these are constructed outside tests.
#ifndef BULWARK_PLATFORM_LINUX_LINUX_SYSTEM_H_
#define BULWARK_PLATFORM_LINUX_LINUX_SYSTEM_H_

#include <memory>
#include <string>

#include "agent/sys/system.h"

namespace bulwark {

// A System reading host files under `root` ("/" for the live host). Fails when `root` is
// not an existing absolute directory.
Result<std::unique_ptr<System>> NewDefaultSystem(const std::string& root);

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_LINUX_LINUX_SYSTEM_H_
