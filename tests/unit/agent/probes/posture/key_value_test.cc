#include "agent/probes/posture/key_value.h"

#include <gtest/gtest.h>

namespace bulwark {
namespace {

TEST(KeyValueTest, ShellStyleAssignments) {
  auto kv = ParseKeyValue(
      "# ufw\n"
      "ENABLED=yes\n"
      "LOGLEVEL=low   # trailing comment\n"
      "DEFAULT_INPUT_POLICY=\"DROP\"\n"
      "Q='single'\n"
      "E=\"a \\\"b\\\"\"\n"
      "export X=1\n"
      "DefaultZone=public\n"
      "BAD KEY=1\n"
      "OPEN=\"unterminated\n"
      "ENABLED=no\n");
  EXPECT_EQ(kv["ENABLED"], "no");
  EXPECT_EQ(kv["LOGLEVEL"], "low");
  EXPECT_EQ(kv["DEFAULT_INPUT_POLICY"], "DROP");
  EXPECT_EQ(kv["Q"], "single");
  EXPECT_EQ(kv["E"], "a \"b\"");
  EXPECT_EQ(kv["X"], "1");
  EXPECT_EQ(kv["DefaultZone"], "public");
  EXPECT_EQ(kv.count("OPEN"), 0u);
  EXPECT_EQ(kv.count("BAD KEY"), 0u);
}

TEST(IniTest, SectionsKeysAndComments) {
  auto ini = ParseIni(
      "[commands]\n"
      "# upgrade_type = security\n"
      "upgrade_type = default\n"
      "Apply_Updates: Yes\n"
      "[Emitters]\n"
      "emit_via = stdio\n"
      "[broken\n"
      "novalue\n");
  EXPECT_EQ(ini["commands.upgrade_type"], "default");
  EXPECT_EQ(ini["commands.apply_updates"], "Yes");
  EXPECT_EQ(ini["emitters.emit_via"], "stdio");
  EXPECT_EQ(ini.size(), 3u);
}

TEST(BoolWordTest, Table) {
  EXPECT_EQ(ParseBoolWord("yes"), true);
  EXPECT_EQ(ParseBoolWord(" TRUE "), true);
  EXPECT_EQ(ParseBoolWord("on"), true);
  EXPECT_EQ(ParseBoolWord("0"), false);
  EXPECT_EQ(ParseBoolWord("No"), false);
  EXPECT_EQ(ParseBoolWord("maybe"), std::nullopt);
  EXPECT_EQ(ParseBoolWord(""), std::nullopt);
}

}  // namespace
}  // namespace bulwark
