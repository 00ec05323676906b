// The shipped baseline policies: they pass the signed-bundle schema (P6, P7, P11 with the real
// JSON Logic validator), every check is complete, and on fixture facts documents they give
// exactly the expected pass / fail / error results. Unknown facts must be `error`, never `pass`.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/base/strings.h"
#include "policy/bundle/policy_payload.h"
#include "policy/jsonlogic/jsonlogic.h"
#include "tests/unit/policy/baselines/baseline_test_support.h"

namespace bulwark {
namespace {

namespace json = boost::json;
using policy::CheckStatus;
using testing::Evaluate;
using testing::FactsPath;
using testing::IdsWith;
using testing::LoadBaseline;
using testing::LoadJson;

struct Baseline {
  const char* file;
  const char* platform;
};
constexpr Baseline kBaselines[] = {{"linux-workstation.json", "linux"},
                                   {"windows-workstation.json", "windows"}};

bundle::Checked<bundle::Passed> Validate(const json::value& document) {
  return bundle::ValidateChecks(document, [](const auto& c) { return jsonlogic::ValidateRule(c); });
}

const json::array& Checks(const json::value& policy) { return policy.at("checks").as_array(); }

json::value* FindCheck(json::value& policy, const std::string& id) {
  for (auto& c : policy.at("checks").as_array()) {
    if (c.at("id").as_string() == id) return &c;
  }
  return nullptr;
}

// Every check id except `except`.
std::set<std::string> AllIdsExcept(const json::value& policy, const std::set<std::string>& except) {
  std::set<std::string> ids;
  for (const auto& c : Checks(policy)) {
    std::string id(c.at("id").as_string());
    if (except.count(id) == 0) ids.insert(id);
  }
  return ids;
}

// Error reasons of the results, by id (for failure messages).
std::string Reasons(const std::vector<policy::CheckResult>& results) {
  std::string out;
  for (const auto& r : results) {
    if (r.reason) out += "\n  " + r.id + ": " + *r.reason;
  }
  return out;
}

// "area.what-must-hold": two or more dot-separated words of [a-z0-9] joined by single dashes.
bool IsCheckId(std::string_view id) {
  const auto parts = Split(id, '.');
  if (parts.size() < 2) return false;
  for (std::string_view part : parts) {
    if (part.empty() || part.front() == '-' || part.back() == '-') return false;
    if (part.find("--") != std::string_view::npos) return false;
    for (char c : part) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    }
  }
  return true;
}

// "SC-28" or "SC-13, SC-28" or "AC-6(2)": SP 800-53 control ids, comma-separated.
bool IsNistControlList(std::string_view list) {
  std::size_t pos = 0;
  while (true) {
    const std::size_t end = std::min(list.find(", ", pos), list.size());
    std::string_view c = list.substr(pos, end - pos);
    if (c.size() < 4 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' || c[2] != '-') {
      return false;
    }
    std::size_t i = 3;
    const std::size_t digits_start = i;
    while (i < c.size() && c[i] >= '0' && c[i] <= '9') ++i;
    if (i == digits_start) return false;
    if (i < c.size()) {
      if (c[i] != '(' || c.back() != ')' || c.size() - i < 3) return false;
      for (std::size_t j = i + 1; j + 1 < c.size(); ++j) {
        if (c[j] < '0' || c[j] > '9') return false;
      }
    }
    if (end == list.size()) return true;
    pos = end + 2;
  }
}

TEST(BaselinesTest, IdAndControlFormsAreRecognised) {
  EXPECT_TRUE(IsCheckId("disk.system-encrypted"));
  EXPECT_TRUE(IsCheckId("accounts.single-uid0"));
  EXPECT_FALSE(IsCheckId("disk"));
  EXPECT_FALSE(IsCheckId("Disk.System"));
  EXPECT_FALSE(IsCheckId("disk..x"));
  EXPECT_FALSE(IsCheckId("disk.-x"));
  EXPECT_TRUE(IsNistControlList("SC-28"));
  EXPECT_TRUE(IsNistControlList("SC-13, SC-28"));
  EXPECT_TRUE(IsNistControlList("AC-6(2)"));
  EXPECT_FALSE(IsNistControlList("SC28"));
  EXPECT_FALSE(IsNistControlList("SC-28,SC-13"));
  EXPECT_FALSE(IsNistControlList(""));
}

// --- schema ---------------------------------------------------------------------------------

TEST(BaselinesTest, EachBaselinePassesTheSignedBundleSchema) {
  for (const auto& b : kBaselines) {
    SCOPED_TRACE(b.file);
    auto text = testing::ReadText(testing::BaselinePath(b.file));
    ASSERT_TRUE(text.has_value());
    auto payload = bundle::ParsePolicyPayload(*text);
    ASSERT_TRUE(payload.ok()) << payload.error().ToString();
    EXPECT_EQ(payload->org_id, "example-org");
    EXPECT_EQ(payload->policy_id, "baseline");
    EXPECT_EQ(payload->epoch, 1u);
    EXPECT_EQ(payload->version, 1u);
    EXPECT_EQ(payload->platforms, std::vector<std::string>{b.platform});
    EXPECT_EQ(payload->expires - payload->issued_at, std::chrono::hours(24 * 30));
    auto valid = Validate(payload->document);
    EXPECT_TRUE(valid.ok()) << valid.error().ToString();
  }
}

TEST(BaselinesTest, EveryCheckIsCompleteUniqueAndReferenced) {
  const std::map<std::string, std::int64_t> grace = {
      {"critical", 3}, {"high", 7}, {"medium", 14}, {"low", 30}};
  for (const auto& b : kBaselines) {
    SCOPED_TRACE(b.file);
    const json::value policy = LoadBaseline(b.file);
    ASSERT_TRUE(policy.is_object());
    const auto& checks = Checks(policy);
    EXPECT_GE(checks.size(), 25u);
    std::set<std::string> ids;
    for (const auto& c : checks) {
      const std::string id(c.at("id").as_string());
      SCOPED_TRACE(id);
      EXPECT_TRUE(ids.insert(id).second) << "duplicate id";
      EXPECT_TRUE(IsCheckId(id));
      EXPECT_FALSE(c.at("title").as_string().empty());
      EXPECT_EQ(json::serialize(c.at("platforms")), std::string("[\"") + b.platform + "\"]");
      const std::string severity(c.at("severity").as_string());
      ASSERT_EQ(grace.count(severity), 1u) << severity;
      EXPECT_EQ(c.at("grace_days").as_int64(), grace.at(severity));
      const auto& remediation = c.at("remediation").as_object();
      EXPECT_GE(remediation.at("summary").as_string().size(), 60u) << "summary too thin";
      ASSERT_TRUE(remediation.contains("steps"));
      EXPECT_FALSE(remediation.at("steps").as_array().empty());
      for (const auto& step : remediation.at("steps").as_array()) {
        EXPECT_FALSE(step.as_string().empty());
      }
      const auto& refs = c.at("references").as_object();
      ASSERT_TRUE(refs.contains("cis"));
      ASSERT_TRUE(refs.contains("nist-800-53"));
      EXPECT_NE(refs.at("cis").as_string().find("CIS "), json::string::npos);
      EXPECT_TRUE(IsNistControlList(refs.at("nist-800-53").as_string())) << refs.at("nist-800-53");
    }
  }
}

TEST(BaselinesTest, ValidatorRejectsABaselineWithABrokenCondition) {
  json::value policy = LoadBaseline("linux-workstation.json");
  ASSERT_TRUE(policy.is_object());
  json::value unknown_op = policy;
  FindCheck(unknown_op, "firewall.enabled")->as_object()["condition"] =
      json::object{{"equal", json::array{1, 1}}};
  auto rejected = Validate(unknown_op);
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().reason, bundle::Reason::kSchema);

