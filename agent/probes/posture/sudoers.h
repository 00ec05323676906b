// Pure lexer and parser for sudoers(5), as far as a posture probe needs it: who may run what as
// whom, with which tags, and which other files are included. No I/O: include directives are
// returned as entries, and the caller (platform/linux/posture/sudoers_loader.h) reads the named
// files through the FileSystem seam and splices their entries in at the directive's position.
//
// Understood: comments (a '#' that does not start "#include"/"#includedir" or a "#uid"), line
// continuation with a trailing backslash, quoting with "..." and backslash escapes;
// #include/@include/#includedir/@includedir; User_Alias, Runas_Alias, Host_Alias, Cmnd_Alias
// (and Cmd_Alias), several definitions per line separated by ':'; Defaults lines with their
// binding (Defaults:user, @host, >runas, !cmnd); user specifications
//   User_List Host_List = Cmnd_Spec_List [: Host_List = Cmnd_Spec_List]...
// with Runas_Spec "(users:groups)", option specs (CWD=, CHROOT=, ROLE=, TYPE=, TIMEOUT=,
// NOTBEFORE=, NOTAFTER=, APPARMOR_PROFILE=, PRIVS=, LIMITPRIVS=), tags (NOPASSWD:, PASSWD:,
// NOEXEC:, SETENV:, ...; a tag carries over to the following commands of the same list until
// overridden, as does the Runas_Spec) and digest specs (sha256:...).
//
// A line the parser cannot understand is skipped with a warning; parsing never fails and takes
// time linear in the input. Hostile input (binary data, megabyte lines) is tolerated.
#ifndef BULWARK_AGENT_PROBES_POSTURE_SUDOERS_H_
#define BULWARK_AGENT_PROBES_POSTURE_SUDOERS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace bulwark {

enum class SudoersItemKind {
  kAll,           // ALL
  kName,          // a user, host or runas user name
  kId,            // #1000 (a uid)
  kGroup,         // %wheel
  kGroupId,       // %#10
  kNonUnixGroup,  // %:name (group plugin; not resolvable from etc/group)
  kNetgroup,      // +name (not resolvable from local files)
  kAlias,         // an upper-case alias name
  kCommand,       // a command with its arguments (Cmnd lists only)
};

struct SudoersItem {
  SudoersItemKind kind = SudoersItemKind::kName;
  std::string value;  // without its prefix ('%', '#', '+'); the whole command for kCommand
  bool negated = false;
};

// One command of a Cmnd_Spec_List with the Runas_Spec, host list and tags in effect for it.
struct SudoersCommandSpec {
  std::vector<SudoersItem> hosts;
  bool runas_given = false;  // false: the default runas user (root)
  std::vector<SudoersItem> runas_users;
  std::vector<SudoersItem> runas_groups;
  bool nopasswd = false;
  SudoersItem command;  // kAll, kAlias or kCommand; `negated` for "!cmd"
};

struct SudoersUserSpec {
  std::vector<SudoersItem> users;
  std::vector<SudoersCommandSpec> commands;
};

enum class SudoersAliasType { kUser, kRunas, kHost, kCmnd };

struct SudoersAlias {
  SudoersAliasType type = SudoersAliasType::kUser;
  std::string name;
  std::vector<SudoersItem> items;
};

struct SudoersInclude {
  std::string path;  // as written (unquoted, unescaped); may be relative or contain %h
  bool directory = false;
};

struct SudoersDefaults {
  char binding = '\0';                // '\0' (global), ':', '@', '>' or '!'
  std::vector<std::string> targets;   // the binding's list, as written
  std::vector<std::string> settings;  // "!authenticate", "env_reset", "secure_path=..."
};

struct SudoersEntry {
  std::size_t line = 0;  // 1-based line where the entry starts
  std::variant<SudoersUserSpec, SudoersAlias, SudoersInclude, SudoersDefaults> value;
};

struct SudoersWarning {
  std::size_t line = 0;
  std::string message;  // never contains more than a short excerpt of the input
};

struct SudoersFile {
  std::vector<SudoersEntry> entries;  // in file order
  std::vector<SudoersWarning> warnings;
};

SudoersFile ParseSudoers(std::string_view text);

// The file an include directive names: "%h" becomes `short_hostname`, "%%" a literal '%', and
// a relative path is taken relative to the directory of `including_file` (sudo >= 1.9.1).
// Returns "" when the path needs the host name and `short_hostname` is empty.
std::string ResolveSudoersIncludePath(std::string_view path, std::string_view short_hostname,
                                      std::string_view including_file);

// Whether #includedir reads a file of this name: sudo skips names ending in '~' or containing
// a '.', so editor backups and package-manager leftovers (.dpkg-old, .rpmnew) are ignored.
bool SudoersIncludeDirAccepts(std::string_view file_name);

// Classifies one user-list word as sudoers does ("!%wheel" -> negated kGroup "wheel").
SudoersItem ClassifySudoersMember(std::string_view word);

// "%wheel", "!#1000", "ALL", "/usr/bin/apt update": an item as sudoers writes it.
std::string SudoersItemToString(const SudoersItem& item);

}  // namespace bulwark

#endif  // BULWARK_AGENT_PROBES_POSTURE_SUDOERS_H_
