#include "platform/linux/posture/sudoers_loader.h"

#include <algorithm>

namespace bulwark {
namespace {

class Loader {
 public:
  Loader(const FileSystem& fs, const SudoersLoadOptions& options, SudoersLoadResult& out)
      : fs_(fs), options_(options), out_(out) {}

  void LoadFile(const std::string& path, std::size_t depth, const std::string& included_from) {
    if (limit_hit_) return;
    auto canonical = fs_.Canonicalize(path);
    if (!canonical.ok()) {
      if (canonical.status().code() == StatusCode::kNotFound) {
        if (depth > 0)
          out_.warnings.push_back(included_from + ": included file " + path + " does not exist");
        return;
      }
      out_.unreadable.push_back(path + ": " + canonical.status().ToString());
      return;
    }
    if (depth == 0) out_.main_present = true;
    if (std::find(stack_.begin(), stack_.end(), *canonical) != stack_.end()) {
      out_.warnings.push_back(included_from + ": include loop: " + path + " is already being read");
      return;
    }
    if (depth > options_.max_depth) {
      out_.unreadable.push_back(path + ": includes nested deeper than " +
                                std::to_string(options_.max_depth) + " levels");
      limit_hit_ = true;
      return;
    }
    if (out_.files.size() >= options_.max_files) {
      out_.unreadable.push_back(path + ": more than " + std::to_string(options_.max_files) +
                                " sudoers files");
      limit_hit_ = true;
      return;
    }
    auto text = fs_.ReadFile(*canonical, options_.max_file_bytes);
    if (!text.ok()) {
      out_.unreadable.push_back(path + ": " + text.status().ToString());
      return;
    }
    total_bytes_ += text->size();
    if (total_bytes_ > options_.max_total_bytes) {
      out_.unreadable.push_back(path + ": sudoers files exceed " +
                                std::to_string(options_.max_total_bytes) + " bytes in total");
      limit_hit_ = true;
      return;
    }
    out_.files.push_back(path);
    if (auto info = fs_.Stat(*canonical); info.ok() && (info->mode & 0002) != 0) {
      out_.warnings.push_back(path + ": world-writable (sudo ignores it)");
    }
    SudoersFile parsed = ParseSudoers(*text);
    text = std::string();  // release the bytes before descending into includes
    for (const auto& w : parsed.warnings) {
      out_.warnings.push_back(path + ":" + std::to_string(w.line) + ": " + w.message);
    }
    stack_.push_back(*canonical);
    for (auto& entry : parsed.entries) {
      const auto* include = std::get_if<SudoersInclude>(&entry.value);
      if (include == nullptr) {
        out_.entries.push_back(SourcedSudoersEntry{path, std::move(entry)});
        continue;
      }
      const std::string where = path + ":" + std::to_string(entry.line);
      const std::string target =
          ResolveSudoersIncludePath(include->path, options_.short_hostname, path);
      if (target.empty()) {
        out_.warnings.push_back(where + ": include of " + include->path +
                                " skipped: host name unknown");
      } else if (include->directory) {
        LoadDirectory(target, depth + 1, where);
      } else {
        LoadFile(target, depth + 1, where);
      }
    }
    stack_.pop_back();
  }

 private:
  void LoadDirectory(const std::string& dir, std::size_t depth, const std::string& included_from) {
    auto names = fs_.ListDirectory(dir);
    if (!names.ok()) {
      if (names.status().code() != StatusCode::kNotFound) {
        out_.unreadable.push_back(dir + ": " + names.status().ToString());
      }
      return;
    }
    for (const auto& name : *names) {
      if (limit_hit_) return;
      if (!SudoersIncludeDirAccepts(name)) continue;
      std::string path = dir;
      if (path.empty() || path.back() != '/') path.push_back('/');
      path += name;
      auto info = fs_.Stat(path);
      if (!info.ok()) {
        out_.unreadable.push_back(path + ": " + info.status().ToString());
        continue;
      }
      if (info->type != FileType::kRegular) continue;
      LoadFile(path, depth, included_from);
    }
  }

  const FileSystem& fs_;
  const SudoersLoadOptions& options_;
  SudoersLoadResult& out_;
  std::vector<std::string> stack_;
  std::size_t total_bytes_ = 0;
  bool limit_hit_ = false;  // a cap was reached: the result is incomplete, stop reading
};

}  // namespace

SudoersLoadResult LoadSudoers(const FileSystem& fs, std::string_view main_file,
                              const SudoersLoadOptions& options) {
  SudoersLoadResult out;
  Loader loader(fs, options, out);
  loader.LoadFile(std::string(main_file), 0, std::string(main_file));
  return out;
}

}  // namespace bulwark
