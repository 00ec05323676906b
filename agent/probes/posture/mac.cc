#include "agent/probes/posture/mac.h"

#include "agent/base/strings.h"
#include "agent/probes/posture/key_value.h"

namespace bulwark {

std::vector<std::string> ParseLsmList(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view name : Split(TrimWhitespace(text), ',')) {
    name = TrimWhitespace(name);
    if (!name.empty()) out.emplace_back(name);
  }
  return out;
}

AppArmorProfileCounts ParseAppArmorProfiles(std::string_view text) {
  AppArmorProfileCounts counts;
  for (std::string_view line : SplitLines(text)) {
    line = TrimWhitespace(line);
    if (line.empty()) continue;
    std::string_view mode;
    if (line.back() == ')') {
      const auto open = line.rfind('(');
      if (open != std::string_view::npos) mode = line.substr(open + 1, line.size() - open - 2);
    }
    if (mode == "enforce") {
      ++counts.enforce;
    } else if (mode == "complain") {
      ++counts.complain;
    } else if (mode == "kill") {
      ++counts.kill;
    } else if (mode == "unconfined") {
      ++counts.unconfined;
    } else {
      ++counts.other;
    }
  }
  return counts;
}

std::string AppArmorMode(const AppArmorProfileCounts& counts) {
  if (counts.enforce + counts.kill > 0) return "enforcing";
  if (counts.complain > 0) return "complain";
  return "disabled";
}

std::optional<std::string> SelinuxEnforceMode(std::string_view text) {
  text = TrimWhitespace(text);
  if (text == "1") return "enforcing";
  if (text == "0") return "permissive";
  return std::nullopt;
}

std::optional<std::string> SelinuxConfigMode(std::string_view config_text) {
  const auto kv = ParseKeyValue(config_text);
  auto it = kv.find("SELINUX");
  if (it == kv.end()) return std::nullopt;
  const std::string mode = AsciiLower(it->second);
  if (mode == "enforcing" || mode == "permissive" || mode == "disabled") return mode;
  return std::nullopt;
}

}  // namespace bulwark
