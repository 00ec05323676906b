// The screen_lock hardening probe: does the console user's GNOME session lock the screen, and
// after how long. The settings live in the user's dconf database, merged with system defaults
// and locks, so they are read the way the desktop reads them: `gsettings`, run (argv, never a
// shell) as the console user with that user's HOME, XDG_RUNTIME_DIR and session bus.
#include "agent/base/strings.h"
#include "agent/probes/posture/gsettings.h"
#include "platform/linux/posture/hardening_probes.h"
#include "platform/linux/posture/json_util.h"

namespace bulwark {
namespace json = boost::json;
using posture_json::Opt;

namespace {

constexpr std::chrono::milliseconds kCommandTimeout{2000};
constexpr char kLiveOnly[] = "live-only source not available for --root";
constexpr char kScreensaverSchema[] =
    "/usr/share/glib-2.0/schemas/org.gnome.desktop.screensaver.gschema.xml";

// Whether a logind DESKTOP (XDG_SESSION_DESKTOP) value is a GNOME-based session.
bool IsGnomeDesktop(std::string_view desktop) {
  const std::string d = AsciiLower(desktop);
  return d.empty() || d.find("gnome") != std::string::npos || StartsWith(d, "ubuntu") ||
         StartsWith(d, "pop") || StartsWith(d, "zorin");
}

}  // namespace

json::object ScreenLockProbe::NullShape() const {
  json::object o;
  for (const char* f :
       {"console_user", "desktop", "lock_enabled", "idle_delay_seconds", "lock_delay_seconds"}) {
    o[f] = nullptr;
  }
  o["reason"] = nullptr;
  return o;
}

Status ScreenLockProbe::Inspect(const FactsDocument& facts, json::object& out) {
  (void)facts;
  const FileSystem& fs = state().fs();
  const ConsoleUser& console = state().console_user();
  if (!console.name) {
    out["reason"] = console.known ? "no user is logged in at the console: " + console.reason
                                  : "console user unknown: " + console.reason;
    return Status::Ok();
  }
  out["console_user"] = *console.name;
  if (console.type == "tty") {
    out["reason"] = "the console session is a text terminal";
    return Status::Ok();
  }
  if (!IsGnomeDesktop(console.desktop)) {
    out["desktop"] = AsciiLower(console.desktop);
    out["reason"] = "only GNOME screen-lock settings are inspected";
    return Status::Ok();
  }
  if (!fs.Exists(kScreensaverSchema)) {
    out["reason"] = "GNOME desktop settings schemas are not installed";
    return Status::Ok();
  }
  out["desktop"] = "gnome";
  if (!fs.IsLiveRoot()) {
    out["reason"] = kLiveOnly;
    return Status::Ok();
  }
  const PasswdEntry* user = state().accounts().FindUser(*console.name);
  if (user == nullptr) {
    out["reason"] = "console user " + *console.name + " is not in /etc/passwd";
    return Status::Ok();
  }

  CommandOptions options;
  options.timeout = kCommandTimeout;
  options.max_output_bytes = 256 * 1024;
  if (user->uid != 0) {
    options.run_as_uid = user->uid;
    options.run_as_gid = user->gid;
  }
  const std::string runtime_dir = "/run/user/" + std::to_string(user->uid);
  options.environment = {"HOME=" + user->home, "USER=" + user->name,
                         "XDG_RUNTIME_DIR=" + runtime_dir};
  if (fs.Exists(runtime_dir + "/bus")) {
    options.environment.push_back("DBUS_SESSION_BUS_ADDRESS=unix:path=" + runtime_dir + "/bus");
  }
  CommandRunner& runner = state().system().command_runner();
  std::vector<std::string> problems;
  auto run = [&](const std::vector<std::string>& argv) -> std::optional<std::string> {
    auto result = runner.Run(argv, options);
    if (!result.ok()) {
      problems.push_back(Join(argv, " ") + ": " + result.status().ToString());
      return std::nullopt;
    }
    if (result->exit_code != 0) {
      problems.push_back(Join(argv, " ") + " exited with status " +
                         std::to_string(result->exit_code));
      return std::nullopt;
    }
    return std::move(result->stdout_data);
  };

  if (auto text = run({"gsettings", "list-recursively", "org.gnome.desktop.screensaver"})) {
    const auto values = ParseGsettingsList(*text);
    auto get = [&](const char* key) -> std::string {
      auto it = values.find(std::string("org.gnome.desktop.screensaver ") + key);
      return it == values.end() ? std::string() : it->second;
    };
    out["lock_enabled"] = Opt(GVariantBool(get("lock-enabled")));
    out["lock_delay_seconds"] = Opt(GVariantUint(get("lock-delay")));
  }
  if (auto text = run({"gsettings", "get", "org.gnome.desktop.session", "idle-delay"})) {
    out["idle_delay_seconds"] = Opt(GVariantUint(*text));
  }
  if (!problems.empty()) out["reason"] = Join(problems, "; ");
  return Status::Ok();
}

}  // namespace bulwark
