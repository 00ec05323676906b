// The composition root of bulwark-collector: reads its secrets, opens the store, builds the
// API and the HTTPS server, serves until SIGTERM/SIGINT, then drains and exits.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace bulwark::collector {

// Runs the collector; returns the process exit code (0 clean stop, 1 start-up error, 2 usage).
int RunCollector(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace bulwark::collector
