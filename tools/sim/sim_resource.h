// SimUser and SimGroup: the simulator's stored resources, and their conversion from request JSON
// (simdjson DOM) and to answer JSON (io/json_writer.h).
//
// Resources are compact owned structs, not kept JSON text, so PATCH edits attributes and PUT
// replaces them as a SCIM server does, and memory is proportional to the attributes held. Only
// the attributes GitHub's schema has are kept (reference §2); others are accepted and dropped,
// as GitHub does.
//
// Parsing is split in two so POST, PUT and PATCH share it: Apply*Attributes copies the attributes
// present in a JSON object onto a resource (type errors refuse), and Validate* checks the result
// against the profile's required set and role values.
//
// Thread-safety: plain values and pure functions.
#ifndef SCIMFLOW_TOOLS_SIM_SIM_RESOURCE_H_
#define SCIMFLOW_TOOLS_SIM_SIM_RESOURCE_H_

#include <simdjson.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tools/sim/sim_error.h"
#include "tools/sim/sim_options.h"

namespace scimflow {

inline constexpr std::string_view kUserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
inline constexpr std::string_view kGroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group";

struct SimEmail {
  std::string value;
  std::string type;
  bool primary = false;
};

struct SimRole {
  std::string value;
  bool primary = false;
};

struct SimUser {
  std::string id;  // Issued by the simulator, UUID-shaped.
  std::string external_id;
  std::string user_name;
  std::string display_name;
  std::string given_name;
  std::string family_name;
  std::string formatted;
  std::string middle_name;
  std::vector<SimEmail> emails;
  std::vector<SimRole> roles;
  bool active = true;
};

struct SimGroup {
  std::string id;
  std::string external_id;
  std::string display_name;
  std::vector<std::string> member_ids;  // User ids, in the order they were added; no repeats.
};

// Bits of the attributes a JSON object carried, so a create can tell "absent" from "empty".
enum SimAttribute : uint32_t {
  kAttrSchemas = 1u << 0,
  kAttrExternalId = 1u << 1,
  kAttrUserName = 1u << 2,
  kAttrActive = 1u << 3,
  kAttrDisplayName = 1u << 4,
  kAttrEmails = 1u << 5,
  kAttrGivenName = 1u << 6,
  kAttrFamilyName = 1u << 7,
  kAttrMembers = 1u << 8,
  kAttrAll = ~0u,
};

// Copies the attributes present in `object` onto `*user` (names case-insensitive, unknown names
// ignored, `null` clears) and ORs their bits into `*seen`. `id` and `meta` are read-only and
// ignored. Returns 400 invalidValue naming the attribute when a value has the wrong type, e.g.
// `attribute "active" must be a boolean`; `active` also accepts the strings "true"/"false"
// (any case) that Entra ID sends. On error `*user` may be partly changed: callers work on a copy.
ScimStatus ApplyUserAttributes(simdjson::dom::object fields, SimUser* user, uint32_t* seen);

// Checks a user about to be stored. `seen` holds the attributes the request carried (kAttrAll for
// the result of a PATCH, where only emptiness counts). On the GitHub profiles the required set is
// schemas, externalId, userName, active, displayName, emails, name.givenName, name.familyName and
// role values must be GitHub's; `generic` requires schemas and userName. Refusals are 400
// invalidValue: `missing required attribute "emails"`, `unknown role "admin"`.
ScimStatus ValidateUser(const SimUser& user, uint32_t seen, SimProfile profile);

// As ApplyUserAttributes, for groups; `members[].value` are collected in order, repeats dropped.
ScimStatus ApplyGroupAttributes(simdjson::dom::object fields, SimGroup* group, uint32_t* seen);

// Checks a group about to be stored: schemas and displayName always, externalId on the GitHub
// profiles. Member ids are checked by the store, which knows the users.
ScimStatus ValidateGroup(const SimGroup& group, uint32_t seen, SimProfile profile);

// Parses `text` as one JSON object. 400 invalidSyntax `malformed JSON: <simdjson's reason>` (this
// covers truncation and invalid UTF-8) or `request body must be a JSON object`.
// The returned object lives as long as `*parser` is neither destroyed nor reused.
ScimResult<simdjson::dom::object> ParseJsonObject(simdjson::dom::parser* parser,
                                                  std::string_view text);

// A member as answered: its user id and the user's userName (`display`).
struct MemberView {
  std::string_view id;
  std::string_view display;
};

// Appends `user` as SCIM JSON. With a non-empty `location_base` (scheme, host and base path) a
// `meta` object with resourceType and location is added, as in answers; without, the line is
// exactly a snapshot line (docs/snapshot-format.md).
void AppendUserJson(const SimUser& user, std::string_view location_base, std::string* out);

// Appends `group` with `members` (or without a `members` attribute when `members` is null, as
// for `excludedAttributes=members`); `location_base` as for AppendUserJson.
void AppendGroupJson(const SimGroup& group, const std::vector<MemberView>* members,
                     std::string_view location_base, std::string* out);

// ---- Attribute readers, shared by the PATCH paths (tools/sim/sim_patch.h) ----------------
// Each reads one JSON value into its destination. `null` clears it. A value of the wrong type is
// refused with 400 invalidValue `attribute "<attribute>" must be <a type>`.

// 400 invalidValue `missing required attribute "<attribute>"`.
ScimError MissingAttribute(std::string_view attribute);
ScimStatus ReadJsonString(simdjson::dom::element value, std::string_view attribute,
                          std::string* out);
// A boolean, or the strings "true"/"false" in any case.
ScimStatus ReadJsonBool(simdjson::dom::element value, std::string_view attribute, bool* out);
// `name` as an object of givenName, familyName, formatted, middleName (others ignored).
ScimStatus ReadPersonName(simdjson::dom::element value, SimUser* user, uint32_t* seen);
// Replaces `*emails` with the array's entries; each needs a string `value`.
ScimStatus ReadEmailList(simdjson::dom::element value, std::vector<SimEmail>* emails);
// Replaces `*roles` with the array's entries; each needs a string `value`.
ScimStatus ReadRoleList(simdjson::dom::element value, std::vector<SimRole>* roles);
// Replaces `*member_ids` with the `value`s of an array of member objects, repeats dropped.
ScimStatus ReadMemberIds(simdjson::dom::element value, std::vector<std::string>* member_ids);
// An array of strings that must include `required_urn`.
ScimStatus ReadSchemaList(simdjson::dom::element value, std::string_view required_urn);

}  // namespace scimflow

#endif  // SCIMFLOW_TOOLS_SIM_SIM_RESOURCE_H_