  // A two-member object is a truthy constant in JSON Logic: it would make a check always pass.
  json::value two_members = policy;
  FindCheck(two_members, "firewall.enabled")->as_object()["condition"] =
      json::object{{"===", json::array{1, 1}}, {"comment", "x"}};
  EXPECT_FALSE(Validate(two_members).ok());
}

// --- Linux ------------------------------------------------------------------------------------

TEST(LinuxBaselineTest, CompliantWorkstationPassesEveryCheck) {
  const json::value policy = LoadBaseline("linux-workstation.json");
  auto results = Evaluate(policy, LoadJson(FactsPath("linux-compliant.json")));
  ASSERT_EQ(results.size(), Checks(policy).size());
  EXPECT_EQ(IdsWith(results, CheckStatus::kPass), AllIdsExcept(policy, {})) << Reasons(results);
  EXPECT_TRUE(policy::IsCompliant(results));
}

TEST(LinuxBaselineTest, TypicalLaptopFailsExactlyTheExpectedChecks) {
  const json::value policy = LoadBaseline("linux-workstation.json");
  auto results = Evaluate(policy, LoadJson(FactsPath("linux-noncompliant.json")));
  const std::set<std::string> failing = {
      "disk.swap-encrypted",       // plain swap partition
      "disk.removable-encrypted",  // exFAT USB stick
      "disk.cipher-strong",        // LUKS1 aes-cbc-essiv, 256-bit data volume
      "disk.luks2",                // same volume
      "disk.recovery-protector",   // one passphrase keyslot only
      "disk.crypttab-keyfiles-protected",
      "accounts.console-user-not-admin",
      "accounts.sudo-requires-password",
      "av.realtime",
      "av.signatures-fresh",  // 9.5 days
      "firewall.enabled",
      "firewall.inbound-default-deny",
      "screen.lock-timeout",  // 30 minutes
      "updates.no-pending-security",
      "updates.no-pending-reboot",
      "ssh.no-root-login",  // prohibit-password is not "no"
      "ssh.no-password-auth",
  };
  EXPECT_EQ(IdsWith(results, CheckStatus::kFail), failing) << Reasons(results);
  EXPECT_TRUE(IdsWith(results, CheckStatus::kError).empty()) << Reasons(results);
  EXPECT_EQ(IdsWith(results, CheckStatus::kPass), AllIdsExcept(policy, failing));
  EXPECT_FALSE(policy::IsCompliant(results));
}

