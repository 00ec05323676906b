// Win32CommandRunner: the CommandRunner seam over CreateProcessW, never through cmd.exe.
//
// argv[0] is an absolute path or a bare program name looked up in a fixed list of directories
// (%SystemRoot%\System32, %SystemRoot%, %SystemRoot%\System32\Wbem,
// %SystemRoot%\System32\WindowsPowerShell\v1.0), ".exe" appended when it has no extension.
// The command line is argv quoted by the MSVCRT rules (QuoteWindowsArgument below), so the
// child's CommandLineToArgvW/MSVCRT parsing gives back exactly argv. The child gets stdin from
// NUL, stdout and stderr on pipes (each captured up to CommandOptions::max_output_bytes), only
// those three handles (PROC_THREAD_ATTRIBUTE_HANDLE_LIST), no window, and an environment of
// SystemRoot, windir, SystemDrive, TEMP, TMP and PATH (the fixed list) plus
// CommandOptions::environment. It runs in a job object: on timeout or output over the cap
// the whole job (the child and what it started) is terminated, and whatever the child leaves
// running when it exits is terminated too (it would otherwise hold the output pipes open).
//
// Errors: kNotFound (program missing), kDeadlineExceeded (timeout; child killed),
// kResourceExhausted (output over the cap; child killed), kPermissionDenied (ERROR_ACCESS_DENIED),
// kUnimplemented (run_as_uid/run_as_gid: no Windows meaning), others kInternal with the code.
// A non-zero exit code is not an error (CommandResult::exit_code; a terminated child's code
// is what TerminateJobObject set, 1).
//
// Thread-safety: stateless; safe for concurrent use. Verified under Wine 8.0 only.
#ifndef BULWARK_PLATFORM_WINDOWS_SYSTEM_WIN_COMMAND_RUNNER_H_
#define BULWARK_PLATFORM_WINDOWS_SYSTEM_WIN_COMMAND_RUNNER_H_

#include <string>
#include <string_view>
#include <vector>

#include "agent/sys/command_runner.h"

namespace bulwark {

// One argument quoted for a Windows command line by the MSVCRT/CommandLineToArgvW rules:
// unchanged unless empty or holding space, tab, newline, vertical tab or '"'; otherwise in
// quotes, with backslashes doubled before a '"' (escaped as \") and before the closing quote.
std::string QuoteWindowsArgument(std::string_view arg);

class Win32CommandRunner final : public CommandRunner {
 public:
  Result<CommandResult> Run(const std::vector<std::string>& argv,
                            const CommandOptions& options = {}) override;
};

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_WINDOWS_SYSTEM_WIN_COMMAND_RUNNER_H_
