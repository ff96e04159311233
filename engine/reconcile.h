// Reconcile: compares desired and current state per externalId and decides, entity by entity,
// what must change (SPEC §4, docs/operations.md): which users are created, updated, given new
// roles, deactivated or reactivated; which groups are created, renamed or deleted; which members
// are added to or removed from each group; and which changes are conflicts that must not be sent.
//
// Reads both states, writes only its ChangeSet. Users and groups are compared in parallel over
// index ranges and the per-range results are concatenated in range order, so the ChangeSet is the
// same for any thread count. Group members are compared as sets of user indices with per-thread
// stamp arrays, without sorting the target's member lists.
//
// Thread-safety: Reconcile runs its own parallel loops under the caller's oneTBB arena; the inputs
// must not change while it runs.
#ifndef SCIMFLOW_ENGINE_RECONCILE_H_
#define SCIMFLOW_ENGINE_RECONCILE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/current_state.h"
#include "engine/model.h"
#include "engine/resolve.h"
#include "engine/target_profile.h"

namespace scimflow {

// The operation kinds of docs/operations.md, in scheduling priority order (SPEC §5):
// deactivations first, then role and profile updates, reactivations, creates, group creates and
// renames, member removals, member additions, group deletions. The plan lists them in this order.
enum class OperationKind : uint8_t {
  kUserDeactivate,
  kUserRoles,
  kUserUpdate,
  kUserReactivate,
  kUserCreate,
  kGroupCreate,
  kGroupRename,
  kGroupMembersRemove,
  kGroupMembersAdd,
  kGroupDelete,
};
inline constexpr size_t kOperationKindCount = 10;

// "user.create", "group.members.add", … as in docs/operations.md.
std::string_view OperationKindName(OperationKind kind);
// True for the kinds whose subject is a group.
bool IsGroupKind(OperationKind kind);

enum class ConflictKind : uint8_t {
  kUsernameChange,  // An existing user's userName differs (EMU cannot rename).
  kGroupRole,       // A group record carries roles.
  kUsernameTaken,   // A user to create has a userName another externalId holds on the target.
};

// "username-change", "group-role", "username-taken".
std::string_view ConflictKindName(ConflictKind kind);

// A change that is reported and never sent.
struct Conflict {
  ConflictKind kind = ConflictKind::kUsernameChange;
  std::string_view external_id;  // Lives as long as the DesiredState.
  InputKind input = InputKind::kUsers;
  uint64_t line = 0;  // Of the IdP record.
  std::string
      detail;  // One sentence for people, e.g. `userName "a" on the target, "b" in the IdP`.
};

// One user-level change.
struct UserChange {
  OperationKind kind = OperationKind::kUserCreate;
  uint8_t attributes = 0;       // UserAttribute bits to send (create: none, the whole user).
  uint32_t desired = kNoIndex;  // DesiredState::users index; kNoIndex for a user the IdP lost.
  uint32_t current = kNoIndex;  // CurrentState::users index; kNoIndex for a create.
};

// The changes of one group. Member lists are sorted by the users' externalIds (byte order).
struct GroupChange {
  uint32_t desired = kNoIndex;  // DesiredState::groups index; kNoIndex for a delete.
  uint32_t current = kNoIndex;  // CurrentState::groups index; kNoIndex for a create.
  bool create = false;
  bool rename = false;
  bool remove_group = false;
  std::vector<uint32_t> adds;     // DesiredState::users indices.
  std::vector<uint32_t> removes;  // CurrentState::users indices.
};

struct ChangeSet {
  std::vector<UserChange> users;    // Desired users in file order, then lost users in state order.
  std::vector<GroupChange> groups;  // Desired groups in file order, then deleted groups.
  std::vector<Conflict> conflicts;  // Users' in file order, then groups'.
  // IdP members left out of a group because they are not provisioned (docs/operations.md).
  uint64_t members_left_out = 0;
};

// Compares `desired` with `current` under `profile`'s membership rule. Groups are compared only
// when the desired state has a groups file: without one, the target's groups are left alone.
ChangeSet Reconcile(const DesiredState& desired, const CurrentState& current,
                    const TargetProfile& profile);

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_RECONCILE_H_
