// TempDir: a fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction,
// plus helpers to lay out fixture trees. Test-only: failures abort the test via ADD_FAILURE.
#ifndef BULWARK_TESTS_TESTING_TEMP_DIR_H_
#define BULWARK_TESTS_TESTING_TEMP_DIR_H_

#include <string>
#include <string_view>

namespace bulwark::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Absolute host path of the directory.
  const std::string& path() const { return path_; }
  // path() + "/" + relative (relative may start with '/').
  std::string Join(std::string_view relative) const;

  // Writes `contents` to `relative`, creating parent directories; mode applied after writing.
  void WriteFile(std::string_view relative, std::string_view contents, unsigned mode = 0644) const;
  // Creates directory `relative` and its parents.
  void MakeDirs(std::string_view relative) const;
  // Creates symlink `relative` -> `target` (target verbatim), creating parent directories.
  void Symlink(std::string_view relative, std::string_view target) const;

 private:
  std::string path_;
};

}  // namespace bulwark::testing

#endif  // BULWARK_TESTS_TESTING_TEMP_DIR_H_
