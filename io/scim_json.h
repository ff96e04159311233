// SCIM JSON → model: maps one simdjson On-Demand object (a SCIM User, a SCIM Group, or an
// assignment line) to scimflow's records, copying every string it keeps into the caller's Arena.
//
// Used by the NDJSON and JSON-array parsers for the IdP export and by the snapshot reader for the
// target's state, so both sides of a reconciliation read SCIM the same way. The mapping is
// tolerant where SCIM allows variety (unknown attributes are ignored, `name` may be absent,
// `emails` is a list of objects, `roles` a list of objects or strings, `null` counts as absent)
// and strict where scimflow relies on a type (`active` must be a boolean).
//
// Failures are values: a non-ok Status whose message is the reject reason exactly as
// docs/input-formats.md words it, without the location (the caller knows file and line and
// builds `file:line: reason`). The code says which kind of failure it is, because a stream
// parser must re-synchronise after the first but not after the second:
//   kDataLoss: the text is not JSON: `malformed JSON`, `invalid UTF-8`;
//   kInvalidArgument: valid JSON, unusable record: `wrong type for "ATTR": expected TYPE`,
//   `missing required attribute "ATTR"`.
//
// Lifetime: the object is read forward once (On-Demand); its parser and buffer must stay alive
// during the call. Every string_view and span written to the output points into `*arena` and
// lives as long as it. On failure the output is unspecified and some arena bytes may be used.
// Thread-safety: the functions keep no state; call them from any thread with distinct parsers
// and arenas.
#ifndef SCIMFLOW_IO_SCIM_JSON_H_
#define SCIMFLOW_IO_SCIM_JSON_H_

#include <simdjson.h>

#include <string_view>

#include "engine/arena.h"
#include "engine/model.h"
#include "engine/status.h"

namespace scimflow {

// A SCIM User as read from the IdP export or a snapshot; `id` is the target's id, empty when the
// record carries none (an IdP export never does).
struct ScimUser {
  User user;
  std::string_view id;
};

// A SCIM Group. In the IdP groups file `members` are user externalIds, given as strings or as
// `{"value": …}` objects; in a snapshot they are `members[].value`, the target's user ids. Both
// land in group.member_external_ids in input order; the caller knows which it read.
struct ScimGroup {
  Group group;
  std::string_view id;
};

// What a snapshot line holds, decided by its `schemas` (docs/snapshot-format.md).
enum class ScimResourceKind : uint8_t {
  kUser,     // `schemas` names `…:User`.
  kGroup,    // `schemas` names `…:Group`.
  kUnknown,  // No `schemas`, or it names neither.
};

// The reject reason for a simdjson error met while reading a record: `invalid UTF-8` for
// UTF8_ERROR, `malformed JSON` for every other error.
std::string_view JsonErrorReason(simdjson::error_code error);

// The same reason as a Status (kDataLoss); REQUIRES: error != SUCCESS.
Status JsonErrorStatus(simdjson::error_code error);

// Maps a SCIM User object.
// Required: `externalId` and `userName` (non-empty strings). Optional: `id`, `displayName`,
// `name.{givenName,familyName,formatted,middleName}`, `emails[].{value,type,primary}`,
// `roles[]` (strings or `{value,primary}`), `active` (boolean, default true).
// Fails with the reasons listed at the top of this file; the first problem found wins.
// Does not set user.origin: the caller owns the location.
Status ParseScimUser(simdjson::ondemand::object object, Arena* arena, ScimUser* out);

// Whether a record's text may hold an escape sequence. A caller that has looked for a backslash
// in the record's bytes once and found none passes kNone, and every string is then copied as
// written, without a search per string (which cost a tenth of all parsing time); kMaybe is
// always correct.
enum class StringEscapes : uint8_t { kMaybe, kNone };

// Where a mapped string's bytes live. kArena: copied into the arena (always correct).
// kDocument: a string written without escape sequences points into the document's own text,
// which the caller keeps alive and unchanged as long as the record (ingest's streaming
// consumers, engine/ingest.h); strings with escapes are still unescaped into the arena. Copying
// every string cost about a sixth of the time of parsing an export.
enum class StringStorage : uint8_t { kArena, kDocument };

// The same mapping into a User the caller has just default-constructed where it will stay (an
// element emplaced at the end of a chunk's vector), for the IdP export, which has no use for
// `id`: building the user in place spares copying it into the vector afterwards, a cost that
// showed per record. REQUIRES: *user default-constructed. On failure *user holds partial data.
Status ParseScimUserInPlace(simdjson::ondemand::object object, Arena* arena, User* user,
                            StringEscapes escapes = StringEscapes::kMaybe,
                            StringStorage storage = StringStorage::kArena);

// Maps a SCIM Group object (IdP groups file or snapshot).
// Required: `externalId`, `displayName`. Optional: `id`, `members` (strings or `{value}`);
// a `roles` member sets group.has_roles (a conflict the planner reports).
Status ParseScimGroup(simdjson::ondemand::object object, Arena* arena, ScimGroup* out);

// Maps an assignment line `{"externalId": …, "roles": [...]}` (roles as strings or objects).
// Required: `externalId`. `roles` absent means no roles.
Status ParseAssignment(simdjson::ondemand::object object, Arena* arena, Assignment* out);

// Checks that the document was read to its end after mapping its root object: anything but
// whitespace after the object (`{…} x`, `{…}}`) is `malformed JSON`.
Status FinishDocument(simdjson::ondemand::document& document);

// Reads `schemas` of a whole document and rewinds it, so the caller can then parse it as a
// user or a group. Fails with a JSON reason if the document is malformed, or with
// `wrong type for "schemas": expected array`.
Result<ScimResourceKind> PeekScimResourceKind(simdjson::ondemand::document& document);

}  // namespace scimflow

#endif  // SCIMFLOW_IO_SCIM_JSON_H_
