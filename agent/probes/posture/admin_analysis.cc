#include "agent/probes/posture/admin_analysis.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "agent/base/strings.h"

namespace bulwark {
namespace {

// sudo itself rejects alias nesting this deep; it also bounds alias loops (A = B, B = A).
constexpr int kMaxAliasDepth = 16;

struct Candidate {
  std::string name;
  std::optional<std::uint32_t> uid;
  std::optional<std::uint32_t> gid;
  std::set<std::string> groups;
  std::set<std::uint32_t> gids;
};

std::optional<std::uint32_t> ToId(std::string_view digits) {
  auto v = ParseUint64(digits);
  if (!v || *v > 0xffffffffu) return std::nullopt;
  return static_cast<std::uint32_t>(*v);
}

std::string_view AliasTypeName(SudoersAliasType type) {
  switch (type) {
    case SudoersAliasType::kUser:
      return "User_Alias";
    case SudoersAliasType::kRunas:
      return "Runas_Alias";
    case SudoersAliasType::kHost:
      return "Host_Alias";
    case SudoersAliasType::kCmnd:
      return "Cmnd_Alias";
  }
  return "alias";
}

class Evaluator {
 public:
  Evaluator(const std::vector<SourcedSudoersEntry>& sudoers, std::set<std::string>& warnings)
      : warnings_(warnings) {
    for (const auto& sourced : sudoers) {
      if (const auto* alias = std::get_if<SudoersAlias>(&sourced.entry.value)) {
        aliases_[{alias->type, alias->name}] = &alias->items;
      }
    }
  }

  // sudo's rule: the last item of the list that matches decides; nullopt when none matches.
  std::optional<bool> ListMatch(const std::vector<SudoersItem>& list, const Candidate& who,
                                SudoersAliasType type, int depth = 0) const {
    for (auto it = list.rbegin(); it != list.rend(); ++it) {
      if (auto m = ItemMatch(*it, who, type, depth)) return m;
    }
    return std::nullopt;
  }

  // Whether a command item means "every command" (ALL, or a Cmnd_Alias that contains ALL).
  bool IsAllCommand(const SudoersItem& item, int depth = 0) const {
    if (item.kind == SudoersItemKind::kAll) return true;
    if (item.kind != SudoersItemKind::kAlias) return false;
    const auto* items = Lookup(SudoersAliasType::kCmnd, item.value, depth);
    if (items == nullptr) return false;
    return std::any_of(items->begin(), items->end(), [&](const SudoersItem& i) {
      return !i.negated && IsAllCommand(i, depth + 1);
    });
  }

 private:
  std::optional<bool> ItemMatch(const SudoersItem& item, const Candidate& who,
                                SudoersAliasType type, int depth) const {
    bool matched = false;
    switch (item.kind) {
      case SudoersItemKind::kAll:
        matched = true;
        break;
      case SudoersItemKind::kName:
        matched = item.value == who.name;
        break;
      case SudoersItemKind::kId: {
        auto id = ToId(item.value);
        matched = id && who.uid && *id == *who.uid;
        break;
      }
      case SudoersItemKind::kGroup:
        matched = who.groups.count(item.value) > 0;
        break;
      case SudoersItemKind::kGroupId: {
        auto id = ToId(item.value);
        matched = id && who.gids.count(*id) > 0;
        break;
      }
      case SudoersItemKind::kNonUnixGroup:
      case SudoersItemKind::kNetgroup:
        warnings_.insert("cannot resolve " +
                         SudoersItemToString(SudoersItem{item.kind, item.value}) +
                         " from local files");
        return std::nullopt;
      case SudoersItemKind::kAlias: {
        const auto* items = Lookup(type, item.value, depth);
        if (items == nullptr) return std::nullopt;
        auto inner = ListMatch(*items, who, type, depth + 1);
        if (!inner) return std::nullopt;
        return item.negated ? !*inner : *inner;
      }
      case SudoersItemKind::kCommand:
        return std::nullopt;
    }
    if (!matched) return std::nullopt;
    return !item.negated;
  }

  const std::vector<SudoersItem>* Lookup(SudoersAliasType type, const std::string& name,
                                         int depth) const {
    if (depth >= kMaxAliasDepth) {
      warnings_.insert(std::string(AliasTypeName(type)) + " " + name +
                       " nests too deeply (alias loop?)");
      return nullptr;
    }
    auto it = aliases_.find({type, name});
    if (it == aliases_.end()) {
      warnings_.insert(std::string(AliasTypeName(type)) + " " + name + " is not defined");
      return nullptr;
    }
    return it->second;
  }

