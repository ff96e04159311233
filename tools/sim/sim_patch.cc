#include "tools/sim/sim_patch.h"

#include <algorithm>
#include <string>
#include <unordered_set>

#include "engine/ascii.h"
#include "tools/sim/sim_filter.h"

namespace scimflow {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

ScimError InvalidPath(std::string_view path) {
  return BadRequest("invalidPath", "unsupported path \"" + std::string(path) + "\"");
}

ScimError NeedsValue(std::string_view path) {
  return BadRequest("invalidValue", "operation on \"" + std::string(path) + "\" needs a value");
}

ScimResult<PatchOperation> ParseOperation(element entry) {
  object fields;
  if (entry.get_object().get(fields)) {
    return BadRequest("invalidSyntax", "each of Operations must be an object");
  }
  PatchOperation operation;
  std::string_view op_name;
  element op_value;
  if (fields.at_key("op").get(op_value) || op_value.get_string().get(op_name)) {
    return BadRequest("invalidValue", "operation needs \"op\" as a string");
  }
  const std::string op = AsciiLowerCopy(op_name);
  if (op == "add") {
    operation.kind = PatchOpKind::kAdd;
  } else if (op == "replace") {
    operation.kind = PatchOpKind::kReplace;
  } else if (op == "remove") {
    operation.kind = PatchOpKind::kRemove;
  } else {
    return BadRequest("invalidValue", "unknown op \"" + std::string(op_name) + "\"");
  }
  element path_value;
  if (fields.at_key("path").get(path_value) == simdjson::SUCCESS) {
    std::string_view path;
    if (path_value.get_string().get(path)) {
      return BadRequest("invalidValue", "\"path\" must be a string");
    }
    operation.path.assign(path);
  }
  operation.has_value = fields.at_key("value").get(operation.value) == simdjson::SUCCESS;
  return operation;
}

// `add`/`replace` of one user attribute named by `path` (already lower-cased).
ScimStatus SetUserPath(const PatchOperation& operation, std::string_view path, SimUser* user) {
  const element value = operation.value;
  const bool append = operation.kind == PatchOpKind::kAdd;
  uint32_t seen = 0;
  if (path == "active") return ReadJsonBool(value, "active", &user->active);
  if (path == "username") return ReadJsonString(value, "userName", &user->user_name);
  if (path == "externalid") return ReadJsonString(value, "externalId", &user->external_id);
  if (path == "displayname") return ReadJsonString(value, "displayName", &user->display_name);
  if (path == "name") return ReadPersonName(value, user, &seen);
  if (path == "name.givenname") return ReadJsonString(value, "name.givenName", &user->given_name);
  if (path == "name.familyname") {
    return ReadJsonString(value, "name.familyName", &user->family_name);
  }
  if (path == "name.formatted") return ReadJsonString(value, "name.formatted", &user->formatted);
  if (path == "name.middlename") {
    return ReadJsonString(value, "name.middleName", &user->middle_name);
  }
  if (path == "emails") {
    std::vector<SimEmail> emails;
    if (ScimStatus status = ReadEmailList(value, &emails)) return status;
    if (!append) user->emails.clear();
    for (SimEmail& email : emails) user->emails.push_back(std::move(email));
    return std::nullopt;
  }
  if (path == "roles") {
    std::vector<SimRole> roles;
    if (ScimStatus status = ReadRoleList(value, &roles)) return status;
    if (!append) user->roles.clear();
    for (SimRole& role : roles) user->roles.push_back(std::move(role));
    return std::nullopt;
  }
  return InvalidPath(operation.path);
}

ScimStatus RemoveUserPath(const PatchOperation& operation, std::string_view path, SimUser* user) {
  if (path == "active") {
    return BadRequest("invalidValue", "attribute \"active\" cannot be removed");
  }
  std::string* text = nullptr;
  if (path == "username") text = &user->user_name;
  if (path == "externalid") text = &user->external_id;
  if (path == "displayname") text = &user->display_name;
  if (path == "name.givenname") text = &user->given_name;
  if (path == "name.familyname") text = &user->family_name;
  if (path == "name.formatted") text = &user->formatted;
  if (path == "name.middlename") text = &user->middle_name;
  if (text != nullptr) {
    text->clear();
  } else if (path == "name") {
    user->given_name.clear();
    user->family_name.clear();
    user->formatted.clear();
    user->middle_name.clear();
  } else if (path == "emails") {
    user->emails.clear();
  } else if (path == "roles") {
    user->roles.clear();
  } else {
    return InvalidPath(operation.path);
  }
  return std::nullopt;
}

ScimStatus ApplyUserOperation(const PatchOperation& operation, SimUser* user) {
  const std::string path = AsciiLowerCopy(operation.path);
  if (operation.kind == PatchOpKind::kRemove) {
    if (path.empty()) return BadRequest("noTarget", "remove needs a path");
    return RemoveUserPath(operation, path, user);
  }
  if (!operation.has_value) return NeedsValue(operation.path);
  if (!path.empty()) return SetUserPath(operation, path, user);
  object attributes;
  if (operation.value.get_object().get(attributes)) {
    return BadRequest("invalidValue", "an operation without path needs an object value");
  }
  uint32_t seen = 0;
  return ApplyUserAttributes(attributes, user, &seen);
}

void AddMembers(const std::vector<std::string>& ids, SimGroup* group) {
  std::unordered_set<std::string_view> present(group->member_ids.begin(), group->member_ids.end());
  std::vector<std::string> added;
  for (const std::string& id : ids) {
    if (present.insert(id).second) added.push_back(id);
  }
  for (std::string& id : added) group->member_ids.push_back(std::move(id));
}

void RemoveMembers(const std::vector<std::string>& ids, SimGroup* group) {
  const std::unordered_set<std::string_view> doomed(ids.begin(), ids.end());
  std::erase_if(group->member_ids, [&](const std::string& id) { return doomed.contains(id); });
}

// `members[value eq "ID"]`: the member id named by the value filter, or an error.
ScimResult<std::string> MemberFilterId(std::string_view path) {
  const std::string_view inner = path.substr(8, path.size() - 9);  // Between "members[" and "]".
  static constexpr std::string_view kValue[] = {"value"};
  ScimResult<SimFilter> filter = ParseFilter(inner, kValue, /*eq_only=*/true);
  if (!filter.ok()) return BadRequest("invalidPath", filter.error().detail);
  return filter.value().value;
}

ScimStatus ApplyMembersOperation(const PatchOperation& operation, SimGroup* group) {
  std::vector<std::string> ids;
  if (operation.has_value) {
    if (ScimStatus status = ReadMemberIds(operation.value, &ids)) return status;
  }
  switch (operation.kind) {
    case PatchOpKind::kAdd:
      if (!operation.has_value) return NeedsValue(operation.path);
      AddMembers(ids, group);
      break;
    case PatchOpKind::kReplace:
      group->member_ids.clear();
      AddMembers(ids, group);
      break;
    case PatchOpKind::kRemove:
      // Without a value, `remove members` empties the group (RFC 7644 §3.5.2.2).
      if (!operation.has_value) group->member_ids.clear();
      RemoveMembers(ids, group);
      break;
  }
  return std::nullopt;
}

ScimStatus ApplyGroupNoPath(const PatchOperation& operation, SimGroup* group) {
  object attributes;
  if (!operation.has_value || operation.value.get_object().get(attributes)) {
    return BadRequest("invalidValue", "an operation without path needs an object value");
  }
  SimGroup scratch;
  uint32_t seen = 0;
  if (ScimStatus status = ApplyGroupAttributes(attributes, &scratch, &seen)) return status;
  if (seen & kAttrExternalId) group->external_id = std::move(scratch.external_id);
  if (seen & kAttrDisplayName) group->display_name = std::move(scratch.display_name);
  if (seen & kAttrMembers) {
    if (operation.kind == PatchOpKind::kReplace) group->member_ids.clear();
    AddMembers(scratch.member_ids, group);
  }
  return std::nullopt;
}

ScimStatus ApplyGroupOperation(const PatchOperation& operation, SimGroup* group) {
  const std::string path = AsciiLowerCopy(operation.path);
  if (path.empty()) {
    if (operation.kind == PatchOpKind::kRemove)
      return BadRequest("noTarget", "remove needs a path");
    return ApplyGroupNoPath(operation, group);
  }
  if (path == "members") return ApplyMembersOperation(operation, group);
  if (path.starts_with("members[") && path.ends_with("]")) {
    if (operation.kind != PatchOpKind::kRemove) return InvalidPath(operation.path);
    ScimResult<std::string> id = MemberFilterId(operation.path);
    if (!id.ok()) return id.error();
    RemoveMembers({id.value()}, group);
    return std::nullopt;
  }
  std::string* text = nullptr;
  if (path == "displayname") text = &group->display_name;
  if (path == "externalid") text = &group->external_id;
  if (text == nullptr) return InvalidPath(operation.path);
  if (operation.kind == PatchOpKind::kRemove) {
    text->clear();
    return std::nullopt;
  }
  if (!operation.has_value) return NeedsValue(operation.path);
  return ReadJsonString(operation.value, operation.path, text);
}

}  // namespace

