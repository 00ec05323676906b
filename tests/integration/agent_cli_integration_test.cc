// Runs the real bulwark-agent binary: GNU-style options, JSON output over a fixture root with a
// real LUKS header, the unprivileged degradation (run as 'nobody'), and the live machine.
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/parse.hpp>

#include "platform/linux/posix_command_runner.h"
#include "tests/testing/luks_fixture.h"
#include "tests/testing/sysfs_fixture.h"

namespace bulwark {
namespace {

namespace json = boost::json;
using testing::DumpLuks;
using testing::SysfsFixture;
using testing::TempDir;

CommandResult Agent(const std::vector<std::string>& args, CommandOptions options = {}) {
  std::vector<std::string> argv = {BULWARK_AGENT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  options.timeout = std::chrono::seconds(30);
  PosixCommandRunner runner;
  auto r = runner.Run(argv, options);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : CommandResult{-1, "", ""};
}

int Lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

TEST(AgentBinaryTest, VersionHelpAndBadOptions) {
  auto version = Agent({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.stdout_data.rfind("bulwark-agent ", 0), 0u);
  auto help = Agent({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.stdout_data.find("facts"), std::string::npos);
  auto bad = Agent({"facts", "--frobnicate"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(Lines(bad.stderr_data), 1) << bad.stderr_data;
  EXPECT_TRUE(bad.stdout_data.empty());
  auto no_root = Agent({"facts", "--root", "/nonexistent/bulwark"});
  EXPECT_EQ(no_root.exit_code, 1);
  EXPECT_EQ(Lines(no_root.stderr_data), 1) << no_root.stderr_data;
}

class AgentFixtureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sys_.AddDisk("nvme0n1", 259, 0, false, "nvme");
    sys_.AddPartition("nvme0n1", "nvme0n1p1", 259, 1);
    sys_.AddPartition("nvme0n1", "nvme0n1p2", 259, 2);
    image_ = sys_.DevicePath("nvme0n1p2");
    testing::LuksImageOptions options;
    options.tokens = {"systemd-tpm2"};
    testing::MakeLuksImage(image_, options);
    ::chmod(image_.c_str(), 0600);  // as a real block device node: root only
    uuid_ = DumpLuks(image_).uuid;
    std::string hex = uuid_;
    hex.erase(std::remove(hex.begin(), hex.end(), '-'), hex.end());
    sys_.AddDm("dm-0", 254, 0, "luks-" + uuid_, "CRYPT-LUKS2-" + hex + "-luks-" + uuid_,
               {"nvme0n1p2"});
    sys_.AddPseudoMounts();
    sys_.AddMount(254, 0, "/", "ext4", "/dev/mapper/luks-" + uuid_);
    sys_.AddMount(259, 1, "/boot/efi", "vfat", "/dev/nvme0n1p1");
    sys_.Write();
    root_.WriteFile("/etc/os-release", "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian 12\"\n");
    root_.WriteFile("/etc/hostname", "fixture-host\n");
    root_.WriteFile("/etc/machine-id", "0123456789abcdef0123456789abcdef\n");
  }

  static const json::object* Volume(const json::value& doc, const std::string& mount) {
    for (const auto& v : doc.at("disk_encryption").at("volumes").as_array()) {
      const auto& o = v.as_object();
      if (o.at("mount_point").is_string() && o.at("mount_point").as_string() == mount) return &o;
    }
    return nullptr;
  }

  TempDir root_;
  SysfsFixture sys_{root_};
  std::string image_;
  std::string uuid_;
};

TEST_F(AgentFixtureTest, FactsJsonOverAFixtureRootMatchesLuksDump) {
  auto r = Agent({"facts", "--json", "--root", root_.path()});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_EQ(Lines(r.stdout_data), 1);
  json::value doc = json::parse(r.stdout_data);
  EXPECT_EQ(doc.at("schema").as_string(), "bulwark.facts/1");
  EXPECT_EQ(doc.at("host").at("hostname").as_string(), "fixture-host");
  EXPECT_EQ(doc.at("os").at("id").as_string(), "debian");
  const json::object* root = Volume(doc, "/");
  ASSERT_NE(root, nullptr) << r.stdout_data;
  auto dump = DumpLuks(image_);
  EXPECT_EQ(root->at("role").as_string(), "system");
  EXPECT_EQ(root->at("encrypted").as_bool(), true);
  EXPECT_EQ(root->at("scheme").as_string(), "luks2");
  EXPECT_EQ(root->at("cipher").as_string(), dump.cipher);
  EXPECT_EQ(root->at("key_bits").as_int64(), dump.key_bits);
  EXPECT_EQ(root->at("uuid").as_string(), dump.uuid);
  EXPECT_EQ(root->at("key_protectors"), (json::array{"passphrase", "tpm2"}));
  EXPECT_TRUE(root->at("reason").is_null());
  const json::object* efi = Volume(doc, "/boot/efi");
  ASSERT_NE(efi, nullptr);
  EXPECT_EQ(efi->at("encrypted").as_bool(), false);
  EXPECT_EQ(doc.at("disk_encryption").at("volumes").as_array().size(), 2u);

  auto table = Agent({"facts", "--root", root_.path()});
  ASSERT_EQ(table.exit_code, 0);
  EXPECT_NE(table.stdout_data.find("passphrase,tpm2"), std::string::npos) << table.stdout_data;
}

TEST_F(AgentFixtureTest, UnprivilegedRunDegradesToDmFactsWithReasons) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch to the 'nobody' user";
  struct passwd* nobody = ::getpwnam("nobody");
  ASSERT_NE(nobody, nullptr);
  CommandOptions as_nobody;
  as_nobody.run_as_uid = nobody->pw_uid;
  as_nobody.run_as_gid = nobody->pw_gid;
  auto r = Agent({"facts", "--json", "--root", root_.path()}, as_nobody);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  json::value doc = json::parse(r.stdout_data);
  const json::object* root = Volume(doc, "/");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->at("encrypted").as_bool(), true) << "known from the dm uuid without the header";
  EXPECT_EQ(root->at("scheme").as_string(), "luks2");
  EXPECT_EQ(root->at("uuid").as_string(), uuid_);
  EXPECT_TRUE(root->at("cipher").is_null());
  EXPECT_TRUE(root->at("key_bits").is_null());
  EXPECT_TRUE(root->at("key_protectors").is_null());
  ASSERT_TRUE(root->at("reason").is_string());
  EXPECT_NE(std::string(root->at("reason").as_string()).find("run as root"), std::string::npos)
      << root->at("reason");
}

TEST(AgentLiveTest, FactsOfThisMachineAreAWellFormedDocument) {
  auto r = Agent({"facts", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.stderr_data;
  json::value doc = json::parse(r.stdout_data);
  EXPECT_EQ(doc.at("schema").as_string(), "bulwark.facts/1");
  EXPECT_EQ(doc.at("os").at("family").as_string(), "linux");
  ASSERT_TRUE(doc.at("disk_encryption").at("volumes").is_array())
      << doc.at("disk_encryption").at("reason");
  for (const auto& v : doc.at("disk_encryption").at("volumes").as_array()) {
    const auto& o = v.as_object();
    // Unknown must come with a reason.
    if (o.at("encrypted").is_null()) {
      EXPECT_TRUE(o.at("reason").is_string()) << v;
    }
    EXPECT_TRUE(o.at("role").is_string());
  }
}

}  // namespace
}  // namespace bulwark