TEST(LinuxBaselineTest, UnprivilegedRunReportsUnknownFactsAsErrorsNeverPass) {
  const json::value policy = LoadBaseline("linux-workstation.json");
  auto results = Evaluate(policy, LoadJson(FactsPath("linux-unknown.json")));
  const std::set<std::string> unknown = {
      "disk.cipher-strong",                // LUKS header unreadable: cipher, key_bits null
      "disk.kdf-argon2id",                 // keyslots null
      "disk.recovery-protector",           // key_protectors null
      "disk.crypttab-keyfiles-protected",  // a key file that could not be stat'ed
      "accounts.console-user-not-admin",   // sudoers unreadable
      "accounts.sudo-requires-password",
      "firewall.enabled",  // nft needs root
      "firewall.inbound-default-deny",
      "mac.enforcing",  // AppArmor profiles unreadable
      "screen.lock-enabled",
      "screen.lock-timeout",
  };
  EXPECT_EQ(IdsWith(results, CheckStatus::kError), unknown) << Reasons(results);
  EXPECT_TRUE(IdsWith(results, CheckStatus::kFail).empty()) << Reasons(results);
  EXPECT_EQ(IdsWith(results, CheckStatus::kPass), AllIdsExcept(policy, unknown));
  for (const auto& r : results) {
    if (r.status != CheckStatus::kError) continue;
    ASSERT_TRUE(r.reason.has_value()) << r.id;
    EXPECT_NE(r.reason->find("is null/unknown"), std::string::npos) << r.id << ": " << *r.reason;
  }
  EXPECT_FALSE(policy::IsCompliant(results));
}

// Mutations of the compliant Linux workstation for the edge cases the conditions must handle.
class LinuxEdgeCaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    policy_ = LoadBaseline("linux-workstation.json");
    facts_ = LoadJson(FactsPath("linux-compliant.json"));
    ASSERT_TRUE(policy_.is_object());
    ASSERT_TRUE(facts_.is_object());
  }
  json::array& Volumes() { return facts_.at("disk_encryption").at("volumes").as_array(); }
  json::object& Volume(const char* role) {
    for (auto& v : Volumes()) {
      if (v.at("role") == role) return v.as_object();
    }
    ADD_FAILURE() << "no " << role << " volume";
    return Volumes()[0].as_object();
  }
  std::map<std::string, CheckStatus> Run() {
    std::map<std::string, CheckStatus> by_id;
    for (const auto& r : Evaluate(policy_, facts_)) by_id[r.id] = r.status;
    return by_id;
  }

  json::value policy_;
  json::value facts_;
};

