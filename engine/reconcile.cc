#include "engine/reconcile.h"

#include <fmt/format.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>

#include "engine/ascii.h"
#include "engine/content_hash.h"

namespace scimflow {

namespace {

// Entities per parallel block: results are gathered per block and joined in block order.
constexpr size_t kEntitiesPerBlock = 8192;

template <typename Result, typename Body>
std::vector<Result> ParallelCollect(size_t count, const Body& body) {
  const size_t blocks = (count + kEntitiesPerBlock - 1) / kEntitiesPerBlock;
  std::vector<std::vector<Result>> per_block(blocks);
  tbb::parallel_for(size_t{0}, blocks, [&](size_t block) {
    const size_t begin = block * kEntitiesPerBlock;
    const size_t end = std::min(count, begin + kEntitiesPerBlock);
    for (size_t entity = begin; entity < end; ++entity) body(entity, &per_block[block]);
  });
  std::vector<Result> joined;
  for (std::vector<Result>& block : per_block) {
    std::move(block.begin(), block.end(), std::back_inserter(joined));
  }
  return joined;
}

// A user-level decision: a change, a conflict, or both (a rename conflict next to an update).
struct UserDecision {
  UserChange change;
  bool has_change = false;
  Conflict conflict;
  bool has_conflict = false;
};

class UserReconciler {
 public:
  UserReconciler(const DesiredState& desired, const CurrentState& current)
      : desired_(desired), current_(current), blocked_(desired.users.size(), 0) {}

  void Run(ChangeSet* out) {
    current_.IndexUserNames();  // Before the loop, so no task waits for another to build it.
    auto decisions = ParallelCollect<UserDecision>(
        desired_.users.size(), [&](size_t user, std::vector<UserDecision>* found) {
          UserDecision decision = Decide(static_cast<uint32_t>(user));
          if (decision.has_change || decision.has_conflict) found->push_back(std::move(decision));
        });
    for (UserDecision& decision : decisions) {
      if (decision.has_conflict) out->conflicts.push_back(std::move(decision.conflict));
      if (decision.has_change) out->users.push_back(decision.change);
    }
    // A target user some IdP record was matched to is not lost; only the others need a lookup
    // of their externalId (a random probe each, which 10^6 users would pay in cache misses).
    std::vector<uint8_t> matched(current_.users().size(), 0);
    for (const DesiredUser& user : desired_.users) {
      if (user.current != kNoIndex) matched[user.current] = 1;
    }
    auto lost = ParallelCollect<UserChange>(current_.users().size(), [&](size_t user,
                                                                         std::vector<UserChange>*
                                                                             found) {
      if (matched[user]) return;
      const CurrentUser& held = current_.users()[user];
      if (!held.active || !current_.IsUserKept(static_cast<uint32_t>(user))) return;
      if (desired_.FindUser(held.external_id) != kNoIndex) return;
      found->push_back({OperationKind::kUserDeactivate, 0, kNoIndex, static_cast<uint32_t>(user)});
    });
    out->users.insert(out->users.end(), lost.begin(), lost.end());
  }

  // Users whose create is blocked by a conflict: they will not exist, so no group gets them.
  const std::vector<uint8_t>& blocked() const { return blocked_; }

 private:
  UserDecision Decide(uint32_t index) {
    UserDecision decision;
    const DesiredUser& user = desired_.users[index];
    if (user.state != DesiredUserState::kAccepted) return decision;
    const bool provisioned = user.provisioned();
    if (user.current == kNoIndex) {
      if (provisioned) DecideCreate(index, &decision);
      return decision;
    }
    const CurrentUser& held = current_.users()[user.current];
    const uint8_t changed = ChangedAttributes(user.hashes, held.hashes);
    decision.change = {OperationKind::kUserUpdate, changed, index, user.current};
    if (held.active && !provisioned) {
      decision.change.kind = OperationKind::kUserDeactivate;
      decision.change.attributes = 0;
      decision.has_change = true;
      return decision;
    }
    if (!provisioned) return decision;  // Inactive on the target and staying so.
    if (!EqualsIgnoringAsciiCase(held.user_name, user.user_name)) {
      decision.has_conflict = true;
      decision.conflict = {ConflictKind::kUsernameChange, user.external_id, InputKind::kUsers,
                           user.line,
                           fmt::format("userName \"{}\" on the target, \"{}\" in the IdP",
                                       held.user_name, user.user_name)};
    }
    if (!held.active) {
      decision.change.kind = OperationKind::kUserReactivate;
      decision.has_change = true;
    } else if ((changed & kProfileAttributes) != 0) {
      decision.has_change = true;
    } else if (changed != 0) {
      decision.change.kind = OperationKind::kUserRoles;
      decision.has_change = true;
    }
    return decision;
  }

  void DecideCreate(uint32_t index, UserDecision* decision) {
    const DesiredUser& user = desired_.users[index];
    thread_local Arena fold_arena;
    fold_arena.Reset();
    const uint32_t holder =
        current_.FindUserByFoldedName(FoldUserName(user.user_name, &fold_arena));
    if (holder != kNoIndex) {
      blocked_[index] = 1;
      decision->has_conflict = true;
      decision->conflict = {
          ConflictKind::kUsernameTaken, user.external_id, InputKind::kUsers, user.line,
          fmt::format("userName \"{}\" is held by externalId \"{}\" on the target", user.user_name,
                      current_.users()[holder].external_id)};
      return;
    }
    decision->has_change = true;
    decision->change = {OperationKind::kUserCreate, 0, index, kNoIndex};
  }

