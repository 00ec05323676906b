#include "platform/windows/system/win_file_system.h"

#include <windows.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <system_error>

#include "platform/windows/system/win_strings.h"

namespace bulwark {
namespace {

struct HandleCloser {
  void operator()(HANDLE h) const {
    if (h != INVALID_HANDLE_VALUE) ::CloseHandle(h);
  }
};
using UniqueHandle = std::unique_ptr<void, HandleCloser>;

Status LastError(std::string_view path) {
  return Win32ErrorToStatus(static_cast<std::uint32_t>(::GetLastError()), path);
}

// "C:\\x", "C:/x", "\\\\server\\share" and "\\\\?\\..." are absolute; "x", "C:x", "\\x" not.
Status RequireAbsolute(std::string_view path) {
  const bool drive = path.size() >= 3 && std::isalpha(static_cast<unsigned char>(path[0])) &&
                     path[1] == ':' && (path[2] == '\\' || path[2] == '/');
  const bool unc = path.size() >= 2 && (path[0] == '\\' || path[0] == '/') &&
                   (path[1] == '\\' || path[1] == '/');
  if (drive || unc) return Status();
  return InvalidArgumentError(std::string(path) + ": not an absolute path");
}

Result<UniqueHandle> Open(std::string_view path, DWORD access, DWORD flags) {
  RETURN_IF_ERROR(RequireAbsolute(path));
  std::wstring wide = Utf8ToWide(path);
  HANDLE h =
      ::CreateFileW(wide.c_str(), access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                    nullptr, OPEN_EXISTING, flags, nullptr);
  if (h == INVALID_HANDLE_VALUE) return LastError(path);
  return UniqueHandle(h);
}

Result<std::string> Read(std::string_view path, std::size_t max_bytes, bool head) {
  ASSIGN_OR_RETURN(UniqueHandle h, Open(path, GENERIC_READ, FILE_ATTRIBUTE_NORMAL));
  std::string data;
  char buffer[65536];
  for (;;) {
    DWORD n = 0;
    const std::size_t want =
        head ? std::min(sizeof buffer, max_bytes - data.size()) : sizeof buffer;
    if (want == 0) break;
    if (!::ReadFile(h.get(), buffer, static_cast<DWORD>(want), &n, nullptr)) {
      if (::GetLastError() == ERROR_ACCESS_DENIED) return LastError(path);
      return LastError(std::string(path) + ": read");
    }
    if (n == 0) break;
    if (!head && data.size() + n > max_bytes) {
      return ResourceExhaustedError(std::string(path) + ": larger than " +
                                    std::to_string(max_bytes) + " bytes");
    }
    data.append(buffer, n);
  }
  return data;
}

Status FromErrorCode(const std::error_code& ec, std::string_view path) {
  // libstdc++ on mingw reports Win32 errors in the system category.
  if (ec.category() == std::system_category()) {
    return Win32ErrorToStatus(static_cast<std::uint32_t>(ec.value()), path);
  }
  return ErrnoToStatus(ec.value(), path);
}

}  // namespace

Result<std::string> LiveWindowsFileSystem::ReadFile(std::string_view path,
                                                    std::size_t max_bytes) const {
  return Read(path, max_bytes, false);
}

Result<std::string> LiveWindowsFileSystem::ReadFileHead(std::string_view path,
                                                        std::size_t max_bytes) const {
  return Read(path, max_bytes, true);
}

Result<std::vector<std::string>> LiveWindowsFileSystem::ListDirectory(std::string_view path) const {
  RETURN_IF_ERROR(RequireAbsolute(path));
  std::wstring pattern = Utf8ToWide(path);
  if (pattern.back() != L'\\' && pattern.back() != L'/') pattern += L'\\';
  pattern += L'*';
  WIN32_FIND_DATAW found;
  HANDLE h = ::FindFirstFileExW(pattern.c_str(), FindExInfoBasic, &found, FindExSearchNameMatch,
                                nullptr, 0);
  if (h == INVALID_HANDLE_VALUE) {
    // An empty directory still lists "." and ".."; no entry at all means no directory.
    return LastError(path);
  }
  std::vector<std::string> names;
  do {
    std::wstring_view name(found.cFileName);
    if (name == L"." || name == L"..") continue;
    names.push_back(WideToUtf8(name));
  } while (::FindNextFileW(h, &found));
  const DWORD last = ::GetLastError();
  ::FindClose(h);
  if (last != ERROR_NO_MORE_FILES) {
    return Win32ErrorToStatus(static_cast<std::uint32_t>(last), std::string(path) + ": list");
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::string> LiveWindowsFileSystem::ReadLink(std::string_view path) const {
  RETURN_IF_ERROR(RequireAbsolute(path));
  const std::filesystem::path p(Utf8ToWide(path));
  std::error_code ec;
  auto status = std::filesystem::symlink_status(p, ec);
  if (ec) return FromErrorCode(ec, path);
  if (status.type() == std::filesystem::file_type::not_found) {
    return Win32ErrorToStatus(ERROR_FILE_NOT_FOUND, path);
  }
  if (status.type() != std::filesystem::file_type::symlink) {
    return InvalidArgumentError(std::string(path) + ": not a symbolic link");
  }
  auto target = std::filesystem::read_symlink(p, ec);
  if (ec) return FromErrorCode(ec, path);
  return WideToUtf8(target.wstring());
}

Result<std::string> LiveWindowsFileSystem::Canonicalize(std::string_view path) const {
  // FILE_FLAG_BACKUP_SEMANTICS opens directories too; no access right is needed.
  ASSIGN_OR_RETURN(UniqueHandle h, Open(path, 0, FILE_FLAG_BACKUP_SEMANTICS));
  std::wstring buffer(MAX_PATH, L'\0');
  for (;;) {
    DWORD n = ::GetFinalPathNameByHandleW(h.get(), buffer.data(), static_cast<DWORD>(buffer.size()),
                                          FILE_NAME_NORMALIZED);
    if (n == 0) return LastError(std::string(path) + ": GetFinalPathNameByHandleW");
    if (n < buffer.size()) {
      buffer.resize(n);
      break;
    }
    buffer.resize(n + 1);
  }
  if (buffer.rfind(L"\\\\?\\UNC\\", 0) == 0) {
    buffer = L"\\\\" + buffer.substr(8);
  } else if (buffer.rfind(L"\\\\?\\", 0) == 0) {
    buffer = buffer.substr(4);
  }
  return WideToUtf8(buffer);
}

Result<FileInfo> LiveWindowsFileSystem::Stat(std::string_view path, bool follow) const {
  RETURN_IF_ERROR(RequireAbsolute(path));
  const std::filesystem::path p(Utf8ToWide(path));
  std::error_code ec;
  auto status = follow ? std::filesystem::status(p, ec) : std::filesystem::symlink_status(p, ec);
  if (status.type() == std::filesystem::file_type::not_found) {
    return Win32ErrorToStatus(ERROR_FILE_NOT_FOUND, path);
  }
  if (ec) return FromErrorCode(ec, path);
  FileInfo info;
  switch (status.type()) {
    case std::filesystem::file_type::regular:
      info.type = FileType::kRegular;
      break;
    case std::filesystem::file_type::directory:
      info.type = FileType::kDirectory;
      break;
    case std::filesystem::file_type::symlink:
      info.type = FileType::kSymlink;
      break;
    default:
      info.type = FileType::kOther;
      break;
  }
  if (info.type == FileType::kRegular) {
    auto size = std::filesystem::file_size(p, ec);
    if (!ec) info.size = static_cast<std::uint64_t>(size);
  }
  const DWORD attributes = ::GetFileAttributesW(p.c_str());
  const bool read_only =
      attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_READONLY) != 0;
  const bool dir = info.type == FileType::kDirectory;
  info.mode = read_only ? (dir ? 0555u : 0444u) : (dir ? 0755u : 0644u);
  return info;
}

}  // namespace bulwark
