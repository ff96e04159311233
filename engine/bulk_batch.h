// BulkBatch: the wire side of SCIM `/Bulk` (RFC 7644 §3.7) for generic targets: the limits a
// target advertises in `/ServiceProviderConfig`, packing operations into one BulkRequest within
// those limits, and reading a BulkResponse back into one answer per operation.
//
// The emitter (engine/bulk_emit.cc) decides which operations go into a batch and renders each
// one as a BulkItem: its method, its path relative to the SCIM root, its `bulkId` when it is a
// create, and its `data` with every reference to a create of the same batch written as
// `"bulkId:<id>"` (RFC 7644 §3.7.2) and every reference to a create already done as the real id.
// BulkBatch only measures and renders: it refuses an item that would take the request over
// `maxOperations` or `maxPayloadSize` (the exact byte size of the request body), so a request it
// renders never exceeds a limit.
//
// Results are mapped back by position and checked against `bulkId` and method: a BulkResponse
// answers the operations in request order (RFC 7644 §3.7.3). An operation the response does not
// answer (a server that stopped early) gets no result: the caller treats it as a lost answer.
//
// Thread-safety: none needed; values only. Pure functions, no I/O.
#ifndef SCIMFLOW_ENGINE_BULK_BATCH_H_
#define SCIMFLOW_ENGINE_BULK_BATCH_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"

namespace scimflow {

inline constexpr std::string_view kBulkRequestSchemaUrn =
    "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
// The prefix of a reference to a create of the same batch, in paths and data.
inline constexpr std::string_view kBulkIdRefPrefix = "bulkId:";

// What a target accepts in one `POST /Bulk`.
struct BulkLimits {
  uint32_t max_operations = 0;
  uint64_t max_payload_bytes = 0;

  friend bool operator==(const BulkLimits&, const BulkLimits&) = default;
};

// The bulk limits of a `/ServiceProviderConfig` answer: nullopt when `bulk.supported` is not
// true or a limit is absent, zero or not a number (the target cannot take a batch then). Errors:
// kInvalidArgument when the body is not a JSON object.
Result<std::optional<BulkLimits>> ParseBulkLimits(std::string_view service_provider_config);

// One operation of a batch.
struct BulkItem {
  uint32_t index = 0;   // The caller's operation index, returned with its result.
  std::string method;   // "POST", "PATCH", "PUT", "DELETE".
  std::string path;     // Relative to the SCIM root, e.g. "/Groups/bulkId:7" or "/Users/ID".
  std::string bulk_id;  // Creates: the id others of the batch refer to; empty otherwise.
  std::string data;     // The JSON body; empty for a DELETE.
};

// The JSON text of one entry of a BulkRequest's `Operations`.
std::string RenderBulkOperation(const BulkItem& item);

// One BulkRequest being filled.
class BulkBatch {
 public:
  explicit BulkBatch(BulkLimits limits);

  // Adds `item` when the request stays within both limits with it; false (nothing added) when it
  // would not.
  bool TryAdd(const BulkItem& item);
  // True when TryAdd(item) would add it.
  bool Fits(const BulkItem& item) const;
  // True when `item` alone exceeds the payload limit: it can never travel in a batch.
  bool TooLargeAlone(const BulkItem& item) const;

  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  // The byte size of the request body rendered now.
  uint64_t payload_bytes() const;
  const std::vector<BulkItem>& items() const { return items_; }
  // The BulkRequest body (no `failOnErrors`: every operation is tried whatever the others do).
  std::string Render() const;

 private:
  BulkLimits limits_;
  std::vector<BulkItem> items_;
  std::vector<std::string> rendered_;
  uint64_t operations_bytes_ = 0;  // Rendered entries and the commas between them.
};

// The answer to one operation of a batch.
struct BulkResult {
  int status = 0;        // The HTTP status of the operation.
  std::string location;  // `location`, when given (creates).
  std::string id;        // The id at the end of `location`; empty without one.
  std::string response;  // `response` as minified JSON (the error body), when given.
};

// Maps a BulkResponse body onto `items`, in order: element i answers items[i] when its method
// (and bulkId, when both carry one) match; else it and every later one is nullopt. Errors:
// kInvalidArgument when the body is not a BulkResponse (not JSON, no `Operations` array).
Result<std::vector<std::optional<BulkResult>>> ParseBulkResponse(
    std::string_view body, const std::vector<BulkItem>& items);

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_BULK_BATCH_H_
