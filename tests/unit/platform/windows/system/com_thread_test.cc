#include "platform/windows/system/com_thread.h"

#include <gtest/gtest.h>
#include <windows.h>

#include <set>
#include <thread>
#include <vector>

namespace bulwark {
namespace {

TEST(ComThreadTest, RunsEveryCallOnOneThreadThatIsNotTheCallers) {
  auto com = ComThread::Start();
  ASSERT_TRUE(com.ok()) << com.status().ToString();
  constexpr int kThreads = 8;
  std::vector<DWORD> seen(kThreads, 0);
  std::vector<DWORD> callers(kThreads, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      const auto index = static_cast<std::size_t>(i);
      callers[index] = ::GetCurrentThreadId();
      auto id = (*com)->Invoke<DWORD>([] { return Result<DWORD>(::GetCurrentThreadId()); });
      if (id.ok()) seen[index] = *id;
    });
  }
  for (auto& t : threads) t.join();
  std::set<DWORD> distinct(seen.begin(), seen.end());
  ASSERT_EQ(distinct.size(), 1u);
  EXPECT_NE(*distinct.begin(), 0u);
  for (DWORD caller : callers) EXPECT_NE(caller, *distinct.begin());
}

TEST(ComThreadTest, ComIsInitialisedMultithreadedOnTheThread) {
  auto com = ComThread::Start();
  ASSERT_TRUE(com.ok());
  auto type = (*com)->Invoke<int>([] {
    APTTYPE apartment = APTTYPE_CURRENT;
    APTTYPEQUALIFIER qualifier = APTTYPEQUALIFIER_NONE;
    HRESULT hr = ::CoGetApartmentType(&apartment, &qualifier);
    if (FAILED(hr)) return Result<int>(InternalError("CoGetApartmentType failed"));
    return Result<int>(static_cast<int>(apartment));
  });
  ASSERT_TRUE(type.ok()) << type.status().ToString();
  EXPECT_EQ(*type, static_cast<int>(APTTYPE_MTA));
}

TEST(ComThreadTest, NestedInvokeRunsInline) {
  auto com = ComThread::Start();
  ASSERT_TRUE(com.ok());
  ComThread* thread = com->get();  // work must not own the ComThread (see Invoke)
  auto outer = thread->Invoke<int>([thread] {
    auto inner = thread->Invoke<int>([] { return Result<int>(41); });
    if (!inner.ok()) return inner;
    return Result<int>(*inner + 1);
  });
  ASSERT_TRUE(outer.ok()) << outer.status().ToString();
  EXPECT_EQ(*outer, 42);
}

TEST(ComThreadTest, CallerGivesUpWithDeadlineExceededWhenTheWorkHangs) {
  auto com = ComThread::Start();
  ASSERT_TRUE(com.ok());
  HANDLE release = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);
  ASSERT_NE(release, nullptr);
  auto hung = (*com)->Invoke<int>(
      [release] {
        ::WaitForSingleObject(release, INFINITE);
        return Result<int>(1);
      },
      std::chrono::milliseconds(50));
  ASSERT_FALSE(hung.ok());
  EXPECT_EQ(hung.status().code(), StatusCode::kDeadlineExceeded);
  ::SetEvent(release);
  // The thread finishes the abandoned work and serves the next call.
  auto next = (*com)->Invoke<int>([] { return Result<int>(2); });
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(*next, 2);
  ::CloseHandle(release);
}

}  // namespace
}  // namespace bulwark
