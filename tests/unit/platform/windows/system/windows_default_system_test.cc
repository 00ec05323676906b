// NewDefaultWindowsSystem() under Wine: the seams wired together, and the real BitLocker probe
// over them. Wine has no BitLocker provider (and lists no Win32_Volume instances), so the probe
// must never claim a volume is unencrypted. Both outcomes the probe may give are accepted:
// null volumes with a reason, or volumes without a verdict carrying the namespace error.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "agent/facts/facts.h"
#include "platform/windows/windows_probes.h"
#include "platform/windows/windows_system.h"
#include "platform/windows/wmi_values.h"

namespace bulwark {
namespace {

TEST(NewDefaultWindowsSystemTest, BitLockerProbeNeverReportsUnencryptedUnderWine) {
  auto system = NewDefaultWindowsSystem();
  ASSERT_TRUE(system.ok()) << system.status().ToString();
  auto probe = NewBitLockerProbe(**system);
  FactsDocument facts;
  Status status = probe->Collect(facts);
  if (!status.ok()) {
    probe->OnFailure(facts, status.message());
    EXPECT_FALSE(facts.disk_encryption.volumes.has_value());
    ASSERT_TRUE(facts.disk_encryption.reason.has_value());
    return;
  }
  // Collect succeeded: Win32_Volume was listed. Every listed volume carries the reason the
  // BitLocker namespace could not be read, and no encryption verdict.
  ASSERT_TRUE(facts.disk_encryption.volumes.has_value());
  // Wine lists no Win32_Volume instance, so the list is empty under Wine.
  EXPECT_TRUE(facts.disk_encryption.volumes->empty());
  for (const auto& v : *facts.disk_encryption.volumes) {
    EXPECT_FALSE(v.encrypted.has_value()) << v.device;
    ASSERT_TRUE(v.reason.has_value()) << v.device;
    EXPECT_NE(v.reason->find("0x8004100E"), std::string::npos) << *v.reason;
  }
  // What the probe saw: the BitLocker namespace is absent (kNotFound with the HRESULT).
  auto encryptable = (*system)->wmi().Query("ROOT\\CIMV2\\Security\\MicrosoftVolumeEncryption",
                                            "SELECT DeviceID FROM Win32_EncryptableVolume");
  ASSERT_FALSE(encryptable.ok());
  EXPECT_EQ(encryptable.status().code(), StatusCode::kNotFound);
}

TEST(NewDefaultWindowsSystemTest, SeamsAnswerFromSeveralThreadsAtOnce) {
  auto system = NewDefaultWindowsSystem();
  ASSERT_TRUE(system.ok()) << system.status().ToString();
  WindowsSystem& sys = **system;
  constexpr int kThreads = 6;
  std::vector<Status> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      const auto index = static_cast<std::size_t>(i);
      switch (i % 3) {
        case 0:
          results[index] =
              sys.wmi()
                  .Query("ROOT\\CIMV2", "SELECT BuildNumber FROM Win32_OperatingSystem")
                  .status();
          break;
        case 1: {
          // Wine's firewall answers E_NOTIMPL: an error with the code, served all the same.
          auto fw = sys.firewall().CurrentProfileTypes();
          results[index] = fw.ok() || fw.status().message().find("0x80004001") != std::string::npos
                               ? Status()
                               : fw.status();
          break;
        }
        default:
          results[index] =
              sys.registry()
                  .ReadString("HKLM", "Software\\Microsoft\\Windows NT\\CurrentVersion",
                              "ProductName")
                  .status();
          break;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(sys.file_system().IsLiveRoot());
  EXPECT_GT(sys.clock().Now().time_since_epoch().count(), 0);
}

}  // namespace
}  // namespace bulwark
