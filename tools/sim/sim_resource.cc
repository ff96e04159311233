#include "tools/sim/sim_resource.h"

#include <algorithm>
#include <array>
#include <string>
#include <unordered_set>

#include "engine/ascii.h"
#include "io/json_writer.h"

namespace scimflow {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// GitHub's `roles[].value` enum (reference §2.2), compared case-insensitively because GitHub
// echoes "User" for "user".
constexpr std::array<std::string_view, 10> kGitHubRoles = {
    "user",
    "27d9891d-2c17-4f45-a262-781a0e55c80a",
    "guest_collaborator",
    "1ebc4a02-e56c-43a6-92a5-02ee09b90824",
    "enterprise_owner",
    "981df190-8801-4618-a08a-d91f6206c954",
    "ba4987ab-a1c3-412a-b58c-360fc407cb10",
    "billing_manager",
    "0e338b8c-cc7f-498a-928d-ea3470d7e7e3",
    "e6be2762-e4ad-4108-b72d-1bbe884a0f91",
};

ScimError WrongType(std::string_view attribute, std::string_view expected) {
  return BadRequest("invalidValue", "attribute \"" + std::string(attribute) + "\" must be " +
                                        std::string(expected));
}

}  // namespace

ScimError MissingAttribute(std::string_view attribute) {
  return BadRequest("invalidValue",
                    "missing required attribute \"" + std::string(attribute) + "\"");
}

// A string attribute; `null` clears it (RFC 7644 §3.5.1: null means unassigned).
ScimStatus ReadJsonString(element value, std::string_view attribute, std::string* out) {
  if (value.is_null()) {
    out->clear();
    return std::nullopt;
  }
  std::string_view text;
  if (value.get_string().get(text)) return WrongType(attribute, "a string");
  out->assign(text);
  return std::nullopt;
}

ScimStatus ReadJsonBool(element value, std::string_view attribute, bool* out) {
  if (value.get_bool().get(*out) == simdjson::SUCCESS) return std::nullopt;
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) {
    // Entra ID sends "False"/"True" as strings unless a compatibility flag is set.
    const std::string lower = AsciiLowerCopy(text);
    if (lower == "true" || lower == "false") {
      *out = lower == "true";
      return std::nullopt;
    }
  }
  return WrongType(attribute, "a boolean");
}

ScimStatus ReadSchemaList(element value, std::string_view required_urn) {
  array schemas;
  if (value.get_array().get(schemas)) return WrongType("schemas", "an array of strings");
  bool found = false;
  for (element entry : schemas) {
    std::string_view urn;
    if (entry.get_string().get(urn)) return WrongType("schemas", "an array of strings");
    found = found || urn == required_urn;
  }
  if (!found) {
    return BadRequest("invalidValue", "schemas must include \"" + std::string(required_urn) + "\"");
  }
  return std::nullopt;
}

ScimStatus ReadPersonName(element value, SimUser* user, uint32_t* seen) {
  if (value.is_null()) {
    user->given_name.clear();
    user->family_name.clear();
    user->formatted.clear();
    user->middle_name.clear();
    return std::nullopt;
  }
  object name;
  if (value.get_object().get(name)) return WrongType("name", "an object");
  for (auto field : name) {
    const std::string key = AsciiLowerCopy(field.key);
    ScimStatus status;
    if (key == "givenname") {
      status = ReadJsonString(field.value, "name.givenName", &user->given_name);
      *seen |= kAttrGivenName;
    } else if (key == "familyname") {
      status = ReadJsonString(field.value, "name.familyName", &user->family_name);
      *seen |= kAttrFamilyName;
    } else if (key == "formatted") {
      status = ReadJsonString(field.value, "name.formatted", &user->formatted);
    } else if (key == "middlename") {
      status = ReadJsonString(field.value, "name.middleName", &user->middle_name);
    }
    if (status) return status;
  }
  return std::nullopt;
}

