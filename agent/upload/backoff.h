// Retry delays for the uploader: exponential backoff with full jitter, and the server's
// Retry-After header (delta-seconds or HTTP-date).
//
// After `f` consecutive failures the next delay is drawn uniformly from
// [0, min(cap, base * 2^f)] ("full jitter": agents that failed together do not retry
// together). A Retry-After from the server raises the lower bound: the delay is
// max(retry_after, jitter), with retry_after capped at `max_retry_after`.
//
// Thread-safety: a Backoff is not thread-safe (it owns an RNG); ParseRetryAfter is pure.
#ifndef BULWARK_AGENT_UPLOAD_BACKOFF_H_
#define BULWARK_AGENT_UPLOAD_BACKOFF_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

namespace bulwark::upload {

// A server's Retry-After is never honoured beyond this.
inline constexpr std::chrono::seconds kMaxRetryAfter{60 * 60};

struct BackoffOptions {
  std::chrono::milliseconds base{5'000};                  // first delay is at most this
  std::chrono::milliseconds cap{15 * 60 * 1'000};         // no jittered delay exceeds this
  std::chrono::seconds max_retry_after = kMaxRetryAfter;  // Retry-After is capped here
};

class Backoff {
 public:
  // `seed` makes the jitter reproducible in tests; production passes a random seed.
  explicit Backoff(BackoffOptions options, std::uint64_t seed);
  // The same with `base` and `cap` only (max_retry_after = kMaxRetryAfter).
  Backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap, std::uint64_t seed);

  // Counts one more failure and returns how long to wait before the next attempt:
  // max(min(retry_after, max_retry_after), uniform(0, min(cap, base * 2^failures_before))).
  std::chrono::milliseconds NextDelay(
      std::optional<std::chrono::seconds> retry_after = std::nullopt);

  // A success: the next failure starts again from `base`.
  void Reset() { failures_ = 0; }

  // Consecutive failures counted since the last Reset.
  int failures() const { return failures_; }

  const BackoffOptions& options() const { return options_; }

 private:
  BackoffOptions options_;
  std::mt19937_64 rng_;
  int failures_ = 0;
};

// Parses a Retry-After value (RFC 9110 §10.2.3): delta-seconds ("120"), or an HTTP-date in any
// of its three forms ("Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
// "Sun Nov  6 08:49:37 1994"), taken relative to `now` (a date in the past means 0).
// The result is capped at `cap`. std::nullopt when the value is neither.
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value,
                                                    std::chrono::system_clock::time_point now,
                                                    std::chrono::seconds cap);

}  // namespace bulwark::upload

#endif  // BULWARK_AGENT_UPLOAD_BACKOFF_H_
