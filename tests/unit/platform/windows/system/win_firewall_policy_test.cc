// ComFirewallPolicy under Wine 8.0: Wine's hnetcfg creates HNetCfg.FwPolicy2 but implements
// neither get_FirewallEnabled nor get_CurrentProfileTypes (E_NOTIMPL). The seam must report
// that as an error carrying the HRESULT, never as "firewall off".
#include "platform/windows/system/win_firewall_policy.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace bulwark {
namespace {

TEST(ComFirewallPolicyTest, WineProfileIsAnErrorWithTheHresult) {
  auto com = ComThread::Start();
  ASSERT_TRUE(com.ok()) << com.status().ToString();
  ComFirewallPolicy policy(*com);
  for (auto profile :
       {FirewallProfile::kDomain, FirewallProfile::kPrivate, FirewallProfile::kPublic}) {
    auto state = policy.Profile(profile);
    ASSERT_FALSE(state.ok());
    EXPECT_EQ(state.status().code(), StatusCode::kInternal);
    EXPECT_NE(state.status().message().find("INetFwPolicy2: get_FirewallEnabled("),
              std::string::npos)
        << state.status().message();
    EXPECT_NE(state.status().message().find("0x80004001 (E_NOTIMPL)"), std::string::npos);
  }
}

TEST(ComFirewallPolicyTest, WineCurrentProfileTypesIsAnErrorWithTheHresult) {
  auto com = ComThread::Start();
  ASSERT_TRUE(com.ok());
  ComFirewallPolicy policy(*com);
  auto types = policy.CurrentProfileTypes();
  ASSERT_FALSE(types.ok());
  EXPECT_EQ(types.status().message(),
            "INetFwPolicy2: get_CurrentProfileTypes: 0x80004001 (E_NOTIMPL)");
}

TEST(ComFirewallPolicyTest, SharesTheComThreadWithConcurrentCallers) {
  auto com = ComThread::Start();
  ASSERT_TRUE(com.ok());
  ComFirewallPolicy policy(*com);
  std::vector<Status> results(6);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = policy.CurrentProfileTypes().status(); });
  }
  for (auto& t : threads) t.join();
  for (const auto& s : results) EXPECT_EQ(s, results.front());
  EXPECT_NE(results.front().message().find("0x80004001"), std::string::npos);
}

}  // namespace
}  // namespace bulwark