TEST_F(LinuxEdgeCaseTest, UnknownVolumeListIsAnErrorForEveryDiskCheck) {
  facts_.at("disk_encryption").as_object()["volumes"] = nullptr;
  facts_.at("disk_encryption").as_object()["reason"] = "proc/self/mountinfo: Permission denied";
  auto results = Evaluate(policy_, facts_);
  std::set<std::string> disk_checks;
  for (const auto& c : Checks(policy_)) {
    std::string id(c.at("id").as_string());
    if (id.rfind("disk.", 0) == 0 && id != "disk.crypttab-keyfiles-protected") {
      disk_checks.insert(id);
    }
  }
  EXPECT_EQ(disk_checks.size(), 8u);
  EXPECT_EQ(IdsWith(results, CheckStatus::kError), disk_checks) << Reasons(results);
}

TEST_F(LinuxEdgeCaseTest, NoSwapAtAllPassesTheSwapCheck) {
  auto& v = Volumes();
  v.erase(std::remove_if(v.begin(), v.end(),
                         [](const json::value& x) { return x.at("role") == "swap"; }),
          v.end());
  auto by_id = Run();
  EXPECT_EQ(by_id["disk.swap-encrypted"], CheckStatus::kPass);
  EXPECT_EQ(by_id["disk.cipher-strong"], CheckStatus::kPass);
}

TEST_F(LinuxEdgeCaseTest, AnEncryptedUsbStickDoesNotMakeAPlainSystemDiskPass) {
  json::object& system = Volume("system");
  system["encrypted"] = false;
  system["scheme"] = nullptr;
  system["cipher"] = nullptr;
  system["key_bits"] = nullptr;
  system["key_protectors"] = json::array();
  system["keyslots"] = nullptr;
  json::value usb = Volume("data");
  usb.as_object()["role"] = "removable";
  usb.as_object()["mount_point"] = "/media/alice/STICK";
  usb.as_object()["removable"] = true;
  Volumes().push_back(usb);
  auto by_id = Run();
  EXPECT_EQ(by_id["disk.system-encrypted"], CheckStatus::kFail);
  EXPECT_EQ(by_id["disk.removable-encrypted"], CheckStatus::kPass);
  EXPECT_EQ(by_id["disk.data-encrypted"], CheckStatus::kPass);
}

TEST_F(LinuxEdgeCaseTest, NoSystemVolumeInTheListFails) {
  auto& v = Volumes();
  v.erase(v.begin());  // the "/" volume (e.g. an overlay root, which is not a volume)
  EXPECT_EQ(Run()["disk.system-encrypted"], CheckStatus::kFail);
}

TEST_F(LinuxEdgeCaseTest, AVolumeOfUnknownEncryptionMakesEveryCipherCheckAnError) {
  Volume("data")["encrypted"] = nullptr;
  auto by_id = Run();
  for (const char* id : {"disk.data-encrypted", "disk.cipher-strong", "disk.luks2",
                         "disk.kdf-argon2id", "disk.recovery-protector"}) {
    EXPECT_EQ(by_id[id], CheckStatus::kError) << id;
  }
  EXPECT_EQ(by_id["disk.system-encrypted"], CheckStatus::kPass);
}

TEST_F(LinuxEdgeCaseTest, HardwareKeySlotsMayUsePbkdf2ButPassphrasesMayNot) {
  auto by_id = Run();  // the fixture's tpm2 and recovery slots use pbkdf2
  EXPECT_EQ(by_id["disk.kdf-argon2id"], CheckStatus::kPass);
  Volume("system")["keyslots"].as_array()[0].as_object()["pbkdf"] = "pbkdf2";
  EXPECT_EQ(Run()["disk.kdf-argon2id"], CheckStatus::kFail);
}

