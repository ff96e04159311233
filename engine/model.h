// The records scimflow reasons about: users, groups and application assignments as the identity
// provider exports them, each with the place it came from.
//
// These are views, not owners: every string_view and span points into the Arena of the
// RecordChunk the record was parsed into (engine/chunk.h), and is valid exactly as long as that
// chunk. What must outlive a chunk (the identity maps, the plan) is copied out compactly.
//
// Thread-safety: plain values; a record is read by many threads only after its chunk is complete.
#ifndef SCIMFLOW_ENGINE_MODEL_H_
#define SCIMFLOW_ENGINE_MODEL_H_

#include <cstdint>
#include <span>
#include <string_view>

namespace scimflow {

// Which of the three inputs a file is (SPEC §2).
enum class InputKind : uint8_t { kUsers, kGroups, kAssignments };

// Where a record came from, for messages (`file:line: reason`) and for re-reading the record
// later at its byte offset (so a request body can be rebuilt without keeping whole documents).
struct RecordOrigin {
  std::string_view file;     // As given on the command line; lives as long as the run.
  uint64_t line = 0;         // 1-based line of the record's first byte.
  uint64_t byte_offset = 0;  // Offset of the record's first byte in the file.
  uint32_t byte_length = 0;  // Length of the record's text.
};

// One email address (SCIM `emails[]`). GitHub accepts exactly one, the primary.
struct Email {
  std::string_view value;
  std::string_view type;  // "work" unless the input says otherwise.
  bool primary = false;
};

// One role assignment (SCIM `roles[]`), e.g. `user`, `enterprise_owner`, `billing_manager`.
struct Role {
  std::string_view value;
  bool primary = false;
};

// SCIM `name`. Empty views mean the attribute is absent.
struct PersonName {
  std::string_view formatted;
  std::string_view family_name;
  std::string_view given_name;
  std::string_view middle_name;
};

// A user of the IdP directory, mapped to SCIM attributes whatever the input format.
struct User {
  RecordOrigin origin;
  std::string_view external_id;  // Join key; required, unique.
  std::string_view user_name;    // Required, unique case-insensitively.
  std::string_view display_name;
  PersonName name;
  std::span<const Email> emails;
  std::span<const Role> roles;  // From the users file; an assignments file overrides them.
  bool active = true;           // IdP status: Okta ACTIVE, SCIM active, CSV active column.
};

// A push group with the externalIds of its members, as the IdP lists them.
struct Group {
  RecordOrigin origin;
  std::string_view external_id;
  std::string_view display_name;
  std::span<const std::string_view> member_external_ids;
  // True for a row of a CSV edge list (one membership per row): rows of one group are merged by
  // externalId instead of being rejected as duplicates.
  bool from_edge_list = false;
  // True when the record carried `roles`: roles belong to users, so this is a conflict.
  bool has_roles = false;
};

// Who is assigned to the application and with which roles. Without an assignments file every
// active user of the users file is assigned with the roles the users file gives.
struct Assignment {
  RecordOrigin origin;
  std::string_view external_id;
  std::span<const Role> roles;
};

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_MODEL_H_
