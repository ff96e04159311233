// Plan: turns a ChangeSet into the ordered, deterministic list of operations a run will send,
// each with a stable id and the ids it depends on, and checks the deprovision guard (SPEC §6).
//
// Operation ids are derived from content, never from positions or time: `u:<externalId>:<verb>`
// for users (verbs create, update, roles, deactivate, reactivate) and `g:<externalId>:<verb>` for
// groups (create, rename, delete, and `remove:N` / `add:N` for the N-th member chunk, 1-based).
// The verb is the last segment (the last two for member chunks), so ids are unique whatever an
// externalId contains. Operations are ordered by kind in scheduling priority (OperationKind), then
// by externalId (byte order), then by chunk number: the same inputs give the same plan for any
// thread count and on any machine.
//
// A Plan refers to its DesiredState and CurrentState (for externalIds, target ids and request
// attributes); both must outlive it. Rendering the plan file is io/plan_file's job.
// Thread-safety: BuildPlan runs its own parallel sort; a built Plan is read-only.
#ifndef SCIMFLOW_ENGINE_PLAN_H_
#define SCIMFLOW_ENGINE_PLAN_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/current_state.h"
#include "engine/reconcile.h"
#include "engine/resolve.h"
#include "engine/target_profile.h"

namespace scimflow {

struct Operation {
  OperationKind kind = OperationKind::kUserCreate;
  uint8_t attributes = 0;  // UserAttribute bits sent by update, roles and reactivate.
  // User kinds: DesiredState::users / CurrentState::users indices. Group kinds: the groups'.
  uint32_t desired = kNoIndex;
  uint32_t current = kNoIndex;
  uint32_t chunk = 0;  // 1-based member chunk; 0 for other kinds.
  // Member chunk: [member_begin, member_begin + member_count) of Plan::members; DesiredState
  // user indices for adds, CurrentState user indices for removes.
  uint32_t member_begin = 0;
  uint32_t member_count = 0;
};

struct Plan {
  const DesiredState* desired = nullptr;
  const CurrentState* current = nullptr;
  const TargetProfile* profile = nullptr;
  uint32_t max_members_per_patch = 0;

  std::vector<Operation> operations;  // In plan order.
  std::vector<uint32_t> members;      // Member chunks' users, see Operation.
  std::vector<Conflict> conflicts;
  std::array<uint64_t, kOperationKindCount> counts{};  // Per OperationKind.
  uint64_t members_added = 0;
  uint64_t members_removed = 0;
  uint64_t members_left_out = 0;

  uint64_t count(OperationKind kind) const { return counts[static_cast<size_t>(kind)]; }
  // The externalId an operation is about.
  std::string_view ExternalId(const Operation& operation) const;
  // The target id of the operation's subject, or "" when it is created in this plan.
  std::string_view TargetId(const Operation& operation) const;
  // The stable id of `operation` (see above).
  std::string OperationId(const Operation& operation) const;
  // Ids of the operations `operation` waits for: a member add waits for its group's create and
  // for the create or reactivation of each user it adds, when those are in this plan.
  std::vector<std::string> Dependencies(const Operation& operation) const;
  // Index of the create (or reactivation) of desired user `user` in `operations`, or kNoIndex.
  uint32_t UserSetupOperation(uint32_t user) const;

  // For Dependencies: per desired user, the index of its create or reactivate operation.
  std::vector<uint32_t> user_setup;
};

// Orders `changes` into a plan. REQUIRES: max_members_per_patch > 0; `desired` and `current`
// outlive the plan.
Plan BuildPlan(ChangeSet changes, const DesiredState& desired, const CurrentState& current,
               const TargetProfile& profile, uint32_t max_members_per_patch);

// The deprovision guard (SPEC §6): deactivations plus deletions may not exceed `limit`.
struct DeprovisionCheck {
  uint64_t deprovisions = 0;  // user.deactivate + group.delete (+ user.delete, not yet planned).
  uint64_t limit = 0;
  bool refused = false;
  std::string message;  // Set when refused: what was counted, the limit and how to confirm.
};

// `allowed` is --allow-deprovision (0: not given). Without it the limit is 10% of the target's
// active users, or 100, whichever is larger; with it, the plan passes when allowed >= count.
DeprovisionCheck CheckDeprovision(const Plan& plan, uint64_t target_active_users, int64_t allowed);

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_PLAN_H_
