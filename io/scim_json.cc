#include "io/scim_json.h"

#include <array>
#include <string>
#include <utility>
#include <vector>

namespace scimflow {
namespace {

namespace od = simdjson::ondemand;

// Collects a list of unknown length without a heap allocation in the common case (a user has
// one email and one or two roles), then copies it into the arena in one piece.
template <typename T>
class ListCollector {
 public:
  void Add(const T& item) {
    if (size_ < inline_.size()) {
      inline_[size_++] = item;
      return;
    }
    if (spill_.empty()) spill_.assign(inline_.begin(), inline_.end());
    spill_.push_back(item);
    ++size_;
  }
  std::span<const T> CopyTo(Arena* arena) const {
    const T* items = spill_.empty() ? inline_.data() : spill_.data();
    return arena->CopyArray(std::span<const T>(items, size_));
  }

 private:
  static constexpr size_t kInlineItems = 8;
  std::array<T, kInlineItems> inline_{};
  std::vector<T> spill_;
  size_t size_ = 0;
};

Status WrongType(std::string_view attribute, std::string_view expected) {
  std::string reason = "wrong type for \"";
  reason.append(attribute).append("\": expected ").append(expected);
  return Status(StatusCode::kInvalidArgument, std::move(reason));
}

Status Missing(std::string_view attribute) {
  std::string reason = "missing required attribute \"";
  reason.append(attribute).append("\"");
  return Status(StatusCode::kInvalidArgument, std::move(reason));
}

// Reads the JSON type of `value`; a value whose type cannot be read is malformed.
Status TypeOf(od::value& value, od::json_type* type) {
  if (auto error = value.type().get(*type)) return JsonErrorStatus(error);
  return Status::Ok();
}

// A string attribute; `null` leaves *out empty (absent), any other type is a reject.
Status ReadString(od::value value, std::string_view attribute, Arena* arena,
                  std::string_view* out) {
  od::json_type type;
  SCIMFLOW_RETURN_IF_ERROR(TypeOf(value, &type));
  if (type == od::json_type::null) return Status::Ok();
  if (type != od::json_type::string) return WrongType(attribute, "string");
  std::string_view text;
  if (auto error = value.get_string().get(text)) return JsonErrorStatus(error);
  *out = arena->Copy(text);
  return Status::Ok();
}

Status ReadBool(od::value value, std::string_view attribute, bool* out) {
  od::json_type type;
  SCIMFLOW_RETURN_IF_ERROR(TypeOf(value, &type));
  if (type == od::json_type::null) return Status::Ok();
  if (type != od::json_type::boolean) return WrongType(attribute, "boolean");
  if (auto error = value.get_bool().get(*out)) return JsonErrorStatus(error);
  return Status::Ok();
}

// Opens an object attribute; sets *present to false for `null`.
Status OpenObject(od::value value, std::string_view attribute, od::object* out, bool* present) {
  od::json_type type;
  SCIMFLOW_RETURN_IF_ERROR(TypeOf(value, &type));
  *present = type != od::json_type::null;
  if (!*present) return Status::Ok();
  if (type != od::json_type::object) return WrongType(attribute, "object");
  if (auto error = value.get_object().get(*out)) return JsonErrorStatus(error);
  return Status::Ok();
}

Status OpenArray(od::value value, std::string_view attribute, od::array* out, bool* present) {
  od::json_type type;
  SCIMFLOW_RETURN_IF_ERROR(TypeOf(value, &type));
  *present = type != od::json_type::null;
  if (!*present) return Status::Ok();
  if (type != od::json_type::array) return WrongType(attribute, "array");
  if (auto error = value.get_array().get(*out)) return JsonErrorStatus(error);
  return Status::Ok();
}

// Calls `visit(key, value)` for every member of `object`; stops at the first error.
template <typename Visit>
Status ForEachField(od::object& object, Visit&& visit) {
  for (auto field_result : object) {
    od::field field;
    if (auto error = std::move(field_result).get(field)) return JsonErrorStatus(error);
    SCIMFLOW_RETURN_IF_ERROR(visit(field.key(), field.value()));
  }
  return Status::Ok();
}

Status ParseName(od::value value, Arena* arena, PersonName* out) {
  od::object object;
  bool present = false;
  SCIMFLOW_RETURN_IF_ERROR(OpenObject(value, "name", &object, &present));
  if (!present) return Status::Ok();
  return ForEachField(object, [&](od::raw_json_string key, od::value member) -> Status {
    if (key == "givenName") return ReadString(member, "name.givenName", arena, &out->given_name);
    if (key == "familyName") {
      return ReadString(member, "name.familyName", arena, &out->family_name);
    }
    if (key == "formatted") return ReadString(member, "name.formatted", arena, &out->formatted);
    if (key == "middleName") {
      return ReadString(member, "name.middleName", arena, &out->middle_name);
    }
    return Status::Ok();
  });
}

Status ParseEmail(od::value value, Arena* arena, Email* out) {
  od::object object;
  bool present = false;
  SCIMFLOW_RETURN_IF_ERROR(OpenObject(value, "emails", &object, &present));
  if (!present) return Status::Ok();
  return ForEachField(object, [&](od::raw_json_string key, od::value member) -> Status {
    if (key == "value") return ReadString(member, "emails.value", arena, &out->value);
    if (key == "type") return ReadString(member, "emails.type", arena, &out->type);
    if (key == "primary") return ReadBool(member, "emails.primary", &out->primary);
    return Status::Ok();
  });
}

Status ParseEmails(od::value value, Arena* arena, std::span<const Email>* out) {
  od::array array;
  bool present = false;
  SCIMFLOW_RETURN_IF_ERROR(OpenArray(value, "emails", &array, &present));
  if (!present) return Status::Ok();
  ListCollector<Email> emails;
  for (auto element_result : array) {
    od::value element;
    if (auto error = std::move(element_result).get(element)) return JsonErrorStatus(error);
    Email email;
    SCIMFLOW_RETURN_IF_ERROR(ParseEmail(element, arena, &email));
    // An entry without an address carries nothing a target could store.
    if (!email.value.empty()) emails.Add(email);
  }
  *out = emails.CopyTo(arena);
  return Status::Ok();
}

// One role: a plain string (assignments files) or `{"value": …, "primary": …}` (SCIM).
Status ParseRole(od::value value, Arena* arena, Role* out) {
  od::json_type type;
  SCIMFLOW_RETURN_IF_ERROR(TypeOf(value, &type));
  if (type == od::json_type::string) return ReadString(value, "roles", arena, &out->value);
  od::object object;
  bool present = false;
  SCIMFLOW_RETURN_IF_ERROR(OpenObject(value, "roles", &object, &present));
  if (!present) return Status::Ok();
  return ForEachField(object, [&](od::raw_json_string key, od::value member) -> Status {
    if (key == "value") return ReadString(member, "roles.value", arena, &out->value);
    if (key == "primary") return ReadBool(member, "roles.primary", &out->primary);
    return Status::Ok();
  });
}

Status ParseRoles(od::value value, Arena* arena, std::span<const Role>* out) {
  od::array array;
  bool present = false;
  SCIMFLOW_RETURN_IF_ERROR(OpenArray(value, "roles", &array, &present));
  if (!present) return Status::Ok();
  ListCollector<Role> roles;
  for (auto element_result : array) {
    od::value element;
    if (auto error = std::move(element_result).get(element)) return JsonErrorStatus(error);
    Role role;
    SCIMFLOW_RETURN_IF_ERROR(ParseRole(element, arena, &role));
    if (!role.value.empty()) roles.Add(role);
  }
  *out = roles.CopyTo(arena);
  return Status::Ok();
}

// One member: a user externalId as a string (IdP groups file) or `{"value": …}` (SCIM).
Status ParseMember(od::value value, Arena* arena, std::string_view* out) {
  od::json_type type;
  SCIMFLOW_RETURN_IF_ERROR(TypeOf(value, &type));
  if (type == od::json_type::string) return ReadString(value, "members", arena, out);
  od::object object;
  bool present = false;
  SCIMFLOW_RETURN_IF_ERROR(OpenObject(value, "members", &object, &present));
  if (!present) return Status::Ok();
  return ForEachField(object, [&](od::raw_json_string key, od::value member) -> Status {
    if (key == "value") return ReadString(member, "members.value", arena, out);
    return Status::Ok();
  });
}

Status ParseMembers(od::value value, Arena* arena, std::span<const std::string_view>* out) {
  od::array array;
  bool present = false;
  SCIMFLOW_RETURN_IF_ERROR(OpenArray(value, "members", &array, &present));
  if (!present) return Status::Ok();
  ListCollector<std::string_view> members;
  for (auto element_result : array) {
    od::value element;
    if (auto error = std::move(element_result).get(element)) return JsonErrorStatus(error);
    std::string_view member;
    SCIMFLOW_RETURN_IF_ERROR(ParseMember(element, arena, &member));
    if (!member.empty()) members.Add(member);
  }
  *out = members.CopyTo(arena);
  return Status::Ok();
}

Status ParseUserField(od::raw_json_string key, od::value value, Arena* arena, ScimUser* out) {
  User& user = out->user;
  if (key == "externalId") return ReadString(value, "externalId", arena, &user.external_id);
  if (key == "userName") return ReadString(value, "userName", arena, &user.user_name);
  if (key == "id") return ReadString(value, "id", arena, &out->id);
  if (key == "displayName") return ReadString(value, "displayName", arena, &user.display_name);
  if (key == "name") return ParseName(value, arena, &user.name);
  if (key == "emails") return ParseEmails(value, arena, &user.emails);
  if (key == "roles") return ParseRoles(value, arena, &user.roles);
  if (key == "active") return ReadBool(value, "active", &user.active);
  return Status::Ok();  // Unknown attributes (schemas, meta, groups, extensions) are ignored.
}

}  // namespace

std::string_view JsonErrorReason(simdjson::error_code error) {
  return error == simdjson::UTF8_ERROR ? "invalid UTF-8" : "malformed JSON";
}

Status JsonErrorStatus(simdjson::error_code error) {
  return Status(StatusCode::kDataLoss, std::string(JsonErrorReason(error)));
}

Status ParseScimUser(od::object object, Arena* arena, ScimUser* out) {
  *out = ScimUser{};
  SCIMFLOW_RETURN_IF_ERROR(ForEachField(object, [&](od::raw_json_string key, od::value value) {
    return ParseUserField(key, value, arena, out);
  }));
  if (out->user.external_id.empty()) return Missing("externalId");
  if (out->user.user_name.empty()) return Missing("userName");
  return Status::Ok();
}

Status ParseScimGroup(od::object object, Arena* arena, ScimGroup* out) {
  *out = ScimGroup{};
  Group& group = out->group;
  SCIMFLOW_RETURN_IF_ERROR(
      ForEachField(object, [&](od::raw_json_string key, od::value value) -> Status {
        if (key == "externalId") return ReadString(value, "externalId", arena, &group.external_id);
        if (key == "displayName") {
          return ReadString(value, "displayName", arena, &group.display_name);
        }
        if (key == "id") return ReadString(value, "id", arena, &out->id);
        if (key == "members") return ParseMembers(value, arena, &group.member_external_ids);
        if (key == "roles") group.has_roles = true;
        return Status::Ok();
      }));
  if (group.external_id.empty()) return Missing("externalId");
  if (group.display_name.empty()) return Missing("displayName");
  return Status::Ok();
}

Status ParseAssignment(od::object object, Arena* arena, Assignment* out) {
  *out = Assignment{};
  SCIMFLOW_RETURN_IF_ERROR(
      ForEachField(object, [&](od::raw_json_string key, od::value value) -> Status {
        if (key == "externalId") return ReadString(value, "externalId", arena, &out->external_id);
        if (key == "roles") return ParseRoles(value, arena, &out->roles);
        return Status::Ok();
      }));
  if (out->external_id.empty()) return Missing("externalId");
  return Status::Ok();
}

Status FinishDocument(od::document& document) {
  // current_location() answers OUT_OF_BOUNDS exactly when every token has been consumed.
  const char* location = nullptr;
  if (document.current_location().get(location) == simdjson::OUT_OF_BOUNDS) return Status::Ok();
  return JsonErrorStatus(simdjson::TAPE_ERROR);
}

Result<ScimResourceKind> PeekScimResourceKind(od::document& document) {
  od::value schemas_value;
  auto error = document.find_field_unordered("schemas").get(schemas_value);
  ScimResourceKind kind = ScimResourceKind::kUnknown;
  if (error == simdjson::SUCCESS) {
    od::array schemas;
    bool present = false;
    SCIMFLOW_RETURN_IF_ERROR(OpenArray(schemas_value, "schemas", &schemas, &present));
    for (auto schema_result : schemas) {
      std::string_view schema;
      // A non-string entry names no schema we know; it does not make the line unusable.
      if (schema_result.get_string().get(schema) != simdjson::SUCCESS) continue;
      if (schema.ends_with(":User")) kind = ScimResourceKind::kUser;
      if (schema.ends_with(":Group")) kind = ScimResourceKind::kGroup;
    }
  } else if (error != simdjson::NO_SUCH_FIELD) {
    return JsonErrorStatus(error);
  }
  document.rewind();
  return kind;
}

}  // namespace scimflow
