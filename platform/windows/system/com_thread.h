// ComThread: the one thread on which the agent does COM work (WMI, INetFwPolicy2).
//
// The thread enters the multithreaded apartment (CoInitializeEx COINIT_MULTITHREADED) and
// calls CoInitializeSecurity once per process (default authentication,
// RPC_C_IMP_LEVEL_IMPERSONATE; RPC_E_TOO_LATE, i.e. the host already did, is accepted). Work is
// marshalled to it through a FIFO queue; Invoke() runs one function there and waits for its
// result. Interfaces created on the thread must be released on it: clients keep their
// interface caches as thread-affine state and release them through Invoke() in their
// destructors, before the last reference to the ComThread goes away.
//
// Ownership: shared (std::shared_ptr) by every client that uses it; it must outlive them.
// Thread-safety: Invoke() may be called from any number of threads concurrently. A call made
// from the COM thread itself (a nested Invoke) runs inline.
// Errors: Start() returns the HRESULT of CoInitializeEx/CoInitializeSecurity as a Status.
// Invoke() returns kDeadlineExceeded when the work has not finished within `timeout` (the work
// still runs to completion on the COM thread; it must therefore own everything it touches —
// capture by value); kUnavailable once the thread is stopping.
//
// Verified under Wine 8.0 only (COM in-process, no DCOM); CoInitializeSecurity semantics for a
// service host need a real Windows machine.
#ifndef BULWARK_PLATFORM_WINDOWS_SYSTEM_COM_THREAD_H_
#define BULWARK_PLATFORM_WINDOWS_SYSTEM_COM_THREAD_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "agent/base/status.h"

namespace bulwark {

// A minimal owning COM interface pointer (Release on destruction). Not thread-safe; lives on
// the COM thread.
template <typename T>
class ComPtr {
 public:
  ComPtr() = default;
  ~ComPtr() { Reset(); }
  ComPtr(const ComPtr&) = delete;
  ComPtr& operator=(const ComPtr&) = delete;
  ComPtr(ComPtr&& other) noexcept : p_(std::exchange(other.p_, nullptr)) {}
  ComPtr& operator=(ComPtr&& other) noexcept {
    if (this != &other) {
      Reset();
      p_ = std::exchange(other.p_, nullptr);
    }
    return *this;
  }
  void Reset() {
    if (p_ != nullptr) std::exchange(p_, nullptr)->Release();
  }
  T* get() const { return p_; }
  T* operator->() const { return p_; }
  // For out-parameters: releases the current pointer first.
  T** Out() {
    Reset();
    return &p_;
  }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  T* p_ = nullptr;
};

class ComThread {
 public:
  // Starts the thread and initialises COM on it. Errors carry the HRESULT.
  static Result<std::shared_ptr<ComThread>> Start();

  // Stops the thread after the queued work has run; joins it (waits for work in progress).
  ~ComThread();
  ComThread(const ComThread&) = delete;
  ComThread& operator=(const ComThread&) = delete;

  // Runs `work` on the COM thread and returns its result.
  // REQUIRES: `work` does not own a reference to this ComThread (the thread cannot join
  // itself; destroying the last reference on the COM thread aborts).
  template <typename T>
  Result<T> Invoke(std::function<Result<T>()> work,
                   std::chrono::milliseconds timeout = kDefaultTimeout) {
    if (OnComThread()) return work();
    auto promise = std::make_shared<std::promise<Result<T>>>();
    std::future<Result<T>> future = promise->get_future();
    RETURN_IF_ERROR(Post([promise, work = std::move(work)]() mutable {
      Result<T> result = work();
      // The captures (COM state) are destroyed here, on the COM thread, before the caller
      // resumes.
      work = nullptr;
      promise->set_value(std::move(result));
    }));
    if (future.wait_for(timeout) != std::future_status::ready) {
      return DeadlineExceededError("COM thread: the call did not finish within " +
                                   std::to_string(timeout.count()) + " ms");
    }
    return future.get();
  }

  // True when called on the COM thread.
  bool OnComThread() const { return std::this_thread::get_id() == thread_.get_id(); }

  static constexpr std::chrono::milliseconds kDefaultTimeout{120000};

 private:
  ComThread() = default;
  Status Post(std::function<void()> work);
  void Loop(std::promise<Status>& started);

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::thread thread_;
};

}  // namespace bulwark

#endif  // BULWARK_PLATFORM_WINDOWS_SYSTEM_COM_THREAD_H_
