// measure: runs a command N times and prints its wall time and peak RSS (from wait4's rusage),
// as figures for closing notes:  measure [-n N] -- COMMAND [ARGS...]
//   wall_ms min=.. median=.. max=..   max_rss_kb=..   (stdout of the command is discarded)
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

int main(int argc, char** argv) {
  int runs = 20;
  int i = 1;
  for (; i < argc; ++i) {
    if (std::strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
      runs = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--") == 0) {
      ++i;
      break;
    } else {
      break;
    }
  }
  if (i >= argc || runs <= 0) {
    std::fprintf(stderr, "usage: measure [-n N] -- COMMAND [ARGS...]\n");
    return 1;
  }
  std::vector<double> walls;
  long max_rss = 0;
  for (int r = 0; r < runs; ++r) {
    auto start = std::chrono::steady_clock::now();
    pid_t pid = fork();
    if (pid == 0) {
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      execvp(argv[i], argv + i);
      _exit(127);
    }
    int status = 0;
    struct rusage usage {};
    if (wait4(pid, &status, 0, &usage) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::fprintf(stderr, "measure: command failed\n");
      return 1;
    }
    walls.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
    max_rss = std::max(max_rss, usage.ru_maxrss);
  }
  std::sort(walls.begin(), walls.end());
  std::printf("runs=%d wall_ms min=%.2f median=%.2f max=%.2f max_rss_kb=%ld\n", runs, walls.front(),
              walls[walls.size() / 2], walls.back(), max_rss);
  return 0;
}
