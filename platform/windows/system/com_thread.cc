#include "platform/windows/system/com_thread.h"

// clang-format off
#include <winsock2.h>
#include <windows.h>
#include <objbase.h>
// clang-format on

#include <cstdio>
#include <cstdlib>
#include <system_error>

#include "platform/windows/system/win_strings.h"

namespace bulwark {

Result<std::shared_ptr<ComThread>> ComThread::Start() {
  std::shared_ptr<ComThread> com(new ComThread());
  std::promise<Status> started;
  std::future<Status> ready = started.get_future();
  try {
    com->thread_ = std::thread([raw = com.get(), &started] { raw->Loop(started); });
  } catch (const std::system_error& e) {
    return ResourceExhaustedError(std::string("COM thread: cannot start: ") + e.what());
  }
  Status status = ready.get();
  if (!status.ok()) {
    com->thread_.join();  // Loop returned after reporting the failure
    return status;
  }
  return com;
}

ComThread::~ComThread() {
  if (OnComThread()) {
    // A broken invariant (see Invoke's REQUIRES): the thread cannot join itself.
    std::fputs("bulwark: ComThread destroyed on its own thread\n", stderr);
    std::abort();
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status ComThread::Post(std::function<void()> work) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return UnavailableError("COM thread: stopping");
    queue_.push_back(std::move(work));
  }
  cv_.notify_one();
  return Status();
}

void ComThread::Loop(std::promise<Status>& started) {
  HRESULT hr = ::CoInitializeEx(nullptr, COINIT_MULTITHREADED);
  if (FAILED(hr)) {
    started.set_value(HresultToStatus(hr, "COM thread: CoInitializeEx"));
    return;
  }
  // Once per process; a host that already set the security (or a second ComThread) gets
  // RPC_E_TOO_LATE, which leaves the process-wide settings in force.
  hr = ::CoInitializeSecurity(nullptr, -1, nullptr, nullptr, RPC_C_AUTHN_LEVEL_DEFAULT,
                              RPC_C_IMP_LEVEL_IMPERSONATE, nullptr, EOAC_NONE, nullptr);
  if (FAILED(hr) && hr != RPC_E_TOO_LATE) {
    ::CoUninitialize();
    started.set_value(HresultToStatus(hr, "COM thread: CoInitializeSecurity"));
    return;
  }
  started.set_value(Status());  // `started` dangles from here on
  for (;;) {
    std::function<void()> work;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;  // stopping, and everything queued has run
      work = std::move(queue_.front());
      queue_.pop_front();
    }
    work();
  }
  ::CoUninitialize();
}

}  // namespace bulwark
