// Status and Result<T>: how scimflow reports expected failures.
//
// Bad records, HTTP answers and I/O errors are values, never exceptions. A Status carries a code
// from the abseil vocabulary, chosen so that the code tells the caller what to do next (retry,
// look up and adopt, fail this operation only, pace), and a message that names its location in
// the ninja style: `users.ndjson:1042: missing required attribute "userName"`.
//
// Thread-safety: both types are plain values; distinct objects may be used from any thread.
#ifndef SCIMFLOW_ENGINE_STATUS_H_
#define SCIMFLOW_ENGINE_STATUS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace scimflow {

// What a failure means for the caller. Values mirror absl::StatusCode where one fits.
enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,     // Bad input: a record, a flag or a file the user must fix.
  kNotFound,            // A file, a resource or a key does not exist.
  kAlreadyExists,       // A unique key is taken.
  kFailedPrecondition,  // The target refused this operation (4xx): fail it, go on with others.
  kAborted,             // A create's outcome is unknown or conflicted (409, lost answer):
                        // look the resource up by externalId, then adopt it.
  kUnavailable,         // 5xx, timeout, reset: retry with backoff.
  kResourceExhausted,   // 429 or a rate-limit 403, or a safety limit reached: pace or stop.
  kUnauthenticated,     // Credentials missing or refused.
  kDataLoss,            // Truncated or corrupt data.
  kIoError,             // The operating system refused a read or a write.
  kInternal,            // A bug: an invariant did not hold.
};

// Returns the lower-case name of `code` ("invalid argument"), for messages and reports.
std::string_view StatusCodeName(StatusCode code);

// The outcome of an operation that returns no value. Cheap to copy when ok (no allocation).
class [[nodiscard]] Status {
 public:
  // An ok status.
  Status() = default;
  // REQUIRES: code != kOk or message is empty.
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // The message alone, e.g. `users.ndjson:3: malformed JSON`; empty when ok.
  const std::string& message() const { return message_; }
  // "ok", or the message (which already says where and what).
  std::string ToString() const;

  friend bool operator==(const Status&, const Status&) = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Builds the message `file:line: reason` used for every input error.
std::string LocatedMessage(std::string_view file, uint64_t line, std::string_view reason);

// Shorthands for the codes used most.
Status InvalidArgument(std::string message);
Status NotFound(std::string message);
Status IoError(std::string message);
Status Internal(std::string message);
// An input error at `file:line`.
Status InvalidInputAt(std::string_view file, uint64_t line, std::string_view reason);

// Either a value of type T or a non-ok Status. Modelled on absl::StatusOr.
template <typename T>
class [[nodiscard]] Result {
 public:
  // NOLINTNEXTLINE(google-explicit-constructor): `return value;` must work.
  Result(T value) : storage_(std::move(value)) {}
  // REQUIRES: !status.ok(). An ok Status without a value is a programming error and is turned
  // into kInternal so that it can never be mistaken for success.
  // NOLINTNEXTLINE(google-explicit-constructor): `return status;` must work.
  Result(Status status)
      : storage_(status.ok() ? Status(StatusCode::kInternal, "Result built from an ok Status")
                             : std::move(status)) {}

  bool ok() const { return std::holds_alternative<T>(storage_); }
  // The error; ok when a value is held.
  Status status() const { return ok() ? Status() : std::get<Status>(storage_); }

  // REQUIRES: ok().
  T& value() & { return std::get<T>(storage_); }
  const T& value() const& { return std::get<T>(storage_); }
  T&& value() && { return std::get<T>(std::move(storage_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<Status, T> storage_;
};

namespace internal {
inline Status ToStatus(Status status) { return status; }
template <typename T>
Status ToStatus(const Result<T>& result) {
  return result.status();
}
}  // namespace internal

}  // namespace scimflow

#define SCIMFLOW_CONCAT_INNER_(a, b) a##b
#define SCIMFLOW_CONCAT_(a, b) SCIMFLOW_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (a Status or Result) is not ok.
#define SCIMFLOW_RETURN_IF_ERROR(expr)                                          \
  do {                                                                          \
    ::scimflow::Status scimflow_status_ = ::scimflow::internal::ToStatus(expr); \
    if (!scimflow_status_.ok()) return scimflow_status_;                        \
  } while (false)

// `SCIMFLOW_ASSIGN_OR_RETURN(auto x, MakeX());` declares x from the Result's value, or returns
// the Result's error from the enclosing function.
#define SCIMFLOW_ASSIGN_OR_RETURN(lhs, expr) \
  SCIMFLOW_ASSIGN_OR_RETURN_IMPL_(SCIMFLOW_CONCAT_(scimflow_result_, __LINE__), lhs, expr)
#define SCIMFLOW_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr) \
  auto result = (expr);                                    \
  if (!result.ok()) return result.status();                \
  lhs = std::move(result).value()

#endif  // SCIMFLOW_ENGINE_STATUS_H_