  std::map<std::pair<SudoersAliasType, std::string>, const std::vector<SudoersItem>*> aliases_;
  std::set<std::string>& warnings_;
};

bool RunasCoversRoot(const SudoersCommandSpec& spec, const Candidate& root, const Evaluator& eval) {
  if (!spec.runas_given) return true;          // the default runas user is root
  if (spec.runas_users.empty()) return false;  // "(:group)" or "()": runs as the invoker
  return eval.ListMatch(spec.runas_users, root, SudoersAliasType::kRunas).value_or(false);
}

std::vector<std::string> Render(const std::vector<SudoersItem>& items) {
  std::vector<std::string> out;
  for (const auto& item : items) out.push_back(SudoersItemToString(item));
  return out;
}

// Every name that could be a user: passwd accounts, group members and names sudoers mentions.
std::map<std::string, Candidate> BuildCandidates(const std::vector<PasswdEntry>& passwd,
                                                 const std::vector<GroupEntry>& groups,
                                                 const std::vector<SourcedSudoersEntry>& sudoers) {
  std::map<std::string, Candidate> candidates;
  for (const auto& p : passwd) {
    if (candidates.count(p.name) > 0) continue;  // the first entry wins, as in getpwnam()
    candidates[p.name] = Candidate{p.name, p.uid, p.gid, {}, {}};
  }
  auto add_name = [&](const std::string& name) {
    if (candidates.count(name) == 0) candidates[name] = Candidate{name, {}, {}, {}, {}};
  };
  for (const auto& g : groups) {
    for (const auto& m : g.members) add_name(m);
  }
  auto add_items = [&](const std::vector<SudoersItem>& items) {
    for (const auto& item : items) {
      if (item.kind == SudoersItemKind::kName) add_name(item.value);
    }
  };
  for (const auto& sourced : sudoers) {
    if (const auto* spec = std::get_if<SudoersUserSpec>(&sourced.entry.value)) {
      add_items(spec->users);
    } else if (const auto* alias = std::get_if<SudoersAlias>(&sourced.entry.value)) {
      if (alias->type == SudoersAliasType::kUser) add_items(alias->items);
    }
  }
  for (auto& [name, c] : candidates) {
    for (const auto& g : groups) {
      const bool listed = std::find(g.members.begin(), g.members.end(), name) != g.members.end();
      if (listed || (c.gid && *c.gid == g.gid)) {
        c.groups.insert(g.name);
        c.gids.insert(g.gid);
      }
    }
    if (c.gid) c.gids.insert(*c.gid);  // a primary gid with no etc/group line still counts
  }
  return candidates;
}

void AddVia(AdminMember& member, std::string via) {
  if (std::find(member.via.begin(), member.via.end(), via) == member.via.end()) {
    member.via.push_back(std::move(via));
  }
}

}  // namespace

AdminAnalysis AnalyzeAdmins(const std::vector<PasswdEntry>& passwd,
                            const std::vector<GroupEntry>& groups,
                            const std::vector<SourcedSudoersEntry>& sudoers,
                            const AdminAnalysisOptions& options) {
  AdminAnalysis out;
  std::set<std::string> warnings;
  const Evaluator eval(sudoers, warnings);
  const auto candidates = BuildCandidates(passwd, groups, sudoers);

  Candidate root{"root", 0u, 0u, {}, {0u}};
  if (auto it = candidates.find("root"); it != candidates.end()) root = it->second;

  std::map<std::string, AdminMember> members;
  auto member = [&](const Candidate& c) -> AdminMember& {
    auto [it, inserted] = members.try_emplace(c.name);
    if (inserted) {
      it->second.name = c.name;
      it->second.uid = c.uid;
    }
    return it->second;
  };

  // Administrator groups: listed members and accounts whose primary group it is.
  for (const auto& [name, c] : candidates) {
    for (const auto& group : options.admin_groups) {
      if (c.groups.count(group) > 0) AddVia(member(c), "group:" + group);
    }
  }

  // sudoers: the last rule mentioning ALL-as-root for the user decides.
  for (const auto& [name, c] : candidates) {
    std::vector<std::string> vias;
    bool nopasswd = false;
    for (const auto& sourced : sudoers) {
      const auto* spec = std::get_if<SudoersUserSpec>(&sourced.entry.value);
      if (spec == nullptr) continue;
      if (!eval.ListMatch(spec->users, c, SudoersAliasType::kUser).value_or(false)) continue;
      for (const auto& cmd : spec->commands) {
        if (!RunasCoversRoot(cmd, root, eval) || !eval.IsAllCommand(cmd.command)) continue;
        if (cmd.command.negated) {
          vias.clear();
          nopasswd = false;
          continue;
        }
        std::string via = "sudoers:" + sourced.file + ":" + std::to_string(sourced.entry.line);
        if (std::find(vias.begin(), vias.end(), via) == vias.end()) vias.push_back(via);
        nopasswd = cmd.nopasswd;
      }
    }
    if (vias.empty()) continue;
    AdminMember& m = member(c);
    for (auto& via : vias) AddVia(m, std::move(via));
    m.sudo_all_nopasswd = nopasswd;
  }

  // Accounts with uid 0 are root whatever their name.
  for (const auto& p : passwd) {
    if (p.uid != 0) continue;
    if (std::find(out.uid0_accounts.begin(), out.uid0_accounts.end(), p.name) ==
        out.uid0_accounts.end()) {
      out.uid0_accounts.push_back(p.name);
    }
    if (p.name != "root") {
      auto it = candidates.find(p.name);
      if (it != candidates.end()) AddVia(member(it->second), "uid0");
    }
  }

  // Rules and Defaults that waive authentication.
  auto matching_users = [&](const std::vector<SudoersItem>& list) {
    std::vector<std::string> users;
    for (const auto& [name, c] : candidates) {
      if (eval.ListMatch(list, c, SudoersAliasType::kUser).value_or(false)) users.push_back(name);
    }
    return users;
  };
  for (const auto& sourced : sudoers) {
    const std::string source = sourced.file + ":" + std::to_string(sourced.entry.line);
    if (const auto* spec = std::get_if<SudoersUserSpec>(&sourced.entry.value)) {
      NopasswdGrant grant{source, "rule", Render(spec->users), {}, {}, {}, false};
      for (const auto& cmd : spec->commands) {
        if (!cmd.nopasswd || cmd.command.negated) continue;
        for (auto& r : Render(cmd.runas_users)) {
          if (std::find(grant.runas.begin(), grant.runas.end(), r) == grant.runas.end()) {
            grant.runas.push_back(std::move(r));
          }
        }
        grant.commands.push_back(SudoersItemToString(cmd.command));
        if (eval.IsAllCommand(cmd.command) && RunasCoversRoot(cmd, root, eval)) {
          grant.all_commands = true;
        }
      }
      if (grant.commands.empty()) continue;
      grant.users = matching_users(spec->users);
      out.nopasswd_grants.push_back(std::move(grant));
    } else if (const auto* defaults = std::get_if<SudoersDefaults>(&sourced.entry.value)) {
      if (std::find(defaults->settings.begin(), defaults->settings.end(), "!authenticate") ==
          defaults->settings.end()) {
        continue;
      }
      NopasswdGrant grant{source, "defaults", {"ALL"}, {}, {"ALL"}, {}, true};
      std::vector<SudoersItem> who = {SudoersItem{SudoersItemKind::kAll, "ALL", false}};
      if (defaults->binding == ':') {
        grant.principals = defaults->targets;
        who.clear();
        for (const auto& t : defaults->targets) who.push_back(ClassifySudoersMember(t));
      } else if (defaults->binding == '>') {
        grant.runas = defaults->targets;
      } else if (defaults->binding == '!') {
        grant.commands = defaults->targets;
        grant.all_commands = false;
      }
      grant.users = matching_users(who);
      if (grant.all_commands) {
        for (const auto& name : grant.users) {
          auto it = members.find(name);
          if (it != members.end() && grant.runas.empty()) it->second.sudo_all_nopasswd = true;
        }
      }
      out.nopasswd_grants.push_back(std::move(grant));
    }
  }

  for (auto& [name, m] : members) {
    if (name == "root" && (!m.uid || *m.uid == 0)) continue;
    out.members.push_back(std::move(m));
  }
  out.warnings.assign(warnings.begin(), warnings.end());
  return out;
}

const AdminMember* FindAdmin(const AdminAnalysis& analysis, std::string_view name) {
  for (const auto& m : analysis.members) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

}  // namespace bulwark
