#include "io/scim_json.h"

#include <array>
#include <cstring>
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
  static constexpr size_t kInlineItems = 4;
  std::array<T, kInlineItems> inline_;
  std::vector<T> spill_;
  size_t size_ = 0;
};

// What went wrong while mapping, as a small trivially copyable value: the per-field helpers
// return one for every attribute of every record, and a Status (which owns a std::string) would
// cost a string construction and destruction each time. Turned into a Status once, at the end.
struct Fault {
  enum Kind : uint8_t { kNone, kJson, kWrongType, kMissing };
  Kind kind = kNone;
  simdjson::error_code json = simdjson::SUCCESS;
  std::string_view attribute;
  std::string_view expected;
  bool ok() const { return kind == kNone; }
};

#define SCIMFLOW_FAULT_RETURN_IF(expr) \
  do {                                 \
    const Fault fault_ = (expr);       \
    if (!fault_.ok()) return fault_;   \
  } while (false)

Fault JsonFault(simdjson::error_code error) { return Fault{Fault::kJson, error, {}, {}}; }

Fault WrongType(std::string_view attribute, std::string_view expected) {
  return Fault{Fault::kWrongType, simdjson::SUCCESS, attribute, expected};
}

Fault Missing(std::string_view attribute) {
  return Fault{Fault::kMissing, simdjson::SUCCESS, attribute, {}};
}

Status ToStatus(const Fault& fault) {
  switch (fault.kind) {
    case Fault::kNone:
      return Status::Ok();
    case Fault::kJson:
      return JsonErrorStatus(fault.json);
    case Fault::kWrongType: {
      std::string reason = "wrong type for \"";
      reason.append(fault.attribute).append("\": expected ").append(fault.expected);
      return Status(StatusCode::kInvalidArgument, std::move(reason));
    }
    case Fault::kMissing: {
      std::string reason = "missing required attribute \"";
      reason.append(fault.attribute).append("\"");
      return Status(StatusCode::kInvalidArgument, std::move(reason));
    }
  }
  return Internal("unknown mapping fault");
}

// Reads the JSON type of `value`; a value whose type cannot be read is malformed.
[[gnu::always_inline]] inline Fault TypeOf(od::value& value, od::json_type* type) {
  if (auto error = value.type().get(*type)) return JsonFault(error);
  return Fault{};
}

// A string attribute; `null` leaves *out empty (absent), any other type is a reject.
[[gnu::always_inline]] inline Fault ReadString(od::value& value, std::string_view attribute,
                                               Arena* arena, std::string_view* out) {
  od::json_type type{};
  SCIMFLOW_FAULT_RETURN_IF(TypeOf(value, &type));
  if (type == od::json_type::null) return Fault{};
  if (type != od::json_type::string) return WrongType(attribute, "string");
  std::string_view text;
  if (auto error = value.get_string().get(text)) return JsonFault(error);
  *out = arena->Copy(text);
  return Fault{};
}

[[gnu::always_inline]] inline Fault ReadBool(od::value& value, std::string_view attribute,
                                             bool* out) {
  od::json_type type{};
  SCIMFLOW_FAULT_RETURN_IF(TypeOf(value, &type));
  if (type == od::json_type::null) return Fault{};
  if (type != od::json_type::boolean) return WrongType(attribute, "boolean");
  if (auto error = value.get_bool().get(*out)) return JsonFault(error);
  return Fault{};
}

// Opens an object attribute; sets *present to false for `null`.
[[gnu::always_inline]] inline Fault OpenObject(od::value& value, std::string_view attribute,
                                               od::object* out, bool* present) {
  od::json_type type{};
  SCIMFLOW_FAULT_RETURN_IF(TypeOf(value, &type));
  *present = type != od::json_type::null;
  if (!*present) return Fault{};
  if (type != od::json_type::object) return WrongType(attribute, "object");
  if (auto error = value.get_object().get(*out)) return JsonFault(error);
  return Fault{};
}

