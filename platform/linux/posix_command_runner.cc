#include "platform/linux/posix_command_runner.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

namespace bulwark {
namespace {

constexpr const char* kSearchPath[] = {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
                                       "/usr/bin",        "/sbin",          "/bin"};

Result<std::string> FindProgram(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) != 0) return ErrnoToStatus(errno, "cannot run " + name);
    return name;
  }
  for (const char* dir : kSearchPath) {
    std::string candidate = std::string(dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return NotFoundError("program not found: " + name);
}

struct Pipe {
  int fd[2] = {-1, -1};
  ~Pipe() {
    for (int f : fd) {
      if (f >= 0) ::close(f);
    }
  }
};

}  // namespace

Result<CommandResult> PosixCommandRunner::Run(const std::vector<std::string>& argv,
                                              const CommandOptions& options) {
  if (argv.empty()) return InvalidArgumentError("empty command");
  ASSIGN_OR_RETURN(std::string program, FindProgram(argv[0]));

  // Everything the child needs is prepared before fork: after fork only async-signal-safe
  // calls are allowed in a multi-threaded process.
  std::vector<char*> child_argv;
  for (const auto& a : argv) child_argv.push_back(const_cast<char*>(a.c_str()));
  child_argv.push_back(nullptr);
  std::vector<std::string> env_storage = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C",
                                          "LC_ALL=C"};
  for (const auto& e : options.environment) env_storage.push_back(e);
  std::vector<char*> child_env;
  for (auto& e : env_storage) child_env.push_back(e.data());
  child_env.push_back(nullptr);

  Pipe out, errp;
  if (::pipe2(out.fd, O_CLOEXEC) != 0 || ::pipe2(errp.fd, O_CLOEXEC) != 0) {
    return ErrnoToStatus(errno, "pipe");
  }
  pid_t pid = ::fork();
  if (pid < 0) return ErrnoToStatus(errno, "fork");
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull < 0 || ::dup2(devnull, 0) < 0 || ::dup2(out.fd[1], 1) < 0 ||
        ::dup2(errp.fd[1], 2) < 0) {
      ::_exit(127);
    }
    // Dropping to another user must not keep the agent's supplementary groups (root's, or
    // e.g. 'disk' for a service account): the child gets only its primary group.
    if ((options.run_as_uid || options.run_as_gid) && ::setgroups(0, nullptr) != 0) ::_exit(126);
    if (options.run_as_gid && ::setgid(*options.run_as_gid) != 0) ::_exit(126);
    if (options.run_as_uid && ::setuid(*options.run_as_uid) != 0) ::_exit(126);
    ::execve(program.c_str(), child_argv.data(), child_env.data());
    ::_exit(127);
  }
  ::close(out.fd[1]);
  out.fd[1] = -1;
  ::close(errp.fd[1]);
  errp.fd[1] = -1;

  CommandResult result;
  Status failure;
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  bool out_open = true, err_open = true;
  while (out_open || err_open) {
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (remaining.count() <= 0) {
      failure = DeadlineExceededError(argv[0] + " did not finish within " +
                                      std::to_string(options.timeout.count()) + " ms");
      break;
    }
    pollfd fds[2] = {{out_open ? out.fd[0] : -1, POLLIN, 0},
                     {err_open ? errp.fd[0] : -1, POLLIN, 0}};
    int rc = ::poll(fds, 2, static_cast<int>(remaining.count()));
    if (rc < 0) {
      if (errno == EINTR) continue;
      failure = ErrnoToStatus(errno, "poll");
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[8192];
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        (i == 0 ? out_open : err_open) = false;
        continue;
      }
      std::string& sink = i == 0 ? result.stdout_data : result.stderr_data;
      if (sink.size() + static_cast<std::size_t>(n) > options.max_output_bytes) {
        failure = ResourceExhaustedError(argv[0] + " wrote more than " +
                                         std::to_string(options.max_output_bytes) + " bytes");
        out_open = err_open = false;
        break;
      }
      sink.append(buf, static_cast<std::size_t>(n));
    }
  }
  if (!failure.ok()) ::kill(pid, SIGKILL);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR) return ErrnoToStatus(errno, "waitpid");
  }
  if (!failure.ok()) return failure;
  if (WIFEXITED(wstatus)) {
    result.exit_code = WEXITSTATUS(wstatus);
    if (result.exit_code == 127 && result.stdout_data.empty()) {
      // execve failed in the child (FindProgram raced with removal, or a bad interpreter).
      if (result.stderr_data.empty()) return NotFoundError("cannot execute " + program);
    }
  } else if (WIFSIGNALED(wstatus)) {
    result.exit_code = 128 + WTERMSIG(wstatus);
  }
  return result;
}

}  // namespace bulwark
