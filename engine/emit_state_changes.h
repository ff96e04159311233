// The state-store changes an applied operation makes (docs/state-format.md), derived from the
// operation and the request body that was sent, so the journal row and the state tables commit
// together (Journal::Flush):
//
//   user.create                  UpsertUser: target id, userName, attribute hashes, roles, active
//   user.update / roles          UpsertUser of the stored row with the patched attributes' hashes
//   user.reactivate              the same, and active = true
//   user.deactivate              SetUserActive false
//   group.create / group.rename  UpsertGroup
//   group.members.add / remove   AddMembers / RemoveMembers, member ids mapped to externalIds
//   group.delete                 DeleteGroup
//
// A profile update of a user the store does not know (a plan made from a snapshot, applied with a
// fresh state database) changes nothing but its active flag: the store cannot hold a row it has
// only part of. Members whose target id the store does not know are left out the same way.
//
// Thread-safety: pure functions, apart from the StateStore reads (the journal's thread).
#ifndef SCIMFLOW_ENGINE_EMIT_STATE_CHANGES_H_
#define SCIMFLOW_ENGINE_EMIT_STATE_CHANGES_H_

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/state_store.h"
#include "engine/status.h"
#include "io/plan_reader.h"

namespace scimflow {

struct StateChangeInput {
  const PlanOperation* operation = nullptr;
  std::string_view target_id;  // The subject's id (returned by a create, or from the plan).
  std::string_view body;       // The request body as sent (refs filled in).
  // Target user id → externalId (the state store's users and this run's creates).
  const std::unordered_map<std::string, std::string>* user_by_target_id = nullptr;
  StateStore* store = nullptr;  // For the stored row of an updated user.
};

// The changes of one succeeded operation. Errors: kInvalidArgument when a body that was sent
// cannot be read back (a bug or a broken plan), the store's read errors.
Result<std::vector<StateChange>> StateChangesFor(const StateChangeInput& input);

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_EMIT_STATE_CHANGES_H_