[[gnu::always_inline]] inline Fault OpenArray(od::value& value, std::string_view attribute,
                                              od::array* out, bool* present) {
  od::json_type type{};
  SCIMFLOW_FAULT_RETURN_IF(TypeOf(value, &type));
  *present = type != od::json_type::null;
  if (!*present) return Fault{};
  if (type != od::json_type::array) return WrongType(attribute, "array");
  if (auto error = value.get_array().get(*out)) return JsonFault(error);
  return Fault{};
}

// True when the member name `key` is exactly `name`, compared byte for byte as written (what
// raw_json_string's operator== does, without its generic checks): the bytes of `name`, then the
// closing quote. Reading name.size() + 1 bytes is safe: the document is padded
// (simdjson::SIMDJSON_PADDING) and a shorter key ends in its quote and the `:` that follows.
// Callers switch on the first byte first, so an attribute costs one or two comparisons
// rather than one per known attribute name.
[[gnu::always_inline]] inline bool KeyIs(const char* key, std::string_view name) {
  return std::memcmp(key, name.data(), name.size()) == 0 && key[name.size()] == '"';
}

// Calls `visit(key, value)` for every member of `object`; stops at the first error.
template <typename Visit>
Fault ForEachField(od::object& object, Visit&& visit) {
  for (auto field_result : object) {
    od::field field;
    if (auto error = std::move(field_result).get(field)) return JsonFault(error);
    SCIMFLOW_FAULT_RETURN_IF(visit(field.key(), field.value()));  // value(): an lvalue ref.
  }
  return Fault{};
}

Fault ParseName(od::value& value, Arena* arena, PersonName* out) {
  od::object object;
  bool present = false;
  SCIMFLOW_FAULT_RETURN_IF(OpenObject(value, "name", &object, &present));
  if (!present) return Fault{};
  return ForEachField(object, [&](od::raw_json_string key, od::value& member) -> Fault {
    if (KeyIs(key.raw(), "givenName"))
      return ReadString(member, "name.givenName", arena, &out->given_name);
    if (KeyIs(key.raw(), "familyName")) {
      return ReadString(member, "name.familyName", arena, &out->family_name);
    }
    if (KeyIs(key.raw(), "formatted"))
      return ReadString(member, "name.formatted", arena, &out->formatted);
    if (KeyIs(key.raw(), "middleName")) {
      return ReadString(member, "name.middleName", arena, &out->middle_name);
    }
    return Fault{};
  });
}

Fault ParseEmail(od::value& value, Arena* arena, Email* out) {
  od::object object;
  bool present = false;
  SCIMFLOW_FAULT_RETURN_IF(OpenObject(value, "emails", &object, &present));
  if (!present) return Fault{};
  return ForEachField(object, [&](od::raw_json_string key, od::value& member) -> Fault {
    if (KeyIs(key.raw(), "value")) return ReadString(member, "emails.value", arena, &out->value);
    if (KeyIs(key.raw(), "type")) return ReadString(member, "emails.type", arena, &out->type);
    if (KeyIs(key.raw(), "primary")) return ReadBool(member, "emails.primary", &out->primary);
    return Fault{};
  });
}

Fault ParseEmails(od::value& value, Arena* arena, std::span<const Email>* out) {
  od::array array;
  bool present = false;
  SCIMFLOW_FAULT_RETURN_IF(OpenArray(value, "emails", &array, &present));
  if (!present) return Fault{};
  ListCollector<Email> emails;
  for (auto element_result : array) {
    od::value element;
    if (auto error = std::move(element_result).get(element)) return JsonFault(error);
    Email email;
    SCIMFLOW_FAULT_RETURN_IF(ParseEmail(element, arena, &email));
    // An entry without an address carries nothing a target could store.
    if (!email.value.empty()) emails.Add(email);
  }
  *out = emails.CopyTo(arena);
  return Fault{};
}

