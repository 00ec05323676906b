// bulwark-collector: the fleet's HTTPS endpoint for enrolment, policy and reports.
#include <malloc.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <string>
#include <vector>

#include "collector/service/collector_main.h"

int main(int argc, char** argv) {
  // Every request allocates and frees a few hundred KB across threads. Without these, glibc
  // hands freed heap back to the kernel after each burst (madvise/munmap) and faults it in
  // again on the next, and each unmap interrupts every other core to flush its TLB.
  mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
  mallopt(M_MMAP_THRESHOLD, 16 * 1024 * 1024);
  // One line per event on stderr (journald under systemd); many server threads log.
  auto logger = spdlog::stderr_logger_mt("bulwark-collector");
  logger->set_pattern("bulwark-collector: %l: %v");
  spdlog::set_default_logger(logger);
  std::vector<std::string> args(argv + 1, argv + argc);
  return bulwark::collector::RunCollector(args, std::cout, std::cerr);
}
