#include "engine/emit_state_changes.h"

#include <simdjson.h>
#include <xxhash.h>

#include "engine/arena.h"
#include "engine/content_hash.h"
#include "io/scim_json.h"

namespace scimflow {
namespace {

namespace ondemand = simdjson::ondemand;

// Arena block for one request body: a user is well under a kilobyte.
constexpr size_t kBodyArenaBytes = 4096;

// The raw JSON text of `value`, whatever its type.
simdjson::error_code RawValue(ondemand::value value, std::string_view* out) {
  ondemand::json_type type;
  if (auto error = value.type().get(type)) return error;
  if (type == ondemand::json_type::object) {
    ondemand::object object;
    if (auto error = value.get_object().get(object)) return error;
    return object.raw_json().get(*out);
  }
  if (type == ondemand::json_type::array) {
    ondemand::array array;
    if (auto error = value.get_array().get(array)) return error;
    return array.raw_json().get(*out);
  }
  *out = value.raw_json_token();
  while (!out->empty() && (out->back() == ' ' || out->back() == '\n')) out->remove_suffix(1);
  return simdjson::SUCCESS;
}

// Parses a SCIM User body into `*out` (strings in `*arena`).
Status ParseUserBody(std::string_view body, Arena* arena, ondemand::parser* parser, ScimUser* out) {
  simdjson::padded_string padded(body);
  ondemand::document document;
  ondemand::object object;
  if (parser->iterate(padded).get(document) || document.get_object().get(object)) {
    return InvalidArgument("request body is not a JSON object");
  }
  return ParseScimUser(object, arena, out);
}

std::vector<std::string> RoleValues(const User& user) {
  std::vector<std::string> roles;
  for (const Role& role : user.roles) roles.emplace_back(role.value);
  return roles;
}

UserState CreatedUser(const User& user, std::string_view target_id) {
  UserState state;
  state.external_id = std::string(user.external_id);
  state.target_id = std::string(target_id);
  state.user_name = std::string(user.user_name);
  state.hashes = HashUserAttributes(user, user.roles);
  state.active = user.active;
  state.roles = RoleValues(user);
  return state;
}

// The hash of one attribute as HashUserAttributes computes it, from a user that has only that
// attribute (`value` is its JSON; empty for a removed attribute).
Result<uint64_t> AttributeHash(std::string_view path, std::string_view value,
                               ondemand::parser* parser, std::vector<std::string>* roles) {
  std::string body = R"({"externalId":"x","userName":"x")";
  if (!value.empty()) body.append(",\"").append(path).append("\":").append(value);
  body.push_back('}');
  Arena arena(kBodyArenaBytes);
  ScimUser user;
  SCIMFLOW_RETURN_IF_ERROR(ParseUserBody(body, &arena, parser, &user));
  const AttributeHashes hashes = HashUserAttributes(user.user, user.user.roles);
  if (path == "name") return hashes.name;
  if (path == "displayName") return hashes.display_name;
  if (path == "emails") return hashes.emails;
  *roles = RoleValues(user.user);
  return hashes.roles;
}

// Applies the PatchOp `body` to the stored row `*user`: attribute hashes, roles and active.
Status PatchUserRow(std::string_view body, UserState* user) {
  ondemand::parser parser;
  simdjson::padded_string padded(body);
  ondemand::document document;
  ondemand::array operations;
  if (parser.iterate(padded).get(document) || document["Operations"].get_array().get(operations)) {
    return InvalidArgument("PATCH body without Operations");
  }
  // Collected first: the nested parses below need the parser.
  std::vector<std::pair<std::string, std::string>> changes;  // path → value JSON ("" = remove)
  for (auto element : operations) {
    std::string_view op, path, value;
    ondemand::object object;
    if (element.get_object().get(object)) return InvalidArgument("PATCH operation not an object");
    for (auto field : object) {
      std::string_view key;
      ondemand::value field_value;
      if (field.unescaped_key().get(key) || field.value().get(field_value)) {
        return InvalidArgument("malformed PATCH operation");
      }
      if (key == "op" && field_value.get_string().get(op)) return InvalidArgument("bad op");
      if (key == "path" && field_value.get_string().get(path)) return InvalidArgument("bad path");
      if (key == "value" && RawValue(field_value, &value)) return InvalidArgument("bad value");
    }
    changes.emplace_back(std::string(path), op == "remove" ? "" : std::string(value));
  }
  ondemand::parser attribute_parser;
  for (const auto& [path, value] : changes) {
    if (path == "active") {
      user->active = value.find("true") != std::string::npos;
      continue;
    }
    std::vector<std::string> roles;
    SCIMFLOW_ASSIGN_OR_RETURN(const uint64_t hash,
                              AttributeHash(path, value, &attribute_parser, &roles));
    if (path == "name") user->hashes.name = hash;
    if (path == "displayName") user->hashes.display_name = hash;
    if (path == "emails") user->hashes.emails = hash;
    if (path == "roles") {
      user->hashes.roles = hash;
      user->roles = std::move(roles);
    }
  }
  // The content hash combines the four as engine/content_hash.cc does.
  const uint64_t parts[] = {user->hashes.name, user->hashes.display_name, user->hashes.emails,
                            user->hashes.roles};
  user->hashes.content = XXH3_64bits(parts, sizeof(parts));
  return Status::Ok();
}

// The target ids a member PATCH names: `members` add values, or `members[value eq "ID"]` paths.
std::vector<std::string> MemberIds(std::string_view body) {
  std::vector<std::string> ids;
  ondemand::parser parser;
  simdjson::padded_string padded(body);
  ondemand::document document;
  ondemand::array operations;
  if (parser.iterate(padded).get(document) || document["Operations"].get_array().get(operations)) {
    return ids;
  }
  for (auto element : operations) {
    ondemand::object object;
    if (element.get_object().get(object)) continue;
    for (auto field : object) {
      std::string_view key, path;
      ondemand::value value;
      if (field.unescaped_key().get(key) || field.value().get(value)) break;
      if (key == "path" && !value.get_string().get(path)) {
        const std::string_view prefix = "members[value eq \"";
        if (path.substr(0, prefix.size()) == prefix && path.size() > prefix.size() + 2) {
          std::string id(path.substr(prefix.size(), path.size() - prefix.size() - 2));
          std::string unescaped;
          for (size_t pos = 0; pos < id.size(); ++pos) {
            if (id[pos] == '\\' && pos + 1 < id.size()) ++pos;
            unescaped.push_back(id[pos]);
          }
          ids.push_back(std::move(unescaped));
        }
      } else if (key == "value") {
        ondemand::array members;
        if (value.get_array().get(members)) continue;
        for (auto member : members) {
          std::string_view id;
          if (!member["value"].get_string().get(id)) ids.emplace_back(id);
        }
      }
    }
  }
  return ids;
}

std::vector<std::string> MemberExternalIds(const StateChangeInput& input) {
  std::vector<std::string> external_ids;
  for (const std::string& id : MemberIds(input.body)) {
    const auto found = input.user_by_target_id->find(id);
    if (found != input.user_by_target_id->end()) external_ids.push_back(found->second);
  }
  return external_ids;
}

// The displayName of a group create body or a rename PATCH.
std::string DisplayName(std::string_view body) {
  ondemand::parser parser;
  simdjson::padded_string padded(body);
  ondemand::document document;
  std::string_view name;
  if (parser.iterate(padded).get(document)) return "";
  if (!document["displayName"].get_string().get(name)) return std::string(name);
  document.rewind();
  ondemand::array operations;
  if (document["Operations"].get_array().get(operations)) return "";
  for (auto element : operations) {
    if (!element["value"].get_string().get(name)) return std::string(name);
  }
  return "";
}

Result<std::vector<StateChange>> UserChanges(const StateChangeInput& input) {
  const PlanOperation& operation = *input.operation;
  std::vector<StateChange> changes;
  if (operation.kind == OperationKind::kUserCreate) {
    // Runs for every created user: the parser's buffers and the arena's block are allocated once
    // per thread, not per call (they showed in the profile of 100,000 creates). The user's strings
    // are copied into its UserState before the next call resets the arena.
    thread_local ondemand::parser parser;
    thread_local Arena arena(kBodyArenaBytes);
    arena.Reset();
    ScimUser user;
    SCIMFLOW_RETURN_IF_ERROR(ParseUserBody(input.body, &arena, &parser, &user));
    changes.push_back(UpsertUser{CreatedUser(user.user, input.target_id)});
    return changes;
  }
  if (operation.kind == OperationKind::kUserDeactivate) {
    changes.push_back(SetUserActive{std::string(operation.external_id), false});
    return changes;
  }
  SCIMFLOW_ASSIGN_OR_RETURN(std::optional<UserState> stored,
                            input.store->FindUser(operation.external_id));
  if (!stored) {
    if (operation.kind == OperationKind::kUserReactivate) {
      changes.push_back(SetUserActive{std::string(operation.external_id), true});
    }
    return changes;
  }
  SCIMFLOW_RETURN_IF_ERROR(PatchUserRow(input.body, &*stored));
  changes.push_back(UpsertUser{std::move(*stored)});
  return changes;
}

}  // namespace

Result<std::vector<StateChange>> StateChangesFor(const StateChangeInput& input) {
  const PlanOperation& operation = *input.operation;
  std::vector<StateChange> changes;
  switch (operation.kind) {
    case OperationKind::kGroupCreate:
    case OperationKind::kGroupRename:
      changes.push_back(
          UpsertGroup{GroupState{std::string(operation.external_id), std::string(input.target_id),
                                 DisplayName(input.body)}});
      return changes;
    case OperationKind::kGroupMembersAdd:
      changes.push_back(AddMembers{std::string(operation.external_id), MemberExternalIds(input)});
      return changes;
    case OperationKind::kGroupMembersRemove:
      changes.push_back(
          RemoveMembers{std::string(operation.external_id), MemberExternalIds(input)});
      return changes;
    case OperationKind::kGroupDelete:
      changes.push_back(DeleteGroup{std::string(operation.external_id)});
      return changes;
    default:
      return UserChanges(input);
  }
}

}  // namespace scimflow