// One role: a plain string (assignments files) or `{"value": …, "primary": …}` (SCIM).
Fault ParseRole(od::value& value, Arena* arena, Role* out) {
  od::json_type type{};
  SCIMFLOW_FAULT_RETURN_IF(TypeOf(value, &type));
  if (type == od::json_type::string) return ReadString(value, "roles", arena, &out->value);
  od::object object;
  bool present = false;
  SCIMFLOW_FAULT_RETURN_IF(OpenObject(value, "roles", &object, &present));
  if (!present) return Fault{};
  return ForEachField(object, [&](od::raw_json_string key, od::value& member) -> Fault {
    if (KeyIs(key.raw(), "value")) return ReadString(member, "roles.value", arena, &out->value);
    if (KeyIs(key.raw(), "primary")) return ReadBool(member, "roles.primary", &out->primary);
    return Fault{};
  });
}

Fault ParseRoles(od::value& value, Arena* arena, std::span<const Role>* out) {
  od::array array;
  bool present = false;
  SCIMFLOW_FAULT_RETURN_IF(OpenArray(value, "roles", &array, &present));
  if (!present) return Fault{};
  ListCollector<Role> roles;
  for (auto element_result : array) {
    od::value element;
    if (auto error = std::move(element_result).get(element)) return JsonFault(error);
    Role role;
    SCIMFLOW_FAULT_RETURN_IF(ParseRole(element, arena, &role));
    if (!role.value.empty()) roles.Add(role);
  }
  *out = roles.CopyTo(arena);
  return Fault{};
}

// One member: a user externalId as a string (IdP groups file) or `{"value": …}` (SCIM).
Fault ParseMember(od::value& value, Arena* arena, std::string_view* out) {
  od::json_type type{};
  SCIMFLOW_FAULT_RETURN_IF(TypeOf(value, &type));
  if (type == od::json_type::string) return ReadString(value, "members", arena, out);
  od::object object;
  bool present = false;
  SCIMFLOW_FAULT_RETURN_IF(OpenObject(value, "members", &object, &present));
  if (!present) return Fault{};
  return ForEachField(object, [&](od::raw_json_string key, od::value& member) -> Fault {
    if (KeyIs(key.raw(), "value")) return ReadString(member, "members.value", arena, out);
    return Fault{};
  });
}

Fault ParseMembers(od::value& value, Arena* arena, std::span<const std::string_view>* out) {
  od::array array;
  bool present = false;
  SCIMFLOW_FAULT_RETURN_IF(OpenArray(value, "members", &array, &present));
  if (!present) return Fault{};
  ListCollector<std::string_view> members;
  for (auto element_result : array) {
    od::value element;
    if (auto error = std::move(element_result).get(element)) return JsonFault(error);
    std::string_view member;
    SCIMFLOW_FAULT_RETURN_IF(ParseMember(element, arena, &member));
    if (!member.empty()) members.Add(member);
  }
  *out = members.CopyTo(arena);
  return Fault{};
}

Fault ParseUserField(od::raw_json_string raw_key, od::value& value, Arena* arena, ScimUser* out) {
  User& user = out->user;
  const char* key = raw_key.raw();
  switch (key[0]) {
    case 'a':
      if (KeyIs(key, "active")) return ReadBool(value, "active", &user.active);
      break;
    case 'd':
      if (KeyIs(key, "displayName")) {
        return ReadString(value, "displayName", arena, &user.display_name);
      }
      break;
    case 'e':
      if (KeyIs(key, "externalId"))
        return ReadString(value, "externalId", arena, &user.external_id);
      if (KeyIs(key, "emails")) return ParseEmails(value, arena, &user.emails);
      break;
    case 'i':
      if (KeyIs(key, "id")) return ReadString(value, "id", arena, &out->id);
      break;
    case 'n':
      if (KeyIs(key, "name")) return ParseName(value, arena, &user.name);
      break;
    case 'r':
      if (KeyIs(key, "roles")) return ParseRoles(value, arena, &user.roles);
      break;
    case 'u':
      if (KeyIs(key, "userName")) return ReadString(value, "userName", arena, &user.user_name);
      break;
    default:
      break;
  }
  return Fault{};  // Unknown attributes (schemas, meta, groups, extensions) are ignored.
}

}  // namespace

