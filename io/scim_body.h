// SCIM request and resource bodies rendered from the model: the User and Group resources of
// snapshot lines and POST bodies, and the PatchOp bodies of updates (RFC 7643 §4, RFC 7644 §3.5.2).
//
// Rendering is deterministic (attributes in a fixed order, absent or empty attributes left out),
// so plans and snapshots are byte-identical across runs. Everything goes through JsonWriter.
// Thread-safety: pure functions over the caller's writer.
#ifndef SCIMFLOW_IO_SCIM_BODY_H_
#define SCIMFLOW_IO_SCIM_BODY_H_

#include <cstdint>
#include <string_view>

#include "engine/model.h"
#include "io/json_writer.h"

namespace scimflow {

inline constexpr std::string_view kScimPatchOpSchema =
    "urn:ietf:params:scim:api:messages:2.0:PatchOp";

// Writes the members of a SCIM User (no braces): `schemas`, then `id` when not empty, then
// `externalId`, `userName`, `name`, `displayName`, `emails`, `roles`, `active`.
void WriteUserMembers(const User& user, std::string_view id, JsonWriter* json);

// Writes the value of one compared attribute (`name`, `displayName`, `emails`, `roles`), as a
// PATCH `replace` carries it. REQUIRES: `attribute` is a single UserAttribute bit.
void WriteAttributeValue(const User& user, uint8_t attribute, JsonWriter* json);

// The SCIM attribute path of a UserAttribute bit: "name", "displayName", "emails", "roles".
std::string_view AttributePath(uint8_t attribute);

// True when `user` has a value for the attribute (an absent one is sent as `remove`).
bool HasAttribute(const User& user, uint8_t attribute);

}  // namespace scimflow

#endif  // SCIMFLOW_IO_SCIM_BODY_H_
