// LocalAdminsProbe: the local_admins section (SPEC.md §4, docs/facts.md): who can administer
// this Linux host, and whether the person at the console is one of them.
//
// Sources, all under the System's root: etc/passwd and etc/group (administrator groups sudo,
// admin, wheel by name, members listed or by primary gid), etc/sudoers with its includes
// (SudoersLoader), uid-0 accounts; the console user from PostureHostState (logind's
// run/systemd/{seats,sessions}, else run/utmp).
//
// Unknown stays null with a reason: unreadable etc/passwd or etc/group, or a sudoers file that
// exists but cannot be read completely, make `members` null (the list would be incomplete);
// console_user_is_admin is then still true when the console user is an administrator through
// what could be read. Extras: nopasswd_grants, uid0_accounts, admin_groups, sudoers_files,
// warnings, console_user_source, console_session.
#ifndef BULWARK_PLATFORM_LINUX_POSTURE_LOCAL_ADMINS_PROBE_H_
#define BULWARK_PLATFORM_LINUX_POSTURE_LOCAL_ADMINS_PROBE_H_

#include <memory>

#include "agent/probes/probe.h"
#include "platform/linux/posture/host_state.h"

namespace bulwark {

class LocalAdminsProbe final : public Probe {
 public:
  explicit LocalAdminsProbe(std::shared_ptr<PostureHostState> state) : state_(std::move(state)) {}
  std::string_view name() const override { return "local_admins"; }
  Status Collect(FactsDocument& facts) override;
  void OnFailure(FactsDocument& facts, const std::string& reason) override;

 private:
  std::shared_ptr<PostureHostState> state_;
};

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_LINUX_POSTURE_LOCAL_ADMINS_PROBE_H_