ScimStatus ReadEmailList(element value, std::vector<SimEmail>* emails) {
  emails->clear();
  if (value.is_null()) return std::nullopt;
  array entries;
  if (value.get_array().get(entries)) return WrongType("emails", "an array of objects");
  for (element entry : entries) {
    object fields;
    if (entry.get_object().get(fields)) return WrongType("emails", "an array of objects");
    SimEmail email;
    for (auto field : fields) {
      const std::string key = AsciiLowerCopy(field.key);
      ScimStatus status;
      if (key == "value") status = ReadJsonString(field.value, "emails.value", &email.value);
      if (key == "type") status = ReadJsonString(field.value, "emails.type", &email.type);
      if (key == "primary") status = ReadJsonBool(field.value, "emails.primary", &email.primary);
      if (status) return status;
    }
    if (email.value.empty()) return MissingAttribute("emails.value");
    emails->push_back(std::move(email));
  }
  return std::nullopt;
}

ScimStatus ReadRoleList(element value, std::vector<SimRole>* roles) {
  roles->clear();
  if (value.is_null()) return std::nullopt;
  array entries;
  if (value.get_array().get(entries)) return WrongType("roles", "an array of objects");
  for (element entry : entries) {
    object fields;
    if (entry.get_object().get(fields)) return WrongType("roles", "an array of objects");
    SimRole role;
    for (auto field : fields) {
      const std::string key = AsciiLowerCopy(field.key);
      ScimStatus status;
      if (key == "value") status = ReadJsonString(field.value, "roles.value", &role.value);
      if (key == "primary") status = ReadJsonBool(field.value, "roles.primary", &role.primary);
      if (status) return status;
    }
    if (role.value.empty()) return MissingAttribute("roles.value");
    roles->push_back(std::move(role));
  }
  return std::nullopt;
}

ScimStatus ReadMemberIds(element value, std::vector<std::string>* member_ids) {
  member_ids->clear();
  if (value.is_null()) return std::nullopt;
  array entries;
  if (value.get_array().get(entries)) return WrongType("members", "an array of objects");
  std::unordered_set<std::string_view> taken;
  for (element entry : entries) {
    object fields;
    std::string_view id;
    if (entry.get_object().get(fields)) return WrongType("members", "an array of objects");
    element id_value;
    if (fields.at_key("value").get(id_value)) return MissingAttribute("members.value");
    if (id_value.get_string().get(id)) return WrongType("members.value", "a string");
    if (taken.insert(id).second) member_ids->emplace_back(id);
  }
  return std::nullopt;
}

namespace {

void AppendMeta(std::string_view resource_type, std::string_view location_base,
                std::string_view collection, std::string_view id, JsonWriter* writer) {
  std::string location;
  location.reserve(location_base.size() + collection.size() + id.size() + 1);
  location.append(location_base).append(collection).append("/").append(id);
  writer->Key("meta").BeginObject().Member("resourceType", resource_type);
  writer->Member("location", location).EndObject();
}

}  // namespace

ScimStatus ApplyUserAttributes(object fields, SimUser* user, uint32_t* seen) {
  for (auto field : fields) {
    const std::string key = AsciiLowerCopy(field.key);
    ScimStatus status;
    if (key == "schemas") {
      status = ReadSchemaList(field.value, kUserSchema);
      *seen |= kAttrSchemas;
    } else if (key == "externalid") {
      status = ReadJsonString(field.value, "externalId", &user->external_id);
      *seen |= kAttrExternalId;
    } else if (key == "username") {
      status = ReadJsonString(field.value, "userName", &user->user_name);
      *seen |= kAttrUserName;
    } else if (key == "active") {
      status = ReadJsonBool(field.value, "active", &user->active);
      *seen |= kAttrActive;
    } else if (key == "displayname") {
      status = ReadJsonString(field.value, "displayName", &user->display_name);
      *seen |= kAttrDisplayName;
    } else if (key == "name") {
      status = ReadPersonName(field.value, user, seen);
    } else if (key == "emails") {
      status = ReadEmailList(field.value, &user->emails);
      *seen |= kAttrEmails;
    } else if (key == "roles") {
      status = ReadRoleList(field.value, &user->roles);
    }
    if (status) return status;
  }
  return std::nullopt;
}

ScimStatus ValidateUser(const SimUser& user, uint32_t seen, SimProfile profile) {
  if (!(seen & kAttrSchemas)) return MissingAttribute("schemas");
  if (user.user_name.empty()) return MissingAttribute("userName");
  if (!IsGitHubProfile(profile)) return std::nullopt;
  if (user.external_id.empty()) return MissingAttribute("externalId");
  if (!(seen & kAttrActive)) return MissingAttribute("active");
  if (user.display_name.empty()) return MissingAttribute("displayName");
  if (user.emails.empty()) return MissingAttribute("emails");
  if (user.given_name.empty()) return MissingAttribute("name.givenName");
  if (user.family_name.empty()) return MissingAttribute("name.familyName");
  for (const SimRole& role : user.roles) {
    const std::string lower = AsciiLowerCopy(role.value);
    if (std::find(kGitHubRoles.begin(), kGitHubRoles.end(), lower) == kGitHubRoles.end()) {
      return BadRequest("invalidValue", "unknown role \"" + role.value + "\"");
    }
  }
  return std::nullopt;
}

