#include "tests/testing/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/testing/temp_dir.h"

extern char** environ;

namespace bulwark::testing {

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Process::Process(const std::vector<std::string>& argv, const std::string& log_path,
                 const std::vector<std::string>& env) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) envp.push_back(*e);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  if (posix_spawn(&pid_, argv[0].c_str(), &actions, nullptr, args.data(), envp.data()) != 0) {
    pid_ = -1;
  }
  posix_spawn_file_actions_destroy(&actions);
}

Process::~Process() {
  if (pid_ > 0 && !exit_code_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

bool Process::running() {
  if (exit_code_ || pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return false;
  }
  return true;
}

std::optional<int> Process::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return exit_code_;
}

void Process::Signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

int RunTool(const std::vector<std::string>& argv, std::string* output,
            const std::vector<std::string>& env) {
  TempDir dir;
  Process p(argv, dir.Join("out"), env);
  if (!p.started()) return -1;
  auto code = p.Wait(std::chrono::seconds(60));
  if (output != nullptr) *output = ReadWholeFile(dir.Join("out"));
  return code.value_or(-1);
}

namespace {
std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}
}  // namespace

CollectorProcess::CollectorProcess(const std::string& binary, const std::string& data_dir,
                                   std::vector<std::string> extra)
    : data_dir_(data_dir), log_(data_dir + ".log") {
  std::vector<std::string> argv = {binary,        "--generate-self-signed", "--data-dir", data_dir,
                                   "--port-file", data_dir + ".port",       "--threads",  "2"};
  // Port 0 unless the caller names an address (a restart on the same port).
  if (std::find(extra.begin(), extra.end(), "--listen") == extra.end()) {
    argv.insert(argv.end(), {"--listen", "127.0.0.1:0"});
  }
  argv.insert(argv.end(), extra.begin(), extra.end());
  ::unlink((data_dir + ".port").c_str());
  process_ = std::make_unique<Process>(argv, log_);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline && process_->running()) {
    const std::string port = ReadWholeFile(data_dir + ".port");
    if (!port.empty() && port.back() == '\n') {
      port_ = static_cast<std::uint16_t>(std::stoi(port));
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string CollectorProcess::admin_token() const {
  return Trimmed(ReadWholeFile(data_dir_ + "/admin-token"));
}
std::string CollectorProcess::enroll_secret() const {
  return Trimmed(ReadWholeFile(data_dir_ + "/enroll-secret"));
}

std::optional<int> CollectorProcess::Stop() {
  process_->Signal(SIGTERM);
  return process_->Wait(std::chrono::seconds(30));
}

}  // namespace bulwark::testing
