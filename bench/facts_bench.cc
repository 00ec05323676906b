// Facts collection speed. Prints Google Benchmark figures for:
//   * the disk-encryption probe over a fixture of 200 volumes (LVM on one real LUKS2 container,
//     plus plain partitions and swap), i.e. the sysfs walk and header reads at scale;
//   * every registered Linux probe against this machine (what `bulwark-agent facts` does).
// Peak RSS and wall time of the whole binary are measured by bench/measure_agent.sh.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>

#include "platform/linux/cryptsetup_luks_reader.h"
#include "platform/linux/disk_encryption_probe.h"
#include "platform/linux/linux_platform.h"
#include "platform/linux/linux_system.h"
#include "platform/linux/rooted_file_system.h"
#include "tests/testing/luks_fixture.h"
#include "tests/testing/sysfs_fixture.h"

namespace bulwark {
namespace {

constexpr int kVolumes = 200;

// Builds the 200-volume fixture once per process.
const testing::TempDir& Fixture() {
  static auto* dir = [] {
    auto* root = new testing::TempDir();
    testing::SysfsFixture sys(*root);
    sys.AddDisk("nvme0n1", 259, 0, false, "nvme");
    sys.AddPartition("nvme0n1", "nvme0n1p1", 259, 1);
    sys.AddPartition("nvme0n1", "nvme0n1p2", 259, 2);
    testing::MakeLuksImage(sys.DevicePath("nvme0n1p2"), {});
    std::string uuid = testing::DumpLuks(sys.DevicePath("nvme0n1p2")).uuid;
    std::string hex = uuid;
    hex.erase(std::remove(hex.begin(), hex.end(), '-'), hex.end());
    sys.AddDm("dm-0", 254, 0, "luks-" + uuid, "CRYPT-LUKS2-" + hex + "-luks-" + uuid,
              {"nvme0n1p2"});
    sys.AddPseudoMounts();
    sys.AddMount(259, 1, "/boot/efi", "vfat", "/dev/nvme0n1p1");
    const int lvs = kVolumes - 20;
    for (int i = 1; i <= lvs; ++i) {
      std::string dm = "dm-" + std::to_string(i);
      sys.AddDm(dm, 254, i, "vg-lv" + std::to_string(i),
                "LVM-Xy3kLq0Zp1cB2dE3fG4hI5jK6lM7nO8pQ9rS0tU1vW2xY3zA4bC5dE6fG7h" +
                    std::to_string(1000 + i),
                {"dm-0"});
      sys.AddMount(254, i, i == 1 ? "/" : "/srv/lv" + std::to_string(i), "ext4",
                   "/dev/mapper/vg-lv" + std::to_string(i));
    }
    for (int i = 0; i < 19; ++i) {
      std::string disk = "sd" + std::string(1, static_cast<char>('a' + i));
      sys.AddDisk(disk, 8, 16 * i, i % 5 == 0, i % 5 == 0 ? "usb" : "sata");
      sys.AddPartition(disk, disk + "1", 8, 16 * i + 1);
      sys.AddMount(8, 16 * i + 1, "/data/" + disk, "xfs", "/dev/" + disk + "1");
    }
    sys.AddSwap("/dev/dm-" + std::to_string(lvs));
    sys.Write();
    return root;
  }();
  return *dir;
}

class NullRunner final : public CommandRunner {
 public:
  Result<CommandResult> Run(const std::vector<std::string>& argv, const CommandOptions&) override {
    return NotFoundError(argv.empty() ? "" : argv[0]);
  }
};

void BM_DiskEncryption200Volumes(benchmark::State& state) {
  auto fs = RootedFileSystem::Create(Fixture().path());
  NullRunner runner;
  SystemClock clock;
  SystemRef system(*fs, runner, clock);
  CryptsetupLuksReader luks;
  std::size_t volumes = 0;
  for (auto _ : state) {
    FactsDocument facts;
    DiskEncryptionProbe probe(system, luks);
    if (!probe.Collect(facts).ok()) state.SkipWithError("probe failed");
    volumes = facts.disk_encryption.volumes->size();
    benchmark::DoNotOptimize(facts);
  }
  state.counters["volumes"] = static_cast<double>(volumes);
}
BENCHMARK(BM_DiskEncryption200Volumes)->Unit(benchmark::kMillisecond);

void BM_AllProbesThisMachine(benchmark::State& state) {
  LinuxPlatform platform;
  auto system = platform.MakeSystem("/");
  ProbeRegistry registry;
  platform.RegisterProbes(**system, registry);
  for (auto _ : state) {
    FactsDocument facts;
    registry.CollectAll(facts);
    benchmark::DoNotOptimize(facts);
  }
  state.counters["probes"] = static_cast<double>(registry.size());
}
BENCHMARK(BM_AllProbesThisMachine)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace bulwark

BENCHMARK_MAIN();
