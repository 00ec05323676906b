// The API's small wire-format pieces: device credentials, bounded gzip, request targets.
#include <gtest/gtest.h>

#include <string>

#include "collector/api/credentials.h"
#include "collector/api/gzip.h"
#include "collector/api/request_target.h"

namespace bulwark::collector {
namespace {

TEST(CredentialsTest, IssuedCredentialParsesBackAndHashesToTheStoredHash) {
  auto secret = NewDeviceSecret();
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(secret->secret.size(), 64u);
  const std::string token = FormatDeviceCredential("dev_abc", secret->secret);
  auto parsed = ParseDeviceCredential(token);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->device_id, "dev_abc");
  EXPECT_TRUE(DigestEquals(HashSecret(parsed->secret), secret->hash));
}

TEST(CredentialsTest, TwoSecretsDiffer) {
  auto a = NewDeviceSecret();
  auto b = NewDeviceSecret();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->secret, b->secret);
}

TEST(CredentialsTest, RejectsMalformedCredentials) {
  const std::string hex(64, 'a');
  EXPECT_FALSE(ParseDeviceCredential(""));
  EXPECT_FALSE(ParseDeviceCredential("dev_x"));
  EXPECT_FALSE(ParseDeviceCredential("." + hex));
  EXPECT_FALSE(ParseDeviceCredential("dev_x." + hex.substr(1)));
  EXPECT_FALSE(ParseDeviceCredential("dev_x." + std::string(64, 'A')));   // upper-case hex
  EXPECT_FALSE(ParseDeviceCredential("dev'x." + hex));                    // SQL metacharacter
  EXPECT_FALSE(ParseDeviceCredential(std::string(65, 'd') + "." + hex));  // id too long
  EXPECT_TRUE(ParseDeviceCredential("dev_x-1." + hex));
}

TEST(CredentialsTest, BearerTokenIsCaseInsensitiveInTheSchemeOnly) {
  EXPECT_EQ(BearerToken("Bearer abc"), "abc");
  EXPECT_EQ(BearerToken("bearer  abc "), "abc");
  EXPECT_EQ(BearerToken("Basic abc"), "");
  EXPECT_EQ(BearerToken("Bearer"), "");
  EXPECT_EQ(BearerToken(""), "");
}

TEST(CredentialsTest, DigestEqualsNeedsSameLengthAndBytes) {
  EXPECT_TRUE(DigestEquals("abcd", "abcd"));
  EXPECT_FALSE(DigestEquals("abcd", "abce"));
  EXPECT_FALSE(DigestEquals("abcd", "abc"));
  EXPECT_FALSE(DigestEquals("", ""));
}

TEST(CredentialsTest, RandomIdentifierHasPrefixAndBase32Body) {
  auto id = RandomIdentifier("dev_");
  ASSERT_TRUE(id.ok());
  ASSERT_EQ(id->size(), 4u + 26u);
  EXPECT_EQ(id->substr(0, 4), "dev_");
  EXPECT_EQ(id->find_first_not_of("abcdefghijklmnopqrstuvwxyz234567", 4), std::string::npos);
}

TEST(GzipTest, RoundTrips) {
  const std::string text(100'000, 'x');
  auto packed = Gzip(text);
  ASSERT_TRUE(packed.ok());
  EXPECT_LT(packed->size(), 1000u);
  auto unpacked = GunzipBounded(*packed, text.size());
  ASSERT_TRUE(unpacked.ok()) << unpacked.status().ToString();
  EXPECT_EQ(*unpacked, text);
}

TEST(GzipTest, StopsABombAtTheCap) {
  // 8 MiB of zeros compress to ~8 KiB; the cap is 1 MiB.
  auto bomb = Gzip(std::string(8 * 1024 * 1024, '\0'));
  ASSERT_TRUE(bomb.ok());
  auto out = GunzipBounded(*bomb, 1024 * 1024);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kResourceExhausted);
}

TEST(GzipTest, RejectsTruncatedCorruptAndTrailingInput) {
  auto packed = Gzip(std::string(10'000, 'y') + "tail");
  ASSERT_TRUE(packed.ok());
  for (std::size_t cut : {std::size_t{0}, std::size_t{5}, packed->size() / 2, packed->size() - 1}) {
    auto out = GunzipBounded(packed->substr(0, cut), 1 << 20);
    ASSERT_FALSE(out.ok()) << "cut at " << cut;
    EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  }
  std::string corrupt = *packed;
  corrupt[corrupt.size() / 2] = static_cast<char>(corrupt[corrupt.size() / 2] ^ 0x55);
  EXPECT_FALSE(GunzipBounded(corrupt, 1 << 20).ok());
  EXPECT_FALSE(GunzipBounded(*packed + "junk", 1 << 20).ok());
  EXPECT_FALSE(GunzipBounded("{\"not\":\"gzip\"}", 1 << 20).ok());
}

TEST(RequestTargetTest, SplitsPathAndDecodesQuery) {
  auto t = ParseRequestTarget("/api/v1/devices?hostname=a%20b+c&limit=5&limit=9&flag");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->path, "/api/v1/devices");
  EXPECT_EQ(t->query.at("hostname"), "a b c");
  EXPECT_EQ(t->query.at("limit"), "5");
  EXPECT_EQ(t->query.at("flag"), "");
}

TEST(RequestTargetTest, RejectsBadTargets) {
  EXPECT_FALSE(ParseRequestTarget(""));
  EXPECT_FALSE(ParseRequestTarget("http://x/"));
  EXPECT_FALSE(ParseRequestTarget("/a%2"));
  EXPECT_FALSE(ParseRequestTarget("/a%zz"));
  EXPECT_FALSE(ParseRequestTarget("/a?x=%00"));
  EXPECT_FALSE(ParseRequestTarget("/a%00b"));
}

}  // namespace
}  // namespace bulwark::collector
