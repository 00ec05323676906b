#include "agent/probes/posture/console_session.h"

#include <gtest/gtest.h>

#include <cstring>

namespace bulwark {
namespace {

TEST(LogindTest, ParsesSessionAndSeat) {
  const LogindSession s = ParseLogindSession(
      "2",
      "# This is private data. Do not parse.\nUID=1000\nUSER=alice\nACTIVE=1\n"
      "IS_DISPLAY=1\nSTATE=active\nREMOTE=0\nTYPE=wayland\nORIGINAL_TYPE=wayland\n"
      "CLASS=user\nSCOPE=session-2.scope\nSEAT=seat0\nDESKTOP=GNOME\nVTNR=2\n");
  EXPECT_EQ(s.id, "2");
  EXPECT_EQ(s.uid, 1000u);
  EXPECT_EQ(s.user, "alice");
  EXPECT_TRUE(s.active);
  EXPECT_FALSE(s.remote);
  EXPECT_EQ(s.seat, "seat0");
  EXPECT_EQ(s.type, "wayland");
  EXPECT_EQ(s.desktop, "GNOME");
  const LogindSeat seat =
      ParseLogindSeat("IS_SEAT0=1\nCAN_GRAPHICAL=1\nACTIVE=2\nACTIVE_UID=1000\n");
  EXPECT_EQ(seat.active_session, "2");
  EXPECT_EQ(seat.active_uid, 1000u);
}

LogindSession Session(std::string id, std::string user, std::string seat, bool active,
                      std::string klass = "user", bool remote = false) {
  LogindSession s;
  s.id = std::move(id);
  s.user = std::move(user);
  s.seat = std::move(seat);
  s.active = active;
  s.session_class = std::move(klass);
  s.remote = remote;
  return s;
}

TEST(LogindTest, PicksActiveLocalUserSession) {
  const std::vector<LogindSession> sessions = {
      Session("c1", "gdm", "seat0", false, "greeter"),
      Session("5", "bob", "", true),  // ssh
      Session("3", "carol", "seat0", false),
      Session("2", "alice", "seat0", true),
  };
  EXPECT_EQ(PickConsoleSession(sessions, "")->user, "alice");
  EXPECT_EQ(PickConsoleSession(sessions, "2")->user, "alice");
  const std::vector<LogindSession> greeter = {Session("c1", "gdm", "seat0", true, "greeter")};
  EXPECT_EQ(PickConsoleSession(greeter, "c1"), nullptr);
  const std::vector<LogindSession> remote = {Session("7", "eve", "seat0", true, "user", true)};
  EXPECT_EQ(PickConsoleSession(remote, ""), nullptr);
  EXPECT_EQ(PickConsoleSession({}, ""), nullptr);
}

std::string UtmpRecordBytes(int type, int pid, const char* line, const char* user,
                            std::int32_t tv) {
  std::string r(kUtmpRecordSize, '\0');
  r[0] = static_cast<char>(type);
  std::memcpy(&r[4], &pid, 4);
  std::memcpy(&r[8], line, std::strlen(line));
  std::memcpy(&r[44], user, std::strlen(user));
  std::memcpy(&r[340], &tv, 4);
  return r;
}

TEST(UtmpTest, DecodesRecordsAndPicksConsoleLogins) {
  const std::string bytes =
      UtmpRecordBytes(2, 0, "~", "reboot", 100) + UtmpRecordBytes(7, 900, "pts/0", "sshuser", 500) +
      UtmpRecordBytes(7, 800, "tty2", "carol", 300) + UtmpRecordBytes(7, 700, ":0", "alice", 200) +
      UtmpRecordBytes(8, 600, "tty3", "dead", 400) + UtmpRecordBytes(7, 650, "tty1", "dave", 350) +
      "partial";
  const auto records = DecodeUtmp(bytes);
  ASSERT_EQ(records.size(), 6u);
  EXPECT_EQ(records[1].user, "sshuser");
  EXPECT_EQ(records[1].pid, 900);
  EXPECT_EQ(records[2].time_seconds, 300);
  const auto console = ConsoleUtmpCandidates(records);
  ASSERT_EQ(console.size(), 3u);
  EXPECT_EQ(console[0].user, "alice");  // X display first
  EXPECT_EQ(console[1].user, "dave");   // then the newest VT login
  EXPECT_EQ(console[2].user, "carol");
}

TEST(UtmpTest, JunkAndFullLengthFields) {
  std::string junk(kUtmpRecordSize * 3, '\xff');
  EXPECT_TRUE(DecodeUtmp(junk).empty());
  std::string full = UtmpRecordBytes(7, 1, "tty1", "", 1);
  std::memset(&full[44], 'u', 32);  // user not NUL-terminated
  const auto r = DecodeUtmp(full);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].user, std::string(32, 'u'));
}

}  // namespace
}  // namespace bulwark
