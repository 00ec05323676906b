// The Windows probes, declared so their contracts are fixed alongside the Linux ones. Each maps
// WMI/registry data onto the same bulwark.facts/1 schema with the same honesty: a namespace that
// is absent or denied yields null + reason, never "not encrypted" or "off".
//
//   BitLockerProbe       ROOT\CIMV2\Security\MicrosoftVolumeEncryption Win32_EncryptableVolume,
//                        by method calls (GetProtectionStatus, GetConversionStatus,
//                        GetEncryptionMethod, GetLockStatus, GetKeyProtectors,
//                        GetKeyProtectorType) -> disk_encryption.volumes; TPM from Win32_Tpm.
//   SecurityCenterProbe  ROOT\SecurityCenter2 AntiVirusProduct (productState bits) and
//                        ROOT\Microsoft\Windows\Defender MSFT_MpComputerStatus -> antivirus.
//   FirewallProbe        INetFwPolicy2 profiles -> endpoint_protection.firewall.
//   AdministratorsProbe  members of S-1-5-32-544 (never by localized name) -> local_admins.
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

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_WINDOWS_WINDOWS_PROBES_H_
