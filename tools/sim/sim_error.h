// ScimError and ScimResult<T>: how the simulator's units report a refused request.
//
// A refusal is an HTTP status plus the two fields of a SCIM error body (RFC 7644 §3.12):
// `scimType` (may be empty) and `detail`. Handlers return them as values; the service turns one
// into an answer with ScimErrorBody. This mirrors engine/status.h's Result<T>, but carries what a
// SCIM client needs (status and scimType) instead of an engine StatusCode.
//
// Thread-safety: plain values.
#ifndef SCIMFLOW_TOOLS_SIM_SIM_ERROR_H_
#define SCIMFLOW_TOOLS_SIM_SIM_ERROR_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace scimflow {

struct ScimError {
  int status = 400;
  std::string scim_type;  // e.g. "uniqueness", "invalidValue"; empty when none applies.
  std::string detail;     // One line, e.g. `missing required attribute "userName"`.
};

// Shorthands for the refusals the simulator sends most.
inline ScimError BadRequest(std::string scim_type, std::string detail) {
  return ScimError{400, std::move(scim_type), std::move(detail)};
}
inline ScimError NotFoundError(std::string detail) { return ScimError{404, "", std::move(detail)}; }
inline ScimError Conflict(std::string detail) {
  return ScimError{409, "uniqueness", std::move(detail)};
}

// No error, or the error that refused the request.
using ScimStatus = std::optional<ScimError>;

// Appends the SCIM error body
// `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":…,"detail":…}`
// to `*out`; `scimType` is left out when empty.
void AppendScimErrorBody(const ScimError& error, std::string* out);

// Either a T or a ScimError.
template <typename T>
class [[nodiscard]] ScimResult {
 public:
  // NOLINTNEXTLINE(google-explicit-constructor): `return value;` must work.
  ScimResult(T value) : storage_(std::move(value)) {}
  // NOLINTNEXTLINE(google-explicit-constructor): `return error;` must work.
  ScimResult(ScimError error) : storage_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(storage_); }
  // REQUIRES: ok().
  T& value() { return std::get<T>(storage_); }
  const T& value() const { return std::get<T>(storage_); }
  // REQUIRES: !ok().
  const ScimError& error() const { return std::get<ScimError>(storage_); }

 private:
  std::variant<T, ScimError> storage_;
};

}  // namespace scimflow

#endif  // SCIMFLOW_TOOLS_SIM_SIM_ERROR_H_
