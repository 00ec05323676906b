// The Linux baseline against the facts document that the real Linux probes (LinuxPlatform's
// registry: host, disk encryption, posture) produce for a fixture root. This is the contract
// between the probes and the policy: every fact the baseline reads must exist in what the probes
// write, and no condition may trip over a value of the wrong type (only unknown facts may make a
// check an error).
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "agent/base/time_util.h"
#include "agent/facts/facts_json.h"
#include "agent/probes/probe.h"
#include "platform/linux/linux_platform.h"
#include "platform/linux/rooted_file_system.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/fake_command_runner.h"
#include "tests/testing/sysfs_fixture.h"
#include "tests/testing/temp_dir.h"
#include "tests/unit/policy/baselines/baseline_test_support.h"

namespace bulwark {
namespace {

namespace json = boost::json;
using policy::CheckStatus;

// A Debian 12 workstation image: one unencrypted disk (root and a swap partition), the usual
// account files, ASLR on, a process table, ClamAV, a crypttab entry with a world-readable key
// file, and no firewall or SSH server.
void WriteDebianRoot(const testing::TempDir& dir) {
  testing::SysfsFixture sys(dir);
  sys.AddDisk("sda", 8, 0);
  sys.AddPartition("sda", "sda1", 8, 1);
  sys.AddPartition("sda", "sda2", 8, 2);
  sys.AddPseudoMounts();
  sys.AddMount(8, 1, "/", "ext4", "/dev/sda1");
  sys.AddSwap("/dev/sda2");
  sys.Write();
  dir.WriteFile("etc/os-release",
                "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n");
  dir.WriteFile("etc/hostname", "ws-fixture\n");
  dir.WriteFile("etc/passwd",
                "root:x:0:0:root:/root:/bin/bash\n"
                "alice:x:1000:1000:Alice:/home/alice:/bin/bash\n");
  dir.WriteFile("etc/group", "root:x:0:\nsudo:x:27:\nalice:x:1000:\n");
  dir.WriteFile("proc/sys/kernel/randomize_va_space", "2\n");
  dir.WriteFile("proc/sys/kernel/osrelease", "6.1.0-28-amd64\n");
  dir.WriteFile("proc/1/comm", "systemd\n");
  // ClamAV installed and running, without on-access scanning or a signature database.
  dir.WriteFile("usr/sbin/clamd", "", 0755);
  dir.WriteFile("proc/812/comm", "clamd\n");
  // A data volume unlocked with a key file anyone may read.
  dir.WriteFile("etc/crypttab",
                "data UUID=3e5b9f10-2c4d-4a6e-8b7f-9012a3b4c5d6 /etc/keys/data.key luks\n");
  dir.WriteFile("etc/keys/data.key", "not-a-real-key", 0644);
}

TEST(LinuxProbeFactsTest, BaselineReadsOnlyFactsTheProbesWrite) {
  testing::TempDir dir;
  WriteDebianRoot(dir);
  auto fs = RootedFileSystem::Create(dir.path());
  ASSERT_TRUE(fs.ok()) << fs.status().ToString();
  testing::FakeCommandRunner runner;
  testing::FakeClock clock(*ParseRfc3339("2026-11-28T16:00:00Z"));
  SystemRef system(*fs, runner, clock);

  LinuxPlatform platform;
  ProbeRegistry registry;
  platform.RegisterProbes(system, registry);
  FactsDocument facts;
  facts.collected_at = clock.Now();
  facts.os.family = platform.os_family();
  registry.CollectAll(facts);
  for (const auto& e : facts.probe_errors) ADD_FAILURE() << e.probe << ": " << e.reason;
  const json::value doc = FactsToJson(facts);

  const json::value policy = testing::LoadBaseline("linux-workstation.json");
  ASSERT_TRUE(policy.is_object());
  std::set<std::string> unverifiable;
  for (const auto& c : policy.at("checks").as_array()) {
    for (const auto& path : testing::FactPaths(c.at("condition"))) {
      const auto presence = testing::ResolvePath(doc, path);
      EXPECT_NE(presence, testing::PathPresence::kMissing)
          << c.at("id") << " reads " << path << ", which the Linux probes do not write";
      if (presence == testing::PathPresence::kUnverifiable) unverifiable.insert(path);
    }
  }
  // Only LUKS keyslots need a real LUKS header (tests/unit/platform/linux covers them).
  EXPECT_EQ(unverifiable,
            (std::set<std::string>{"disk_encryption.volumes[].keyslots.length",
                                   "disk_encryption.volumes[].keyslots[].pbkdf",
                                   "disk_encryption.volumes[].keyslots[].protector"}));

  std::map<std::string, policy::CheckResult> by_id;
  for (auto& r : testing::Evaluate(policy, doc)) by_id[r.id] = r;
  for (const auto& [id, r] : by_id) {
    if (r.status != CheckStatus::kError) continue;
    ASSERT_TRUE(r.reason.has_value()) << id;
    EXPECT_NE(r.reason->find("is null/unknown"), std::string::npos)
        << id << " failed on a fact of the wrong type: " << *r.reason;
  }
  // Facts this fixture determines.
  EXPECT_EQ(by_id["disk.system-encrypted"].status, CheckStatus::kFail);
  EXPECT_EQ(by_id["disk.swap-encrypted"].status, CheckStatus::kFail);
  EXPECT_EQ(by_id["disk.data-encrypted"].status, CheckStatus::kPass) << "no data volume";
  EXPECT_EQ(by_id["disk.cipher-strong"].status, CheckStatus::kPass) << "nothing encrypted";
  EXPECT_EQ(by_id["accounts.single-uid0"].status, CheckStatus::kPass);
  EXPECT_EQ(by_id["accounts.sudo-requires-password"].status, CheckStatus::kPass);
  EXPECT_EQ(by_id["av.running"].status, CheckStatus::kPass);
  EXPECT_EQ(by_id["av.realtime"].status, CheckStatus::kFail) << "no clamonacc";
  EXPECT_EQ(by_id["av.signatures-fresh"].status, CheckStatus::kError) << "no signature database";
  EXPECT_EQ(by_id["disk.crypttab-keyfiles-protected"].status, CheckStatus::kFail);
  EXPECT_EQ(by_id["kernel.aslr"].status, CheckStatus::kPass);
  EXPECT_EQ(by_id["os.supported"].status, CheckStatus::kPass);
  EXPECT_EQ(by_id["ssh.no-root-login"].status, CheckStatus::kPass) << "no SSH server";
  EXPECT_FALSE(policy::IsCompliant(testing::Evaluate(policy, doc)));
}

}  // namespace
}  // namespace bulwark
