// Who is a local administrator on a Linux host, decided from the account databases and the
// sudoers policy. Pure: the inputs are parsed data (account_db.h, sudoers.h), the output is
// the local_admins facts (SPEC.md §4) before serialization. No I/O.
//
// An account is an administrator when
//  * it is a member of an administrator group ("sudo", "admin", "wheel" by default), either
//    listed in etc/group or through its primary gid in etc/passwd: via "group:<name>";
//  * the sudoers policy lets it run ALL commands as root: via "sudoers:<file>:<line>" for every
//    rule that grants it. Rules are applied in order and the last one that mentions ALL for the
//    user wins, so a later "!ALL" revokes earlier grants. User lists follow sudo's rule that the
//    last matching item decides (so "ALL, !bob" excludes bob). Host lists are not evaluated (a
//    grant for any host counts); netgroups (+ng) and non-Unix groups (%:g) cannot be resolved
//    from local files and are reported as warnings;
//  * it has uid 0 and is not "root": via "uid0".
// The "root" account itself is never listed: it is the administrator by definition.
#ifndef BULWARK_AGENT_PROBES_POSTURE_ADMIN_ANALYSIS_H_
#define BULWARK_AGENT_PROBES_POSTURE_ADMIN_ANALYSIS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/probes/posture/account_db.h"
#include "agent/probes/posture/sudoers.h"

namespace bulwark {

// A sudoers entry together with the file it came from, in evaluation order (includes spliced).
struct SourcedSudoersEntry {
  std::string file;
  SudoersEntry entry;
};

struct AdminMember {
  std::string name;
  std::optional<std::uint32_t> uid;  // null for names not in etc/passwd (e.g. directory users)
  std::vector<std::string> via;      // "group:sudo", "sudoers:/etc/sudoers:50", "uid0"
  bool sudo_all_nopasswd = false;    // the rule that grants ALL does not ask for a password
};

// A sudoers rule or Defaults setting that lets someone run commands without authenticating.
struct NopasswdGrant {
  std::string source;                   // "<file>:<line>"
  std::string kind;                     // "rule" (NOPASSWD: tag) or "defaults" (!authenticate)
  std::vector<std::string> principals;  // the user list as written: "%sudo", "alice", "ALL"
  std::vector<std::string> runas;       // the runas users as written; empty: the default (root)
  std::vector<std::string> commands;    // as written; "ALL" for every command
  std::vector<std::string> users;       // accounts the principals match (known accounts only)
  bool all_commands = false;            // the grant covers ALL commands as root
};

struct AdminAnalysisOptions {
  std::vector<std::string> admin_groups = {"sudo", "admin", "wheel"};
};

struct AdminAnalysis {
  std::vector<AdminMember> members;  // sorted by name
  std::vector<NopasswdGrant> nopasswd_grants;
  std::vector<std::string> uid0_accounts;  // every uid-0 account, "root" included
  std::vector<std::string> warnings;       // unresolvable members, alias loops, ...
};

AdminAnalysis AnalyzeAdmins(const std::vector<PasswdEntry>& passwd,
                            const std::vector<GroupEntry>& groups,
                            const std::vector<SourcedSudoersEntry>& sudoers,
                            const AdminAnalysisOptions& options = {});

// The member named `name`, or nullptr.
const AdminMember* FindAdmin(const AdminAnalysis& analysis, std::string_view name);

}  // namespace bulwark

#endif  // BULWARK_AGENT_PROBES_POSTURE_ADMIN_ANALYSIS_H_
