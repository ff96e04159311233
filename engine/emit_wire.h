// The wire details of the emitter's requests and answers that are not SCIM bodies of the plan:
// the resource a create answer or a lookup names (ids and filters are made safe for a URL by
// io/percent_encode), and what a group's update asks to leave out of its answer.
//
// Thread-safety: pure functions.
#ifndef SCIMFLOW_ENGINE_EMIT_WIRE_H_
#define SCIMFLOW_ENGINE_EMIT_WIRE_H_

#include <string>
#include <string_view>

#include "io/percent_encode.h"  // The emitter's paths and lookup filters are encoded with it.

namespace scimflow {

// Appended to the URL of a group's PATCH or PUT: the answer leaves out the group's members
// (RFC 7644 §3.9), which the emitter does not read and which may be tens of thousands.
inline constexpr std::string_view kWithoutMembers = "?excludedAttributes=members";

// The `id` and `active` of a SCIM resource: the first of a ListResponse's `Resources` when
// `list`, else the answer itself. `found` is false when the body names no resource with an id
// (an empty list, not JSON, no `id`); never fails otherwise. For an answer itself (not `list`,
// a create's) only `id` is read: `active` is left true.
struct FoundResource {
  bool found = false;
  std::string id;
  bool active = true;  // Absent `active` counts as active.
};
FoundResource ParseFound(std::string_view body, bool list);

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_EMIT_WIRE_H_
