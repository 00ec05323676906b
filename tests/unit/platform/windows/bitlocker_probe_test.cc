// BitLockerProbe against recorded Win32_Volume / Win32_EncryptableVolume answers. The row and
// out-parameter shapes are those of a Windows 11 23H2 machine (CIM uint32 values arrive as
// VT_I4, so 0x80310000 is a negative number).
#include <gtest/gtest.h>

#include "agent/facts/facts_json.h"
#include "platform/windows/windows_probes.h"
#include "platform/windows/wmi_values.h"
#include "tests/unit/platform/windows/fake_windows_system.h"

namespace bulwark {
namespace {

constexpr char kNs[] = "ROOT\\CIMV2\\Security\\MicrosoftVolumeEncryption";
constexpr char kCDevice[] = "\\\\?\\Volume{8f2c1d3e-4a5b-4c6d-8e7f-901a2b3c4d5e}\\";
constexpr char kDDevice[] = "\\\\?\\Volume{1b2c3d4e-5f60-4718-a9b0-c1d2e3f4a5b6}\\";

// One volume as the machine reports it; defaults: a compliant OS volume.
struct RecordedVolume {
  std::string device = kCDevice;
  std::string name = "C:\\";
  std::string file_system = "NTFS";
  std::int64_t drive_type = 3;  // Win32_Volume.DriveType: local disk
  std::int64_t volume_type = 0;
  std::string persistent_id = "{8F2C1D3E-4A5B-4C6D-8E7F-901A2B3C4D5E}";
  std::int64_t lock_status = 0;
  std::int64_t conversion_status = 1;
  std::int64_t percentage = 1000;               // tenths of a percent (PrecisionFactor 1)
  WmiValue encryption_flags = std::int64_t{0};  // bit 0: used disk space only
  std::int64_t method = 7;
  std::vector<std::pair<std::string, std::int64_t>> protectors = {
      {"{0D1E2F30-0000-4000-8000-000000000001}", 4}, {"{0D1E2F30-0000-4000-8000-000000000002}", 3}};
  std::int64_t protection_status = 1;
};

WmiRow Ok(WmiRow out) {
  out.emplace("ReturnValue", std::int64_t{0});
  return out;
}

void Install(FakeWindowsSystem& sys, const std::vector<RecordedVolume>& volumes,
             bool encryptable = true) {
  std::vector<WmiRow> listed, enc;
  for (const auto& v : volumes) {
    listed.push_back({{"DeviceID", v.device},
                      {"Name", v.name},
                      {"DriveLetter", v.name.size() == 3 ? WmiValue(v.name.substr(0, 2))
                                                         : WmiValue(std::monostate{})},
                      {"FileSystem", v.file_system},
                      {"DriveType", v.drive_type},
                      {"BootVolume", v.volume_type == 0}});
    if (!encryptable) continue;
    enc.push_back({{"DeviceID", v.device},
                   {"DriveLetter", v.name.substr(0, 2)},
                   {"VolumeType", v.volume_type},
                   {"PersistentVolumeID", v.persistent_id}});
    const std::string path = WmiObjectPath("Win32_EncryptableVolume", "DeviceID", v.device);
    FakeWmiClient& wmi = sys.fake_wmi();
    wmi.SetMethod(path, "GetLockStatus", Ok({{"LockStatus", v.lock_status}}));
    wmi.SetMethod(path, "GetConversionStatus",
                  Ok({{"ConversionStatus", v.conversion_status},
                      {"EncryptionPercentage", v.percentage},
                      {"EncryptionFlags", v.encryption_flags},
                      {"WipingStatus", std::int64_t{0}},
                      {"WipingPercentage", std::int64_t{0}}}));
    wmi.SetMethod(path, "GetEncryptionMethod",
                  Ok({{"EncryptionMethod", v.method},
                      {"SelfEncryptionDriveEncryptionMethod", std::string("")}}));
    std::vector<std::string> ids;
    for (const auto& [id, type] : v.protectors) {
      ids.push_back(id);
      wmi.SetMethod(path, "GetKeyProtectorType", Ok({{"KeyProtectorType", type}}), id);
    }
    wmi.SetMethod(path, "GetKeyProtectors", Ok({{"VolumeKeyProtectorID", ids}}));
    wmi.SetMethod(path, "GetProtectionStatus", Ok({{"ProtectionStatus", v.protection_status}}));
  }
  sys.fake_wmi().AddRows("ROOT\\CIMV2", "Win32_Volume", listed);
  if (encryptable) sys.fake_wmi().AddRows(kNs, "Win32_EncryptableVolume", enc);
}

FactsDocument RunProbe(FakeWindowsSystem& sys) {
  FactsDocument facts;
  ProbeRegistry registry;
  registry.Add(NewBitLockerProbe(sys));
  registry.CollectAll(facts);
  return facts;
}

VolumeFacts Only(const FactsDocument& facts) {
  if (!facts.disk_encryption.volumes || facts.disk_encryption.volumes->size() != 1) {
    ADD_FAILURE() << "expected exactly one volume";
    return VolumeFacts{};
  }
  return facts.disk_encryption.volumes->at(0);
}

std::string Path(const std::string& device) {
  return WmiObjectPath("Win32_EncryptableVolume", "DeviceID", device);
}

TEST(BitLockerProbeTest, MapsCompliantOsVolumeLikeTheFixture) {
  FakeWindowsSystem sys;
  Install(sys, {RecordedVolume{}});
  FactsDocument facts = RunProbe(sys);
  ASSERT_TRUE(facts.probe_errors.empty());
  const VolumeFacts v = Only(facts);
  EXPECT_EQ(v.mount_point, "C:");
  EXPECT_EQ(v.device, kCDevice);
  EXPECT_EQ(v.role, "system");
  EXPECT_EQ(v.encrypted, true);
  EXPECT_EQ(v.scheme, "bitlocker");
  EXPECT_EQ(v.cipher, "xts-aes-256");
  EXPECT_EQ(v.key_bits, 512);
  EXPECT_EQ(v.uuid, "8f2c1d3e-4a5b-4c6d-8e7f-901a2b3c4d5e");
  EXPECT_EQ(v.key_protectors, (std::vector<std::string>{"tpm+pin", "recovery"}));
  EXPECT_EQ(v.protection, "on");
  EXPECT_EQ(v.conversion, "encrypted");
  EXPECT_EQ(v.conversion_percent, 100.0);
  EXPECT_EQ(v.fstype, "ntfs");
  EXPECT_EQ(v.removable, false);
  EXPECT_FALSE(v.reason.has_value()) << *v.reason;
  EXPECT_FALSE(facts.disk_encryption.reason.has_value());
  // The document carries null, not absent, for the Linux stack members.
  auto json = VolumeToJson(v).as_object();
  EXPECT_TRUE(json.at("encryption_device").is_null());
  EXPECT_TRUE(json.at("keyslots").is_null());
  EXPECT_TRUE(json.at("stack").as_array().empty());
}

TEST(BitLockerProbeTest, CallsMethodsRatherThanReadingCachedProperties) {
  FakeWindowsSystem sys;
  Install(sys, {RecordedVolume{}});
  RunProbe(sys);
  const auto& calls = sys.fake_wmi().calls;
  for (const char* m : {"GetLockStatus", "GetConversionStatus", "GetEncryptionMethod",
                        "GetKeyProtectors", "GetProtectionStatus"}) {
    EXPECT_NE(std::find(calls.begin(), calls.end(), m), calls.end()) << m;
  }
  EXPECT_NE(std::find(calls.begin(), calls.end(),
                      "GetKeyProtectorType({0D1E2F30-0000-4000-8000-000000000001})"),
            calls.end());
}

TEST(BitLockerProbeTest, MapsEveryConversionStatus) {
  struct Case {
    std::int64_t status;
    std::optional<bool> encrypted;
    std::optional<std::string> conversion;
    std::optional<std::string> scheme;
  };
  const Case cases[] = {
      {0, false, "decrypted", std::nullopt},         {1, true, "encrypted", "bitlocker"},
      {2, false, "encrypting", "bitlocker"},         {3, false, "decrypting", "bitlocker"},
      {4, false, "encryption_paused", "bitlocker"},  {5, false, "decryption_paused", "bitlocker"},
      {6, std::nullopt, std::nullopt, std::nullopt},  // a value this agent does not know
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.status);
    FakeWindowsSystem sys;
    RecordedVolume rv;
    rv.conversion_status = c.status;
    Install(sys, {rv});
    const VolumeFacts v = Only(RunProbe(sys));
    EXPECT_EQ(v.encrypted, c.encrypted);
    EXPECT_EQ(v.conversion, c.conversion);
    EXPECT_EQ(v.scheme, c.scheme);
    if (c.status == 6) {
      ASSERT_TRUE(v.reason.has_value());
      EXPECT_NE(v.reason->find("unknown ConversionStatus 6"), std::string::npos) << *v.reason;
      EXPECT_FALSE(v.conversion_percent.has_value());
    }
  }
}

TEST(BitLockerProbeTest, ReportsConversionPercentInTenths) {
  FakeWindowsSystem sys;
  RecordedVolume rv;
  rv.conversion_status = 2;
  rv.percentage = 523;
  Install(sys, {rv});
  const VolumeFacts v = Only(RunProbe(sys));
  EXPECT_EQ(v.conversion, "encrypting");
  EXPECT_DOUBLE_EQ(*v.conversion_percent, 52.3);
  EXPECT_EQ(v.encrypted, false);
  EXPECT_EQ(v.protection, "on");
}

TEST(BitLockerProbeTest, MapsEveryEncryptionMethod) {
  struct Case {
    std::int64_t method;
    std::optional<std::string> cipher;
    std::optional<int> key_bits;
    bool reason;
  };
  const Case cases[] = {
      {0, std::nullopt, std::nullopt, false},  {1, "aes-cbc-128-diffuser", 128, false},
      {2, "aes-cbc-256-diffuser", 256, false}, {3, "aes-cbc-128", 128, false},
      {4, "aes-cbc-256", 256, false},          {5, "hardware", std::nullopt, false},
      {6, "xts-aes-128", 256, false},          {7, "xts-aes-256", 512, false},
      {8, std::nullopt, std::nullopt, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.method);
    FakeWindowsSystem sys;
    RecordedVolume rv;
    rv.method = c.method;
    Install(sys, {rv});
    const VolumeFacts v = Only(RunProbe(sys));
    EXPECT_EQ(v.cipher, c.cipher);
    EXPECT_EQ(v.key_bits, c.key_bits);
    EXPECT_EQ(v.reason.has_value(), c.reason);
    if (c.reason) {
      EXPECT_NE(v.reason->find("unknown EncryptionMethod 8"), std::string::npos);
    }
  }
}

TEST(BitLockerProbeTest, MapsEveryKeyProtectorTypeInOrderWithoutDuplicates) {
  FakeWindowsSystem sys;
  RecordedVolume rv;
  rv.protectors.clear();
  for (std::int64_t t : {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 3, 11}) {
    rv.protectors.emplace_back("{id-" + std::to_string(rv.protectors.size()) + "}", t);
  }
  Install(sys, {rv});
  const VolumeFacts v = Only(RunProbe(sys));
  EXPECT_EQ(v.key_protectors,
            (std::vector<std::string>{"tpm", "external_key", "recovery", "tpm+pin",
                                      "tpm+startup_key", "tpm+pin+startup_key", "public_key",
                                      "passphrase", "tpm_certificate", "ad_account", "unknown"}));
  ASSERT_TRUE(v.reason.has_value());
  EXPECT_NE(v.reason->find("unknown KeyProtectorType 11"), std::string::npos) << *v.reason;
}

TEST(BitLockerProbeTest, DecryptedVolumeHasNoSchemeNoProtectorsAndProtectionOff) {
  FakeWindowsSystem sys;
  RecordedVolume rv;
  rv.conversion_status = 0;
  rv.percentage = 0;
  rv.method = 0;
  rv.protectors.clear();
  rv.protection_status = 0;
  rv.persistent_id = "";
  Install(sys, {rv});
  const VolumeFacts v = Only(RunProbe(sys));
  EXPECT_EQ(v.encrypted, false);
  EXPECT_FALSE(v.scheme.has_value());
  EXPECT_FALSE(v.cipher.has_value());
  EXPECT_FALSE(v.uuid.has_value());
  EXPECT_EQ(v.key_protectors, std::vector<std::string>{});
  EXPECT_EQ(v.protection, "off");
  EXPECT_EQ(v.conversion, "decrypted");
  EXPECT_FALSE(v.reason.has_value());
}

TEST(BitLockerProbeTest, EncryptedWithProtectorsButProtectionOffIsSuspended) {
  FakeWindowsSystem sys;
  RecordedVolume rv;
  rv.protection_status = 0;
  Install(sys, {rv});
  const VolumeFacts v = Only(RunProbe(sys));
  EXPECT_EQ(v.encrypted, true);
  EXPECT_EQ(v.protection, "suspended");
}

TEST(BitLockerProbeTest, EncryptedWithoutProtectorsIsOffAsDeviceEncryptionAwaitingActivation) {
  FakeWindowsSystem sys;
  RecordedVolume rv;
  rv.protection_status = 0;
  rv.protectors.clear();
  Install(sys, {rv});
  const VolumeFacts v = Only(RunProbe(sys));
  EXPECT_EQ(v.encrypted, true);
  EXPECT_EQ(v.protection, "off");
  EXPECT_EQ(v.key_protectors, std::vector<std::string>{});
}

TEST(BitLockerProbeTest, LockedVolumeIsEncryptedAndOnWithUnknownConversion) {
  FakeWindowsSystem sys;
  RecordedVolume rv;
  rv.device = kDDevice;
  rv.name = "D:\\";
  rv.volume_type = 1;
  rv.lock_status = 1;
  rv.protection_status = 2;  // "unknown", what a locked volume reports
  rv.protectors = {{"{p1}", 8}, {"{p2}", 3}};
  Install(sys, {RecordedVolume{}, rv});  // the OS volume C: and the locked D:
  // A locked volume refuses GetConversionStatus with FVE_E_LOCKED_VOLUME.
  sys.fake_wmi().SetMethod(Path(kDDevice), "GetConversionStatus",
                           {{"ReturnValue", std::int64_t{-2144272384}}});
  const FactsDocument facts = RunProbe(sys);
  ASSERT_EQ(facts.disk_encryption.volumes->size(), 2u);
  const VolumeFacts v = facts.disk_encryption.volumes->at(1);
  ASSERT_EQ(v.mount_point, "D:");
  EXPECT_EQ(v.role, "data");
  EXPECT_EQ(v.encrypted, true);
  EXPECT_EQ(v.scheme, "bitlocker");
  EXPECT_EQ(v.protection, "on");
  EXPECT_FALSE(v.conversion.has_value());
  EXPECT_EQ(v.key_protectors, (std::vector<std::string>{"passphrase", "recovery"}));
  // Only the unlocked C: was asked for its conversion status.
  EXPECT_EQ(1, std::count(sys.fake_wmi().calls.begin(), sys.fake_wmi().calls.end(),
                          "GetConversionStatus"));
}

TEST(BitLockerProbeTest, NonZeroReturnValueNullsThatFieldWithTheCodeInHex) {
  FakeWindowsSystem sys;
  Install(sys, {RecordedVolume{}});
  sys.fake_wmi().SetMethod(Path(kCDevice), "GetEncryptionMethod",
                           {{"ReturnValue", std::int64_t{-2144272384}}});
  sys.fake_wmi().SetMethod(Path(kCDevice), "GetKeyProtectors",
                           {{"ReturnValue", std::int64_t{0x80041008}}});
  const VolumeFacts v = Only(RunProbe(sys));
  EXPECT_FALSE(v.cipher.has_value());
  EXPECT_FALSE(v.key_bits.has_value());
  EXPECT_FALSE(v.key_protectors.has_value());
  EXPECT_EQ(v.encrypted, true);  // the other calls still answered
  EXPECT_EQ(v.protection, "on");
  ASSERT_TRUE(v.reason.has_value());
  EXPECT_NE(v.reason->find("GetEncryptionMethod returned 0x80310000 (FVE_E_LOCKED_VOLUME)"),
            std::string::npos)
      << *v.reason;
  EXPECT_NE(v.reason->find("GetKeyProtectors returned 0x80041008"), std::string::npos) << *v.reason;
}

TEST(BitLockerProbeTest, ProtectionOffWithUnreadableProtectorsIsUnknownNotOff) {
  FakeWindowsSystem sys;
  RecordedVolume rv;
  rv.protection_status = 0;
  Install(sys, {rv});
  sys.fake_wmi().FailMethod(Path(kCDevice), "GetKeyProtectors",
                            PermissionDeniedError("0x80041003 (WBEM_E_ACCESS_DENIED)"));
  const VolumeFacts v = Only(RunProbe(sys));
  EXPECT_FALSE(v.protection.has_value());
  EXPECT_FALSE(v.key_protectors.has_value());
  EXPECT_NE(v.reason->find("GetKeyProtectors: 0x80041003"), std::string::npos) << *v.reason;
}

TEST(BitLockerProbeTest, UnknownLockAndProtectionStatusesAreNullWithReason) {
  FakeWindowsSystem sys;
  RecordedVolume rv;
  rv.lock_status = 7;
  rv.protection_status = 9;
  Install(sys, {rv});
  const VolumeFacts v = Only(RunProbe(sys));
  EXPECT_FALSE(v.protection.has_value());
  EXPECT_EQ(v.encrypted, true);  // from ConversionStatus
  EXPECT_NE(v.reason->find("unknown LockStatus 7"), std::string::npos) << *v.reason;
  EXPECT_NE(v.reason->find("unknown ProtectionStatus 9"), std::string::npos) << *v.reason;
}

TEST(BitLockerProbeTest, ProtectionStatusUnknownOnUnlockedVolumeIsNull) {
  FakeWindowsSystem sys;
  RecordedVolume rv;
  rv.protection_status = 2;
  Install(sys, {rv});
  const VolumeFacts v = Only(RunProbe(sys));
  EXPECT_FALSE(v.protection.has_value());
  EXPECT_EQ(v.encrypted, true);
  EXPECT_EQ(v.reason, "GetProtectionStatus: ProtectionStatus 2 (unknown) on an unlocked volume");
}

TEST(BitLockerProbeTest, NamespaceAbsentIsUnknownNeverNotEncrypted) {
  FakeWindowsSystem sys;
  Install(sys, {RecordedVolume{}}, /*encryptable=*/false);
  FactsDocument facts = RunProbe(sys);
  EXPECT_TRUE(facts.probe_errors.empty());
  const VolumeFacts v = Only(facts);
  EXPECT_EQ(v.mount_point, "C:");
  EXPECT_FALSE(v.encrypted.has_value());
  EXPECT_FALSE(v.protection.has_value());
  EXPECT_FALSE(v.key_protectors.has_value());
  ASSERT_TRUE(v.reason.has_value());
  EXPECT_NE(v.reason->find("0x8004100E"), std::string::npos) << *v.reason;
  EXPECT_EQ(v.role, "system");  // from Win32_Volume.BootVolume
  EXPECT_NE(v.reason->find("BitLocker status not read"), std::string::npos);
  EXPECT_FALSE(facts.disk_encryption.reason.has_value());
}

TEST(BitLockerProbeTest, AccessDeniedIsUnknownAndAsksForAdministrator) {
  FakeWindowsSystem sys;
  Install(sys, {RecordedVolume{}}, /*encryptable=*/false);
  sys.fake_wmi().FailQuery(kNs, "Win32_EncryptableVolume",
                           PermissionDeniedError("0x80041003 (WBEM_E_ACCESS_DENIED)"));
  const VolumeFacts v = Only(RunProbe(sys));
  EXPECT_FALSE(v.encrypted.has_value());
  ASSERT_TRUE(v.reason.has_value());
  EXPECT_NE(v.reason->find("0x80041003"), std::string::npos) << *v.reason;
  EXPECT_NE(v.reason->find("run as administrator"), std::string::npos) << *v.reason;
}

TEST(BitLockerProbeTest, VolumesUnlistableFailsTheProbeWithNullVolumes) {
  FakeWindowsSystem sys;
  sys.fake_wmi().FailQuery("ROOT\\CIMV2", "Win32_Volume",
                           UnavailableError("0x800706BA (RPC_S_SERVER_UNAVAILABLE)"));
  FactsDocument facts = RunProbe(sys);
  EXPECT_FALSE(facts.disk_encryption.volumes.has_value());
  ASSERT_EQ(facts.probe_errors.size(), 1u);
  EXPECT_EQ(facts.probe_errors[0].probe, "disk_encryption");
  EXPECT_NE(facts.disk_encryption.reason->find("Win32_Volume"), std::string::npos);
  EXPECT_NE(facts.disk_encryption.reason->find("0x800706BA"), std::string::npos);
}

TEST(BitLockerProbeTest, AVolumeListWithoutTheWindowsVolumeFailsTheProbe) {
  // Wine's Win32_Volume has no instances; real Windows always lists the volume it runs from.
  FakeWindowsSystem sys;
  sys.fake_wmi().AddRows("ROOT\\CIMV2", "Win32_Volume", {});
  FactsDocument facts = RunProbe(sys);
  EXPECT_FALSE(facts.disk_encryption.volumes.has_value());
  ASSERT_TRUE(facts.disk_encryption.reason.has_value());
  EXPECT_NE(facts.disk_encryption.reason->find("none holding Windows"), std::string::npos)
      << *facts.disk_encryption.reason;

  RecordedVolume data;  // a data volume alone: the list is still incomplete
  data.device = kDDevice;
  data.name = "D:\\";
  data.volume_type = 1;  // a data volume: BootVolume false
  FakeWindowsSystem only_data;
  Install(only_data, {data});
  EXPECT_FALSE(RunProbe(only_data).disk_encryption.volumes.has_value());
}

TEST(BitLockerProbeTest, MapsRolesAndSkipsVolumesWithoutMountPoint) {
  FakeWindowsSystem sys;
  RecordedVolume data;
  data.device = kDDevice;
  data.name = "D:\\";
  data.volume_type = 1;
  RecordedVolume usb;
  usb.device = "\\\\?\\Volume{aaaaaaaa-0000-0000-0000-000000000001}\\";
  usb.name = "E:\\";
  usb.file_system = "exFAT";
  usb.drive_type = 2;
  usb.volume_type = 2;
  RecordedVolume folder;
  folder.device = "\\\\?\\Volume{aaaaaaaa-0000-0000-0000-000000000002}\\";
  folder.name = "C:\\Data\\";
  folder.volume_type = 1;
  RecordedVolume recovery;  // the recovery partition: no letter, no mount folder
  recovery.device = "\\\\?\\Volume{aaaaaaaa-0000-0000-0000-000000000003}\\";
  recovery.name = recovery.device;
  Install(sys, {RecordedVolume{}, data, usb, folder, recovery});
  FactsDocument facts = RunProbe(sys);
  ASSERT_EQ(facts.disk_encryption.volumes->size(), 4u);
  const auto& vs = *facts.disk_encryption.volumes;
  EXPECT_EQ(vs[0].mount_point, "C:");
  EXPECT_EQ(vs[0].role, "system");
  EXPECT_EQ(vs[1].mount_point, "C:\\Data");
  EXPECT_EQ(vs[1].role, "data");
  EXPECT_EQ(vs[2].mount_point, "D:");
  EXPECT_EQ(vs[2].role, "data");
  EXPECT_EQ(vs[3].mount_point, "E:");
  EXPECT_EQ(vs[3].role, "removable");
  EXPECT_EQ(vs[3].removable, true);
  EXPECT_EQ(vs[3].fstype, "exfat");
}

TEST(BitLockerProbeTest, VolumeUnknownToBitLockerIsUnknownWithReason) {
  FakeWindowsSystem sys;
  Install(sys, {RecordedVolume{}});
  auto listed = sys.fake_wmi().Query("ROOT\\CIMV2", "SELECT * FROM Win32_Volume");
  ASSERT_TRUE(listed.ok());
  listed->push_back(
      {{"DeviceID", std::string("\\\\?\\Volume{cd000000-0000-0000-0000-0000000000cd}\\")},
       {"Name", std::string("F:\\")},
       {"FileSystem", std::string("CDFS")},
       {"DriveType", std::int64_t{5}}});
  sys.fake_wmi().AddRows("ROOT\\CIMV2", "Win32_Volume", *listed);
  FactsDocument facts = RunProbe(sys);
  ASSERT_EQ(facts.disk_encryption.volumes->size(), 2u);
  const VolumeFacts& f = facts.disk_encryption.volumes->at(1);
  EXPECT_EQ(f.mount_point, "F:");
  EXPECT_FALSE(f.encrypted.has_value());
  EXPECT_EQ(f.reason, "not listed by Win32_EncryptableVolume");
}

// The Windows-only members of a volume, as the JSON document carries them.
boost::json::object Extras(const VolumeFacts& v) {
  auto o = VolumeToJson(v).as_object();
  return {{"lock_status", o.at("lock_status")},
          {"used_space_only", o.at("used_space_only")},
          {"encryption_method", o.at("encryption_method")}};
}

TEST(BitLockerProbeTest, ReportsLockStatusUsedSpaceOnlyAndMethodNameOnUnlockedVolume) {
  FakeWindowsSystem sys;
  Install(sys, {RecordedVolume{}});
  const boost::json::object want{
      {"lock_status", "unlocked"}, {"used_space_only", false}, {"encryption_method", "XtsAes256"}};
  EXPECT_EQ(Extras(Only(RunProbe(sys))), want);
}

TEST(BitLockerProbeTest, UsedSpaceOnlyIsBitZeroOfEncryptionFlags) {
  struct Case {
    WmiValue flags;
    std::optional<bool> used_space_only;
  };
  const Case cases[] = {{std::int64_t{1}, true},
                        {std::int64_t{3}, true},
                        {std::int64_t{2}, false},
                        {std::int64_t{0}, false},
                        {std::monostate{}, std::nullopt}};  // not reported: unknown
  for (const Case& c : cases) {
    FakeWindowsSystem sys;
    RecordedVolume rv;
    rv.encryption_flags = c.flags;
    Install(sys, {rv});
    const auto got = Extras(Only(RunProbe(sys))).at("used_space_only");
    if (c.used_space_only) {
      EXPECT_EQ(got, *c.used_space_only);
    } else {
      EXPECT_TRUE(got.is_null());
    }
  }
}

TEST(BitLockerProbeTest, MapsEveryEncryptionMethodName) {
  const char* const names[] = {
      nullptr,    "Aes128Diffuser", "Aes256Diffuser", "Aes128", "Aes256",
      "Hardware", "XtsAes128",      "XtsAes256",      nullptr};  // 0 none, 8 unknown
  for (std::int64_t method = 0; method <= 8; ++method) {
    SCOPED_TRACE(method);
    FakeWindowsSystem sys;
    RecordedVolume rv;
    rv.method = method;
    Install(sys, {rv});
    const auto got = Extras(Only(RunProbe(sys))).at("encryption_method");
    const char* want = names[method];
    if (want == nullptr) {
      EXPECT_TRUE(got.is_null());
    } else {
      EXPECT_EQ(got, want);
    }
  }
}

TEST(BitLockerProbeTest, DecryptedVolumeHasNullUsedSpaceOnlyAndMethod) {
  FakeWindowsSystem sys;
  RecordedVolume rv;
  rv.conversion_status = 0;
  rv.percentage = 0;
  rv.method = 0;
  rv.encryption_flags = std::int64_t{1};  // a leftover flag says nothing about plain data
  rv.protectors.clear();
  rv.protection_status = 0;
  Install(sys, {rv});
  const boost::json::object want{
      {"lock_status", "unlocked"}, {"used_space_only", nullptr}, {"encryption_method", nullptr}};
  EXPECT_EQ(Extras(Only(RunProbe(sys))), want);
}

TEST(BitLockerProbeTest, LockedVolumeReportsLockedAndUnknownUsedSpaceOnly) {
  FakeWindowsSystem sys;
  RecordedVolume rv;
  rv.lock_status = 1;
  rv.protection_status = 2;
  Install(sys, {rv});
  sys.fake_wmi().SetMethod(Path(kCDevice), "GetConversionStatus",
                           {{"ReturnValue", std::int64_t{-2144272384}}});
  const VolumeFacts v = Only(RunProbe(sys));
  EXPECT_EQ(v.protection, "on");
  EXPECT_EQ(v.encrypted, true);
  EXPECT_FALSE(v.conversion.has_value());
  EXPECT_FALSE(v.conversion_percent.has_value());
  const boost::json::object want{
      {"lock_status", "locked"}, {"used_space_only", nullptr}, {"encryption_method", "XtsAes256"}};
  EXPECT_EQ(Extras(v), want);
}

TEST(BitLockerProbeTest, UnknownOrFailedLockStatusIsNull) {
  {
    FakeWindowsSystem sys;
    RecordedVolume rv;
    rv.lock_status = 7;
    Install(sys, {rv});
    EXPECT_TRUE(Extras(Only(RunProbe(sys))).at("lock_status").is_null());
  }
  {
    FakeWindowsSystem sys;
    Install(sys, {RecordedVolume{}});
    sys.fake_wmi().SetMethod(Path(kCDevice), "GetLockStatus",
                             {{"ReturnValue", std::int64_t{0x80041003}}});
    const VolumeFacts v = Only(RunProbe(sys));
    EXPECT_TRUE(Extras(v).at("lock_status").is_null());
    ASSERT_TRUE(v.reason.has_value());
    EXPECT_NE(v.reason->find("GetLockStatus returned 0x80041003"), std::string::npos) << *v.reason;
  }
}

TEST(BitLockerProbeTest, WindowsOnlyMembersArePresentAndNullWhenBitLockerUnreadable) {
  FakeWindowsSystem sys;
  Install(sys, {RecordedVolume{}}, /*encryptable=*/false);
  sys.fake_wmi().FailQuery(kNs, "Win32_EncryptableVolume",
                           PermissionDeniedError("0x80041003 (WBEM_E_ACCESS_DENIED)"));
  const boost::json::object want{
      {"lock_status", nullptr}, {"used_space_only", nullptr}, {"encryption_method", nullptr}};
  EXPECT_EQ(Extras(Only(RunProbe(sys))), want);
}

TEST(BitLockerProbeTest, ExtrasNeverOverwriteNormativeMembers) {
  VolumeFacts v;
  v.device = "d";
  v.role = "data";
  v.extra["role"] = "system";
  v.extra["lock_status"] = "unlocked";
  auto o = VolumeToJson(v).as_object();
  EXPECT_EQ(o.at("role"), "data");
  EXPECT_EQ(o.at("lock_status"), "unlocked");
  // A volume without extras (Linux) gains no member.
  VolumeFacts plain;
  EXPECT_FALSE(VolumeToJson(plain).as_object().contains("lock_status"));
}

}  // namespace
}  // namespace bulwark