ScimStatus ApplyGroupAttributes(object fields, SimGroup* group, uint32_t* seen) {
  for (auto field : fields) {
    const std::string key = AsciiLowerCopy(field.key);
    ScimStatus status;
    if (key == "schemas") {
      status = ReadSchemaList(field.value, kGroupSchema);
      *seen |= kAttrSchemas;
    } else if (key == "externalid") {
      status = ReadJsonString(field.value, "externalId", &group->external_id);
      *seen |= kAttrExternalId;
    } else if (key == "displayname") {
      status = ReadJsonString(field.value, "displayName", &group->display_name);
      *seen |= kAttrDisplayName;
    } else if (key == "members") {
      status = ReadMemberIds(field.value, &group->member_ids);
      *seen |= kAttrMembers;
    }
    if (status) return status;
  }
  return std::nullopt;
}

ScimStatus ValidateGroup(const SimGroup& group, uint32_t seen, SimProfile profile) {
  if (!(seen & kAttrSchemas)) return MissingAttribute("schemas");
  if (IsGitHubProfile(profile) && group.external_id.empty()) return MissingAttribute("externalId");
  if (group.display_name.empty()) return MissingAttribute("displayName");
  return std::nullopt;
}

ScimResult<object> ParseJsonObject(simdjson::dom::parser* parser, std::string_view text) {
  element root;
  const simdjson::error_code error = parser->parse(text.data(), text.size()).get(root);
  if (error) {
    return BadRequest("invalidSyntax",
                      std::string("malformed JSON: ") + simdjson::error_message(error));
  }
  object result;
  if (root.get_object().get(result)) {
    return BadRequest("invalidSyntax", "request body must be a JSON object");
  }
  return result;
}

void AppendUserJson(const SimUser& user, std::string_view location_base, std::string* out) {
  JsonWriter writer(out);
  writer.BeginObject().Key("schemas").BeginArray().String(kUserSchema).EndArray();
  writer.Member("id", user.id).Member("externalId", user.external_id);
  writer.Member("userName", user.user_name).Key("name").BeginObject();
  writer.Member("givenName", user.given_name).Member("familyName", user.family_name);
  if (!user.formatted.empty()) writer.Member("formatted", user.formatted);
  if (!user.middle_name.empty()) writer.Member("middleName", user.middle_name);
  writer.EndObject().Member("displayName", user.display_name).Key("emails").BeginArray();
  for (const SimEmail& email : user.emails) {
    writer.BeginObject().Member("value", email.value);
    if (!email.type.empty()) writer.Member("type", email.type);
    writer.Member("primary", email.primary).EndObject();
  }
  writer.EndArray().Key("roles").BeginArray();
  for (const SimRole& role : user.roles) {
    writer.BeginObject().Member("value", role.value).Member("primary", role.primary).EndObject();
  }
  writer.EndArray().Member("active", user.active);
  if (!location_base.empty()) AppendMeta("User", location_base, "/Users", user.id, &writer);
  writer.EndObject();
}

void AppendGroupJson(const SimGroup& group, const std::vector<MemberView>* members,
                     std::string_view location_base, std::string* out) {
  JsonWriter writer(out);
  writer.BeginObject().Key("schemas").BeginArray().String(kGroupSchema).EndArray();
  writer.Member("id", group.id).Member("externalId", group.external_id);
  writer.Member("displayName", group.display_name);
  if (members != nullptr) {
    writer.Key("members").BeginArray();
    for (const MemberView& member : *members) {
      writer.BeginObject().Member("value", member.id);
      if (!member.display.empty()) writer.Member("display", member.display);
      writer.EndObject();
    }
    writer.EndArray();
  }
  if (!location_base.empty()) AppendMeta("Group", location_base, "/Groups", group.id, &writer);
  writer.EndObject();
}

}  // namespace scimflow
