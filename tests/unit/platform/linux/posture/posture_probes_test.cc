#include "platform/linux/posture/posture_probes.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "tests/unit/platform/linux/posture/posture_test_support.h"

namespace bulwark {
namespace {

namespace json = boost::json;
using testing::PostureFixture;

constexpr const char* kHardeningKeys[] = {"aslr",        "automatic_updates", "crypttab",
                                          "os_support",  "pending_updates",   "screen_lock",
                                          "secure_boot", "ssh_server"};

void WriteMinimalDebian(const testing::TempDir& dir) {
  dir.WriteFile("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
  dir.WriteFile("etc/passwd",
                "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n");
  dir.WriteFile("etc/group", "root:x:0:\nsudo:x:27:alice\n");
  dir.WriteFile("proc/sys/kernel/randomize_va_space", "2\n");
  dir.WriteFile("proc/1/comm", "systemd\n");
}

FactsDocument CollectAll(PostureFixture& f) {
  ProbeRegistry registry;
  RegisterPostureProbes(f.system, registry);
  EXPECT_EQ(registry.size(), 10u);
  FactsDocument facts;
  registry.CollectAll(facts);
  return facts;
}

TEST(PostureProbesTest, EverySectionAndFieldIsPresentOnAMinimalRoot) {
  PostureFixture f;
  WriteMinimalDebian(f.dir);
  const FactsDocument facts = CollectAll(f);
  EXPECT_TRUE(facts.probe_errors.empty()) << facts.probe_errors[0].reason;
  const json::object doc = testing::FactsJson(facts);
  const json::object& admins = doc.at("local_admins").as_object();
  for (const char* k : {"members", "console_user", "console_user_is_admin", "reason",
                        "nopasswd_grants", "uid0_accounts"}) {
    EXPECT_TRUE(admins.contains(k)) << k;
  }
  EXPECT_EQ(json::serialize(admins.at("members")),
            R"([{"name":"alice","id":"1000","via":["group:sudo"]}])");
  const json::object& ep = doc.at("endpoint_protection").as_object();
  EXPECT_TRUE(ep.at("antivirus").is_array());
  for (const char* k : {"enabled", "backend", "default_inbound", "reason"}) {
    EXPECT_TRUE(ep.at("firewall").as_object().contains(k)) << k;
  }
  for (const char* k : {"name", "mode", "reason"}) {
    EXPECT_TRUE(ep.at("mac").as_object().contains(k)) << k;
  }
  const json::object& hardening = doc.at("hardening").as_object();
  EXPECT_EQ(hardening.size(), std::size(kHardeningKeys));
  for (const char* k : kHardeningKeys) {
    ASSERT_TRUE(hardening.contains(k)) << k;
    EXPECT_TRUE(hardening.at(k).as_object().contains("reason")) << k;
  }
  EXPECT_EQ(hardening.at("aslr").at("full"), true);
  EXPECT_EQ(hardening.at("os_support").at("supported"), true);
  // Against a fixture root no command is ever run.
  EXPECT_TRUE(f.runner.calls.empty());
}

TEST(PostureProbesTest, AFailingProbeIsRecordedAndTheOthersStillReport) {
  PostureFixture f;
  WriteMinimalDebian(f.dir);
  f.faulty.explode.insert("/etc/passwd");  // reading accounts throws
  const FactsDocument facts = CollectAll(f);
  bool admins_failed = false;
  for (const auto& e : facts.probe_errors) {
    if (e.probe == "local_admins") admins_failed = true;
    EXPECT_NE(e.reason.find("injected failure"), std::string::npos) << e.probe;
  }
  EXPECT_TRUE(admins_failed);
  EXPECT_FALSE(facts.local_admins.members.has_value());
  EXPECT_NE(facts.local_admins.reason->find("injected failure"), std::string::npos);
  EXPECT_TRUE(facts.endpoint_protection.antivirus.has_value());
  EXPECT_EQ(facts.hardening.at("aslr").at("full"), true);
  EXPECT_EQ(facts.hardening.size(), std::size(kHardeningKeys));
}

TEST(PostureProbesTest, EmptyRootNeverFails) {
  PostureFixture f;
  const FactsDocument facts = CollectAll(f);
  EXPECT_TRUE(facts.probe_errors.empty());
  EXPECT_FALSE(facts.local_admins.members.has_value());
  EXPECT_TRUE(facts.local_admins.reason.has_value());
  EXPECT_EQ(facts.hardening.size(), std::size(kHardeningKeys));
}

}  // namespace
}  // namespace bulwark