TEST_F(LinuxEdgeCaseTest, TwoPassphraseSlotsCountAsASecondProtector) {
  json::object& system = Volume("system");
  system["key_protectors"] = json::array{"passphrase"};
  system["keyslots"] =
      json::array{json::object{{"slot", 0}, {"protector", "passphrase"}, {"pbkdf", "argon2id"}},
                  json::object{{"slot", 1}, {"protector", "passphrase"}, {"pbkdf", "argon2id"}}};
  EXPECT_EQ(Run()["disk.recovery-protector"], CheckStatus::kPass);
  system["keyslots"].as_array().pop_back();
  EXPECT_EQ(Run()["disk.recovery-protector"], CheckStatus::kFail);
}

TEST_F(LinuxEdgeCaseTest, NobodyAtTheConsolePassesOnlyWhenThatIsKnown) {
  json::object& admins = facts_.at("local_admins").as_object();
  admins["console_user"] = nullptr;
  admins["console_user_is_admin"] = nullptr;
  json::object& lock = facts_.at("hardening").at("screen_lock").as_object();
  for (const char* k :
       {"console_user", "lock_enabled", "idle_delay_seconds", "lock_delay_seconds"}) {
    lock[k] = nullptr;
  }
  auto by_id = Run();
  for (const char* id :
       {"accounts.console-user-not-admin", "screen.lock-enabled", "screen.lock-timeout"}) {
    EXPECT_EQ(by_id[id], CheckStatus::kPass) << id;
  }
  admins["console_user_source"] = nullptr;  // logind and utmp both unreadable
  by_id = Run();
  for (const char* id :
       {"accounts.console-user-not-admin", "screen.lock-enabled", "screen.lock-timeout"}) {
    EXPECT_EQ(by_id[id], CheckStatus::kError) << id;
  }
}

TEST_F(LinuxEdgeCaseTest, ScreenThatNeverBlanksFails) {
  facts_.at("hardening").at("screen_lock").as_object()["idle_delay_seconds"] = 0;
  EXPECT_EQ(Run()["screen.lock-timeout"], CheckStatus::kFail);
}

TEST_F(LinuxEdgeCaseTest, SshServerThatIsAbsentOrStoppedNeedsNoHardening) {
  json::object& ssh = facts_.at("hardening").at("ssh_server").as_object();
  for (const char* k : {"permit_root_login", "password_authentication",
                        "kbd_interactive_authentication", "permit_empty_passwords"}) {
    ssh[k] = nullptr;
  }
  ssh["installed"] = false;
  ssh["enabled"] = false;
  ssh["running"] = false;
  auto by_id = Run();
  for (const char* id : {"ssh.no-root-login", "ssh.no-password-auth", "ssh.no-empty-passwords"}) {
    EXPECT_EQ(by_id[id], CheckStatus::kPass) << id;
  }
  // Installed and running with an unreadable configuration: unknown, not pass.
  ssh["installed"] = true;
  ssh["enabled"] = true;
  ssh["running"] = true;
  by_id = Run();
  for (const char* id : {"ssh.no-root-login", "ssh.no-password-auth", "ssh.no-empty-passwords"}) {
    EXPECT_EQ(by_id[id], CheckStatus::kError) << id;
  }
  // Installed, weak configuration, but neither enabled nor running.
  ssh["permit_root_login"] = "yes";
  ssh["password_authentication"] = true;
  ssh["kbd_interactive_authentication"] = true;
  ssh["permit_empty_passwords"] = true;
  ssh["enabled"] = false;
  ssh["running"] = false;
  by_id = Run();
  for (const char* id : {"ssh.no-root-login", "ssh.no-password-auth", "ssh.no-empty-passwords"}) {
    EXPECT_EQ(by_id[id], CheckStatus::kPass) << id;
  }
}

TEST_F(LinuxEdgeCaseTest, NoAntivirusFailsAndAnUnknownListIsAnError) {
  json::object& ep = facts_.at("endpoint_protection").as_object();
  ep["antivirus"] = json::array();
  auto by_id = Run();
  for (const char* id : {"av.running", "av.realtime", "av.signatures-fresh"}) {
    EXPECT_EQ(by_id[id], CheckStatus::kFail) << id;
  }
  ep["antivirus"] = nullptr;
  by_id = Run();
  for (const char* id : {"av.running", "av.realtime", "av.signatures-fresh"}) {
    EXPECT_EQ(by_id[id], CheckStatus::kError) << id;
  }
}

