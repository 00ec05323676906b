#include "agent/probes/dm_uuid.h"

#include <gtest/gtest.h>

namespace bulwark {
namespace {

struct Case {
  const char* uuid;
  DmKind kind;
  const char* subsystem;
  const char* luks_uuid;  // nullptr: none
};

class DmUuidTest : public ::testing::TestWithParam<Case> {};

TEST_P(DmUuidTest, Classifies) {
  const Case& c = GetParam();
  DmUuidInfo info = ClassifyDmUuid(c.uuid);
  EXPECT_EQ(info.kind, c.kind) << c.uuid;
  EXPECT_EQ(info.subsystem, c.subsystem) << c.uuid;
  if (c.luks_uuid == nullptr) {
    EXPECT_EQ(info.luks_uuid, std::nullopt) << c.uuid;
  } else {
    EXPECT_EQ(info.luks_uuid, c.luks_uuid) << c.uuid;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, DmUuidTest,
    ::testing::Values(
        Case{"CRYPT-LUKS2-0b9c8e2a6d1f4c3e9a7b5e4d3c2b1a09-luks-0b9c8e2a-6d1f-4c3e-9a7b-"
             "5e4d3c2b1a09",
             DmKind::kCrypt, "luks2", "0b9c8e2a-6d1f-4c3e-9a7b-5e4d3c2b1a09"},
        Case{"CRYPT-LUKS1-0B9C8E2A6D1F4C3E9A7B5E4D3C2B1A09-sda3_crypt\n", DmKind::kCrypt, "luks1",
             "0b9c8e2a-6d1f-4c3e-9a7b-5e4d3c2b1a09"},
        Case{"CRYPT-LUKS2-0b9c8e2a6d1f4c3e9a7b5e4d3c2b1a09", DmKind::kCrypt, "luks2",
             "0b9c8e2a-6d1f-4c3e-9a7b-5e4d3c2b1a09"},
        Case{"CRYPT-LUKS2-shortuuid-name", DmKind::kCrypt, "luks2", nullptr},
        Case{"CRYPT-LUKS2-0b9c8e2a6d1f4c3e9a7b5e4d3c2b1a0Z-x", DmKind::kCrypt, "luks2", nullptr},
        Case{"CRYPT-PLAIN-cryptswap", DmKind::kCrypt, "plain", nullptr},
        Case{"CRYPT-BITLK-4f2c-name", DmKind::kCrypt, "bitlocker", nullptr},
        Case{"CRYPT-TCRYPT-vc", DmKind::kCrypt, "tcrypt", nullptr},
        Case{"CRYPT-VERITY-abc-root", DmKind::kStacking, "verity", nullptr},
        Case{"CRYPT-INTEGRITY-x", DmKind::kStacking, "integrity", nullptr},
        Case{"CRYPT-SUBDEV-x", DmKind::kStacking, "integrity", nullptr},
        Case{"CRYPT-NEWFANGLED-x", DmKind::kUnknown, "crypt-newfangled", nullptr},
        Case{"CRYPT-", DmKind::kUnknown, "crypt-", nullptr},
        Case{"LVM-Xy3kLq0Zp1cB2dE3fG4hI5jK6lM7nO8pQ9rS0tU1vW2xY3zA4bC5dE6fG7hI8j",
             DmKind::kStacking, "lvm", nullptr},
        Case{"mpath-3600508b400105e210000900000490000", DmKind::kStacking, "multipath", nullptr},
        Case{"part1-mpath-3600508b4", DmKind::kStacking, "partition", nullptr},
        Case{"part-mpath", DmKind::kUnknown, "", nullptr},
        Case{"stratis-1-private", DmKind::kStacking, "stratis", nullptr},
        Case{"", DmKind::kUnknown, "", nullptr},
        Case{"lvm-lowercase", DmKind::kUnknown, "", nullptr},
        Case{"FOO-1234", DmKind::kUnknown, "", nullptr}));

}  // namespace
}  // namespace bulwark
