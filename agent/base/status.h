// Status and Result<T>: how every Bulwark module reports failure.
//
// Library code never throws across module boundaries and never logs; it returns a Status
// (or a Result<T> holding either a value or a non-OK Status) and the caller decides. OS and
// library error numbers (errno, HRESULT, CURLcode, sqlite3 codes) are converted once, at the
// seam that called the OS, with context naming what was being done.
//
// Thread-safety: Status and Result are value types; distinct objects may be used from
// different threads freely.
#ifndef BULWARK_AGENT_BASE_STATUS_H_
#define BULWARK_AGENT_BASE_STATUS_H_

#include <cstdlib>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace bulwark {

// A fixed set of codes, in the spirit of absl::StatusCode. Add one only when callers need to
// branch on it.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // malformed input: bad JSON, bad option, garbage in a system file
  kNotFound,            // a file, device or key that should exist does not
  kPermissionDenied,    // the OS refused (EACCES/EPERM, access denied)
  kUnavailable,         // transient: network down, collector unreachable, database busy
  kDataLoss,            // stored data is corrupt or truncated
  kFailedPrecondition,  // the system is not in a state the operation needs
  kResourceExhausted,   // a limit was hit: size cap, disk full, too many items
  kDeadlineExceeded,    // a timeout expired
  kUnimplemented,       // not supported on this platform or build
  kInternal,            // a broken invariant inside a dependency
  kAlreadyExists,
  kUnauthenticated,  // missing or bad credentials
};

// Returns a stable lower-case name for `code`, e.g. "not_found".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  // An OK status.
  Status() = default;
  // REQUIRES: code != kOk (use Status() for success).
  Status(StatusCode code, std::string message);

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "not_found: /sys/dev/block/8:1: no such file" ("ok" for success).
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>". OK stays OK.
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status&, const Status&) = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status PermissionDeniedError(std::string message);
Status UnavailableError(std::string message);
Status DataLossError(std::string message);
Status FailedPreconditionError(std::string message);
Status ResourceExhaustedError(std::string message);
Status DeadlineExceededError(std::string message);
Status UnimplementedError(std::string message);
Status InternalError(std::string message);
Status AlreadyExistsError(std::string message);
Status UnauthenticatedError(std::string message);

// Converts an errno value into a Status whose message is "<context>: <strerror>".
// ENOENT/ENOTDIR -> kNotFound, EACCES/EPERM -> kPermissionDenied, ENOSPC/EDQUOT/EFBIG ->
// kResourceExhausted, EAGAIN/EBUSY/EINTR -> kUnavailable, ETIMEDOUT -> kDeadlineExceeded,
// EINVAL -> kInvalidArgument, EEXIST -> kAlreadyExists, EIO -> kDataLoss, else kInternal.
Status ErrnoToStatus(int error_number, std::string_view context);

// Holds either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::remove_cvref_t<T>, Status>, "Result<Status> is not allowed");

 public:
  // Implicit so that `return value;` and `return SomeError(...);` both work.
  Result(T value) : storage_(std::in_place_index<1>, std::move(value)) {}  // NOLINT
  // REQUIRES: !status.ok().
  Result(Status status) : storage_(std::in_place_index<0>, std::move(status)) {  // NOLINT
    if (std::get<0>(storage_).ok()) std::abort();  // a Result must hold a value or an error
  }

  bool ok() const { return storage_.index() == 1; }
  // OK when a value is held.
  Status status() const { return ok() ? Status() : std::get<0>(storage_); }

  // REQUIRES: ok().
  const T& value() const& { return std::get<1>(storage_); }
  T& value() & { return std::get<1>(storage_); }
  T&& value() && { return std::get<1>(std::move(storage_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // The value, or `fallback` when an error is held.
  T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<Status, T> storage_;
};

}  // namespace bulwark

#define BULWARK_CONCAT_INNER_(a, b) a##b
#define BULWARK_CONCAT_(a, b) BULWARK_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define RETURN_IF_ERROR(expr)                          \
  do {                                                 \
    ::bulwark::Status bulwark_status_ = (expr);        \
    if (!bulwark_status_.ok()) return bulwark_status_; \
  } while (false)

// `ASSIGN_OR_RETURN(auto x, MakeX());` declares x from a Result or returns its error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(BULWARK_CONCAT_(bulwark_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(tmp).value()

#endif  // BULWARK_AGENT_BASE_STATUS_H_
