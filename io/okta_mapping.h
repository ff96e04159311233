// Okta user objects → User (docs/input-formats.md, "Okta user objects").
//
// Okta's Users API and its exports give `{"id":"00u…","status":"ACTIVE","profile":{"login":…,
// "firstName":…,"lastName":…,"email":…,"displayName":…}}`. The mapping: `id` → externalId,
// `profile.login` → userName, `firstName`/`lastName` → name.givenName/familyName, `email` → the
// one primary work email, `displayName` → displayName, `status` `ACTIVE` → active, any other
// status → inactive; an object without `status` is taken as active, like a SCIM user without
// `active`. Other members (`_links`, `credentials`, custom profile attributes) are ignored.
//
// Reject reasons use Okta's attribute names, since those are what the operator must fix in the
// export: `missing required attribute "id"`, `missing required attribute "profile.login"`,
// `wrong type for "profile": expected object`, `malformed JSON`, `invalid UTF-8`.
//
// Lifetime and thread-safety as io/scim_json.h: strings are copied into `*arena`.
#ifndef SCIMFLOW_IO_OKTA_MAPPING_H_
#define SCIMFLOW_IO_OKTA_MAPPING_H_

#include <simdjson.h>

#include "engine/arena.h"
#include "engine/model.h"
#include "engine/status.h"

namespace scimflow {

// Maps one Okta user object; on failure returns kInvalidArgument with the reject reason.
// Does not set user.origin.
Status ParseOktaUser(simdjson::ondemand::object object, Arena* arena, User* out);

}  // namespace scimflow

#endif  // SCIMFLOW_IO_OKTA_MAPPING_H_
