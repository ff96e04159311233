#include "tools/sim/sim_bulk.h"

#include <simdjson.h>

#include <map>
#include <string>

#include "io/json_writer.h"
#include "tools/sim/sim_resource.h"

namespace scimflow {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

constexpr std::string_view kBulkIdPrefix = "bulkId:";

struct BulkOperation {
  std::string method;
  std::string bulk_id;
  std::string path;
  std::string data;  // Minified JSON of `data`; empty when absent.
};

ScimResult<BulkOperation> ParseBulkOperation(element entry) {
  object fields;
  if (entry.get_object().get(fields)) {
    return BadRequest("invalidSyntax", "each of Operations must be an object");
  }
  BulkOperation operation;
  std::string_view text;
  element value;
  if (fields.at_key("method").get(value) || value.get_string().get(text)) {
    return BadRequest("invalidSyntax", "operation needs \"method\" as a string");
  }
  operation.method = text;
  if (fields.at_key("path").get(value) || value.get_string().get(text)) {
    return BadRequest("invalidSyntax", "operation needs \"path\" as a string");
  }
  operation.path = text;
  if (fields.at_key("bulkId").get(value) == simdjson::SUCCESS) {
    if (value.get_string().get(text)) {
      return BadRequest("invalidSyntax", "\"bulkId\" must be a string");
    }
    operation.bulk_id = text;
  }
  if (fields.at_key("data").get(value) == simdjson::SUCCESS) {
    operation.data = simdjson::minify(value);
  }
  if (operation.method == "POST" && operation.bulk_id.empty()) {
    return BadRequest("invalidSyntax", "a POST operation needs a \"bulkId\"");
  }
  return operation;
}

// Replaces every `bulkId:X` of a created X in `*text`. Returns the first reference left
// unresolved, or empty.
std::string ResolveReferences(const std::map<std::string, std::string>& created,
                              std::string* text) {
  size_t position = 0;
  while ((position = text->find(kBulkIdPrefix, position)) != std::string::npos) {
    size_t end = position + kBulkIdPrefix.size();
    while (end < text->size() && (*text)[end] != '"' && (*text)[end] != '/') ++end;
    const std::string name =
        text->substr(position + kBulkIdPrefix.size(), end - position - kBulkIdPrefix.size());
    auto found = created.find(name);
    if (found == created.end()) return name;
    text->replace(position, end - position, found->second);
    position += found->second.size();
  }
  return {};
}

// The id at the end of a Location header value.
std::string IdFromLocation(std::string_view location) {
  const size_t slash = location.rfind('/');
  return std::string(slash == std::string_view::npos ? location : location.substr(slash + 1));
}

void AppendResult(const BulkOperation& operation, const SimResponse& answer, JsonWriter* writer) {
  writer->BeginObject().Member("method", operation.method);
  if (!operation.bulk_id.empty()) writer->Member("bulkId", operation.bulk_id);
  const std::string_view location = answer.Header("Location");
  if (!location.empty()) writer->Member("location", location);
  writer->Member("status", std::to_string(answer.status));
  if (answer.status >= 400 && !answer.body.empty()) writer->Key("response").Raw(answer.body);
  writer->EndObject();
}

SimResponse RunOperation(BulkOperation* operation, std::map<std::string, std::string>* created,
                         const BulkDispatch& dispatch) {
  std::string unresolved = ResolveReferences(*created, &operation->path);
  if (unresolved.empty()) unresolved = ResolveReferences(*created, &operation->data);
  if (!unresolved.empty()) {
    return ErrorResponse(
        ScimError{409, "invalidValue", "unresolved reference \"bulkId:" + unresolved + "\""});
  }
  SimResponse answer = dispatch(operation->method, operation->path, operation->data);
  if (operation->method == "POST" && answer.status == 201) {
    (*created)[operation->bulk_id] = IdFromLocation(answer.Header("Location"));
  }
  return answer;
}

// The operations of a BulkRequest and its failOnErrors (0: carry on whatever fails, RFC 7644
// §3.7.3). Refuses what is not a BulkRequest (400) and more than maxOperations (413).
struct BulkRequest {
  std::vector<BulkOperation> operations;
  int64_t fail_on_errors = 0;
};

ScimResult<BulkRequest> ParseBulkRequest(std::string_view body, const BulkLimits& limits) {
  simdjson::dom::parser parser;
  ScimResult<object> root = ParseJsonObject(&parser, body);
  if (!root.ok()) return root.error();
  element value;
  simdjson::dom::array entries;
  if (root.value().at_key("schemas").get(value) || ReadSchemaList(value, kBulkRequestSchema)) {
    return BadRequest("invalidSyntax",
                      "schemas must include \"" + std::string(kBulkRequestSchema) + "\"");
  }
  if (root.value().at_key("Operations").get(value) || value.get_array().get(entries)) {
    return BadRequest("invalidSyntax", "\"Operations\" must be an array");
  }
  if (entries.size() > limits.max_operations) {
    return ScimError{413, "",
                     std::to_string(entries.size()) +
                         " operations are over the limit: maxOperations is " +
                         std::to_string(limits.max_operations)};
  }
  BulkRequest request;
  if (root.value().at_key("failOnErrors").get(value) == simdjson::SUCCESS &&
      (value.get_int64().get(request.fail_on_errors) || request.fail_on_errors < 1)) {
    return BadRequest("invalidValue", "\"failOnErrors\" must be a positive integer");
  }
  for (element entry : entries) {
    ScimResult<BulkOperation> operation = ParseBulkOperation(entry);
    if (!operation.ok()) return operation.error();
    request.operations.push_back(std::move(operation.value()));
  }
  return request;
}

}  // namespace

SimResponse RunBulk(std::string_view body, const BulkLimits& limits, const BulkDispatch& dispatch) {
  if (body.size() > limits.max_payload_bytes) {
    return ErrorResponse(ScimError{413, "",
                                   "payload of " + std::to_string(body.size()) +
                                       " bytes is over the limit: maxPayloadSize is " +
                                       std::to_string(limits.max_payload_bytes) + " bytes"});
  }
  // Parsed (by its own parser) into owned operations before any runs: each operation re-enters
  // the routes, which reuse the thread's request parser.
  ScimResult<BulkRequest> request = ParseBulkRequest(body, limits);
  if (!request.ok()) return ErrorResponse(request.error());
  SimResponse response;
  JsonWriter writer(&response.body);
  writer.BeginObject().Key("schemas").BeginArray().String(kBulkResponseSchema).EndArray();
  writer.Key("Operations").BeginArray();
  std::map<std::string, std::string> created;
  int64_t errors = 0;
  for (BulkOperation& operation : request.value().operations) {
    const SimResponse answer = RunOperation(&operation, &created, dispatch);
    AppendResult(operation, answer, &writer);
    errors += answer.status >= 400 ? 1 : 0;
    const int64_t fail_on_errors = request.value().fail_on_errors;
    if (fail_on_errors > 0 && errors >= fail_on_errors) break;
  }
  writer.EndArray().EndObject();
  return response;
}

}  // namespace scimflow