TEST_F(LinuxEdgeCaseTest, SignatureAgeOfAnUninspectedProductIsAnError) {
  json::object& av = facts_.at("endpoint_protection").at("antivirus").as_array()[0].as_object();
  av["product"] = "CrowdStrike Falcon";
  av["signatures_age_days"] = nullptr;
  EXPECT_EQ(Run()["av.signatures-fresh"], CheckStatus::kError);
}

TEST_F(LinuxEdgeCaseTest, AnExtraUidZeroAccountFails) {
  facts_.at("local_admins").as_object()["uid0_accounts"] = json::array{"root", "toor"};
  EXPECT_EQ(Run()["accounts.single-uid0"], CheckStatus::kFail);
}

TEST_F(LinuxEdgeCaseTest, FailingChecksAreDueAfterTheirGraceDays) {
  Volume("swap")["encrypted"] = false;
  auto results = Evaluate(policy_, facts_);
  json::object report = policy::BuildReport({"baseline", 1, 1, "00"}, results, facts_);
  bool found = false;
  for (const auto& r : report.at("results").as_array()) {
    if (r.at("id") != "disk.swap-encrypted") continue;
    found = true;
    EXPECT_EQ(r.at("status"), "fail");
    EXPECT_EQ(r.at("deadline"), "2026-12-05T16:00:00Z");  // high: 7 days after collection
    EXPECT_EQ(r.at("references").at("nist-800-53"), "SC-28");
  }
  EXPECT_TRUE(found);
}

// --- Windows ----------------------------------------------------------------------------------

TEST(WindowsBaselineTest, CompliantWorkstationPassesEveryCheck) {
  const json::value policy = LoadBaseline("windows-workstation.json");
  auto results = Evaluate(policy, LoadJson(FactsPath("windows-compliant.json")));
  ASSERT_EQ(results.size(), Checks(policy).size());
  EXPECT_EQ(IdsWith(results, CheckStatus::kPass), AllIdsExcept(policy, {})) << Reasons(results);
  EXPECT_TRUE(policy::IsCompliant(results));
}

TEST(WindowsBaselineTest, TypicalLaptopFailsExactlyTheExpectedChecks) {
  const json::value policy = LoadBaseline("windows-workstation.json");
  auto results = Evaluate(policy, LoadJson(FactsPath("windows-noncompliant.json")));
  const std::set<std::string> failing = {
      "disk.data-encrypted",           // D: decrypted
      "disk.removable-encrypted",      // E: USB stick
      "disk.bitlocker-protection-on",  // C: suspended
      "disk.cipher-aes256",            // C: XTS-AES-128 (still "strong")
      "disk.recovery-protector",       // C: TPM only
      "disk.system-startup-pin",
      "accounts.console-user-not-admin",
      "uac.admin-consent-prompt",  // Windows default: consent for non-Windows binaries
      "uac.standard-user-deny",
      "av.signatures-fresh",  // 5 days
      "av.tamper-protection",
      "firewall.enabled",  // public profile off
      "screen.lock-enabled",
      "screen.lock-timeout",
      "updates.automatic",  // quality updates deferred 7 days
      "updates.no-pending-security",
      "os.supported",  // 23H2 Enterprise ended 2026-11-10
      "smartscreen.enabled",
      "autoplay.disabled",
  };
  EXPECT_EQ(IdsWith(results, CheckStatus::kFail), failing) << Reasons(results);
  EXPECT_TRUE(IdsWith(results, CheckStatus::kError).empty()) << Reasons(results);
  EXPECT_EQ(IdsWith(results, CheckStatus::kPass), AllIdsExcept(policy, failing));
}

