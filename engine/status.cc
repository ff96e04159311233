#include "engine/status.h"

#include <fmt/format.h>

namespace scimflow {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid argument";
    case StatusCode::kNotFound:
      return "not found";
    case StatusCode::kAlreadyExists:
      return "already exists";
    case StatusCode::kFailedPrecondition:
      return "failed precondition";
    case StatusCode::kAborted:
      return "aborted";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kResourceExhausted:
      return "resource exhausted";
    case StatusCode::kUnauthenticated:
      return "unauthenticated";
    case StatusCode::kDataLoss:
      return "data loss";
    case StatusCode::kIoError:
      return "i/o error";
    case StatusCode::kInternal:
      return "internal";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return message_.empty() ? std::string(StatusCodeName(code_)) : message_;
}

std::string LocatedMessage(std::string_view file, uint64_t line, std::string_view reason) {
  return fmt::format("{}:{}: {}", file, line, reason);
}

Status InvalidArgument(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message));
}
Status NotFound(std::string message) { return Status(StatusCode::kNotFound, std::move(message)); }
Status IoError(std::string message) { return Status(StatusCode::kIoError, std::move(message)); }
Status Internal(std::string message) { return Status(StatusCode::kInternal, std::move(message)); }

Status InvalidInputAt(std::string_view file, uint64_t line, std::string_view reason) {
  return InvalidArgument(LocatedMessage(file, line, reason));
}

}  // namespace scimflow
