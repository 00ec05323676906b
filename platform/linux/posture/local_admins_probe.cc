#include "platform/linux/posture/local_admins_probe.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "agent/base/strings.h"
#include "agent/probes/posture/admin_analysis.h"
#include "platform/linux/posture/json_util.h"
#include "platform/linux/posture/sudoers_loader.h"

namespace bulwark {
namespace json = boost::json;
using posture_json::Strings;

namespace {

constexpr std::size_t kMaxWarnings = 20;

std::string ShortHostname(const FactsDocument& facts, const FileSystem& fs) {
  std::string host = facts.host.hostname.value_or("");
  if (host.empty()) {
    if (auto text = fs.ReadFile("/etc/hostname", 4096); text.ok()) {
      auto lines = SplitLines(*text);
      if (!lines.empty()) host = std::string(TrimWhitespace(lines[0]));
    }
  }
  return host.substr(0, host.find('.'));
}

json::array GrantsToJson(const std::vector<NopasswdGrant>& grants) {
  json::array out;
  for (const auto& g : grants) {
    out.push_back(json::object{{"source", g.source},
                               {"kind", g.kind},
                               {"principals", Strings(g.principals)},
                               {"runas", Strings(g.runas)},
                               {"commands", Strings(g.commands, 50)},
                               {"users", Strings(g.users, 200)},
                               {"all_commands", g.all_commands}});
  }
  return out;
}

}  // namespace

Status LocalAdminsProbe::Collect(FactsDocument& facts) {
  const FileSystem& fs = state_->fs();
  LocalAdminsFacts& out = facts.local_admins;
  out = LocalAdminsFacts{};
  const AccountsSnapshot& accounts = state_->accounts();

  SudoersLoadOptions options;
  options.short_hostname = ShortHostname(facts, fs);
  const SudoersLoadResult sudoers = LoadSudoers(fs, "/etc/sudoers", options);
  AdminAnalysisOptions analysis_options;
  const AdminAnalysis analysis =
      AnalyzeAdmins(accounts.passwd, accounts.groups, sudoers.entries, analysis_options);

  std::vector<std::string> problems;
  if (!accounts.passwd_status.ok()) {
    problems.push_back("/etc/passwd: " + accounts.passwd_status.ToString());
  }
  if (!accounts.group_status.ok()) {
    problems.push_back("/etc/group: " + accounts.group_status.ToString());
  }
  for (const auto& u : sudoers.unreadable) problems.push_back("sudoers " + u);
  const bool complete = problems.empty();

  if (complete) {
    std::vector<AdminMemberFacts> members;
    for (const auto& m : analysis.members) {
      members.push_back(AdminMemberFacts{
          m.name, m.uid ? std::optional<std::string>(std::to_string(*m.uid)) : std::nullopt,
          m.via});
    }
    out.members = std::move(members);
  } else {
    out.reason = "administrators incomplete: " + Join(problems, "; ");
  }

  const ConsoleUser& console = state_->console_user();
  out.console_user = console.name;
  if (console.name) {
    const bool admin =
        FindAdmin(analysis, *console.name) != nullptr || (console.uid && *console.uid == 0);
    if (admin || complete) out.console_user_is_admin = admin;
  }

  std::vector<std::string> warnings = sudoers.warnings;
  warnings.insert(warnings.end(), analysis.warnings.begin(), analysis.warnings.end());
  json::array nopasswd_all;
  for (const auto& m : analysis.members) {
    if (m.sudo_all_nopasswd) nopasswd_all.emplace_back(m.name);
  }
  out.extra = json::object{
      {"nopasswd_grants", sudoers.unreadable.empty()
                              ? json::value(GrantsToJson(analysis.nopasswd_grants))
                              : json::value(nullptr)},
      {"nopasswd_admins", complete ? json::value(std::move(nopasswd_all)) : json::value(nullptr)},
      {"uid0_accounts", accounts.passwd_status.ok() ? json::value(Strings(analysis.uid0_accounts))
                                                    : json::value(nullptr)},
      {"admin_groups", Strings(analysis_options.admin_groups)},
      {"sudoers_present", sudoers.main_present},
      {"sudoers_files", Strings(sudoers.files, 200)},
      {"warnings", Strings(warnings, kMaxWarnings)},
      {"console_user_source", console.known ? json::value(console.source) : json::value(nullptr)},
      {"console_session",
       console.session.empty() ? json::value(nullptr) : json::value(console.session)},
      {"console_user_reason", console.name ? json::value(nullptr) : json::value(console.reason)},
  };
  return Status::Ok();
}

void LocalAdminsProbe::OnFailure(FactsDocument& facts, const std::string& reason) {
  facts.local_admins = LocalAdminsFacts{};
  facts.local_admins.reason = reason;
  facts.local_admins.extra = json::object{
      {"nopasswd_grants", nullptr}, {"nopasswd_admins", nullptr}, {"uid0_accounts", nullptr}};
}

}  // namespace bulwark
