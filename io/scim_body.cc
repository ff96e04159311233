#include "io/scim_body.h"

#include "engine/content_hash.h"

namespace scimflow {

namespace {

constexpr std::string_view kUserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";

bool HasName(const PersonName& name) {
  return !name.given_name.empty() || !name.family_name.empty() || !name.formatted.empty() ||
         !name.middle_name.empty();
}

void WriteName(const PersonName& name, JsonWriter* json) {
  json->BeginObject();
  if (!name.given_name.empty()) json->Member("givenName", name.given_name);
  if (!name.family_name.empty()) json->Member("familyName", name.family_name);
  if (!name.formatted.empty()) json->Member("formatted", name.formatted);
  if (!name.middle_name.empty()) json->Member("middleName", name.middle_name);
  json->EndObject();
}

void WriteEmails(const User& user, JsonWriter* json) {
  json->BeginArray();
  for (const Email& email : user.emails) {
    json->BeginObject().Member("value", email.value);
    if (!email.type.empty()) json->Member("type", email.type);
    json->Member("primary", email.primary).EndObject();
  }
  json->EndArray();
}

void WriteRoles(const User& user, JsonWriter* json) {
  json->BeginArray();
  for (const Role& role : user.roles) {
    json->BeginObject().Member("value", role.value).Member("primary", role.primary).EndObject();
  }
  json->EndArray();
}

}  // namespace

void WriteUserMembers(const User& user, std::string_view id, JsonWriter* json) {
  json->Key("schemas").BeginArray().String(kUserSchema).EndArray();
  if (!id.empty()) json->Member("id", id);
  json->Member("externalId", user.external_id).Member("userName", user.user_name);
  for (uint8_t attribute : {kAttrName, kAttrDisplayName, kAttrEmails, kAttrRoles}) {
    if (!HasAttribute(user, attribute)) continue;
    json->Key(AttributePath(attribute));
    WriteAttributeValue(user, attribute, json);
  }
  json->Member("active", user.active);
}

void WriteAttributeValue(const User& user, uint8_t attribute, JsonWriter* json) {
  switch (attribute) {
    case kAttrName:
      WriteName(user.name, json);
      return;
    case kAttrDisplayName:
      json->String(user.display_name);
      return;
    case kAttrEmails:
      WriteEmails(user, json);
      return;
    case kAttrRoles:
      WriteRoles(user, json);
      return;
  }
  json->Null();  // Not reached: callers pass one UserAttribute bit.
}

std::string_view AttributePath(uint8_t attribute) {
  switch (attribute) {
    case kAttrName:
      return "name";
    case kAttrDisplayName:
      return "displayName";
    case kAttrEmails:
      return "emails";
    case kAttrRoles:
      return "roles";
  }
  return "";
}

bool HasAttribute(const User& user, uint8_t attribute) {
  switch (attribute) {
    case kAttrName:
      return HasName(user.name);
    case kAttrDisplayName:
      return !user.display_name.empty();
    case kAttrEmails:
      return !user.emails.empty();
    case kAttrRoles:
      return !user.roles.empty();
  }
  return false;
}

}  // namespace scimflow
