// The ssh_server hardening probe: is an OpenSSH server installed, enabled and running, and what
// do its Match-less effective settings allow.
#include <algorithm>
#include <boost/json/array.hpp>

#include "agent/base/strings.h"
#include "agent/probes/posture/key_value.h"
#include "agent/probes/posture/sshd_config.h"
#include "platform/linux/posture/hardening_probes.h"
#include "platform/linux/posture/json_util.h"

namespace bulwark {
namespace json = boost::json;
using posture_json::Opt;

namespace {

constexpr std::size_t kConfigMax = 1u << 20;
constexpr std::size_t kMaxDepth = 16;  // sshd's READCONF_MAX_DEPTH
constexpr std::size_t kMaxFiles = 128;
constexpr std::size_t kMaxGlobMatches = 256;

bool HasWildcard(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

// Expands an absolute glob pattern component by component through the FileSystem.
std::vector<std::string> ExpandGlob(const FileSystem& fs, const std::string& pattern) {
  std::vector<std::string> current = {""};
  for (std::string_view component : Split(pattern, '/')) {
    if (component.empty()) continue;
    std::vector<std::string> next;
    for (const auto& dir : current) {
      if (!HasWildcard(component)) {
        next.push_back(dir + "/" + std::string(component));
        continue;
      }
      auto names = fs.ListDirectory(dir.empty() ? "/" : dir);
      if (!names.ok()) continue;
      for (const auto& name : *names) {
        if (next.size() >= kMaxGlobMatches) break;
        if (GlobMatch(component, name)) next.push_back(dir + "/" + name);
      }
    }
    current = std::move(next);
    if (current.empty()) break;
  }
  std::vector<std::string> out;
  for (auto& path : current) {
    // sshd ignores an Include that matches nothing, literal paths included.
    if (!path.empty() && fs.Exists(path)) out.push_back(std::move(path));
  }
  std::sort(out.begin(), out.end());
  return out;
}

class SshdLoader {
 public:
  explicit SshdLoader(const FileSystem& fs) : fs_(fs) {}

  // Appends the directives of `path`; `in_match` says whether a Match block encloses the
  // Include that named it.
  void Load(const std::string& path, bool in_match, std::size_t depth) {
    if (depth > kMaxDepth || files_.size() >= kMaxFiles) {
      problems_.push_back(path + ": include nesting or file limit reached");
      return;
    }
    if (std::find(stack_.begin(), stack_.end(), path) != stack_.end()) {
      problems_.push_back(path + ": include loop");
      return;
    }
    auto text = fs_.ReadFile(path, kConfigMax);
    if (!text.ok()) {
      problems_.push_back(path + ": " + text.status().ToString());
      return;
    }
    files_.push_back(path);
    stack_.push_back(path);
    bool match = in_match;
    for (SshdDirective& d : ParseSshdConfig(*text)) {
      if (d.keyword == "challengeresponseauthentication")
        d.keyword = "kbdinteractiveauthentication";
      if (d.keyword == "match") match = true;
      if (d.keyword == "include") {
        for (const auto& arg : d.args) {
          const std::string pattern = StartsWith(arg, "/") ? arg : "/etc/ssh/" + arg;
          for (const auto& file : ExpandGlob(fs_, pattern)) Load(file, match, depth + 1);
        }
      }
      directives_.push_back(SshdSourcedDirective{std::move(d), path, match});
    }
    stack_.pop_back();
  }

  const std::vector<SshdSourcedDirective>& directives() const { return directives_; }
  const std::vector<std::string>& files() const { return files_; }
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  const FileSystem& fs_;
  std::vector<SshdSourcedDirective> directives_;
  std::vector<std::string> files_;
  std::vector<std::string> problems_;
  std::vector<std::string> stack_;
};

json::value YesNo(const SshdEffective& eff, const char* keyword) {
  auto it = eff.values.find(keyword);
  if (it == eff.values.end()) return nullptr;
  auto b = ParseBoolWord(it->second.value);
  return b ? json::value(*b) : json::value(nullptr);
}

}  // namespace

json::object SshServerProbe::NullShape() const {
  json::object o;
  for (const char* f :
       {"installed", "enabled", "running", "permit_root_login", "password_authentication",
        "kbd_interactive_authentication", "pubkey_authentication", "permit_empty_passwords"}) {
    o[f] = nullptr;
  }
  o["reason"] = nullptr;
  return o;
}

Status SshServerProbe::Inspect(const FactsDocument& facts, json::object& out) {
  (void)facts;
  const FileSystem& fs = state().fs();
  const bool installed = fs.Exists("/usr/sbin/sshd");
  out["installed"] = installed;
  std::optional<bool> enabled;
  std::optional<bool> socket;
  for (const char* unit : {"ssh.service", "sshd.service", "ssh.socket", "sshd.socket"}) {
    auto e = state().units().IsEnabled(unit);
    if (!e) continue;
    enabled = enabled.value_or(false) || *e;
    if (EndsWith(unit, ".socket")) socket = socket.value_or(false) || *e;
  }
  out["enabled"] = Opt(enabled);
  out["socket_activated"] = Opt(socket);
  out["running"] = Opt(state().AnyRunning({"sshd"}));

  if (!fs.Exists("/etc/ssh/sshd_config")) {
    out["reason"] = installed ? "sshd is installed but /etc/ssh/sshd_config is missing"
                              : "OpenSSH server is not installed";
    return Status::Ok();
  }
  SshdLoader loader(fs);
  loader.Load("/etc/ssh/sshd_config", false, 0);
  out["config_files"] = posture_json::Strings(loader.files(), 50);
  if (!loader.problems().empty()) {
    out["reason"] = "sshd configuration incomplete: " + Join(loader.problems(), "; ");
    return Status::Ok();
  }
  const SshdEffective eff = ComputeSshdEffective(loader.directives(), SshdDefaults());
  std::string root_login = eff.values.at("permitrootlogin").value;
  if (root_login == "without-password") root_login = "prohibit-password";
  out["permit_root_login"] = root_login;
  out["password_authentication"] = YesNo(eff, "passwordauthentication");
  out["kbd_interactive_authentication"] = YesNo(eff, "kbdinteractiveauthentication");
  out["pubkey_authentication"] = YesNo(eff, "pubkeyauthentication");
  out["permit_empty_passwords"] = YesNo(eff, "permitemptypasswords");
  out["use_pam"] = YesNo(eff, "usepam");
  json::object sources;
  for (const char* k : {"permitrootlogin", "passwordauthentication", "kbdinteractiveauthentication",
                        "pubkeyauthentication", "permitemptypasswords", "usepam"}) {
    sources[k] = eff.values.at(k).source;
  }
  out["sources"] = std::move(sources);
  out["match_blocks"] = eff.match_blocks;
  out["overridden_in_match"] = posture_json::Strings(
      std::vector<std::string>(eff.overridden_in_match.begin(), eff.overridden_in_match.end()), 50);
  return Status::Ok();
}

}  // namespace bulwark
