// FakeCommandRunner: answers commands from a table keyed by the joined argv, records every call.
// An unknown command is kNotFound ("program not found"), as on a machine without the tool.
// Thread-safe.
#ifndef BULWARK_TESTS_TESTING_FAKE_COMMAND_RUNNER_H_
#define BULWARK_TESTS_TESTING_FAKE_COMMAND_RUNNER_H_

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "agent/base/strings.h"
#include "agent/sys/command_runner.h"

namespace bulwark::testing {

class FakeCommandRunner final : public CommandRunner {
 public:
  // Answers `argv` (joined with single spaces) with `result`.
  void On(const std::string& joined_argv, CommandResult result) {
    std::lock_guard lock(mu_);
    answers_[joined_argv] = std::move(result);
  }
  // Answers `argv` with an error Status (timeout, permission, ...).
  void OnError(const std::string& joined_argv, Status status) {
    std::lock_guard lock(mu_);
    errors_[joined_argv] = std::move(status);
  }

  Result<CommandResult> Run(const std::vector<std::string>& argv,
                            const CommandOptions& options = {}) override {
    (void)options;
    std::lock_guard lock(mu_);
    std::string key = Join(argv, " ");
    calls_.push_back(key);
    if (auto it = errors_.find(key); it != errors_.end()) return it->second;
    if (auto it = answers_.find(key); it != answers_.end()) return it->second;
    return NotFoundError("program not found: " + (argv.empty() ? std::string() : argv[0]));
  }

  std::vector<std::string> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, CommandResult> answers_;
  std::map<std::string, Status> errors_;
  std::vector<std::string> calls_;
};

}  // namespace bulwark::testing

#endif  // BULWARK_TESTS_TESTING_FAKE_COMMAND_RUNNER_H_
