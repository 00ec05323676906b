// bulwark-collector: the fleet's HTTPS endpoint for enrolment, policy and reports.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <string>
#include <vector>

#include "collector/service/collector_main.h"

int main(int argc, char** argv) {
  // One line per event on stderr (journald under systemd); many server threads log.
  auto logger = spdlog::stderr_logger_mt("bulwark-collector");
  logger->set_pattern("bulwark-collector: %l: %v");
  spdlog::set_default_logger(logger);
  std::vector<std::string> args(argv + 1, argv + argc);
  return bulwark::collector::RunCollector(args, std::cout, std::cerr);
}
