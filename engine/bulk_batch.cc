#include "engine/bulk_batch.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>

#include "io/json_writer.h"

namespace scimflow {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// `{"schemas":["…BulkRequest"],"Operations":[` … `]}` around the entries.
std::string EnvelopeHead() {
  return std::string(R"({"schemas":[")") + std::string(kBulkRequestSchemaUrn) +
         R"("],"Operations":[)";
}
constexpr std::string_view kEnvelopeTail = "]}";

// A positive integer member of `fields`, or 0.
uint64_t PositiveMember(const object& fields, std::string_view name) {
  element value;
  if (fields.at_key(name).get(value) != simdjson::SUCCESS) return 0;
  int64_t signed_number = 0;
  if (value.get_int64().get(signed_number) == simdjson::SUCCESS) {
    return signed_number > 0 ? static_cast<uint64_t>(signed_number) : 0;
  }
  uint64_t number = 0;
  if (value.get_uint64().get(number) == simdjson::SUCCESS) return number;
  return 0;
}

// A status given as "201" (RFC 7644's examples) or 201; 0 when neither.
int StatusOf(element value) {
  int64_t number = 0;
  if (value.get_int64().get(number) == simdjson::SUCCESS) return static_cast<int>(number);
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) return 0;
  int parsed = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  return error == std::errc() && end == text.data() + text.size() ? parsed : 0;
}

std::string_view StringMember(const object& fields, std::string_view name) {
  std::string_view text;
  element value;
  if (fields.at_key(name).get(value) != simdjson::SUCCESS) return {};
  if (value.get_string().get(text) != simdjson::SUCCESS) return {};
  return text;
}

}  // namespace

Result<std::optional<BulkLimits>> ParseBulkLimits(std::string_view service_provider_config) {
  simdjson::dom::parser parser;
  object root;
  if (parser.parse(service_provider_config.data(), service_provider_config.size())
          .get_object()
          .get(root) != simdjson::SUCCESS) {
    return InvalidArgument("/ServiceProviderConfig: the answer is not a JSON object");
  }
  element bulk_value;
  object bulk;
  if (root.at_key("bulk").get(bulk_value) != simdjson::SUCCESS ||
      bulk_value.get_object().get(bulk) != simdjson::SUCCESS) {
    return std::optional<BulkLimits>();
  }
  element supported;
  bool yes = false;
  if (bulk.at_key("supported").get(supported) != simdjson::SUCCESS ||
      supported.get_bool().get(yes) != simdjson::SUCCESS || !yes) {
    return std::optional<BulkLimits>();
  }
  BulkLimits limits;
  const uint64_t operations = PositiveMember(bulk, "maxOperations");
  limits.max_operations = static_cast<uint32_t>(std::min<uint64_t>(operations, UINT32_MAX));
  limits.max_payload_bytes = PositiveMember(bulk, "maxPayloadSize");
  if (limits.max_operations == 0 || limits.max_payload_bytes == 0) {
    return std::optional<BulkLimits>();
  }
  return std::optional<BulkLimits>(limits);
}

std::string RenderBulkOperation(const BulkItem& item) {
  std::string text;
  JsonWriter writer(&text);
  writer.BeginObject().Member("method", item.method);
  if (!item.bulk_id.empty()) writer.Member("bulkId", item.bulk_id);
  writer.Member("path", item.path);
  if (!item.data.empty()) writer.Key("data").Raw(item.data);
  writer.EndObject();
  return text;
}

BulkBatch::BulkBatch(BulkLimits limits) : limits_(limits) {}

uint64_t BulkBatch::payload_bytes() const {
  return EnvelopeHead().size() + operations_bytes_ + kEnvelopeTail.size();
}

bool BulkBatch::TooLargeAlone(const BulkItem& item) const {
  return EnvelopeHead().size() + RenderBulkOperation(item).size() + kEnvelopeTail.size() >
         limits_.max_payload_bytes;
}

bool BulkBatch::Fits(const BulkItem& item) const {
  if (items_.size() >= limits_.max_operations) return false;
  const uint64_t added = RenderBulkOperation(item).size() + (items_.empty() ? 0 : 1);
  return payload_bytes() + added <= limits_.max_payload_bytes;
}

bool BulkBatch::TryAdd(const BulkItem& item) {
  if (items_.size() >= limits_.max_operations) return false;
  std::string rendered = RenderBulkOperation(item);
  const uint64_t added = rendered.size() + (items_.empty() ? 0 : 1);
  if (payload_bytes() + added > limits_.max_payload_bytes) return false;
  operations_bytes_ += added;
  items_.push_back(item);
  rendered_.push_back(std::move(rendered));
  return true;
}

std::string BulkBatch::Render() const {
  std::string body = EnvelopeHead();
  body.reserve(payload_bytes());
  for (size_t position = 0; position < rendered_.size(); ++position) {
    if (position > 0) body += ',';
    body += rendered_[position];
  }
  body += kEnvelopeTail;
  return body;
}

Result<std::vector<std::optional<BulkResult>>> ParseBulkResponse(
    std::string_view body, const std::vector<BulkItem>& items) {
  simdjson::dom::parser parser;
  object root;
  simdjson::dom::array entries;
  // An empty view may carry a null pointer, which simdjson would hand to memcpy: not parsed.
  if (body.empty() ||
      parser.parse(body.data(), body.size()).get_object().get(root) != simdjson::SUCCESS ||
      root["Operations"].get_array().get(entries) != simdjson::SUCCESS) {
    return InvalidArgument("/Bulk: the answer is not a BulkResponse with an Operations array");
  }
  std::vector<std::optional<BulkResult>> results(items.size());
  size_t position = 0;
  for (element entry : entries) {
    if (position >= items.size()) break;
    object fields;
    if (entry.get_object().get(fields) != simdjson::SUCCESS) break;
    const BulkItem& item = items[position];
    const std::string_view method = StringMember(fields, "method");
    const std::string_view bulk_id = StringMember(fields, "bulkId");
    // A result that does not belong to the operation at its position means the server answered
    // a different sequence; nothing from here on can be trusted to be this operation's.
    if ((!method.empty() && method != item.method) ||
        (!bulk_id.empty() && !item.bulk_id.empty() && bulk_id != item.bulk_id)) {
      break;
    }
    element status;
    if (fields.at_key("status").get(status) != simdjson::SUCCESS) break;
    BulkResult result;
    result.status = StatusOf(status);
    if (result.status == 0) break;
    result.location = StringMember(fields, "location");
    const size_t slash = result.location.rfind('/');
    if (!result.location.empty()) {
      result.id = slash == std::string::npos ? result.location : result.location.substr(slash + 1);
    }
    element response;
    if (fields.at_key("response").get(response) == simdjson::SUCCESS) {
      result.response = simdjson::minify(response);
    }
    results[position] = std::move(result);
    ++position;
  }
  return results;
}

}  // namespace scimflow
