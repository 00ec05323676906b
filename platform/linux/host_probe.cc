#include "platform/linux/host_probe.h"

#include "agent/base/strings.h"
#include "agent/probes/os_release.h"

namespace bulwark {
namespace {

std::optional<std::string> FirstLine(const FileSystem& fs, std::string_view path) {
  auto text = fs.ReadFile(path, 4096);
  if (!text.ok()) return std::nullopt;
  auto lines = SplitLines(*text);
  if (lines.empty()) return std::nullopt;
  std::string_view line = TrimWhitespace(lines[0]);
  if (line.empty()) return std::nullopt;
  return std::string(line);
}

}  // namespace

Status HostProbe::Collect(FactsDocument& facts) {
  const FileSystem& fs = system_.file_system();
  // The kernel's hostname describes the live system; an image is described by its files.
  facts.host.hostname =
      fs.IsLiveRoot() ? FirstLine(fs, "/proc/sys/kernel/hostname") : FirstLine(fs, "/etc/hostname");
  if (!facts.host.hostname) facts.host.hostname = FirstLine(fs, "/etc/hostname");
  facts.host.machine_id = FirstLine(fs, "/etc/machine-id");

  auto os_release = fs.ReadFile("/etc/os-release", 64 * 1024);
  if (!os_release.ok()) os_release = fs.ReadFile("/usr/lib/os-release", 64 * 1024);
  if (os_release.ok()) {
    auto fields = ParseOsRelease(*os_release);
    auto get = [&](const char* key) -> std::optional<std::string> {
      auto it = fields.find(key);
      if (it == fields.end() || it->second.empty()) return std::nullopt;
      return it->second;
    };
    facts.os.id = get("ID");
    facts.os.name = get("PRETTY_NAME");
    if (!facts.os.name) facts.os.name = get("NAME");
    facts.os.version = get("VERSION_ID");
  }
  facts.os.kernel = FirstLine(fs, "/proc/sys/kernel/osrelease");
  return Status::Ok();
}

}  // namespace bulwark