ScimResult<std::vector<PatchOperation>> ParsePatchRequest(object body) {
  element schemas;
  if (body.at_key("schemas").get(schemas) || ReadSchemaList(schemas, kPatchOpSchema)) {
    return BadRequest("invalidSyntax",
                      "schemas must include \"" + std::string(kPatchOpSchema) + "\"");
  }
  simdjson::dom::array entries;
  element operations_value;
  if (body.at_key("Operations").get(operations_value) ||
      operations_value.get_array().get(entries) || entries.size() == 0) {
    return BadRequest("invalidSyntax", "\"Operations\" must be a non-empty array");
  }
  std::vector<PatchOperation> operations;
  for (element entry : entries) {
    ScimResult<PatchOperation> operation = ParseOperation(entry);
    if (!operation.ok()) return operation.error();
    operations.push_back(std::move(operation.value()));
  }
  return operations;
}

ScimStatus ApplyUserPatch(std::span<const PatchOperation> operations, SimUser* user) {
  for (const PatchOperation& operation : operations) {
    if (ScimStatus status = ApplyUserOperation(operation, user)) return status;
  }
  return std::nullopt;
}

ScimStatus ApplyGroupPatch(std::span<const PatchOperation> operations, SimGroup* group) {
  for (const PatchOperation& operation : operations) {
    if (ScimStatus status = ApplyGroupOperation(operation, group)) return status;
  }
  return std::nullopt;
}

}  // namespace scimflow
