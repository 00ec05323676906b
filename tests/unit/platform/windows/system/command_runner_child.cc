// A child program for Win32CommandRunner's tests. Usage:
//   command_runner_child args A B...   prints each argument as "[A]" on its own line
//   command_runner_child exit N        writes "out" to stdout, "err" to stderr, exits N
//   command_runner_child wait          blocks until killed (waits on stdin's pipe: NUL
//                                      gives EOF at once, so it waits on an unnamed event)
//   command_runner_child env NAME      prints the value of NAME ("(unset)" when unset)
//   command_runner_child flood N       writes N bytes to stdout
#include <windows.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
  if (argc < 2) return 64;
  const char* mode = argv[1];
  if (std::strcmp(mode, "args") == 0) {
    for (int i = 2; i < argc; ++i) std::printf("[%s]\n", argv[i]);
    return 0;
  }
  if (std::strcmp(mode, "exit") == 0 && argc == 3) {
    std::fputs("out", stdout);
    std::fputs("err", stderr);
    return std::atoi(argv[2]);
  }
  if (std::strcmp(mode, "wait") == 0) {
    HANDLE never = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);
    ::WaitForSingleObject(never, INFINITE);
    return 0;
  }
  if (std::strcmp(mode, "env") == 0 && argc == 3) {
    const char* value = std::getenv(argv[2]);
    std::fputs(value != nullptr ? value : "(unset)", stdout);
    return 0;
  }
  if (std::strcmp(mode, "flood") == 0 && argc == 3) {
    long n = std::atol(argv[2]);
    for (long i = 0; i < n; ++i) std::fputc('x', stdout);
    return 0;
  }
  return 64;
}
