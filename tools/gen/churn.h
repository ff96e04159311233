// ApplyChurn: turns one day of an ExportModel into the next — joiners, leavers, profile and role
// changes, reactivations, group joins and leaves, groups created, renamed and removed — and
// counts, from what it changed, the operations a correct plan of the new day against the
// earlier day's snapshot contains (docs/operations.md, profile github-emu).
//
// The counts are bookkeeping of the changes themselves, not a diff of two states: each change is
// chosen so that it maps onto exactly one operation and no two changes touch one entity in a way
// that would merge or cancel operations:
//   - a user gets at most one of leave, profile change, role change, reactivation per day;
//     profile changes and reactivations are drawn from different populations (provisioned vs
//     not), joiners are new;
//   - a profile change that also changes roles is one `user.update`; a reactivation that also
//     changes the profile is one `user.reactivate`;
//   - a leaver is one `user.deactivate`, whichever of the three ways it leaves: removed from the
//     users file (its memberships are removed too: `group.members.remove`), set inactive, or
//     unassigned (both stay group members: on github-emu a suspended user stays a member);
//   - member changes of a group are distinct (group, user) pairs; only provisioned users are
//     added, so every add is sent; removed groups count one `group.delete` and nothing else;
//     member operations are ceil(n / max_members_per_patch) per group and direction.
// Amounts larger than the candidates available are capped (e.g. reactivations when every user
// is active); ChurnResult::applied says what was done.
//
// Thread-safety: mutates *model; no other thread may use it meanwhile.
#ifndef SCIMFLOW_TOOLS_GEN_CHURN_H_
#define SCIMFLOW_TOOLS_GEN_CHURN_H_

#include <array>
#include <cstdint>
#include <string>

#include "tools/gen/churn_spec.h"
#include "tools/gen/export_model.h"

namespace scimflow::gen {

namespace config {
// How leavers leave, in per-mille: removed from the users file, set inactive, unassigned.
inline constexpr uint32_t kLeaverRemovedPermille = 400;
inline constexpr uint32_t kLeaverInactivePermille = 300;
// Profile changes that also change roles, and reactivations that also change the profile.
inline constexpr uint32_t kProfileWithRolesPpm = 200'000;
inline constexpr uint32_t kReactivationWithProfilePpm = 300'000;
}  // namespace config

// Operation counts of docs/operations.md, kinds in the order expected.json lists them.
struct ExpectedOperations {
  uint64_t user_create = 0;
  uint64_t user_update = 0;
  uint64_t user_roles = 0;
  uint64_t user_deactivate = 0;
  uint64_t user_reactivate = 0;
  uint64_t group_create = 0;
  uint64_t group_rename = 0;
  uint64_t group_members_remove = 0;
  uint64_t group_members_add = 0;
  uint64_t group_delete = 0;
  uint64_t members_added = 0;
  uint64_t members_removed = 0;
  uint32_t max_members_per_patch = 100;

  uint64_t Total() const;
};

// expected.json: one line, keys exactly as docs/operations.md shows, with a trailing newline.
std::string ExpectedJson(const ExpectedOperations& expected);

struct ChurnResult {
  std::array<uint64_t, kChurnKindCount> applied{};  // changes made, per ChurnKind
  ExpectedOperations expected;
};

// Applies `spec` to `*model` as day model->day + 1 (the day counter is advanced), drawing from
// a stream seeded by (model->params.seed, that day), so replaying a manifest gives the same day.
// `max_members_per_patch` sets the chunking of member operations. REQUIRES:
// max_members_per_patch > 0.
ChurnResult ApplyChurn(ExportModel* model, const ChurnSpec& spec, uint32_t max_members_per_patch);

}  // namespace scimflow::gen

#endif  // SCIMFLOW_TOOLS_GEN_CHURN_H_
