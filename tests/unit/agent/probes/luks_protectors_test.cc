#include "agent/probes/luks_protectors.h"

#include <gtest/gtest.h>

namespace bulwark {
namespace {

TEST(LuksProtectorsTest, MapsTokenTypes) {
  EXPECT_EQ(ProtectorForTokenType("systemd-tpm2"), "tpm2");
  EXPECT_EQ(ProtectorForTokenType("systemd-fido2"), "fido2");
  EXPECT_EQ(ProtectorForTokenType("systemd-pkcs11"), "pkcs11");
  EXPECT_EQ(ProtectorForTokenType("systemd-recovery"), "recovery");
  EXPECT_EQ(ProtectorForTokenType("clevis"), "clevis");
  EXPECT_EQ(ProtectorForTokenType("luks2-keyring"), "keyring");
  EXPECT_EQ(ProtectorForTokenType("acme"), "token:acme");
}

TEST(LuksProtectorsTest, KeyslotsWithoutTokensArePassphrases) {
  auto slots = MapKeyslots({{0, "argon2id"}, {1, "pbkdf2"}, {3, ""}},
                           {{0, "systemd-tpm2", {1}}, {1, "systemd-fido2", {7}}});
  ASSERT_EQ(slots.size(), 3u);
  EXPECT_EQ(slots[0].protector, "passphrase");
  EXPECT_EQ(slots[0].pbkdf, "argon2id");
  EXPECT_EQ(slots[1].protector, "tpm2");
  EXPECT_EQ(slots[2].protector, "passphrase");
  EXPECT_EQ(slots[2].pbkdf, std::nullopt);
  EXPECT_EQ(DistinctProtectors(slots), (std::vector<std::string>{"passphrase", "tpm2"}));
}

TEST(LuksProtectorsTest, NoKeyslotsNoProtectors) {
  EXPECT_TRUE(MapKeyslots({}, {{0, "systemd-tpm2", {0}}}).empty());
  EXPECT_TRUE(DistinctProtectors({}).empty());
}

}  // namespace
}  // namespace bulwark