  const DesiredState& desired_;
  const CurrentState& current_;
  std::vector<uint8_t> blocked_;
};

// Per-thread stamp arrays over the target's users: stamp[user] == group means "seen for this
// group", so no clearing between groups is needed.
struct MemberStamps {
  std::vector<uint32_t> on_target;
  std::vector<uint32_t> in_idp;
};

class GroupReconciler {
 public:
  GroupReconciler(const DesiredState& desired, const CurrentState& current,
                  const TargetProfile& profile, const std::vector<uint8_t>& blocked)
      : desired_(desired), current_(current), profile_(profile), blocked_(blocked) {}

  void Run(ChangeSet* out) {
    tbb::enumerable_thread_specific<uint64_t> left_out(0);
    auto changes = ParallelCollect<GroupChange>(
        desired_.groups.size(), [&](size_t group, std::vector<GroupChange>* found) {
          GroupChange change = Compare(static_cast<uint32_t>(group), &left_out.local());
          if (change.create || change.rename || !change.adds.empty() || !change.removes.empty()) {
            found->push_back(std::move(change));
          }
        });
    for (const GroupChange& change : changes) out->groups.push_back(change);
    for (uint32_t group = 0; group < current_.groups().size(); ++group) {
      if (!current_.IsGroupKept(group)) continue;
      if (desired_.group_by_external_id.Find(current_.groups()[group].external_id) != kNoIndex) {
        continue;
      }
      GroupChange removed;
      removed.current = group;
      removed.remove_group = true;
      out->groups.push_back(std::move(removed));
    }
    for (uint64_t count : left_out) out->members_left_out += count;
    for (const DesiredGroup& group : desired_.groups) {
      if (group.roles_line == 0) continue;
      out->conflicts.push_back({ConflictKind::kGroupRole, group.external_id, InputKind::kGroups,
                                group.roles_line, "roles belong to users, not to groups"});
    }
  }

 private:
  // A member the plan can add: provisioned, and not kept off the target by a conflict.
  bool CanAdd(uint32_t user) const {
    return desired_.users[user].provisioned() && blocked_[user] == 0;
  }

  GroupChange Compare(uint32_t index, uint64_t* left_out) {
    const DesiredGroup& group = desired_.groups[index];
    GroupChange change;
    change.desired = index;
    change.current = current_.FindGroup(group.external_id);
    if (change.current == kNoIndex) {
      change.create = true;
      for (uint32_t user : group.members) {
        if (CanAdd(user)) {
          change.adds.push_back(user);
        } else {
          ++*left_out;
        }
      }
    } else {
      const CurrentGroup& held = current_.groups()[change.current];
      change.rename = held.display_name != group.display_name;
      DiffMembers(index, held, &change, left_out);
    }
    SortByExternalId(&change);
    return change;
  }

  void DiffMembers(uint32_t index, const CurrentGroup& held, GroupChange* change,
                   uint64_t* left_out) {
    MemberStamps& stamps = stamps_.local();
    if (stamps.on_target.empty()) {
      stamps.on_target.assign(current_.users().size(), kNoIndex);
      stamps.in_idp.assign(current_.users().size(), kNoIndex);
    }
    for (uint32_t user : held.members) stamps.on_target[user] = index;
    for (uint32_t user : desired_.groups[index].members) {
      const DesiredUser& member = desired_.users[user];
      const bool on_target =
          member.current != kNoIndex && stamps.on_target[member.current] == index;
      // GitHub hides suspended members itself, so they stay; a generic target's membership
      // follows the provisioned set exactly (docs/operations.md). A held user is never touched.
      const bool stays = profile_.hides_suspended_members || member.provisioned() ||
                         member.state == DesiredUserState::kHeld;
      if (on_target && stays) {
        stamps.in_idp[member.current] = index;
      } else if (!on_target && CanAdd(user)) {
        change->adds.push_back(user);
      } else if (!on_target) {
        ++*left_out;
      }
    }
    for (uint32_t user : held.members) {
      if (stamps.in_idp[user] == index) continue;
      stamps.in_idp[user] = index;  // A member the target lists twice is removed once.
      change->removes.push_back(user);
    }
  }

  void SortByExternalId(GroupChange* change) const {
    std::sort(change->adds.begin(), change->adds.end(), [&](uint32_t left, uint32_t right) {
      return desired_.users[left].external_id < desired_.users[right].external_id;
    });
    std::sort(change->removes.begin(), change->removes.end(), [&](uint32_t left, uint32_t right) {
      return current_.users()[left].external_id < current_.users()[right].external_id;
    });
  }

  const DesiredState& desired_;
  const CurrentState& current_;
  const TargetProfile& profile_;
  const std::vector<uint8_t>& blocked_;
  tbb::enumerable_thread_specific<MemberStamps> stamps_;
};

}  // namespace

std::string_view OperationKindName(OperationKind kind) {
  static constexpr std::array<std::string_view, kOperationKindCount> kNames = {
      "user.deactivate",   "user.roles",   "user.update",  "user.reactivate",
      "user.create",       "group.create", "group.rename", "group.members.remove",
      "group.members.add", "group.delete"};
  return kNames[static_cast<size_t>(kind)];
}

bool IsGroupKind(OperationKind kind) { return kind >= OperationKind::kGroupCreate; }

std::string_view ConflictKindName(ConflictKind kind) {
  switch (kind) {
    case ConflictKind::kUsernameChange:
      return "username-change";
    case ConflictKind::kGroupRole:
      return "group-role";
    case ConflictKind::kUsernameTaken:
      return "username-taken";
  }
  return "";
}

ChangeSet Reconcile(const DesiredState& desired, const CurrentState& current,
                    const TargetProfile& profile) {
  ChangeSet changes;
  UserReconciler users(desired, current);
  users.Run(&changes);
  if (desired.has_groups) GroupReconciler(desired, current, profile, users.blocked()).Run(&changes);
  return changes;
}

}  // namespace scimflow
