// bulwark-agent for Linux: wires the Linux platform into the shared command line.
#include <curl/curl.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <string>
#include <vector>

#include "agent/service/agent_cli.h"
#include "platform/linux/linux_platform.h"

int main(int argc, char** argv) {
  // Logs go to stderr only (journald collects them under systemd); stdout is for documents.
  auto logger = spdlog::stderr_logger_st("bulwark-agent");
  logger->set_pattern("bulwark-agent: %l: %v");
  spdlog::set_default_logger(logger);

  // Once, before any thread: libcurl (the agent's HTTPS client) needs it.
  curl_global_init(CURL_GLOBAL_DEFAULT);
  std::vector<std::string> args(argv + 1, argv + argc);
  bulwark::LinuxPlatform platform;
  return bulwark::RunAgentCli(args, platform, std::cout, std::cerr);
}
