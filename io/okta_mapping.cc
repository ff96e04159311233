#include "io/okta_mapping.h"

#include <string>
#include <utility>

#include "io/scim_json.h"

namespace scimflow {
namespace {

namespace od = simdjson::ondemand;

Status WrongType(std::string_view attribute, std::string_view expected) {
  return Status(
      StatusCode::kInvalidArgument,
      std::string("wrong type for \"").append(attribute).append("\": expected ").append(expected));
}

Status Missing(std::string_view attribute) {
  return Status(StatusCode::kInvalidArgument,
                std::string("missing required attribute \"").append(attribute).append("\""));
}

// A string member; null leaves *out as it is.
Status ReadString(od::value value, std::string_view attribute, Arena* arena,
                  std::string_view* out) {
  od::json_type type;
  if (auto error = value.type().get(type)) return JsonErrorStatus(error);
  if (type == od::json_type::null) return Status::Ok();
  if (type != od::json_type::string) return WrongType(attribute, "string");
  std::string_view text;
  if (auto error = value.get_string().get(text)) return JsonErrorStatus(error);
  *out = arena->Copy(text);
  return Status::Ok();
}

Status ParseProfile(od::value value, Arena* arena, User* out, std::string_view* email) {
  od::json_type type;
  if (auto error = value.type().get(type)) return JsonErrorStatus(error);
  if (type == od::json_type::null) return Status::Ok();
  if (type != od::json_type::object) return WrongType("profile", "object");
  od::object profile;
  if (auto error = value.get_object().get(profile)) return JsonErrorStatus(error);
  for (auto field_result : profile) {
    od::field field;
    if (auto error = std::move(field_result).get(field)) return JsonErrorStatus(error);
    const od::raw_json_string key = field.key();
    od::value member = field.value();
    Status status;
    if (key == "login") {
      status = ReadString(member, "profile.login", arena, &out->user_name);
    } else if (key == "firstName") {
      status = ReadString(member, "profile.firstName", arena, &out->name.given_name);
    } else if (key == "lastName") {
      status = ReadString(member, "profile.lastName", arena, &out->name.family_name);
    } else if (key == "email") {
      status = ReadString(member, "profile.email", arena, email);
    } else if (key == "displayName") {
      status = ReadString(member, "profile.displayName", arena, &out->display_name);
    }
    SCIMFLOW_RETURN_IF_ERROR(status);
  }
  return Status::Ok();
}

}  // namespace

Status ParseOktaUser(od::object object, Arena* arena, User* out) {
  *out = User{};
  std::string_view email;
  std::string_view status_text;
  bool has_status = false;
  for (auto field_result : object) {
    od::field field;
    if (auto error = std::move(field_result).get(field)) return JsonErrorStatus(error);
    const od::raw_json_string key = field.key();
    if (key == "id") {
      SCIMFLOW_RETURN_IF_ERROR(ReadString(field.value(), "id", arena, &out->external_id));
    } else if (key == "status") {
      SCIMFLOW_RETURN_IF_ERROR(ReadString(field.value(), "status", arena, &status_text));
      has_status = true;
    } else if (key == "profile") {
      SCIMFLOW_RETURN_IF_ERROR(ParseProfile(field.value(), arena, out, &email));
    }
  }
  if (out->external_id.empty()) return Missing("id");
  if (out->user_name.empty()) return Missing("profile.login");
  // Okta statuses: STAGED, PROVISIONED, ACTIVE, RECOVERY, PASSWORD_EXPIRED, LOCKED_OUT,
  // SUSPENDED, DEPROVISIONED. Only ACTIVE users are pushed, as Okta's own app does.
  out->active = !has_status || status_text == "ACTIVE";
  if (!email.empty()) {
    std::span<Email> emails = arena->AllocateArray<Email>(1);
    emails[0] = Email{email, "work", true};
    out->emails = emails;
  }
  return Status::Ok();
}

}  // namespace scimflow
