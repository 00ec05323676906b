// Child processes for the integration tests and benches: the real binaries, spawned with
// posix_spawn, their stdout and stderr captured to a file; and a running bulwark-collector
// (--generate-self-signed, port 0, --port-file) with accessors for its secrets and CA.
#ifndef BULWARK_TESTS_TESTING_PROCESS_H_
#define BULWARK_TESTS_TESTING_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bulwark::testing {

// The whole file, or "" when it cannot be read.
std::string ReadWholeFile(const std::string& path);

// A child process; killed (SIGKILL) by the destructor if still running.
class Process {
 public:
  // Runs argv[0] (a path) with `argv`; output (both streams) is appended to `log_path`.
  // `env` entries ("NAME=value") are added to this process's environment.
  Process(const std::vector<std::string>& argv, const std::string& log_path,
          const std::vector<std::string>& env = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  bool running();
  // Waits for the exit (up to `timeout`): the exit code, 128 + signal, or nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  void Signal(int sig);

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// Runs `argv` to completion (60 s at most): the exit code (-1 on timeout or spawn failure);
// the combined output in `output` when given.
int RunTool(const std::vector<std::string>& argv, std::string* output = nullptr,
            const std::vector<std::string>& env = {});

// A bulwark-collector started with --generate-self-signed under `data_dir`, listening on
// 127.0.0.1 at a port of its choosing; the log goes to `data_dir` + ".log".
class CollectorProcess {
 public:
  CollectorProcess(const std::string& binary, const std::string& data_dir,
                   std::vector<std::string> extra = {});
  bool ok() const { return port_ != 0; }
  std::uint16_t port() const { return port_; }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  std::string ca() const { return data_dir_ + "/tls/cert.pem"; }
  std::string admin_token() const;
  std::string enroll_secret() const;
  std::string enroll_secret_file() const { return data_dir_ + "/enroll-secret"; }
  std::string log() const { return ReadWholeFile(log_); }
  // SIGTERM, then the exit code (nullopt if it did not stop within 30 s).
  std::optional<int> Stop();
  Process& process() { return *process_; }

 private:
  std::string data_dir_;
  std::string log_;
  std::unique_ptr<Process> process_;
  std::uint16_t port_ = 0;
};

}  // namespace bulwark::testing

#endif  // BULWARK_TESTS_TESTING_PROCESS_H_
