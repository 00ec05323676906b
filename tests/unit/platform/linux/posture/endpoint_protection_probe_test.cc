#include "platform/linux/posture/endpoint_protection_probe.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "tests/unit/platform/linux/posture/posture_test_support.h"

namespace bulwark {
namespace {

namespace json = boost::json;
using testing::PostureFixture;

// A daily.cvd header built 1.5 days before the fixture clock (2026-11-28T16:00:00Z).
std::string CvdHeader(std::uint64_t version, const std::string& unix_time) {
  std::string h = "ClamAV-VDB:27 Nov 2026 04-00 +0000:" + std::to_string(version) +
                  ":2076000:90:0123456789abcdef0123456789abcdef:sig:raynman:" + unix_time;
  h.resize(512, ' ');
  return h;
}

constexpr char kBuilt[] = "1795752000";  // 2026-11-27T04:00:00Z

EndpointProtectionFacts Collect(PostureFixture& f) {
  FactsDocument facts;
  EndpointProtectionProbe probe(f.NewState());
  EXPECT_TRUE(probe.Collect(facts).ok());
  return facts.endpoint_protection;
}

const AntivirusFacts* Product(const EndpointProtectionFacts& ep, const std::string& name) {
  if (!ep.antivirus) return nullptr;
  for (const auto& a : *ep.antivirus) {
    if (a.product == name) return &a;
  }
  return nullptr;
}

TEST(AntivirusTest, ClamavRunningWithFreshSignatures) {
  PostureFixture f;
  f.dir.WriteFile("usr/sbin/clamd", "", 0755);
  f.dir.WriteFile("usr/bin/freshclam", "", 0755);
  f.AddProcess(310, "clamd", "/usr/sbin/clamd");
  f.AddProcess(311, "freshclam", "/usr/bin/freshclam");
  f.EnableUnit("clamav-daemon.service");
  f.dir.WriteFile("var/lib/clamav/daily.cvd",
                  CvdHeader(27000, "1795000000") + std::string(4096, 'z'));
  // A large incremental database; only its header is read.
  f.dir.WriteFile("var/lib/clamav/daily.cld", CvdHeader(27458, kBuilt) + std::string(600000, 'z'));

  const EndpointProtectionFacts ep = Collect(f);
  ASSERT_TRUE(ep.antivirus.has_value());
  ASSERT_EQ(ep.antivirus->size(), 1u);
  const AntivirusFacts& clam = ep.antivirus->front();
  EXPECT_EQ(clam.product, "ClamAV");
  EXPECT_EQ(clam.running, true);
  EXPECT_EQ(clam.realtime, false);
  ASSERT_TRUE(clam.signatures_age_days.has_value());
  EXPECT_DOUBLE_EQ(*clam.signatures_age_days, 1.5);
  EXPECT_EQ(clam.extra.at("signatures_version").as_uint64(), 27458u);
  EXPECT_EQ(clam.extra.at("signatures_file").as_string(), "/var/lib/clamav/daily.cld");
  EXPECT_EQ(clam.extra.at("updater_running").as_bool(), true);
  EXPECT_EQ(clam.extra.at("enabled").as_bool(), true);
  EXPECT_EQ(clam.extra.at("installed").as_bool(), true);
  EXPECT_TRUE(f.runner.calls.empty());
}

TEST(AntivirusTest, ClamavOnAccessAndStoppedDaemon) {
  PostureFixture f;
  f.dir.WriteFile("usr/bin/clamscan", "", 0755);
  f.AddProcess(1, "systemd", "/usr/lib/systemd/systemd");
  f.AddProcess(400, "clamonacc");
  const EndpointProtectionFacts ep = Collect(f);
  const AntivirusFacts* clam = Product(ep, "ClamAV");
  ASSERT_NE(clam, nullptr);
  EXPECT_EQ(clam->running, false);
  EXPECT_EQ(clam->realtime, true);
  EXPECT_FALSE(clam->signatures_age_days.has_value());
  EXPECT_EQ(clam->extra.at("signatures_reason").as_string(),
            "no daily.cvd or daily.cld signature database found");
}

TEST(AntivirusTest, MalformedCvdLeavesAgeNull) {
  PostureFixture f;
  f.dir.WriteFile("usr/sbin/clamd", "", 0755);
  f.AddProcess(310, "clamd");
  std::string junk;
  for (int i = 0; i < 2000; ++i) junk.push_back(static_cast<char>(i * 7));
  f.dir.WriteFile("var/lib/clamav/daily.cvd", junk);
  f.dir.WriteFile("var/lib/clamav/daily.cld", "ClamAV-VDB:not a date:x");
  const EndpointProtectionFacts ep = Collect(f);
  const AntivirusFacts* clam = Product(ep, "ClamAV");
  ASSERT_NE(clam, nullptr);
  EXPECT_FALSE(clam->signatures_age_days.has_value());
  EXPECT_NE(clam->extra.at("signatures_reason").as_string().find("daily.c"), std::string::npos);
}

TEST(AntivirusTest, DefenderRealtimeFromCommandOnLiveRootOnly) {
  PostureFixture f;
  f.dir.WriteFile("opt/microsoft/mdatp/sbin/wdavdaemon", "", 0755);
  f.AddProcess(500, "wdavdaemon", "/opt/microsoft/mdatp/sbin/wdavdaemon");
  f.runner.On("mdatp health --field real_time_protection_enabled", "\"true\"\n");
  {
    const EndpointProtectionFacts ep = Collect(f);
    const AntivirusFacts* mde = Product(ep, "Microsoft Defender for Endpoint");
    ASSERT_NE(mde, nullptr);
    EXPECT_EQ(mde->running, true);
    EXPECT_FALSE(mde->realtime.has_value());
    EXPECT_EQ(mde->extra.at("realtime_reason").as_string(),
              "live-only source not available for --root");
    EXPECT_TRUE(f.runner.calls.empty());
  }
  f.faulty.live = true;
  const EndpointProtectionFacts ep = Collect(f);
  const AntivirusFacts* mde = Product(ep, "Microsoft Defender for Endpoint");
  ASSERT_NE(mde, nullptr);
  EXPECT_EQ(mde->realtime, true);
  ASSERT_FALSE(f.runner.calls.empty());
  EXPECT_EQ(f.runner.calls[0].argv, "mdatp health --field real_time_protection_enabled");
  EXPECT_LE(f.runner.calls[0].options.timeout.count(), 2000);
}

TEST(AntivirusTest, EdrSensorsByExecutablePrefix) {
  PostureFixture f;
  f.AddProcess(600, "falcon-sensor", "/opt/CrowdStrike/falcon-sensor");
  f.AddProcess(601, "s1-agent", "/opt/sentinelone/bin/s1-agent");
  f.dir.WriteFile("opt/eset/efs/sbin/startd", "", 0755);
  const EndpointProtectionFacts ep = Collect(f);
  ASSERT_TRUE(ep.antivirus.has_value());
  ASSERT_EQ(ep.antivirus->size(), 3u);
  EXPECT_EQ(Product(ep, "CrowdStrike Falcon")->realtime, true);
  EXPECT_EQ(Product(ep, "CrowdStrike Falcon")->extra.at("installed").as_bool(), false);
  EXPECT_EQ(Product(ep, "SentinelOne")->running, true);
  EXPECT_EQ(Product(ep, "ESET")->running, false);
  EXPECT_EQ(Product(ep, "ESET")->realtime, false);
}

TEST(AntivirusTest, AddingAProductIsData) {
  PostureFixture f;
  f.AddProcess(700, "acmeavd");
  const std::vector<AntivirusProductSpec> table = {
      {.product = "Acme AV", .daemon_processes = {"acmeavd"}, .realtime_when_running = true}};
  FactsDocument facts;
  EndpointProtectionProbe probe(f.NewState(), table);
  ASSERT_TRUE(probe.Collect(facts).ok());
  ASSERT_EQ(facts.endpoint_protection.antivirus->size(), 1u);
  EXPECT_EQ(facts.endpoint_protection.antivirus->front().product, "Acme AV");
  EXPECT_EQ(facts.endpoint_protection.antivirus->front().realtime, true);
}

TEST(AntivirusTest, NoProcessTableMeansRunningUnknown) {
  PostureFixture f;
  f.dir.WriteFile("usr/sbin/clamd", "", 0755);
  const EndpointProtectionFacts ep = Collect(f);
  const AntivirusFacts* clam = Product(ep, "ClamAV");
  ASSERT_NE(clam, nullptr);
  EXPECT_FALSE(clam->running.has_value());
  EXPECT_NE(clam->extra.at("running_reason").as_string().find("process table"), std::string::npos);
  // Nothing installed or running: an empty list, not null.
  PostureFixture empty;
  empty.AddProcess(1, "systemd");
  EXPECT_TRUE(Collect(empty).antivirus->empty());
}

// --- firewall --------------------------------------------------------------------------------

TEST(FirewallTest, UfwFromConfigurationOnImageRoot) {
  PostureFixture f;
  f.dir.WriteFile("usr/sbin/ufw", "", 0755);
  f.dir.WriteFile("usr/sbin/nft", "", 0755);
  f.dir.WriteFile("etc/ufw/ufw.conf", "# /etc/ufw/ufw.conf\nENABLED=yes\nLOGLEVEL=low\n");
  f.dir.WriteFile("etc/default/ufw", "IPV6=yes\nDEFAULT_INPUT_POLICY=\"DROP\"\n");
  const FirewallFacts fw = Collect(f).firewall;
  EXPECT_EQ(fw.enabled, true);
  EXPECT_EQ(fw.backend, "ufw");
  EXPECT_EQ(fw.default_inbound, "drop");
  EXPECT_EQ(fw.extra.at("source").as_string(), "configuration");
  EXPECT_TRUE(f.runner.calls.empty());  // never a command against --root
}

TEST(FirewallTest, UfwInstalledButDisabled) {
  PostureFixture f;
  f.dir.WriteFile("usr/sbin/ufw", "", 0755);
  f.dir.WriteFile("etc/ufw/ufw.conf", "ENABLED=no\n");
  const FirewallFacts fw = Collect(f).firewall;
  EXPECT_EQ(fw.enabled, false);
  EXPECT_EQ(fw.backend, "ufw");
  EXPECT_EQ(fw.default_inbound, "accept");
}

TEST(FirewallTest, FirewalldZoneTargetFromConfiguration) {
  PostureFixture f;
  f.dir.WriteFile("usr/sbin/firewalld", "", 0755);
  f.EnableUnit("firewalld.service");
  f.dir.WriteFile("etc/firewalld/firewalld.conf", "DefaultZone=public\n");
  f.dir.WriteFile("usr/lib/firewalld/zones/public.xml",
                  "<?xml version=\"1.0\"?>\n<zone>\n  <short>Public</short>\n</zone>\n");
  FirewallFacts fw = Collect(f).firewall;
  EXPECT_EQ(fw.backend, "firewalld");
  EXPECT_EQ(fw.enabled, true);
  EXPECT_EQ(fw.default_inbound, "drop");
  f.dir.WriteFile("etc/firewalld/zones/public.xml", "<zone target=\"ACCEPT\"></zone>");
  fw = Collect(f).firewall;
  EXPECT_EQ(fw.default_inbound, "accept");
  EXPECT_EQ(fw.extra.at("firewalld").at("zone_target").as_string(), "ACCEPT");
}

TEST(FirewallTest, NftablesServiceOnImageIsEnabledWithUnknownPolicy) {
  PostureFixture f;
  f.dir.WriteFile("usr/sbin/nft", "", 0755);
  f.dir.WriteFile("etc/nftables.conf", "table inet filter { }\n");
  f.EnableUnit("nftables.service", "sysinit.target");
  const FirewallFacts fw = Collect(f).firewall;
  EXPECT_EQ(fw.enabled, true);
  EXPECT_EQ(fw.backend, "nftables");
  EXPECT_FALSE(fw.default_inbound.has_value());
  EXPECT_TRUE(fw.reason.has_value());
}

TEST(FirewallTest, IptablesPersistentRules) {
  PostureFixture f;
  f.dir.WriteFile("usr/sbin/iptables", "", 0755);
  f.EnableUnit("netfilter-persistent.service");
  f.dir.WriteFile("etc/iptables/rules.v4",
                  "*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n");
  f.dir.WriteFile("etc/iptables/rules.v6", "*filter\n:INPUT DROP [0:0]\nCOMMIT\n");
  const FirewallFacts fw = Collect(f).firewall;
  EXPECT_EQ(fw.backend, "iptables");
  EXPECT_EQ(fw.enabled, true);
  EXPECT_EQ(fw.default_inbound, "drop");
}

TEST(FirewallTest, NothingConfigured) {
  PostureFixture f;
  const FirewallFacts fw = Collect(f).firewall;
  EXPECT_EQ(fw.enabled, false);
  EXPECT_FALSE(fw.backend.has_value());
  EXPECT_EQ(fw.default_inbound, "accept");
  EXPECT_EQ(*fw.reason, "no firewall tool installed (nft, iptables, ufw, firewalld)");
}

constexpr char kDropRuleset[] =
    R"({"nftables":[{"metainfo":{"version":"1.0.6"}},)"
    R"({"table":{"family":"inet","name":"filter","handle":1}},)"
    R"({"chain":{"family":"inet","table":"filter","name":"input","handle":1,"type":"filter",)"
    R"("hook":"input","prio":0,"policy":"drop"}},)"
    R"({"rule":{"family":"inet","table":"filter","chain":"input","handle":3,"expr":[)"
    R"({"match":{"op":"==","left":{"meta":{"key":"iifname"}},"right":"lo"}},{"accept":null}]}}]})";

TEST(FirewallTest, LiveNftRuleset) {
  PostureFixture f;
  f.faulty.live = true;
  f.dir.WriteFile("usr/sbin/nft", "", 0755);
  f.EnableUnit("nftables.service", "sysinit.target");
  f.runner.On("nft -j list ruleset", kDropRuleset);
  const FirewallFacts fw = Collect(f).firewall;
  EXPECT_EQ(fw.enabled, true);
  EXPECT_EQ(fw.backend, "nftables");
  EXPECT_EQ(fw.default_inbound, "drop");
  EXPECT_EQ(fw.extra.at("source").as_string(), "kernel");
  EXPECT_EQ(fw.extra.at("input_chains").as_array().size(), 1u);
  ASSERT_EQ(f.runner.calls.size(), 1u);
  EXPECT_EQ(f.runner.calls[0].options.timeout.count(), 2000);
}

TEST(FirewallTest, LiveUfwIsNamedAsBackend) {
  PostureFixture f;
  f.faulty.live = true;
  f.dir.WriteFile("usr/sbin/nft", "", 0755);
  f.dir.WriteFile("usr/sbin/ufw", "", 0755);
  f.dir.WriteFile("etc/ufw/ufw.conf", "ENABLED=yes\n");
  f.runner.On("nft -j list ruleset", kDropRuleset);
  EXPECT_EQ(Collect(f).firewall.backend, "ufw");
}

TEST(FirewallTest, LiveNftFailureIsUnknown) {
  PostureFixture f;
  f.faulty.live = true;
  f.dir.WriteFile("usr/sbin/nft", "", 0755);
  f.runner.OnError("nft -j list ruleset", DeadlineExceededError("nft did not finish"));
  FirewallFacts fw = Collect(f).firewall;
  EXPECT_FALSE(fw.enabled.has_value());
  EXPECT_FALSE(fw.default_inbound.has_value());
  EXPECT_NE(fw.reason->find("deadline_exceeded"), std::string::npos);

  PostureFixture g;
  g.faulty.live = true;
  g.dir.WriteFile("usr/sbin/nft", "", 0755);
  g.runner.On("nft -j list ruleset", "{\"nftables\": [ {\"chain\": ");
  fw = Collect(g).firewall;
  EXPECT_FALSE(fw.enabled.has_value());
  EXPECT_NE(fw.reason->find("invalid_argument"), std::string::npos);

  PostureFixture h;
  h.faulty.live = true;
  h.dir.WriteFile("usr/sbin/nft", "", 0755);
  h.runner.On("nft -j list ruleset", "", 1);
  EXPECT_FALSE(Collect(h).firewall.enabled.has_value());
}

TEST(FirewallTest, LiveHugeRuleset) {
  PostureFixture f;
  f.faulty.live = true;
  f.dir.WriteFile("usr/sbin/nft", "", 0755);
  std::string items =
      R"({"chain":{"family":"inet","table":"f","name":"input","type":"filter","hook":"input","policy":"accept"}})";
  for (int i = 0; i < 20000; ++i) {
    items +=
        R"(,{"rule":{"family":"inet","table":"f","chain":"input","expr":[{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":)" +
        std::to_string(i % 65536) + R"(}},{"accept":null}]}})";
  }
  f.runner.On("nft -j list ruleset", R"({"nftables":[)" + items + "]}");
  const FirewallFacts fw = Collect(f).firewall;
  EXPECT_EQ(fw.enabled, true);
  EXPECT_EQ(fw.default_inbound, "accept");
}

TEST(FirewallTest, LiveLegacyIptables) {
  PostureFixture f;
  f.faulty.live = true;
  f.dir.WriteFile("usr/sbin/iptables-legacy", "", 0755);
  f.dir.WriteFile("proc/net/ip_tables_names", "filter\nnat\n");
  f.dir.WriteFile("proc/net/ip6_tables_names", "filter\n");
  f.runner.On("iptables-legacy -w -S INPUT", "-P INPUT DROP\n-A INPUT -i lo -j ACCEPT\n");
  f.runner.On("ip6tables-legacy -w -S INPUT", "-P INPUT ACCEPT\n");
  FirewallFacts fw = Collect(f).firewall;
  EXPECT_EQ(fw.backend, "iptables");
  EXPECT_EQ(fw.enabled, true);
  EXPECT_EQ(fw.default_inbound, "accept");  // IPv6 is open
  EXPECT_EQ(fw.extra.at("ipv4_default_inbound").as_string(), "drop");
  EXPECT_EQ(fw.extra.at("ipv6_default_inbound").as_string(), "accept");
  f.runner.On("ip6tables-legacy -w -S INPUT", "-P INPUT ACCEPT\n-A INPUT -j REJECT\n");
  EXPECT_EQ(Collect(f).firewall.default_inbound, "drop");
}

// --- mandatory access control ----------------------------------------------------------------

TEST(MacTest, AppArmorEnforcing) {
  PostureFixture f;
  f.dir.WriteFile("sys/kernel/security/lsm", "lockdown,capability,landlock,yama,apparmor");
  f.dir.WriteFile("sys/module/apparmor/parameters/enabled", "Y\n");
  f.dir.WriteFile("sys/kernel/security/apparmor/profiles",
                  "/usr/sbin/cupsd (enforce)\nnvidia_modprobe (enforce)\nfirefox (unconfined)\n"
                  "/usr/bin/evince (complain)\n");
  const MacFacts mac = Collect(f).mac;
  EXPECT_EQ(mac.name, "apparmor");
  EXPECT_EQ(mac.mode, "enforcing");
  EXPECT_EQ(mac.extra.at("enabled").as_bool(), true);
  EXPECT_EQ(mac.extra.at("profiles").at("enforce").as_uint64(), 2u);
  EXPECT_EQ(mac.extra.at("profiles").at("complain").as_uint64(), 1u);
}

TEST(MacTest, AppArmorBuiltInButOff) {
  PostureFixture f;
  f.dir.WriteFile("sys/module/apparmor/parameters/enabled", "N\n");
  const MacFacts mac = Collect(f).mac;
  EXPECT_EQ(mac.name, "apparmor");
  EXPECT_EQ(mac.mode, "disabled");
  EXPECT_EQ(mac.extra.at("enabled").as_bool(), false);
}

TEST(MacTest, AppArmorProfilesUnreadable) {
  PostureFixture f;
  f.dir.WriteFile("sys/kernel/security/lsm", "capability,apparmor");
  f.dir.WriteFile("sys/kernel/security/apparmor/profiles", "x (enforce)\n");
  f.faulty.deny.insert("/sys/kernel/security/apparmor/profiles");
  const MacFacts mac = Collect(f).mac;
  EXPECT_EQ(mac.name, "apparmor");
  EXPECT_FALSE(mac.mode.has_value());
  EXPECT_NE(mac.reason->find("permission_denied"), std::string::npos);
}

TEST(MacTest, SelinuxPermissive) {
  PostureFixture f;
  f.dir.WriteFile("sys/fs/selinux/enforce", "0");
  f.dir.WriteFile("etc/selinux/config", "SELINUX=enforcing\nSELINUXTYPE=targeted\n");
  const MacFacts mac = Collect(f).mac;
  EXPECT_EQ(mac.name, "selinux");
  EXPECT_EQ(mac.mode, "permissive");
  EXPECT_EQ(mac.extra.at("config_mode").as_string(), "enforcing");
}

TEST(MacTest, SelinuxConfiguredOffAndNoMac) {
  PostureFixture f;
  f.dir.WriteFile("sys/kernel/security/lsm", "capability,yama");
  f.dir.WriteFile("etc/selinux/config", "SELINUX=disabled\n");
  MacFacts mac = Collect(f).mac;
  EXPECT_EQ(mac.name, "selinux");
  EXPECT_EQ(mac.mode, "disabled");
  PostureFixture g;
  g.dir.WriteFile("sys/kernel/security/lsm", "capability,yama");
  mac = Collect(g).mac;
  EXPECT_FALSE(mac.name.has_value());
  EXPECT_EQ(mac.mode, "disabled");
  PostureFixture h;
  mac = Collect(h).mac;
  EXPECT_FALSE(mac.mode.has_value());
  EXPECT_TRUE(mac.reason.has_value());
}

TEST(EndpointProtectionProbeTest, APartThatThrowsDoesNotTakeTheOthersDown) {
  PostureFixture f;
  f.dir.WriteFile("sys/fs/selinux/enforce", "1");
  f.dir.WriteFile("etc/ufw/ufw.conf", "ENABLED=yes\n");
  f.dir.WriteFile("proc/1/comm", "systemd\n");
  f.faulty.explode.insert("/proc");  // the process scan throws
  const EndpointProtectionFacts ep = Collect(f);
  EXPECT_FALSE(ep.antivirus.has_value());
  EXPECT_NE(ep.reason->find("injected failure"), std::string::npos);
  EXPECT_EQ(ep.mac.mode, "enforcing");
  // The firewall still reports, without the process table.
  EXPECT_EQ(ep.firewall.enabled, true);
  EXPECT_EQ(ep.firewall.backend, "ufw");
  EXPECT_TRUE(ep.firewall.extra.at("firewalld").at("running").is_null());
  const json::object doc = [&] {
    FactsDocument facts;
    facts.endpoint_protection = ep;
    return testing::FactsJson(facts);
  }();
  const json::object& fw = doc.at("endpoint_protection").at("firewall").as_object();
  for (const char* key : {"enabled", "backend", "default_inbound", "reason"}) {
    EXPECT_TRUE(fw.contains(key)) << key;
  }
}

}  // namespace
}  // namespace bulwark
