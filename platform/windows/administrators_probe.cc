// AdministratorsProbe: members of the local Administrators group, found by its well-known SID
// S-1-5-32-544 (the name is localized: "Administratoren", "Administrateurs", ...), and the
// console user. Mapping: docs/facts-windows.md, "local_admins".
#include <algorithm>
#include <string>
#include <vector>

#include "agent/base/strings.h"
#include "platform/windows/windows_probes.h"

namespace bulwark {
namespace {

constexpr char kAdministratorsSid[] = "S-1-5-32-544";
constexpr std::uint32_t kBuiltinAdministratorRid = 500;
constexpr std::uint32_t kGuestRid = 501;

// The RID-500 account of this machine (whatever it has been renamed to).
bool IsBuiltinAdministrator(const LocalGroupMember& m) {
  return m.local && StartsWith(m.sid, "S-1-5-21-") && EndsWith(m.sid, "-500");
}

// "WS-CAROL\\alice" -> "alice" for a local account; domain accounts keep their domain.
std::string DisplayName(const LocalGroupMember& m) {
  if (m.name.empty()) return m.sid;  // a deleted account: only its SID remains
  if (m.local) {
    if (auto pos = m.name.find('\\'); pos != std::string::npos) return m.name.substr(pos + 1);
  }
  return m.name;
}

const char* GroupKind(LocalGroupMember::Kind kind) {
  switch (kind) {
    case LocalGroupMember::Kind::kGroup:
      return "domain_group";
    case LocalGroupMember::Kind::kWellKnownGroup:
      return "well_known_group";
    case LocalGroupMember::Kind::kAlias:
      return "local_group";
    default:
      return nullptr;
  }
}

boost::json::value OptBool(const Result<bool>& r) {
  if (!r.ok()) return nullptr;
  return *r;
}

class AdministratorsProbe final : public Probe {
 public:
  explicit AdministratorsProbe(WindowsSystem& system) : accounts_(system.accounts()) {}
  std::string_view name() const override { return "local_admins"; }

  void OnFailure(FactsDocument& facts, const std::string& reason) override {
    facts.local_admins = LocalAdminsFacts{};
    facts.local_admins.reason = reason;
  }

  Status Collect(FactsDocument& facts) override {
    LocalAdminsFacts out;
    std::vector<std::string> member_sids;
    std::string builtin_sid;
    bool has_groups = false;
    auto members = accounts_.GroupMembers(kAdministratorsSid);
    if (members.ok()) {
      std::vector<AdminMemberFacts> list;
      boost::json::array groups;
      for (const auto& m : *members) {
        if (IsBuiltinAdministrator(m)) {
          builtin_sid = m.sid;  // reported as builtin_administrator_enabled
          continue;
        }
        member_sids.push_back(m.sid);
        AdminMemberFacts a;
        a.name = DisplayName(m);
        a.id = m.sid;
        a.via = {"group:Administrators"};
        if (const char* kind = GroupKind(m.kind)) {
          // Nested groups are reported as themselves, not expanded: expanding a domain group
          // needs the domain controller, and its membership changes without this host.
          has_groups = true;
          groups.push_back(boost::json::object{{"name", a.name}, {"id", m.sid}, {"kind", kind}});
        }
        list.push_back(std::move(a));
      }
      std::sort(list.begin(), list.end(), [](const AdminMemberFacts& x, const AdminMemberFacts& y) {
        return x.name < y.name;
      });
      out.members = std::move(list);
      out.extra["member_groups"] = std::move(groups);
    } else {
      out.reason = "members of " + std::string(kAdministratorsSid) +
                   " not read: " + members.status().message();
      out.extra["member_groups"] = nullptr;
    }

    auto console = accounts_.Console();
    if (!console.ok()) {
      out.extra["console_user_source"] = nullptr;
      out.extra["console_session"] = nullptr;
      out.extra["console_user_reason"] = "console session not read: " + console.status().message();
    } else {
      out.extra["console_user_source"] = "wts";
      if (console->session_id) {
        out.extra["console_session"] = std::to_string(*console->session_id);
      } else {
        out.extra["console_session"] = nullptr;
      }
      if (console->user.empty()) {
        out.extra["console_user_reason"] = "no user is signed in at the console";
      } else {
        out.console_user = console->user;
        out.extra["console_user_reason"] = nullptr;
        out.console_user_is_admin =
            ConsoleIsAdmin(*console, member_sids, builtin_sid, members.ok(), has_groups);
      }
    }
    out.extra["builtin_administrator_enabled"] =
        OptBool(accounts_.LocalAccountEnabled(kBuiltinAdministratorRid));
    out.extra["guest_enabled"] = OptBool(accounts_.LocalAccountEnabled(kGuestRid));
    facts.local_admins = std::move(out);
    return Status();
  }

 private:
  // The token answers for nested groups too; without it only a direct membership is certain.
  static std::optional<bool> ConsoleIsAdmin(const ConsoleSession& console,
                                            const std::vector<std::string>& member_sids,
                                            const std::string& builtin_sid, bool members_read,
                                            bool has_groups) {
    if (console.token_in_administrators) return console.token_in_administrators;
    if (!builtin_sid.empty() && console.user_sid == builtin_sid) return true;
    if (std::find(member_sids.begin(), member_sids.end(), console.user_sid) != member_sids.end())
      return true;
    if (members_read && !has_groups) return false;
    return std::nullopt;  // possibly a member through a nested group, or members unknown
  }

  const LocalAccounts& accounts_;
};

}  // namespace

std::unique_ptr<Probe> NewAdministratorsProbe(WindowsSystem& system) {
  return std::make_unique<AdministratorsProbe>(system);
}

}  // namespace bulwark
