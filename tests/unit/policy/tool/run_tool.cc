#include "tests/unit/policy/tool/run_tool.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <fstream>
#include <sstream>

extern char** environ;

namespace bulwark::policy_tool::testing {

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string PolicyToolBinary() { return BULWARK_POLICY_BINARY; }

ToolRun RunTool(const std::string& binary, const std::vector<std::string>& args,
                const std::string& scratch_dir) {
  static int counter = 0;
  const std::string stem = scratch_dir + "/.run" + std::to_string(++counter);
  const std::string out_path = stem + ".out";
  const std::string err_path = stem + ".err";

  std::vector<std::string> storage;
  storage.push_back(binary);
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  pid_t pid = 0;
  ToolRun run;
  const int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    run.err = "posix_spawn failed for " + binary;
    return run;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return run;
  }
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  run.out = ReadFileOrEmpty(out_path);
  run.err = ReadFileOrEmpty(err_path);
  return run;
}

}  // namespace bulwark::policy_tool::testing
