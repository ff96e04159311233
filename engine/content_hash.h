// Content hashes of a user's mapped SCIM attributes, so that an unchanged user costs one 64-bit
// comparison and a changed one is narrowed down attribute by attribute without keeping either
// side's documents.
//
// The compared attributes are those of docs/operations.md: `name` (givenName, familyName,
// formatted, middleName), `displayName`, `emails` (value, type, primary, in order) and `roles` (the
// set of values: order, duplicates and `primary` do not count). `userName` is compared on its own
// (a change is a conflict, not an update) and `active` decides deactivation and reactivation, so
// neither is part of the content hash. An absent attribute and an empty one hash the same.
//
// The hashes are XXH3 over a length-prefixed encoding, stable across runs, machines and versions
// of this code as long as kContentHashVersion is unchanged: the state store keeps them.
// Thread-safety: pure functions.
#ifndef SCIMFLOW_ENGINE_CONTENT_HASH_H_
#define SCIMFLOW_ENGINE_CONTENT_HASH_H_

#include <cstdint>
#include <span>

#include "engine/model.h"

namespace scimflow {

// Bumped whenever the encoding below changes, so stored hashes are recomputed, not trusted.
inline constexpr uint32_t kContentHashVersion = 1;

// One bit per compared attribute, in the order a PATCH lists them.
enum UserAttribute : uint8_t {
  kAttrName = 1 << 0,
  kAttrDisplayName = 1 << 1,
  kAttrEmails = 1 << 2,
  kAttrRoles = 1 << 3,
};
// The profile attributes: a change in one of them makes a `user.update`; roles alone a
// `user.roles`.
inline constexpr uint8_t kProfileAttributes = kAttrName | kAttrDisplayName | kAttrEmails;

struct AttributeHashes {
  uint64_t name = 0;
  uint64_t display_name = 0;
  uint64_t emails = 0;
  uint64_t roles = 0;
  uint64_t content = 0;  // Of the four above: equal content means no attribute differs.

  friend bool operator==(const AttributeHashes&, const AttributeHashes&) = default;
};

// Hashes `user`'s attributes with `roles` as its roles (the assignments file may override the
// users file's roles, so the caller passes the effective ones).
AttributeHashes HashUserAttributes(const User& user, std::span<const Role> roles);

// The attributes (UserAttribute bits) whose hashes differ between `desired` and `current`.
uint8_t ChangedAttributes(const AttributeHashes& desired, const AttributeHashes& current);

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_CONTENT_HASH_H_
