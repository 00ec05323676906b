// The Windows probes, declared so their contracts are fixed alongside the Linux ones. Each maps
// WMI/registry data onto the same bulwark.facts/1 schema with the same honesty: a namespace that
// is absent or denied yields null + reason, never "not encrypted" or "off".
//
//   BitLockerProbe       ROOT\CIMV2\Security\MicrosoftVolumeEncryption Win32_EncryptableVolume,
//                        by method calls (GetProtectionStatus, GetConversionStatus,
//                        GetEncryptionMethod, GetLockStatus, GetKeyProtectors,
//                        GetKeyProtectorType) -> disk_encryption.volumes, with the Windows
//                        extras lock_status, used_space_only, encryption_method.
//   SecurityCenterProbe  ROOT\SecurityCenter2 AntiVirusProduct (productState bits) and
//                        ROOT\Microsoft\Windows\Defender MSFT_MpComputerStatus -> antivirus.
//   FirewallProbe        INetFwPolicy2 profiles (FirewallPolicy seam) and Security Center
//                        FirewallProduct -> endpoint_protection.firewall.
//   AdministratorsProbe  members of S-1-5-32-544 (never by localized name, through the
//                        LocalAccounts seam) and the console user -> local_admins.
//   UacProbe             registry, Policies\System -> hardening.uac.
//   SecureBootProbe      registry, PEFirmwareType + SecureBoot\State -> hardening.secure_boot.
//   ScreenLockProbe      registry (machine inactivity limit, the console user's screen saver
//                        under HKU\<SID>) -> hardening.screen_lock.
//   WindowsHostProbe     Win32_ComputerSystem(Product), Win32_OperatingSystem, registry
//                        (UBR, MachineGuid) -> host, os.
//   TpmProbe             ROOT\CIMV2\Security\MicrosoftTpm Win32_Tpm -> hardening.tpm (needs
//                        administrator rights; denied is null + reason, never "no TPM").
//   WindowsAutomaticUpdatesProbe
//                        registry (WindowsUpdate Group Policy, then MDM PolicyManager; the
//                        wuauserv start type; the Settings pause), the clock (is a pause
//                        over?) and Win32_QuickFixEngineering -> hardening.automatic_updates.
//
// Probe names (for probe_errors): "disk_encryption", "endpoint_protection.antivirus",
// "endpoint_protection.firewall", "local_admins", "hardening.uac", "hardening.secure_boot",
// "hardening.screen_lock", "host", "hardening.tpm", "hardening.automatic_updates".
// Each probe writes only its own section; the WindowsSystem must outlive the probe.
// Field-by-field mapping, including every enum value: docs/facts-windows.md.
#ifndef BULWARK_PLATFORM_WINDOWS_WINDOWS_PROBES_H_
#define BULWARK_PLATFORM_WINDOWS_WINDOWS_PROBES_H_

#include <memory>

#include "agent/probes/probe.h"
#include "platform/windows/windows_system.h"

namespace bulwark {

std::unique_ptr<Probe> NewBitLockerProbe(WindowsSystem& system);
std::unique_ptr<Probe> NewSecurityCenterProbe(WindowsSystem& system);
std::unique_ptr<Probe> NewFirewallProbe(WindowsSystem& system);
std::unique_ptr<Probe> NewAdministratorsProbe(WindowsSystem& system);
std::unique_ptr<Probe> NewUacProbe(WindowsSystem& system);
std::unique_ptr<Probe> NewWindowsSecureBootProbe(WindowsSystem& system);
std::unique_ptr<Probe> NewScreenLockProbe(WindowsSystem& system);
std::unique_ptr<Probe> NewWindowsHostProbe(WindowsSystem& system);
std::unique_ptr<Probe> NewTpmProbe(WindowsSystem& system);
std::unique_ptr<Probe> NewWindowsAutomaticUpdatesProbe(WindowsSystem& system);

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_WINDOWS_WINDOWS_PROBES_H_
