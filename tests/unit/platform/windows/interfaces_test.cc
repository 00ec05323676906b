// The Windows seams are platform-neutral C++: they compile on Linux, and a fake WmiClient built
// on them behaves as the Windows probes will expect.
#include <gtest/gtest.h>

#include "platform/windows/windows_probes.h"
#include "platform/windows/windows_system.h"

namespace bulwark {
namespace {

class RecordedWmi final : public WmiClient {
 public:
  Result<std::vector<WmiRow>> Query(const std::string& ns, const std::string& wql) override {
    if (ns == "ROOT\\CIMV2\\Security\\MicrosoftVolumeEncryption") {
      return NotFoundError(ns + ": 0x8004100E (WBEM_E_INVALID_NAMESPACE)");
    }
    last_query = wql;
    return std::vector<WmiRow>{{{"Caption", std::string("Microsoft Windows 11 Pro")},
                                {"BuildNumber", std::string("22631")}}};
  }
  Result<WmiRow> CallMethod(const std::string&, const std::string&, const std::string& method,
                            const WmiRow&) override {
    return WmiRow{{"ReturnValue", std::int64_t{0}}, {"Method", method}};
  }
  std::string last_query;
};

TEST(WindowsInterfacesTest, RecordedRowsFlowThroughTheSeam) {
  RecordedWmi wmi;
  WmiClient& client = wmi;
  auto rows = client.Query("ROOT\\CIMV2", "SELECT Caption, BuildNumber FROM Win32_OperatingSystem");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(std::get<std::string>(rows->at(0).at("BuildNumber")), "22631");
  auto absent = client.Query("ROOT\\CIMV2\\Security\\MicrosoftVolumeEncryption", "SELECT *");
  EXPECT_EQ(absent.status().code(), StatusCode::kNotFound);
  EXPECT_NE(absent.status().message().find("0x8004100E"), std::string::npos);
  auto out = client.CallMethod("ROOT\\CIMV2", "Win32_EncryptableVolume.DeviceID='C:'",
                               "GetProtectionStatus", {});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(std::get<std::int64_t>(out->at("ReturnValue")), 0);
}

}  // namespace
}  // namespace bulwark
