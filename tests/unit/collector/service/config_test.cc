// bulwark-collector's flags, config file and secret files.
#include "collector/service/config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "collector/service/secret_file.h"
#include "tests/testing/temp_dir.h"

namespace bulwark::collector {
namespace {

TEST(CollectorConfigTest, DefaultsDeriveFromTheDataDir) {
  auto parsed = ParseCollectorConfig({"--generate-self-signed", "--data-dir", "/srv/bw"});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const CollectorConfig& c = parsed->config;
  EXPECT_EQ(c.listen_host, "127.0.0.1");
  EXPECT_EQ(c.listen_port, 8443);
  EXPECT_EQ(c.db, "sqlite:/srv/bw/collector.db");
  EXPECT_EQ(c.admin_token_file, "/srv/bw/admin-token");
  EXPECT_EQ(c.enroll_secret_file, "/srv/bw/enroll-secret");
  EXPECT_FALSE(c.sqlite_full_sync);
  auto full = ParseCollectorConfig({"--generate-self-signed", "--sqlite-full-sync"});
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_TRUE(full->config.sqlite_full_sync);
}

TEST(CollectorConfigTest, FlagsOverrideTheConfigFile) {
  testing::TempDir dir;
  dir.WriteFile("collector.conf",
                "# comment\nlisten = 0.0.0.0:9443\ndb = postgresql://db/bulwark\n"
                "tls-cert = /etc/c.pem\ntls-key = /etc/k.pem\nretention-days = 30\n");
  auto parsed =
      ParseCollectorConfig({"--config", dir.Join("collector.conf"), "--listen", "[::1]:7443"});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const CollectorConfig& c = parsed->config;
  EXPECT_EQ(c.listen_host, "::1");
  EXPECT_EQ(c.listen_port, 7443);
  EXPECT_EQ(c.db, "postgresql://db/bulwark");
  EXPECT_EQ(c.tls_cert, "/etc/c.pem");
  EXPECT_EQ(c.retention_days, 30);
}

TEST(CollectorConfigTest, RefusesBadInputWithTheReason) {
  struct Case {
    std::vector<std::string> args;
    const char* expect;
  };
  const Case cases[] = {
      {{}, "--tls-cert"},
      {{"--tls-cert", "c.pem"}, "--tls-key"},
      {{"--generate-self-signed", "--tls-cert", "c", "--tls-key", "k"}, "exclude"},
      {{"--generate-self-signed", "--listen", "8443"}, "HOST:PORT"},
      {{"--generate-self-signed", "--listen", "h:99999"}, "port"},
      {{"--generate-self-signed", "--retention-days", "0"}, "retention"},
      {{"--generate-self-signed", "--bogus"}, "bogus"},
      {{"--config", "/nonexistent/collector.conf"}, "cannot read config"},
      {{"--generate-self-signed", "--db", "mysql://u:secret@h/db"}, "scheme 'mysql'"},
  };
  for (const Case& c : cases) {
    auto parsed = ParseCollectorConfig(c.args);
    ASSERT_FALSE(parsed.ok()) << c.expect;
    EXPECT_NE(parsed.status().message().find(c.expect), std::string::npos)
        << parsed.status().message();
    EXPECT_EQ(parsed.status().message().find("secret"), std::string::npos);
  }
}

TEST(CollectorConfigTest, HelpAndVersion) {
  auto help = ParseCollectorConfig({"--help"});
  ASSERT_TRUE(help.ok());
  EXPECT_EQ(help->action, ConfigAction::kHelp);
  EXPECT_NE(help->help.find("--enroll-secret-file"), std::string::npos);
  auto version = ParseCollectorConfig({"--version"});
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(version->action, ConfigAction::kVersion);
}

TEST(SecretFileTest, CreatesA0600SecretOnceAndReadsItBack) {
  testing::TempDir dir;
  const std::string path = dir.Join("admin-token");
  auto first = LoadOrCreateSecret(path, /*create=*/true);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->size(), 64u);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto second = LoadOrCreateSecret(path, true);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
}

TEST(SecretFileTest, RefusesMissingShortAndWorldReadableSecrets) {
  testing::TempDir dir;
  auto missing = LoadOrCreateSecret(dir.Join("nope"), /*create=*/false);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);

  dir.WriteFile("short", "abc\n", 0600);
  auto short_secret = LoadOrCreateSecret(dir.Join("short"), false);
  ASSERT_FALSE(short_secret.ok());
  EXPECT_NE(short_secret.status().message().find("shorter"), std::string::npos);

  dir.WriteFile("open", std::string(32, 'k') + "\n", 0644);
  auto open = LoadOrCreateSecret(dir.Join("open"), false);
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(open.status().message().find("chmod 600"), std::string::npos);

  dir.WriteFile("good", "  " + std::string(32, 'k') + "\n", 0600);
  auto good = LoadOrCreateSecret(dir.Join("good"), false);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, std::string(32, 'k'));
}

}  // namespace
}  // namespace bulwark::collector
