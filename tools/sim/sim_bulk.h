// /Bulk for the generic profile (RFC 7644 §3.7): runs a BulkRequest's operations in order through
// the same routes single requests take, resolves `bulkId:` references, honours `failOnErrors`,
// and refuses requests over `maxOperations` or `maxPayloadSize` with 413.
//
// Each operation is answered as a single request would be (status, error body, location). A
// reference `bulkId:X` in an operation's path or data is replaced by the id created by the
// operation whose `bulkId` is X; a reference to a bulkId not created (yet, or because it failed)
// fails that operation with 409, as the RFC allows for unresolvable references.
//
// Thread-safety: stateless; RunBulk may run on many threads at once.
#ifndef SCIMFLOW_TOOLS_SIM_SIM_BULK_H_
#define SCIMFLOW_TOOLS_SIM_SIM_BULK_H_

#include <cstdint>
#include <functional>
#include <string_view>

#include "tools/sim/sim_http.h"

namespace scimflow {

inline constexpr std::string_view kBulkRequestSchema =
    "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
inline constexpr std::string_view kBulkResponseSchema =
    "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

struct BulkLimits {
  uint32_t max_operations = 1000;
  uint32_t max_payload_bytes = 1u << 20;
};

// Answers one operation: `path` is relative to the base path (e.g. "/Users/ID").
using BulkDispatch = std::function<SimResponse(std::string_view method, std::string_view path,
                                               std::string_view body)>;

// Runs the BulkRequest in `body`. Answers 200 with a BulkResponse, 413 over a limit (the detail
// names it: `maxOperations is 1000`, `maxPayloadSize is 1048576 bytes`), or 400 invalidSyntax for
// a body that is not a BulkRequest.
SimResponse RunBulk(std::string_view body, const BulkLimits& limits, const BulkDispatch& dispatch);

}  // namespace scimflow

#endif  // SCIMFLOW_TOOLS_SIM_SIM_BULK_H_
