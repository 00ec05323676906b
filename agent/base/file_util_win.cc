// Windows implementation of agent/base/file_util.h (Win32 W APIs; paths are UTF-8).
#include "agent/base/file_util.h"

#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>

#include <atomic>
#include <string>
#include <vector>

#include "agent/base/windows_util.h"

namespace bulwark {
namespace {

bool IsPrivateMode(unsigned mode) { return (mode & 077U) == 0; }

bool IsSeparator(char c) { return c == '\\' || c == '/'; }

std::string DirectoryOf(const std::string& path) {
  std::size_t end = path.size();
  while (end > 0 && !IsSeparator(path[end - 1])) --end;
  if (end == 0) return ".";
  std::string dir = path.substr(0, end);
  // Keep "C:\" and "\" whole; drop the separator otherwise.
  if (dir.size() > 1 && !(dir.size() == 3 && dir[1] == ':')) dir.pop_back();
  return dir;
}

std::string FileNameOf(const std::string& path) {
  std::size_t start = path.size();
  while (start > 0 && !IsSeparator(path[start - 1])) --start;
  return path.substr(start);
}

// Writes everything to `file`, flushes it to disk and closes it (always closed).
Status FinishFile(HANDLE file, std::string_view contents, const std::string& path) {
  Status s;
  while (s.ok() && !contents.empty()) {
    const DWORD chunk =
        contents.size() > (1U << 30) ? (1U << 30) : static_cast<DWORD>(contents.size());
    DWORD written = 0;
    if (!::WriteFile(file, contents.data(), chunk, &written, nullptr)) {
      s = win::Win32ErrorToStatus(::GetLastError(), path + ": WriteFile");
      break;
    }
    contents.remove_prefix(written);
  }
  if (s.ok() && !::FlushFileBuffers(file)) {
    s = win::Win32ErrorToStatus(::GetLastError(), path + ": FlushFileBuffers");
  }
  if (!::CloseHandle(file) && s.ok()) {
    s = win::Win32ErrorToStatus(::GetLastError(), path + ": CloseHandle");
  }
  return s;
}

// Creates `path` (CREATE_NEW: never an existing file or link), unshared, with the private DACL
// when `mode` asks for it.
Result<HANDLE> CreateNewFile(const std::string& path, unsigned mode) {
  const std::wstring wide = win::Utf8ToWide(path);
  HANDLE file = ::CreateFileW(wide.c_str(), GENERIC_WRITE | WRITE_DAC, 0, nullptr, CREATE_NEW,
                              FILE_ATTRIBUTE_NORMAL, nullptr);
  if (file == INVALID_HANDLE_VALUE) {
    return win::Win32ErrorToStatus(::GetLastError(), path + ": CreateFileW");
  }
  if (IsPrivateMode(mode)) {
    Status s = win::ApplyPrivateDaclToHandle(file, false, path);
    if (!s.ok()) {
      ::CloseHandle(file);
      ::DeleteFileW(wide.c_str());
      return s;
    }
  }
  return file;
}

}  // namespace

Status WriteFileAtomic(const std::string& path, std::string_view contents, unsigned mode) {
  static std::atomic<unsigned> counter{0};
  const std::string dir = DirectoryOf(path);
  const std::string tmp =
      dir + "\\." + FileNameOf(path) + ".tmp." + std::to_string(::GetCurrentProcessId()) + "." +
      std::to_string(counter.fetch_add(1)) + "." + std::to_string(::GetTickCount64());
  ASSIGN_OR_RETURN(HANDLE file, CreateNewFile(tmp, mode));
  const std::wstring wide_tmp = win::Utf8ToWide(tmp);
  Status s = FinishFile(file, contents, path);
  if (s.ok() && !::MoveFileExW(wide_tmp.c_str(), win::Utf8ToWide(path).c_str(),
                               MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
    s = win::Win32ErrorToStatus(::GetLastError(), path + ": MoveFileExW");
  }
  if (!s.ok()) ::DeleteFileW(wide_tmp.c_str());
  return s;
}

Status CreateFileExclusive(const std::string& path, std::string_view contents, unsigned mode) {
  ASSIGN_OR_RETURN(HANDLE file, CreateNewFile(path, mode));
  Status s = FinishFile(file, contents, path);
  if (!s.ok()) ::DeleteFileW(win::Utf8ToWide(path).c_str());
  return s;
}

Status CreatePrivateDirectory(const std::string& dir) {
  // Walk up to the first existing ancestor, then create downwards, protecting each new level.
  std::vector<std::string> missing;
  std::string current = dir;
  while (!current.empty() && current != ".") {
    const DWORD attributes = ::GetFileAttributesW(win::Utf8ToWide(current).c_str());
    if (attributes != INVALID_FILE_ATTRIBUTES) {
      if ((attributes & FILE_ATTRIBUTE_DIRECTORY) == 0) {
        return Status(StatusCode::kFailedPrecondition, current + " exists and is not a directory");
      }
      break;
    }
    missing.push_back(current);
    const std::string parent = DirectoryOf(current);
    if (parent == current) break;
    current = parent;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (!::CreateDirectoryW(win::Utf8ToWide(*it).c_str(), nullptr)) {
      const DWORD err = ::GetLastError();
      if (err != ERROR_ALREADY_EXISTS) return win::Win32ErrorToStatus(err, "cannot create " + *it);
    }
    if (*it != dir) RETURN_IF_ERROR(win::ApplyPrivateDacl(*it));
  }
  return win::ApplyPrivateDacl(dir);
}

Status CheckOnlyAdminsCanWrite(const std::string& path) {
  return win::CheckOnlyAdminsCanWrite(path);
}

}  // namespace bulwark
