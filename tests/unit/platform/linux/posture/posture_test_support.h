// Test support for the Linux posture probes: a fixture root (TempDir + RootedFileSystem +
// command runner + FakeClock composed with SystemRef), a FileSystem wrapper that injects faults
// (permission denied, exceptions) or pretends to be the live root, and a command runner that
// records argv and options.
#ifndef BULWARK_TESTS_UNIT_PLATFORM_LINUX_POSTURE_POSTURE_TEST_SUPPORT_H_
#define BULWARK_TESTS_UNIT_PLATFORM_LINUX_POSTURE_POSTURE_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/base/strings.h"
#include "agent/base/time_util.h"
#include "agent/facts/facts_json.h"
#include "agent/sys/system.h"
#include "platform/linux/posture/host_state.h"
#include "platform/linux/rooted_file_system.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"

namespace bulwark::testing {

// Forwards to another FileSystem, optionally claiming to be the live root and failing
// selected paths: `deny` paths are kPermissionDenied (tests run as root, so real permission
// bits would not stop them) and `explode` paths throw, as a broken seam might.
class FaultyFileSystem final : public FileSystem {
 public:
  explicit FaultyFileSystem(const FileSystem& base) : base_(base) {}

  bool live = false;
  std::set<std::string> deny;
  std::set<std::string> explode;

  Result<std::string> ReadFile(std::string_view path, std::size_t max_bytes) const override {
    RETURN_IF_ERROR(Check(path));
    return base_.ReadFile(path, max_bytes);
  }
  Result<std::string> ReadFileHead(std::string_view path, std::size_t max_bytes) const override {
    RETURN_IF_ERROR(Check(path));
    return base_.ReadFileHead(path, max_bytes);
  }
  Result<std::vector<std::string>> ListDirectory(std::string_view path) const override {
    RETURN_IF_ERROR(Check(path));
    return base_.ListDirectory(path);
  }
  Result<std::string> ReadLink(std::string_view path) const override {
    RETURN_IF_ERROR(Check(path));
    return base_.ReadLink(path);
  }
  Result<std::string> Canonicalize(std::string_view path) const override {
    return base_.Canonicalize(path);
  }
  Result<FileInfo> Stat(std::string_view path, bool follow) const override {
    return base_.Stat(path, follow);
  }
  std::string HostPath(std::string_view path) const override { return base_.HostPath(path); }
  bool IsLiveRoot() const override { return live; }
  using FileSystem::ReadFile;
  using FileSystem::Stat;

 private:
  Status Check(std::string_view path) const {
    if (explode.count(std::string(path)) > 0) throw std::runtime_error("injected failure");
    if (deny.count(std::string(path)) > 0) {
      return PermissionDeniedError(std::string(path) + ": Permission denied");
    }
    return Status::Ok();
  }

  const FileSystem& base_;
};

// Answers commands from a table keyed by the joined argv and records each call with its
// options. Unknown commands are kNotFound, as on a machine without the tool.
class RecordingCommandRunner final : public CommandRunner {
 public:
  struct Call {
    std::string argv;
    CommandOptions options;
  };

  void On(const std::string& argv, std::string stdout_data, int exit_code = 0) {
    answers_[argv] = CommandResult{exit_code, std::move(stdout_data), {}};
  }
  void OnError(const std::string& argv, Status status) { errors_[argv] = std::move(status); }

  Result<CommandResult> Run(const std::vector<std::string>& argv,
                            const CommandOptions& options = {}) override {
    const std::string key = Join(argv, " ");
    calls.push_back(Call{key, options});
    if (auto it = errors_.find(key); it != errors_.end()) return it->second;
    if (auto it = answers_.find(key); it != answers_.end()) return it->second;
    return NotFoundError("program not found: " + argv.at(0));
  }

  std::vector<Call> calls;

 private:
  std::map<std::string, CommandResult> answers_;
  std::map<std::string, Status> errors_;
};

// A fixture root for one test: write files with dir.WriteFile("etc/passwd", ...), then
// collect with the System `system`. `faulty` sits between the probes and the rooted fs.
class PostureFixture {
 public:
  PostureFixture()
      : rooted_(MakeRooted(dir.path())),
        faulty(*rooted_),
        clock(*ParseRfc3339("2026-11-28T16:00:00Z")),
        system(faulty, runner, clock) {}

  std::shared_ptr<PostureHostState> NewState() {
    return std::make_shared<PostureHostState>(system);
  }

  // A running process: proc/<pid>/comm and, when given, the exe link.
  void AddProcess(int pid, const std::string& comm, const std::string& exe = "") {
    dir.WriteFile("proc/" + std::to_string(pid) + "/comm", comm + "\n");
    if (!exe.empty()) dir.Symlink("proc/" + std::to_string(pid) + "/exe", exe);
  }

  // Enables a unit the way systemctl does: a symlink in a *.wants directory.
  void EnableUnit(const std::string& unit, const std::string& target = "multi-user.target") {
    dir.Symlink("etc/systemd/system/" + target + ".wants/" + unit,
                "/usr/lib/systemd/system/" + unit);
  }

  TempDir dir;

 private:
  static std::unique_ptr<RootedFileSystem> MakeRooted(const std::string& root) {
    auto fs = RootedFileSystem::Create(root);
    if (!fs.ok()) {
      ADD_FAILURE() << fs.status().ToString();
      std::abort();
    }
    return std::make_unique<RootedFileSystem>(std::move(fs).value());
  }

  std::unique_ptr<RootedFileSystem> rooted_;

 public:
  FaultyFileSystem faulty;
  RecordingCommandRunner runner;
  FakeClock clock;
  SystemRef system;
};

// The JSON form of a facts document, for assertions on the serialized shape.
inline boost::json::object FactsJson(const FactsDocument& facts) {
  return FactsToJson(facts).as_object();
}

}  // namespace bulwark::testing

#endif  // BULWARK_TESTS_UNIT_PLATFORM_LINUX_POSTURE_POSTURE_TEST_SUPPORT_H_
