// SimService: the SCIM routes (Users, Groups, ServiceProviderConfig, Bulk). Intake, budgets and
// /_stats are in sim_service.cc.
#include <charconv>
#include <string>

#include "engine/ascii.h"
#include "io/json_writer.h"
#include "tools/sim/sim_bulk.h"
#include "tools/sim/sim_service.h"

namespace scimflow {
namespace {

// One parser per server thread: parsing reuses its buffers, and a DOM lives until the thread's
// next request (the route that parsed it finishes first).
simdjson::dom::parser& RequestParser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

ScimError MethodNotAllowed(std::string_view method, std::string_view route) {
  return ScimError{
      405, "", "method " + std::string(method) + " not allowed on \"" + std::string(route) + "\""};
}

// A non-negative integer query argument; `fallback` when absent.
ScimResult<int64_t> IntegerArgument(const SimRequest* request, std::string_view name,
                                    int64_t fallback) {
  const std::optional<std::string_view> text = request ? request->Query(name) : std::nullopt;
  if (!text) return fallback;
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size()) {
    return BadRequest("invalidValue", "\"" + std::string(name) + "\" must be an integer");
  }
  return value;
}

bool ExcludesMembers(const SimRequest* request) {
  const std::optional<std::string_view> excluded =
      request ? request->Query("excludedAttributes") : std::nullopt;
  if (!excluded) return false;
  const std::string lower = AsciiLowerCopy(*excluded);
  std::string_view rest = lower;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == "members") return true;
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return false;
}

}  // namespace

SimResponse SimService::Route(std::string_view method, std::string_view route,
                              const SimRequest* request, std::string_view body, Context* context) {
  if (route == "/Users" || route.starts_with("/Users/")) {
    return UserRoute(method, route.size() > 7 ? route.substr(7) : "", request, body, context);
  }
  if (route == "/Groups" || route.starts_with("/Groups/")) {
    return GroupRoute(method, route.size() > 8 ? route.substr(8) : "", request, body, context);
  }
  if (!IsGitHubProfile(options_.profile) && route == "/ServiceProviderConfig") {
    if (method != "GET") return ErrorResponse(MethodNotAllowed(method, route));
    return ServiceProviderConfig();
  }
  if (!IsGitHubProfile(options_.profile) && route == "/Bulk" && request != nullptr) {
    if (method != "POST") return ErrorResponse(MethodNotAllowed(method, route));
    const BulkLimits limits{options_.bulk_max_operations, options_.bulk_max_payload_bytes};
    return RunBulk(body, limits,
                   [&](std::string_view op_method, std::string_view path, std::string_view data) {
                     return Route(op_method, path, nullptr, data, context);
                   });
  }
  return ErrorResponse(NotFoundError("no such endpoint \"" + std::string(route) + "\""));
}

SimResponse SimService::UserRoute(std::string_view method, std::string_view id,
                                  const SimRequest* request, std::string_view body,
                                  Context* context) {
  if (id.empty()) {
    if (method == "GET") return ListUsers(request, context);
    if (method == "POST") return CreateUser(body, context);
    return ErrorResponse(MethodNotAllowed(method, "/Users"));
  }
  if (method == "GET") return Answer(store_.GetUser(id, context->location_base), 200, *context);
  if (method == "PUT") return ReplaceUser(id, body, context);
  if (method == "PATCH") return PatchUser(id, body, context);
  if (method == "DELETE") {
    if (ScimStatus status = store_.DeleteUser(id)) return ErrorResponse(*status);
    SimResponse response;
    response.status = 204;
    return response;
  }
  return ErrorResponse(MethodNotAllowed(method, "/Users/{id}"));
}

