// SimRequest and SimResponse: one HTTP exchange as the simulator's routes see it, independent of
// the server library, so the routes (sim_service), /Bulk (which replays its operations through the
// same routes) and the libmicrohttpd glue (sim_server) share one shape.
//
// Lifetimes: a SimRequest's views point into the server's per-connection buffers and are valid
// for the duration of SimService::Handle only. Thread-safety: plain values.
#ifndef SCIMFLOW_TOOLS_SIM_SIM_HTTP_H_
#define SCIMFLOW_TOOLS_SIM_SIM_HTTP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tools/sim/sim_error.h"

namespace scimflow {

struct SimRequest {
  std::string_view method;  // "GET", "POST", …
  std::string_view path;    // Without the query string, e.g. "/scim/v2/Users/…".
  // Decoded query arguments in arrival order (a bare `?key` has an empty value).
  std::vector<std::pair<std::string_view, std::string_view>> query;
  std::string_view authorization;  // Header values; empty when absent.
  std::string_view user_agent;
  std::string_view host;
  std::string_view body;
  bool body_too_large = false;  // The server stopped reading at its limit; body is partial.

  // The value of query argument `name` (case-sensitive, first one wins).
  std::optional<std::string_view> Query(std::string_view name) const {
    for (const auto& [key, value] : query) {
      if (key == name) return value;
    }
    return std::nullopt;
  }
};

struct SimResponse {
  int status = 200;
  std::string body;  // JSON, or empty (204).
  std::vector<std::pair<std::string, std::string>> headers;
  // Close the connection without answering (an injected drop or lost answer).
  bool close_without_answer = false;
  uint32_t delay_ms = 0;  // Injected latency, waited before answering.

  // The value of header `name` (exact spelling), or empty.
  std::string_view Header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (key == name) return value;
    }
    return {};
  }
};

// A response carrying `error` as a SCIM error body.
inline SimResponse ErrorResponse(const ScimError& error) {
  SimResponse response;
  response.status = error.status;
  AppendScimErrorBody(error, &response.body);
  return response;
}

inline bool IsWriteMethod(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

}  // namespace scimflow

#endif  // SCIMFLOW_TOOLS_SIM_SIM_HTTP_H_
