// FakeWindowsSystem: a WindowsSystem over fakes for the Windows probes' tests. The WMI client
// is tests/testing/fake_wmi_client.h; registry, firewall and local accounts answer from maps
// filled by the test (absent entries answer kNotFound). The generic seams (file system,
// commands, clock) are inert: the Windows probes do not use them. Not thread-safe.
#ifndef BULWARK_TESTS_UNIT_PLATFORM_WINDOWS_FAKE_WINDOWS_SYSTEM_H_
#define BULWARK_TESTS_UNIT_PLATFORM_WINDOWS_FAKE_WINDOWS_SYSTEM_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "platform/windows/windows_system.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/fake_command_runner.h"
#include "tests/testing/fake_wmi_client.h"

namespace bulwark {

class InertFileSystem final : public FileSystem {
 public:
  Result<std::string> ReadFile(std::string_view path, std::size_t) const override {
    return NotFoundError(std::string(path));
  }
  Result<std::string> ReadFileHead(std::string_view path, std::size_t) const override {
    return NotFoundError(std::string(path));
  }
  Result<std::vector<std::string>> ListDirectory(std::string_view path) const override {
    return NotFoundError(std::string(path));
  }
  Result<std::string> ReadLink(std::string_view path) const override {
    return NotFoundError(std::string(path));
  }
  Result<std::string> Canonicalize(std::string_view path) const override {
    return NotFoundError(std::string(path));
  }
  Result<FileInfo> Stat(std::string_view path, bool) const override {
    return NotFoundError(std::string(path));
  }
  std::string HostPath(std::string_view path) const override { return std::string(path); }
  bool IsLiveRoot() const override { return false; }
};

class FakeRegistry final : public Registry {
 public:
  Result<std::uint32_t> ReadDword(const std::string& hive, const std::string& key,
                                  const std::string& value) const override {
    auto it = dwords.find(hive + "\\" + key + "\\" + value);
    if (it == dwords.end()) return NotFoundError(key + "\\" + value + ": 0x00000002");
    return it->second;
  }
  Result<std::string> ReadString(const std::string& hive, const std::string& key,
                                 const std::string& value) const override {
    auto it = strings.find(hive + "\\" + key + "\\" + value);
    if (it == strings.end()) return NotFoundError(key + "\\" + value + ": 0x00000002");
    return it->second;
  }
  std::map<std::string, Result<std::uint32_t>> dwords;  // "HKLM\\key\\value"
  std::map<std::string, Result<std::string>> strings;
};

class FakeFirewallPolicy final : public FirewallPolicy {
 public:
  Result<FirewallProfileState> Profile(FirewallProfile profile) const override {
    auto it = profiles.find(profile);
    if (it == profiles.end()) return NotFoundError("INetFwPolicy2: 0x80040154");
    return it->second;
  }
  Result<std::uint32_t> CurrentProfileTypes() const override { return current; }
  std::map<FirewallProfile, Result<FirewallProfileState>> profiles;
  Result<std::uint32_t> current = std::uint32_t{0};
};

class FakeLocalAccounts final : public LocalAccounts {
 public:
  Result<std::vector<LocalGroupMember>> GroupMembers(const std::string& sid) const override {
    auto it = groups.find(sid);
    if (it == groups.end()) return NotFoundError(sid + ": 0x00000560 (NERR_GroupNotFound)");
    return it->second;
  }
  Result<bool> LocalAccountEnabled(std::uint32_t rid) const override {
    auto it = enabled.find(rid);
    if (it == enabled.end()) return NotFoundError("rid " + std::to_string(rid));
    return it->second;
  }
  Result<ConsoleSession> Console() const override { return console; }
  std::map<std::string, Result<std::vector<LocalGroupMember>>> groups;
  std::map<std::uint32_t, Result<bool>> enabled;
  Result<ConsoleSession> console = ConsoleSession{};
};

class FakeWindowsSystem final : public WindowsSystem {
 public:
  const FileSystem& file_system() const override { return fs_; }
  CommandRunner& command_runner() const override { return runner_; }
  const Clock& clock() const override { return clock_; }
  WmiClient& wmi() const override { return wmi_; }
  const Registry& registry() const override { return registry_; }
  const FirewallPolicy& firewall() const override { return firewall_; }
  const LocalAccounts& accounts() const override { return accounts_; }

  FakeWmiClient& fake_wmi() { return wmi_; }
  FakeRegistry& fake_registry() { return registry_; }
  FakeFirewallPolicy& fake_firewall() { return firewall_; }
  FakeLocalAccounts& fake_accounts() { return accounts_; }
  testing::FakeClock& fake_clock() { return clock_; }

 private:
  InertFileSystem fs_;
  mutable testing::FakeCommandRunner runner_;
  testing::FakeClock clock_;
  mutable FakeWmiClient wmi_;
  FakeRegistry registry_;
  FakeFirewallPolicy firewall_;
  FakeLocalAccounts accounts_;
};

}  // namespace bulwark

#endif  // BULWARK_TESTS_UNIT_PLATFORM_WINDOWS_FAKE_WINDOWS_SYSTEM_H_
