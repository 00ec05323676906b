// The collector's counters, rendered in the Prometheus text exposition format (version 0.0.4)
// for GET /metrics. Counters are lock-free atomics; every method is thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "collector/http/https_server.h"

namespace bulwark::collector {

class CollectorMetrics {
 public:
  // Requests by status class: index 1..5 for 1xx..5xx.
  void CountResponse(int status);
  void CountReports(std::uint64_t accepted, std::uint64_t duplicate) {
    reports_accepted_.fetch_add(accepted, std::memory_order_relaxed);
    reports_duplicate_.fetch_add(duplicate, std::memory_order_relaxed);
  }
  void CountRejectedBatch() { batches_rejected_.fetch_add(1, std::memory_order_relaxed); }
  void CountEnrollment() { enrollments_.fetch_add(1, std::memory_order_relaxed); }
  void CountAuthFailure() { auth_failures_.fetch_add(1, std::memory_order_relaxed); }
  void CountStoreError() { store_errors_.fetch_add(1, std::memory_order_relaxed); }

  // The exposition text, with the server's connection counters and the store backend name.
  std::string Render(const HttpsServerStats& server, std::string_view backend) const;

 private:
  std::array<std::atomic<std::uint64_t>, 6> responses_{};
  std::atomic<std::uint64_t> reports_accepted_{0};
  std::atomic<std::uint64_t> reports_duplicate_{0};
  std::atomic<std::uint64_t> batches_rejected_{0};
  std::atomic<std::uint64_t> enrollments_{0};
  std::atomic<std::uint64_t> auth_failures_{0};
  std::atomic<std::uint64_t> store_errors_{0};
};

}  // namespace bulwark::collector