SimResponse SimService::GroupRoute(std::string_view method, std::string_view id,
                                   const SimRequest* request, std::string_view body,
                                   Context* context) {
  if (id.empty()) {
    if (method == "GET") return ListGroups(request, context);
    if (method == "POST") return CreateGroup(body, context);
    return ErrorResponse(MethodNotAllowed(method, "/Groups"));
  }
  if (method == "GET") {
    return Answer(store_.GetGroup(id, ExcludesMembers(request), context->location_base), 200,
                  *context);
  }
  if (method == "PUT") return ReplaceGroup(id, body, ExcludesMembers(request), context);
  if (method == "PATCH") return PatchGroup(id, body, ExcludesMembers(request), context);
  if (method == "DELETE") {
    if (ScimStatus status = store_.DeleteGroup(id)) return ErrorResponse(*status);
    SimResponse response;
    response.status = 204;
    return response;
  }
  return ErrorResponse(MethodNotAllowed(method, "/Groups/{id}"));
}

// Reads startIndex, count and filter into `*query` / `*filter`; an error answer otherwise.
static ScimStatus ReadListArguments(const SimRequest* request, const SimOptions& options,
                                    std::span<const std::string_view> attributes, ListQuery* query,
                                    SimFilter* filter) {
  ScimResult<int64_t> start = IntegerArgument(request, "startIndex", 1);
  if (!start.ok()) return start.error();
  ScimResult<int64_t> count = IntegerArgument(request, "count", options.default_page_size);
  if (!count.ok()) return count.error();
  // RFC 7644 §3.4.2.4: startIndex < 1 means 1, a negative count means 0.
  query->start_index = static_cast<uint64_t>(std::max<int64_t>(start.value(), 1));
  query->count = static_cast<uint64_t>(
      std::clamp<int64_t>(count.value(), 0, static_cast<int64_t>(options.max_page_size)));
  const std::optional<std::string_view> text = request ? request->Query("filter") : std::nullopt;
  if (text) {
    ScimResult<SimFilter> parsed =
        ParseFilter(*text, attributes, /*eq_only=*/IsGitHubProfile(options.profile));
    if (!parsed.ok()) return parsed.error();
    *filter = std::move(parsed.value());
    query->filter = filter;
  }
  return std::nullopt;
}

SimResponse SimService::ListUsers(const SimRequest* request, Context* context) {
  ListQuery query;
  SimFilter filter;
  if (ScimStatus status =
          ReadListArguments(request, options_, UserFilterAttributes(), &query, &filter)) {
    return ErrorResponse(*status);
  }
  SimResponse response;
  response.body = store_.ListUsers(query, context->location_base);
  return response;
}

SimResponse SimService::ListGroups(const SimRequest* request, Context* context) {
  ListQuery query;
  SimFilter filter;
  if (ScimStatus status =
          ReadListArguments(request, options_, GroupFilterAttributes(), &query, &filter)) {
    return ErrorResponse(*status);
  }
  query.exclude_members = ExcludesMembers(request);
  SimResponse response;
  response.body = store_.ListGroups(query, context->location_base);
  return response;
}

// Parses and validates a full User body (POST and PUT).
static ScimResult<SimUser> ParseUserBody(std::string_view body, SimProfile profile) {
  ScimResult<simdjson::dom::object> root = ParseJsonObject(&RequestParser(), body);
  if (!root.ok()) return root.error();
  SimUser user;
  uint32_t seen = 0;
  if (ScimStatus status = ApplyUserAttributes(root.value(), &user, &seen)) return *status;
  if (ScimStatus status = ValidateUser(user, seen, profile)) return *status;
  return user;
}

static ScimResult<SimGroup> ParseGroupBody(std::string_view body, SimProfile profile) {
  ScimResult<simdjson::dom::object> root = ParseJsonObject(&RequestParser(), body);
  if (!root.ok()) return root.error();
  SimGroup group;
  uint32_t seen = 0;
  if (ScimStatus status = ApplyGroupAttributes(root.value(), &group, &seen)) return *status;
  if (ScimStatus status = ValidateGroup(group, seen, profile)) return *status;
  return group;
}

static ScimResult<std::vector<PatchOperation>> ParsePatchBody(std::string_view body) {
  ScimResult<simdjson::dom::object> root = ParseJsonObject(&RequestParser(), body);
  if (!root.ok()) return root.error();
  return ParsePatchRequest(root.value());
}

