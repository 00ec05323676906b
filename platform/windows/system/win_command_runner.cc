#include "platform/windows/system/win_command_runner.h"

#include <windows.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <system_error>
#include <thread>

#include "platform/windows/system/win_strings.h"

namespace bulwark {
namespace {

struct HandleCloser {
  void operator()(HANDLE h) const {
    if (h != nullptr && h != INVALID_HANDLE_VALUE) ::CloseHandle(h);
  }
};
using UniqueHandle = std::unique_ptr<void, HandleCloser>;

Status LastError(std::string_view context) {
  return Win32ErrorToStatus(static_cast<std::uint32_t>(::GetLastError()), context);
}

std::wstring WindowsDirectory() {
  wchar_t buffer[MAX_PATH] = {};
  UINT n = ::GetSystemWindowsDirectoryW(buffer, MAX_PATH);
  return n > 0 && n < MAX_PATH ? std::wstring(buffer, n) : std::wstring(L"C:\\Windows");
}

std::vector<std::wstring> SearchPath() {
  const std::wstring root = WindowsDirectory();
  return {root + L"\\System32", root, root + L"\\System32\\Wbem",
          root + L"\\System32\\WindowsPowerShell\\v1.0"};
}

bool IsFile(const std::wstring& path) {
  DWORD attributes = ::GetFileAttributesW(path.c_str());
  return attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY) == 0;
}

Result<std::wstring> FindProgram(const std::string& name) {
  std::wstring wide = Utf8ToWide(name);
  if (wide.find_first_of(L"\\/") != std::wstring::npos) {
    const bool absolute = (wide.size() >= 3 && wide[1] == L':') ||
                          (wide.size() >= 2 && (wide[0] == L'\\' || wide[0] == L'/'));
    if (!absolute) return InvalidArgumentError("not an absolute path or a bare name: " + name);
    if (!IsFile(wide)) return NotFoundError("program not found: " + name);
    return wide;
  }
  const auto dot = wide.rfind(L'.');
  if (dot == std::wstring::npos) wide += L".exe";
  for (const auto& dir : SearchPath()) {
    std::wstring candidate = dir + L"\\" + wide;
    if (IsFile(candidate)) return candidate;
  }
  return NotFoundError("program not found: " + name);
}

// The environment block: NAME=value\0...\0\0, sorted case-insensitively as Windows expects.
std::wstring EnvironmentBlock(const CommandOptions& options) {
  const std::wstring root = WindowsDirectory();
  wchar_t temp[MAX_PATH + 1] = {};
  DWORD temp_len = ::GetTempPathW(MAX_PATH + 1, temp);
  std::wstring temp_dir =
      temp_len > 0 && temp_len <= MAX_PATH ? std::wstring(temp, temp_len) : root + L"\\Temp";
  if (temp_dir.size() > 3 && temp_dir.back() == L'\\') temp_dir.pop_back();
  std::wstring path;
  for (const auto& dir : SearchPath()) path += (path.empty() ? L"" : L";") + dir;
  std::vector<std::wstring> entries = {
      L"SystemRoot=" + root, L"windir=" + root,  L"SystemDrive=" + root.substr(0, 2),
      L"TEMP=" + temp_dir,   L"TMP=" + temp_dir, L"PATH=" + path};
  for (const auto& e : options.environment) entries.push_back(Utf8ToWide(e));
  std::stable_sort(
      entries.begin(), entries.end(), [](const std::wstring& a, const std::wstring& b) {
        return ::CompareStringOrdinal(a.c_str(), static_cast<int>(a.size()), b.c_str(),
                                      static_cast<int>(b.size()), TRUE) == CSTR_LESS_THAN;
      });
  std::wstring block;
  for (const auto& e : entries) {
    block += e;
    block += L'\0';
  }
  block += L'\0';
  return block;
}

// Reads a pipe to EOF into `sink`; past `cap` bytes it stops and signals `over_cap`.
void Drain(HANDLE pipe, std::string& sink, std::size_t cap, std::atomic<bool>& over,
           HANDLE over_cap) {
  char buffer[8192];
  for (;;) {
    DWORD n = 0;
    if (!::ReadFile(pipe, buffer, sizeof buffer, &n, nullptr) || n == 0) return;  // EOF/broken
    if (sink.size() + n > cap) {
      over = true;
      ::SetEvent(over_cap);
      return;
    }
    sink.append(buffer, n);
  }
}

}  // namespace

