// PATCH (RFC 7644 §3.5.2) for the simulator: parses a PatchOp body and applies its operations, in
// order, to a copy of a stored resource. The store commits the copy only if every operation and
// the final validation succeed, which makes a PATCH atomic as the RFC requires.
//
// Supported, as GitHub and the partner IdPs use them (reference §3.2, §8):
// - users: `add`/`replace` on `active`, `userName`, `externalId`, `displayName`, `name`,
//   `name.givenName`, `name.familyName`, `name.formatted`, `name.middleName`, `emails`, `roles`
//   (`add` appends to `emails`/`roles`), and the no-path form whose value is an object of
//   attributes (Okta's `{"op":"replace","value":{"active":false}}`); `remove` on the same paths
//   but `active`. Filtered paths such as `emails[type eq "work"].value` are 400 invalidPath,
//   as GitHub documents them to be ineffective.
// - groups: `displayName`, `externalId`, `members` (`add` merges, `replace` sets, `remove` with a
//   value array removes those, without value removes all), `remove` of `members[value eq "…"]`,
//   and the no-path form (`add` merges members, `replace` sets them).
// Operation names are case-insensitive (Entra ID sends `Add`, `Replace`, `Remove`).
//
// Lifetimes: PatchOperation values are simdjson DOM elements; they live as long as the parser
// that parsed the body is neither destroyed nor reused. Thread-safety: pure functions.
#ifndef SCIMFLOW_TOOLS_SIM_SIM_PATCH_H_
#define SCIMFLOW_TOOLS_SIM_SIM_PATCH_H_

#include <simdjson.h>

#include <span>
#include <string>
#include <vector>

#include "tools/sim/sim_error.h"
#include "tools/sim/sim_options.h"
#include "tools/sim/sim_resource.h"

namespace scimflow {

inline constexpr std::string_view kPatchOpSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

enum class PatchOpKind : uint8_t { kAdd, kReplace, kRemove };

struct PatchOperation {
  PatchOpKind kind = PatchOpKind::kReplace;
  std::string path;  // As sent; empty when the operation has none.
  simdjson::dom::element value;
  bool has_value = false;
};

// Parses a PatchOp body. 400 invalidSyntax when `schemas` lacks the PatchOp URN or `Operations`
// is missing, not an array or empty; 400 invalidValue for an unknown `op` or a `path` that is not
// a string.
ScimResult<std::vector<PatchOperation>> ParsePatchRequest(simdjson::dom::object body);

// Applies `operations` to `*user`. Refusals: 400 invalidPath (unsupported path), 400 noTarget
// (`remove` without path), 400 invalidValue (wrong value type, removing `active`). Required
// attributes and userName immutability are checked by the caller on the result.
ScimStatus ApplyUserPatch(std::span<const PatchOperation> operations, SimUser* user);

// Applies `operations` to `*group`. Member ids are not checked here (the store knows the users).
ScimStatus ApplyGroupPatch(std::span<const PatchOperation> operations, SimGroup* group);

}  // namespace scimflow

#endif  // SCIMFLOW_TOOLS_SIM_SIM_PATCH_H_
