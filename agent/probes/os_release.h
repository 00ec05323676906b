// Pure parser for os-release(5): KEY=value lines, values optionally quoted with ' or " and
// backslash escapes inside double quotes. Comments and malformed lines are ignored. No I/O.
#ifndef BULWARK_AGENT_PROBES_OS_RELEASE_H_
#define BULWARK_AGENT_PROBES_OS_RELEASE_H_

#include <map>
#include <string>
#include <string_view>

namespace bulwark {

std::map<std::string, std::string> ParseOsRelease(std::string_view text);

}  // namespace bulwark

#endif  // BULWARK_AGENT_PROBES_OS_RELEASE_H_
