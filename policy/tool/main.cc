// bulwark-policy: wires the real streams, clock and libcurl into the policy tool's command line.
#include <curl/curl.h>

#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "policy/tool/policy_cli.h"

int main(int argc, char** argv) {
  // libcurl's global state is set up once, before anything else runs (publish).
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    std::cerr << "bulwark-policy: cannot initialise libcurl\n";
    return 1;
  }
  const std::vector<std::string> args(argv + 1, argv + argc);
  const bulwark::policy_tool::CliContext ctx{std::cout, std::cerr,
                                             [] { return std::chrono::system_clock::now(); }};
  const int code = bulwark::policy_tool::RunPolicyCli(args, ctx);
  std::cout.flush();
  curl_global_cleanup();
  return code;
}
