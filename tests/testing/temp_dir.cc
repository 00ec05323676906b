#include "tests/testing/temp_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace bulwark::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/bulwark-test-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed for " << tmpl;
    std::abort();
  }
  ::chmod(tmpl.c_str(), 0755);  // traversable by the unprivileged user some tests switch to
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::Join(std::string_view relative) const {
  while (!relative.empty() && relative.front() == '/') relative.remove_prefix(1);
  return path_ + "/" + std::string(relative);
}

void TempDir::MakeDirs(std::string_view relative) const {
  std::error_code ec;
  std::filesystem::create_directories(Join(relative), ec);
  if (ec) ADD_FAILURE() << "mkdir " << Join(relative) << ": " << ec.message();
}

void TempDir::WriteFile(std::string_view relative, std::string_view contents, unsigned mode) const {
  std::filesystem::path p = Join(relative);
  std::error_code ec;
  std::filesystem::create_directories(p.parent_path(), ec);
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  out.close();
  if (!out) ADD_FAILURE() << "write " << p;
  ::chmod(p.c_str(), mode);
}

void TempDir::Symlink(std::string_view relative, std::string_view target) const {
  std::filesystem::path p = Join(relative);
  std::error_code ec;
  std::filesystem::create_directories(p.parent_path(), ec);
  std::filesystem::remove(p, ec);
  std::filesystem::create_symlink(std::string(target), p, ec);
  if (ec) ADD_FAILURE() << "symlink " << p << " -> " << target << ": " << ec.message();
}

}  // namespace bulwark::testing
