#include "agent/facts/facts_json.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "agent/base/time_util.h"

namespace bulwark {
namespace json = boost::json;
namespace {

TEST(FactsJsonTest, EmptyDocumentHasEveryNormativeMemberAndNulls) {
  FactsDocument f;
  f.collected_at = *ParseRfc3339("2026-11-28T16:00:00Z");
  f.os.family = "linux";
  json::value v = json::parse(SerializeFacts(f));
  const auto& o = v.as_object();
  EXPECT_EQ(o.at("schema").as_string(), "bulwark.facts/1");
  EXPECT_EQ(o.at("collected_at").as_string(), "2026-11-28T16:00:00Z");
  EXPECT_TRUE(o.at("host").as_object().at("hostname").is_null());
  EXPECT_EQ(o.at("os").as_object().at("family").as_string(), "linux");
  EXPECT_TRUE(o.at("disk_encryption").as_object().at("volumes").is_null());
  const auto& admins = o.at("local_admins").as_object();
  EXPECT_TRUE(admins.at("members").is_null());
  EXPECT_TRUE(admins.at("console_user_is_admin").is_null());
  const auto& ep = o.at("endpoint_protection").as_object();
  EXPECT_TRUE(ep.at("antivirus").is_null());
  EXPECT_TRUE(ep.at("firewall").as_object().at("enabled").is_null());
  EXPECT_TRUE(ep.at("mac").as_object().at("mode").is_null());
  EXPECT_TRUE(o.at("hardening").as_object().empty());
}

TEST(FactsJsonTest, VolumeSerializesUnknownAsNullNotFalse) {
  VolumeFacts v;
  v.mount_point = "/";
  v.device = "/dev/mapper/root";
  v.role = "system";
  v.reason = "LUKS header not read";
  v.encrypted = true;
  json::object o = VolumeToJson(v).as_object();
  EXPECT_EQ(o.at("encrypted").as_bool(), true);
  EXPECT_TRUE(o.at("cipher").is_null());
  EXPECT_TRUE(o.at("key_bits").is_null());
  EXPECT_TRUE(o.at("key_protectors").is_null());
  EXPECT_EQ(o.at("reason").as_string(), "LUKS header not read");

  VolumeFacts unknown;
  unknown.device = "/dev/dm-9";
  unknown.role = "swap";
  json::object u = VolumeToJson(unknown).as_object();
  EXPECT_TRUE(u.at("encrypted").is_null());
  EXPECT_TRUE(u.at("mount_point").is_null());
}

TEST(FactsJsonTest, ExtrasNeverOverrideNormativeMembers) {
  FactsDocument f;
  f.local_admins.members = std::vector<AdminMemberFacts>{{"alice", "1000", {"group:sudo"}}};
  f.local_admins.extra["console_user"] = "mallory";
  f.local_admins.extra["nopasswd_grants"] = json::array{};
  f.hardening["aslr"] = json::object{{"randomize_va_space", 2}};
  json::value v = FactsToJson(f);
  const auto& admins = v.as_object().at("local_admins").as_object();
  EXPECT_TRUE(admins.at("console_user").is_null());
  EXPECT_TRUE(admins.at("nopasswd_grants").is_array());
  EXPECT_EQ(admins.at("members").as_array()[0].as_object().at("via").as_array()[0].as_string(),
            "group:sudo");
  EXPECT_EQ(v.as_object()
                .at("hardening")
                .as_object()
                .at("aslr")
                .as_object()
                .at("randomize_va_space")
                .as_int64(),
            2);
}

}  // namespace
}  // namespace bulwark