TEST(WindowsBaselineTest, UnelevatedRunReportsUnknownFactsAsErrorsNeverPass) {
  const json::value policy = LoadBaseline("windows-workstation.json");
  auto results = Evaluate(policy, LoadJson(FactsPath("windows-unknown.json")));
  const std::set<std::string> unknown = {
      "disk.system-encrypted",       "disk.data-encrypted",     "disk.bitlocker-protection-on",
      "disk.cipher-strong",          "disk.cipher-aes256",      "disk.recovery-protector",
      "disk.system-tpm-protector",   "disk.system-startup-pin", "boot.secure-boot",
      "updates.no-pending-security",
  };
  EXPECT_EQ(IdsWith(results, CheckStatus::kError), unknown) << Reasons(results);
  EXPECT_TRUE(IdsWith(results, CheckStatus::kFail).empty()) << Reasons(results);
  EXPECT_EQ(IdsWith(results, CheckStatus::kPass), AllIdsExcept(policy, unknown));
  for (const auto& r : results) {
    if (r.status != CheckStatus::kError) continue;
    ASSERT_TRUE(r.reason.has_value()) << r.id;
    EXPECT_NE(r.reason->find("is null/unknown"), std::string::npos) << r.id << ": " << *r.reason;
  }
}

TEST(WindowsBaselineTest, ThirdPartyAntivirusFallsBackToSecurityCenterSignatureState) {
  const json::value policy = LoadBaseline("windows-workstation.json");
  json::value facts = LoadJson(FactsPath("windows-compliant.json"));
  ASSERT_TRUE(facts.is_object());
  json::array& av = facts.at("endpoint_protection").at("antivirus").as_array();
  av[0].as_object()["running"] = false;  // Defender in passive mode
  av[0].as_object()["realtime"] = false;
  av[0].as_object()["running_mode"] = "Passive Mode";
  av.push_back(json::object{{"product", "Contoso Endpoint"},
                            {"running", true},
                            {"realtime", true},
                            {"signatures_age_days", nullptr},
                            {"installed", true},
                            {"source", "security_center"},
                            {"signatures_up_to_date", true}});
  std::map<std::string, CheckStatus> by_id;
  for (const auto& r : Evaluate(policy, facts)) by_id[r.id] = r.status;
  EXPECT_EQ(by_id["av.running"], CheckStatus::kPass);
  EXPECT_EQ(by_id["av.realtime"], CheckStatus::kPass);
  EXPECT_EQ(by_id["av.signatures-fresh"], CheckStatus::kPass);
  EXPECT_EQ(by_id["av.tamper-protection"], CheckStatus::kPass) << "Defender is not running";
  av[1].as_object()["signatures_up_to_date"] = nullptr;
  by_id.clear();
  for (const auto& r : Evaluate(policy, facts)) by_id[r.id] = r.status;
  EXPECT_EQ(by_id["av.signatures-fresh"], CheckStatus::kError);
}

TEST(WindowsBaselineTest, LockedDataDriveCountsAsEncrypted) {
  const json::value policy = LoadBaseline("windows-workstation.json");
  json::value facts = LoadJson(FactsPath("windows-compliant.json"));
  ASSERT_TRUE(facts.is_object());
  // A locked volume: BitLocker reports it encrypted, but conversion, cipher and protectors are
  // unreadable until it is unlocked.
  json::object& d = facts.at("disk_encryption").at("volumes").as_array()[1].as_object();
  d["conversion"] = nullptr;
  d["conversion_percent"] = nullptr;
  d["lock_status"] = "locked";
  std::map<std::string, CheckStatus> by_id;
  for (const auto& r : Evaluate(policy, facts)) by_id[r.id] = r.status;
  EXPECT_EQ(by_id["disk.data-encrypted"], CheckStatus::kPass);
}

// --- both ---------------------------------------------------------------------------------------

TEST(BaselinesTest, ABaselineIsNotApplicableToTheOtherPlatform) {
  const json::value linux_policy = LoadBaseline("linux-workstation.json");
  const json::value windows_policy = LoadBaseline("windows-workstation.json");
  auto on_windows = Evaluate(linux_policy, LoadJson(FactsPath("windows-noncompliant.json")));
  EXPECT_EQ(IdsWith(on_windows, CheckStatus::kNotApplicable), AllIdsExcept(linux_policy, {}));
  auto on_linux = Evaluate(windows_policy, LoadJson(FactsPath("linux-noncompliant.json")));
  EXPECT_EQ(IdsWith(on_linux, CheckStatus::kNotApplicable), AllIdsExcept(windows_policy, {}));
}

