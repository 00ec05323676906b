#include "agent/probes/posture/crypttab.h"

#include "agent/base/strings.h"

namespace bulwark {

CrypttabParseResult ParseCrypttab(std::string_view text) {
  CrypttabParseResult out;
  std::size_t number = 0;
  for (std::string_view line : SplitLines(text)) {
    ++number;
    line = TrimWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    auto fields = SplitWhitespace(line);
    if (fields.size() < 2) {
      out.malformed_lines.push_back(number);
      continue;
    }
    CrypttabEntry e;
    e.name = std::string(fields[0]);
    e.device = std::string(fields[1]);
    if (fields.size() > 2) e.key_file = std::string(fields[2]);
    if (fields.size() > 3) e.options = std::string(fields[3]);
    e.line = number;
    out.entries.push_back(std::move(e));
  }
  return out;
}

KeyFileKind ClassifyKeyFile(std::string_view key_file) {
  if (key_file.empty() || key_file == "-" || key_file == "none") return KeyFileKind::kNone;
  if (key_file == "/dev/urandom" || key_file == "/dev/random" || key_file == "/dev/hw_random") {
    return KeyFileKind::kRandom;
  }
  if (key_file.find(':') != std::string_view::npos) return KeyFileKind::kRemote;
  if (StartsWith(key_file, "/dev/")) return KeyFileKind::kDevice;
  return KeyFileKind::kFile;
}

std::string_view KeyFileKindName(KeyFileKind kind) {
  switch (kind) {
    case KeyFileKind::kNone:
      return "none";
    case KeyFileKind::kRandom:
      return "random";
    case KeyFileKind::kDevice:
      return "device";
    case KeyFileKind::kRemote:
      return "remote";
    case KeyFileKind::kFile:
      return "file";
  }
  return "file";
}

}  // namespace bulwark