std::string QuoteWindowsArgument(std::string_view arg) {
  if (!arg.empty() && arg.find_first_of(" \t\n\v\"") == std::string_view::npos) {
    return std::string(arg);
  }
  std::string out = "\"";
  std::size_t backslashes = 0;
  for (char c : arg) {
    if (c == '\\') {
      ++backslashes;
      continue;
    }
    if (c == '"') {
      out.append(backslashes * 2 + 1, '\\');
    } else {
      out.append(backslashes, '\\');
    }
    backslashes = 0;
    out += c;
  }
  out.append(backslashes * 2, '\\');  // they precede the closing quote
  out += '"';
  return out;
}

Result<CommandResult> Win32CommandRunner::Run(const std::vector<std::string>& argv,
                                              const CommandOptions& options) {
  if (argv.empty()) return InvalidArgumentError("empty command");
  if (options.run_as_uid || options.run_as_gid) {
    return UnimplementedError(argv[0] + ": run_as_uid/run_as_gid have no meaning on Windows");
  }
  ASSIGN_OR_RETURN(std::wstring program, FindProgram(argv[0]));
  std::string command_line;
  for (const auto& a : argv)
    command_line += (command_line.empty() ? "" : " ") + QuoteWindowsArgument(a);
  std::wstring wide_command = Utf8ToWide(command_line);
  std::wstring environment = EnvironmentBlock(options);

  SECURITY_ATTRIBUTES inherit = {sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  HANDLE out_read = nullptr, out_write = nullptr, err_read = nullptr, err_write = nullptr;
  if (!::CreatePipe(&out_read, &out_write, &inherit, 0)) return LastError("CreatePipe");
  UniqueHandle out_r(out_read), out_w(out_write);
  if (!::CreatePipe(&err_read, &err_write, &inherit, 0)) return LastError("CreatePipe");
  UniqueHandle err_r(err_read), err_w(err_write);
  ::SetHandleInformation(out_read, HANDLE_FLAG_INHERIT, 0);
  ::SetHandleInformation(err_read, HANDLE_FLAG_INHERIT, 0);
  UniqueHandle null_in(::CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE,
                                     &inherit, OPEN_EXISTING, 0, nullptr));
  if (null_in.get() == INVALID_HANDLE_VALUE) return LastError("open NUL");

  // Only these three handles reach the child, so concurrent Run calls do not leak each
  // other's pipe ends (which would hold a pipe open past its child's exit).
  HANDLE inherited[3] = {null_in.get(), out_write, err_write};
  SIZE_T list_size = 0;
  ::InitializeProcThreadAttributeList(nullptr, 1, 0, &list_size);
  std::vector<unsigned char> list_storage(list_size);
  auto* list = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(list_storage.data());
  if (!::InitializeProcThreadAttributeList(list, 1, 0, &list_size)) {
    return LastError("InitializeProcThreadAttributeList");
  }
  std::unique_ptr<_PROC_THREAD_ATTRIBUTE_LIST, void (*)(LPPROC_THREAD_ATTRIBUTE_LIST)> list_owner(
      list, ::DeleteProcThreadAttributeList);
  if (!::UpdateProcThreadAttribute(list, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, inherited,
                                   sizeof inherited, nullptr, nullptr)) {
    return LastError("UpdateProcThreadAttribute");
  }

  STARTUPINFOEXW startup = {};
  startup.StartupInfo.cb = sizeof startup;
  startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  startup.StartupInfo.hStdInput = null_in.get();
  startup.StartupInfo.hStdOutput = out_write;
  startup.StartupInfo.hStdError = err_write;
  startup.lpAttributeList = list;

  UniqueHandle job(::CreateJobObjectW(nullptr, nullptr));
  if (job) {
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits = {};
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    ::SetInformationJobObject(job.get(), JobObjectExtendedLimitInformation, &limits, sizeof limits);
  }

  PROCESS_INFORMATION process = {};
  if (!::CreateProcessW(program.c_str(), wide_command.data(), nullptr, nullptr, TRUE,
                        CREATE_NO_WINDOW | CREATE_UNICODE_ENVIRONMENT | CREATE_SUSPENDED |
                            EXTENDED_STARTUPINFO_PRESENT,
                        environment.data(), nullptr, &startup.StartupInfo, &process)) {
    return LastError("CreateProcessW(" + argv[0] + ")");
  }
  UniqueHandle child(process.hProcess), thread(process.hThread);
  // Without a job (or where assignment fails) only the child itself is killed on timeout.
  const bool in_job = job && ::AssignProcessToJobObject(job.get(), child.get());
  ::ResumeThread(thread.get());
  // Our copies of the write ends must go, or the readers never see EOF.
  out_w.reset();
  err_w.reset();
  null_in.reset();

  CommandResult result;
  std::atomic<bool> over{false};
  UniqueHandle over_cap(::CreateEventW(nullptr, TRUE, FALSE, nullptr));
  std::thread out_reader, err_reader;
  try {
    out_reader = std::thread(Drain, out_read, std::ref(result.stdout_data),
                             options.max_output_bytes, std::ref(over), over_cap.get());
    err_reader = std::thread(Drain, err_read, std::ref(result.stderr_data),
                             options.max_output_bytes, std::ref(over), over_cap.get());
  } catch (const std::system_error& e) {
    // Killing the child closes the pipes, so a reader already running sees EOF.
    if (in_job) ::TerminateJobObject(job.get(), 1);
    ::TerminateProcess(child.get(), 1);
    ::WaitForSingleObject(child.get(), INFINITE);
    if (out_reader.joinable()) out_reader.join();
    return ResourceExhaustedError(argv[0] + ": cannot start a reader thread: " + e.what());
  }

  const auto timeout_ms = std::clamp<long long>(options.timeout.count(), 0, 0x7FFFFFFF);
  HANDLE waits[2] = {child.get(), over_cap.get()};
  const DWORD waited = ::WaitForMultipleObjects(2, waits, FALSE, static_cast<DWORD>(timeout_ms));
  Status failure;
  if (waited == WAIT_TIMEOUT) {
    failure = DeadlineExceededError(argv[0] + " did not finish within " +
                                    std::to_string(options.timeout.count()) + " ms");
  } else if (waited == WAIT_OBJECT_0 + 1) {
    failure = ResourceExhaustedError(argv[0] + " wrote more than " +
                                     std::to_string(options.max_output_bytes) + " bytes");
  } else if (waited != WAIT_OBJECT_0) {
    failure = LastError("WaitForMultipleObjects");
  }
  if (!failure.ok()) {
    if (in_job) {
      ::TerminateJobObject(job.get(), 1);
    } else {
      ::TerminateProcess(child.get(), 1);
    }
    ::WaitForSingleObject(child.get(), INFINITE);
  }
  if (in_job) ::TerminateJobObject(job.get(), 1);  // what the child left running holds pipes
  out_reader.join();
  err_reader.join();
  if (!failure.ok()) return failure;
  if (over) {
    return ResourceExhaustedError(argv[0] + " wrote more than " +
                                  std::to_string(options.max_output_bytes) + " bytes");
  }
  DWORD code = 0;
  if (!::GetExitCodeProcess(child.get(), &code)) return LastError("GetExitCodeProcess");
  result.exit_code = static_cast<int>(code);
  return result;
}

}  // namespace bulwark
