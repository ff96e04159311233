#include "engine/plan.h"

#include <fmt/format.h>
#include <tbb/parallel_sort.h>

#include <algorithm>

namespace scimflow {

namespace {

std::string_view Verb(OperationKind kind) {
  switch (kind) {
    case OperationKind::kUserDeactivate:
      return "deactivate";
    case OperationKind::kUserRoles:
      return "roles";
    case OperationKind::kUserUpdate:
      return "update";
    case OperationKind::kUserReactivate:
      return "reactivate";
    case OperationKind::kUserCreate:
    case OperationKind::kGroupCreate:
      return "create";
    case OperationKind::kGroupRename:
      return "rename";
    case OperationKind::kGroupMembersRemove:
      return "remove";
    case OperationKind::kGroupMembersAdd:
      return "add";
    case OperationKind::kGroupDelete:
      return "delete";
  }
  return "";
}

// Appends member chunks of at most `per_patch` users each.
void AddMemberChunks(OperationKind kind, const GroupChange& change,
                     const std::vector<uint32_t>& users, uint32_t per_patch, Plan* plan) {
  uint32_t chunk = 0;
  for (size_t begin = 0; begin < users.size(); begin += per_patch) {
    const size_t count = std::min<size_t>(per_patch, users.size() - begin);
    Operation operation;
    operation.kind = kind;
    operation.desired = change.desired;
    operation.current = change.current;
    operation.chunk = ++chunk;
    operation.member_begin = static_cast<uint32_t>(plan->members.size());
    operation.member_count = static_cast<uint32_t>(count);
    plan->members.insert(plan->members.end(), users.begin() + begin, users.begin() + begin + count);
    plan->operations.push_back(operation);
  }
}

void AddGroupOperations(const GroupChange& change, Plan* plan) {
  if (change.remove_group) {
    plan->operations.push_back({OperationKind::kGroupDelete, 0, kNoIndex, change.current});
    return;
  }
  if (change.create) {
    plan->operations.push_back({OperationKind::kGroupCreate, 0, change.desired, kNoIndex});
  }
  if (change.rename) {
    plan->operations.push_back({OperationKind::kGroupRename, 0, change.desired, change.current});
  }
  AddMemberChunks(OperationKind::kGroupMembersRemove, change, change.removes,
                  plan->max_members_per_patch, plan);
  AddMemberChunks(OperationKind::kGroupMembersAdd, change, change.adds, plan->max_members_per_patch,
                  plan);
  plan->members_added += change.adds.size();
  plan->members_removed += change.removes.size();
}

}  // namespace

std::string_view Plan::ExternalId(const Operation& operation) const {
  if (IsGroupKind(operation.kind)) {
    return operation.desired != kNoIndex ? desired->groups[operation.desired].external_id
                                         : current->groups()[operation.current].external_id;
  }
  return operation.desired != kNoIndex ? desired->users[operation.desired].external_id
                                       : current->users()[operation.current].external_id;
}

std::string_view Plan::TargetId(const Operation& operation) const {
  if (operation.current == kNoIndex) return "";
  return IsGroupKind(operation.kind) ? current->groups()[operation.current].id
                                     : current->users()[operation.current].id;
}

std::string Plan::OperationId(const Operation& operation) const {
  const char prefix = IsGroupKind(operation.kind) ? 'g' : 'u';
  if (operation.chunk != 0) {
    return fmt::format("{}:{}:{}:{}", prefix, ExternalId(operation), Verb(operation.kind),
                       operation.chunk);
  }
  return fmt::format("{}:{}:{}", prefix, ExternalId(operation), Verb(operation.kind));
}

uint32_t Plan::UserSetupOperation(uint32_t user) const {
  return user < user_setup.size() ? user_setup[user] : kNoIndex;
}

std::vector<std::string> Plan::Dependencies(const Operation& operation) const {
  std::vector<std::string> ids;
  if (operation.kind != OperationKind::kGroupMembersAdd) return ids;
  if (operation.current == kNoIndex) {
    Operation create{OperationKind::kGroupCreate, 0, operation.desired, kNoIndex};
    ids.push_back(OperationId(create));
  }
  for (uint32_t slot = 0; slot < operation.member_count; ++slot) {
    const uint32_t setup = UserSetupOperation(members[operation.member_begin + slot]);
    if (setup != kNoIndex) ids.push_back(OperationId(operations[setup]));
  }
  return ids;
}

Plan BuildPlan(ChangeSet changes, const DesiredState& desired, const CurrentState& current,
               const TargetProfile& profile, uint32_t max_members_per_patch) {
  Plan plan;
  plan.desired = &desired;
  plan.current = &current;
  plan.profile = &profile;
  plan.max_members_per_patch = std::max<uint32_t>(1, max_members_per_patch);
  plan.conflicts = std::move(changes.conflicts);
  plan.members_left_out = changes.members_left_out;
  for (const UserChange& change : changes.users) {
    plan.operations.push_back(
        {change.kind, change.attributes, change.desired, change.current, 0, 0, 0});
  }
  for (const GroupChange& change : changes.groups) AddGroupOperations(change, &plan);
  // Kind, then externalId, then chunk: a total order, since (kind, externalId, chunk) is unique.
  tbb::parallel_sort(plan.operations.begin(), plan.operations.end(),
                     [&plan](const Operation& left, const Operation& right) {
                       if (left.kind != right.kind) return left.kind < right.kind;
                       const int order = plan.ExternalId(left).compare(plan.ExternalId(right));
                       if (order != 0) return order < 0;
                       return left.chunk < right.chunk;
                     });
  plan.user_setup.assign(desired.users.size(), kNoIndex);
  for (uint32_t index = 0; index < plan.operations.size(); ++index) {
    const Operation& operation = plan.operations[index];
    ++plan.counts[static_cast<size_t>(operation.kind)];
    if (operation.kind == OperationKind::kUserCreate ||
        operation.kind == OperationKind::kUserReactivate) {
      plan.user_setup[operation.desired] = index;
    }
  }
  return plan;
}

DeprovisionCheck CheckDeprovision(const Plan& plan, uint64_t target_active_users, int64_t allowed) {
  // SPEC §6: 10% of the target's active users, or 100, whichever is larger.
  constexpr uint64_t kMinimumLimit = 100;
  constexpr uint64_t kShareDivisor = 10;
  DeprovisionCheck check;
  const uint64_t deactivations = plan.count(OperationKind::kUserDeactivate);
  const uint64_t deletions = plan.count(OperationKind::kGroupDelete);
  check.deprovisions = deactivations + deletions;
  check.limit = allowed > 0 ? static_cast<uint64_t>(allowed)
                            : std::max(target_active_users / kShareDivisor, kMinimumLimit);
  check.refused = check.deprovisions > check.limit;
  if (!check.refused) return check;
  const std::string limit_reason =
      allowed > 0 ? fmt::format("--allow-deprovision {}", allowed)
                  : fmt::format("10% of the target's {} active users, at least {}",
                                target_active_users, kMinimumLimit);
  check.message = fmt::format(
      "refused: the plan deactivates {} users and deletes {} groups, {} deprovisions in all, more "
      "than the limit of {} ({}); if this is intended, run again with --allow-deprovision {}",
      deactivations, deletions, check.deprovisions, check.limit, limit_reason, check.deprovisions);
  return check;
}

}  // namespace scimflow
