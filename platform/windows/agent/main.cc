// bulwark-agent.exe: UTF-16 command line -> UTF-8 arguments -> the shared command line, or the
// Windows service when the SCM started `run` (service_main.h).
#include <curl/curl.h>

#include <string>
#include <vector>

#include "agent/base/windows_util.h"
#include "platform/windows/agent/service_main.h"

int wmain(int argc, wchar_t** argv) {
  // Once, before any thread: libcurl (the agent's HTTPS client) needs it.
  curl_global_init(CURL_GLOBAL_DEFAULT);
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.push_back(bulwark::win::WideToUtf8(argv[i]));
  return bulwark::RunWindowsAgent(args);
}