std::string_view JsonErrorReason(simdjson::error_code error) {
  return error == simdjson::UTF8_ERROR ? "invalid UTF-8" : "malformed JSON";
}

Status JsonErrorStatus(simdjson::error_code error) {
  return Status(StatusCode::kDataLoss, std::string(JsonErrorReason(error)));
}

namespace {

Fault MapScimUser(od::object object, Arena* arena, ScimUser* out) {
  *out = ScimUser{};
  SCIMFLOW_FAULT_RETURN_IF(ForEachField(object, [&](od::raw_json_string key, od::value& value) {
    return ParseUserField(key, value, arena, out);
  }));
  if (out->user.external_id.empty()) return Missing("externalId");
  if (out->user.user_name.empty()) return Missing("userName");
  return Fault{};
}

Fault MapScimGroup(od::object object, Arena* arena, ScimGroup* out) {
  *out = ScimGroup{};
  Group& group = out->group;
  SCIMFLOW_FAULT_RETURN_IF(
      ForEachField(object, [&](od::raw_json_string key, od::value& value) -> Fault {
        if (KeyIs(key.raw(), "externalId")) {
          return ReadString(value, "externalId", arena, &group.external_id);
        }
        if (KeyIs(key.raw(), "displayName")) {
          return ReadString(value, "displayName", arena, &group.display_name);
        }
        if (KeyIs(key.raw(), "id")) return ReadString(value, "id", arena, &out->id);
        if (KeyIs(key.raw(), "members"))
          return ParseMembers(value, arena, &group.member_external_ids);
        if (KeyIs(key.raw(), "roles")) group.has_roles = true;
        return Fault{};
      }));
  if (group.external_id.empty()) return Missing("externalId");
  if (group.display_name.empty()) return Missing("displayName");
  return Fault{};
}

Fault MapAssignment(od::object object, Arena* arena, Assignment* out) {
  *out = Assignment{};
  SCIMFLOW_FAULT_RETURN_IF(
      ForEachField(object, [&](od::raw_json_string key, od::value& value) -> Fault {
        if (KeyIs(key.raw(), "externalId")) {
          return ReadString(value, "externalId", arena, &out->external_id);
        }
        if (KeyIs(key.raw(), "roles")) return ParseRoles(value, arena, &out->roles);
        return Fault{};
      }));
  if (out->external_id.empty()) return Missing("externalId");
  return Fault{};
}

}  // namespace

Status ParseScimUser(od::object object, Arena* arena, ScimUser* out) {
  const Fault fault = MapScimUser(object, arena, out);
  return fault.ok() ? Status::Ok() : ToStatus(fault);
}

Status ParseScimGroup(od::object object, Arena* arena, ScimGroup* out) {
  const Fault fault = MapScimGroup(object, arena, out);
  return fault.ok() ? Status::Ok() : ToStatus(fault);
}

Status ParseAssignment(od::object object, Arena* arena, Assignment* out) {
  const Fault fault = MapAssignment(object, arena, out);
  return fault.ok() ? Status::Ok() : ToStatus(fault);
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
    const Fault fault = OpenArray(schemas_value, "schemas", &schemas, &present);
    if (!fault.ok()) return ToStatus(fault);
    // `"schemas": null` names no schema, and leaves `schemas` unopened: nothing to iterate.
    if (present) {
      for (auto schema_result : schemas) {
        std::string_view schema;
        const auto schema_error = schema_result.get_string().get(schema);
        // A non-string entry names no schema we know; it does not make the line unusable. Any
        // other error is the JSON's: simdjson has given up on the document, which can then not
        // be rewound.
        if (schema_error == simdjson::INCORRECT_TYPE) continue;
        if (schema_error != simdjson::SUCCESS) return JsonErrorStatus(schema_error);
        if (schema.ends_with(":User")) kind = ScimResourceKind::kUser;
        if (schema.ends_with(":Group")) kind = ScimResourceKind::kGroup;
      }
    }
  } else if (error != simdjson::NO_SUCH_FIELD) {
    return JsonErrorStatus(error);
  }
  document.rewind();
  return kind;
}

}  // namespace scimflow