TEST(BaselinesTest, SameConceptsShareCheckIds) {
  const json::value linux_policy = LoadBaseline("linux-workstation.json");
  const json::value windows_policy = LoadBaseline("windows-workstation.json");
  const std::set<std::string> windows_ids = AllIdsExcept(windows_policy, {});
  for (const char* id :
       {"disk.system-encrypted", "disk.data-encrypted", "disk.removable-encrypted",
        "disk.cipher-strong", "disk.recovery-protector", "accounts.console-user-not-admin",
        "av.running", "av.realtime", "av.signatures-fresh", "firewall.enabled",
        "firewall.inbound-default-deny", "boot.secure-boot", "screen.lock-enabled",
        "screen.lock-timeout", "updates.no-pending-security", "updates.no-pending-reboot",
        "os.supported", "ssh.no-password-auth"}) {
    EXPECT_EQ(AllIdsExcept(linux_policy, {}).count(id), 1u) << id;
    EXPECT_EQ(windows_ids.count(id), 1u) << id;
  }
}

// Every fact a baseline reads exists in the fixture documents, so the fixtures (and
// docs/facts-windows.md, which they follow) cannot drift from the conditions unnoticed.
TEST(BaselinesTest, FixturesCarryEveryFactTheBaselinesRead) {
  const std::pair<const char*, const char*> cases[] = {
      {"linux-workstation.json", "linux-compliant.json"},
      {"linux-workstation.json", "linux-noncompliant.json"},
      {"linux-workstation.json", "linux-unknown.json"},
      {"windows-workstation.json", "windows-compliant.json"},
      {"windows-workstation.json", "windows-noncompliant.json"},
      {"windows-workstation.json", "windows-unknown.json"}};
  for (const auto& [baseline, fixture] : cases) {
    SCOPED_TRACE(fixture);
    const json::value policy = LoadBaseline(baseline);
    const json::value facts = LoadJson(FactsPath(fixture));
    ASSERT_TRUE(policy.is_object());
    std::size_t verified = 0;
    for (const auto& c : Checks(policy)) {
      for (const auto& path : testing::FactPaths(c.at("condition"))) {
        auto presence = testing::ResolvePath(facts, path);
        EXPECT_NE(presence, testing::PathPresence::kMissing) << c.at("id") << " reads " << path;
        if (presence == testing::PathPresence::kPresent) ++verified;
      }
    }
    EXPECT_GT(verified, 30u);
  }
}

TEST(BaselinesTest, FactPathsFollowIterationScopes) {
  const json::value rule = json::parse(R"({"none": [
      {"filter": [{"var": "disk_encryption.volumes"}, {"===": [{"var": "role"}, "data"]}]},
      {"some": [{"var": "keyslots"}, {"!==": [{"var": "pbkdf"}, "argon2id"]}]}]})");
  EXPECT_EQ(testing::FactPaths(rule),
            (std::set<std::string>{"disk_encryption.volumes", "disk_encryption.volumes[].role",
                                   "disk_encryption.volumes[].keyslots",
                                   "disk_encryption.volumes[].keyslots[].pbkdf"}));
  const json::value facts =
      json::parse(R"({"a": {"list": [{"x": 1}, {"x": null}], "empty": [], "s": "abc"}})");
  EXPECT_EQ(testing::ResolvePath(facts, "a.list[].x"), testing::PathPresence::kPresent);
  EXPECT_EQ(testing::ResolvePath(facts, "a.list[].y"), testing::PathPresence::kMissing);
  EXPECT_EQ(testing::ResolvePath(facts, "a.empty[].y"), testing::PathPresence::kUnverifiable);
  EXPECT_EQ(testing::ResolvePath(facts, "a.list.length"), testing::PathPresence::kPresent);
  EXPECT_EQ(testing::ResolvePath(facts, "a.nope"), testing::PathPresence::kMissing);
}

}  // namespace
}  // namespace bulwark