// A 201 answer with the Location of the created resource (the `id` is read back from the body's
// `meta.location`, which the store wrote).
static SimResponse Created(SimResponse response) {
  if (response.status != 201) return response;
  const std::string_view body = response.body;
  const size_t key = body.rfind("\"location\":\"");
  if (key != std::string_view::npos) {
    const size_t start = key + 12;
    response.headers.emplace_back("Location",
                                  std::string(body.substr(start, body.find('"', start) - start)));
  }
  return response;
}

SimResponse SimService::CreateUser(std::string_view body, Context* context) {
  ScimResult<SimUser> user = ParseUserBody(body, options_.profile);
  if (!user.ok()) return ErrorResponse(user.error());
  return Created(Answer(
      store_.CreateUser(std::move(user.value()), MakeCharge(context), context->location_base), 201,
      *context));
}

SimResponse SimService::ReplaceUser(std::string_view id, std::string_view body, Context* context) {
  ScimResult<SimUser> user = ParseUserBody(body, options_.profile);
  if (!user.ok()) return ErrorResponse(user.error());
  return Answer(
      store_.ReplaceUser(id, std::move(user.value()), MakeCharge(context), context->location_base),
      200, *context);
}

SimResponse SimService::PatchUser(std::string_view id, std::string_view body, Context* context) {
  ScimResult<std::vector<PatchOperation>> operations = ParsePatchBody(body);
  if (!operations.ok()) return ErrorResponse(operations.error());
  return Answer(
      store_.PatchUser(id, operations.value(), MakeCharge(context), context->location_base), 200,
      *context);
}

SimResponse SimService::CreateGroup(std::string_view body, Context* context) {
  ScimResult<SimGroup> group = ParseGroupBody(body, options_.profile);
  if (!group.ok()) return ErrorResponse(group.error());
  return Created(Answer(
      store_.CreateGroup(std::move(group.value()), MakeCharge(context), context->location_base),
      201, *context));
}

SimResponse SimService::ReplaceGroup(std::string_view id, std::string_view body,
                                     bool exclude_members, Context* context) {
  ScimResult<SimGroup> group = ParseGroupBody(body, options_.profile);
  if (!group.ok()) return ErrorResponse(group.error());
  return Answer(store_.ReplaceGroup(id, std::move(group.value()), MakeCharge(context),
                                    exclude_members, context->location_base),
                200, *context);
}

SimResponse SimService::PatchGroup(std::string_view id, std::string_view body, bool exclude_members,
                                   Context* context) {
  ScimResult<std::vector<PatchOperation>> operations = ParsePatchBody(body);
  if (!operations.ok()) return ErrorResponse(operations.error());
  return Answer(store_.PatchGroup(id, operations.value(), MakeCharge(context), exclude_members,
                                  context->location_base),
                200, *context);
}

SimResponse SimService::ServiceProviderConfig() const {
  SimResponse response;
  JsonWriter writer(&response.body);
  writer.BeginObject().Key("schemas").BeginArray();
  writer.String("urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig").EndArray();
  writer.Key("patch").BeginObject().Member("supported", true).EndObject();
  writer.Key("bulk").BeginObject().Member("supported", true);
  writer.Member("maxOperations", options_.bulk_max_operations);
  writer.Member("maxPayloadSize", options_.bulk_max_payload_bytes).EndObject();
  writer.Key("filter").BeginObject().Member("supported", true);
  writer.Member("maxResults", options_.max_page_size).EndObject();
  for (std::string_view unsupported : {"changePassword", "sort", "etag"}) {
    writer.Key(unsupported).BeginObject().Member("supported", false).EndObject();
  }
  writer.Key("authenticationSchemes").BeginArray().BeginObject();
  writer.Member("type", "oauthbearertoken").Member("name", "OAuth Bearer Token");
  writer.Member("description", "Authentication with a bearer token").EndObject().EndArray();
  writer.EndObject();
  return response;
}

}  // namespace scimflow
