// The hardening probes: one object per probe under facts.hardening (SPEC.md §4), each documented
// field by field in docs/facts.md. Every probe writes its whole object with every field present
// (null when unknown, plus "reason"); when a probe fails the registry calls OnFailure, which
// writes the same shape with all fields null.
//
//   secure_boot        sys/firmware/efi/efivars SecureBoot-/SetupMode- variables, kernel lockdown
//   screen_lock        GNOME lock-enabled / lock-delay / idle-delay of the console user, via
//                      `gsettings` run as that user (live only)
//   automatic_updates  unattended-upgrades (APT configuration) or dnf-automatic (timers, config)
//   pending_updates    update-notifier's cached counts, run/reboot-required, newer kernels
//   ssh_server         OpenSSH server installed/enabled/running and effective sshd_config values
//   crypttab           etc/crypttab entries and the permissions of their key files
//   aslr               proc/sys/kernel/randomize_va_space
//   os_support         os-release SUPPORT_END or the built-in end-of-support table
//
// Thread-safety: like every Probe, used by one thread at a time.
#ifndef BULWARK_PLATFORM_LINUX_POSTURE_HARDENING_PROBES_H_
#define BULWARK_PLATFORM_LINUX_POSTURE_HARDENING_PROBES_H_

#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <vector>

#include "agent/probes/probe.h"
#include "platform/linux/posture/host_state.h"

namespace bulwark {

// A probe that fills facts.hardening[key()].
class HardeningProbe : public Probe {
 public:
  explicit HardeningProbe(std::shared_ptr<PostureHostState> state) : state_(std::move(state)) {}
  // The key under facts.hardening, e.g. "secure_boot"; name() is "hardening.<key>".
  virtual std::string_view key() const = 0;
  Status Collect(FactsDocument& facts) final;
  void OnFailure(FactsDocument& facts, const std::string& reason) final;

 protected:
  // The probe's fields, all null, plus "reason": null.
  virtual boost::json::object NullShape() const = 0;
  // Fills `out` (which starts as NullShape()). An error leaves the object as OnFailure would.
  virtual Status Inspect(const FactsDocument& facts, boost::json::object& out) = 0;

  PostureHostState& state() { return *state_; }

 private:
  std::shared_ptr<PostureHostState> state_;
};

class SecureBootProbe final : public HardeningProbe {
 public:
  using HardeningProbe::HardeningProbe;
  std::string_view name() const override { return "hardening.secure_boot"; }
  std::string_view key() const override { return "secure_boot"; }

 protected:
  boost::json::object NullShape() const override;
  Status Inspect(const FactsDocument& facts, boost::json::object& out) override;
};

class ScreenLockProbe final : public HardeningProbe {
 public:
  using HardeningProbe::HardeningProbe;
  std::string_view name() const override { return "hardening.screen_lock"; }
  std::string_view key() const override { return "screen_lock"; }

 protected:
  boost::json::object NullShape() const override;
  Status Inspect(const FactsDocument& facts, boost::json::object& out) override;
};

class AutomaticUpdatesProbe final : public HardeningProbe {
 public:
  using HardeningProbe::HardeningProbe;
  std::string_view name() const override { return "hardening.automatic_updates"; }
  std::string_view key() const override { return "automatic_updates"; }

 protected:
  boost::json::object NullShape() const override;
  Status Inspect(const FactsDocument& facts, boost::json::object& out) override;
};

class PendingUpdatesProbe final : public HardeningProbe {
 public:
  using HardeningProbe::HardeningProbe;
  std::string_view name() const override { return "hardening.pending_updates"; }
  std::string_view key() const override { return "pending_updates"; }

 protected:
  boost::json::object NullShape() const override;
  Status Inspect(const FactsDocument& facts, boost::json::object& out) override;
};

class SshServerProbe final : public HardeningProbe {
 public:
  using HardeningProbe::HardeningProbe;
  std::string_view name() const override { return "hardening.ssh_server"; }
  std::string_view key() const override { return "ssh_server"; }

 protected:
  boost::json::object NullShape() const override;
  Status Inspect(const FactsDocument& facts, boost::json::object& out) override;
};

class CrypttabProbe final : public HardeningProbe {
 public:
  using HardeningProbe::HardeningProbe;
  std::string_view name() const override { return "hardening.crypttab"; }
  std::string_view key() const override { return "crypttab"; }

 protected:
  boost::json::object NullShape() const override;
  Status Inspect(const FactsDocument& facts, boost::json::object& out) override;
};

class AslrProbe final : public HardeningProbe {
 public:
  using HardeningProbe::HardeningProbe;
  std::string_view name() const override { return "hardening.aslr"; }
  std::string_view key() const override { return "aslr"; }

 protected:
  boost::json::object NullShape() const override;
  Status Inspect(const FactsDocument& facts, boost::json::object& out) override;
};

class OsSupportProbe final : public HardeningProbe {
 public:
  using HardeningProbe::HardeningProbe;
  std::string_view name() const override { return "hardening.os_support"; }
  std::string_view key() const override { return "os_support"; }

 protected:
  boost::json::object NullShape() const override;
  Status Inspect(const FactsDocument& facts, boost::json::object& out) override;
};

// Every hardening probe, in report order, sharing `state`.
std::vector<std::unique_ptr<Probe>> MakeHardeningProbes(std::shared_ptr<PostureHostState> state);

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_LINUX_POSTURE_HARDENING_PROBES_H_
