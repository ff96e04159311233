// SimStore: the group methods (see sim_store.h; users and shared parts are in sim_store.cc).
#include <algorithm>
#include <unordered_set>
#include <utility>

#include "tools/sim/sim_store.h"

namespace scimflow {
namespace {

constexpr std::string_view kGroupFilterAttributes[] = {"id", "externalId", "displayName"};

std::string_view GroupAttribute(const SimGroup& group, std::string_view attribute) {
  if (attribute == "id") return group.id;
  if (attribute == "externalId") return group.external_id;
  return group.display_name;
}

// Members of `updated` that `previous` did not have: what a member-add budget is charged.
uint64_t CountAddedMembers(const std::vector<std::string>& previous, const SimGroup& updated) {
  const std::unordered_set<std::string_view> before(previous.begin(), previous.end());
  uint64_t added = 0;
  for (const std::string& id : updated.member_ids) added += before.contains(id) ? 0 : 1;
  return added;
}

}  // namespace

std::span<const std::string_view> GroupFilterAttributes() { return kGroupFilterAttributes; }

SimGroup* SimStore::FindGroupLocked(std::string_view id) const {
  auto found = groups_.find(id);
  return found == groups_.end() ? nullptr : found->second.get();
}

bool SimStore::MemberVisibleLocked(std::string_view user_id) const {
  const SimUser* user = FindUserLocked(user_id);
  // GitHub hides suspended users from their groups (reference §3.4); generic servers do not.
  return user != nullptr && (user->active || !IsGitHubProfile(profile_));
}

ScimStatus SimStore::CheckGroupUniqueLocked(const SimGroup& group, const SimGroup* self) const {
  if (group.external_id.empty()) return std::nullopt;
  auto found = groups_by_external_id_.find(group.external_id);
  if (found != groups_by_external_id_.end() && found->second != self) {
    return Conflict("externalId \"" + group.external_id + "\" is already taken");
  }
  return std::nullopt;
}

ScimStatus SimStore::CheckMembersLocked(const SimGroup& group) const {
  for (const std::string& id : group.member_ids) {
    if (FindUserLocked(id) == nullptr) {
      return BadRequest("invalidValue", "member \"" + id + "\" is not a user");
    }
  }
  return std::nullopt;
}

void SimStore::IndexGroupLocked(SimGroup* group) {
  if (!group->external_id.empty()) groups_by_external_id_.emplace(group->external_id, group);
}

void SimStore::UnindexGroupLocked(const SimGroup& group) {
  if (!group.external_id.empty()) groups_by_external_id_.erase(group.external_id);
}

void SimStore::InsertGroupLocked(SimGroup group) {
  auto owned = std::make_unique<SimGroup>(std::move(group));
  SimGroup* stored = owned.get();
  groups_.emplace(stored->id, std::move(owned));
  group_order_.push_back(stored);
  IndexGroupLocked(stored);
}

void SimStore::AppendGroupLocked(const SimGroup& group, bool with_members,
                                 std::string_view location_base, std::string* out) const {
  if (!with_members) {
    AppendGroupJson(group, nullptr, location_base, out);
    return;
  }
  std::vector<MemberView> members;
  members.reserve(group.member_ids.size());
  for (const std::string& id : group.member_ids) {
    if (MemberVisibleLocked(id)) members.push_back({id, FindUserLocked(id)->user_name});
  }
  AppendGroupJson(group, &members, location_base, out);
}

ScimResult<std::string> SimStore::CreateGroup(SimGroup group, const ChargeFn& charge,
                                              std::string_view location_base) {
  SimWriteLock lock(&mutex_);
  if (ScimStatus status = CheckGroupUniqueLocked(group, nullptr)) return *status;
  if (ScimStatus status = CheckMembersLocked(group)) return *status;
  const uint64_t counter_before = next_id_counter_;
  group.id = NewIdLocked();
  const WriteCharge cost{0, group.id, group.member_ids.size()};
  if (ScimStatus status = charge(cost)) {
    next_id_counter_ = counter_before;  // Ids stay a function of the successful creates.
    return *status;
  }
  CountCreateLocked(&group_creates_, group.external_id.empty() ? "displayName:" + group.display_name
                                                               : group.external_id);
  ++group_create_count_;
  std::string json;
  AppendGroupLocked(group, true, location_base, &json);
  InsertGroupLocked(std::move(group));
  return json;
}

ScimResult<std::string> SimStore::CommitGroupLocked(SimGroup* stored, SimGroup updated,
                                                    const ChargeFn& charge, bool exclude_members,
                                                    std::string_view location_base) {
  updated.id = stored->id;
  if (ScimStatus status = CheckGroupUniqueLocked(updated, stored)) return *status;
  if (ScimStatus status = CheckMembersLocked(updated)) return *status;
  const WriteCharge cost{0, stored->id, CountAddedMembers(stored->member_ids, updated)};
  if (ScimStatus status = charge(cost)) return *status;
  UnindexGroupLocked(*stored);
  // The id's buffer is the key of the id map: keep that buffer, move every other attribute.
  std::string id = std::move(stored->id);
  *stored = std::move(updated);
  stored->id = std::move(id);
  IndexGroupLocked(stored);
  std::string json;
  AppendGroupLocked(*stored, !exclude_members, location_base, &json);
  return json;
}

ScimResult<std::string> SimStore::ReplaceGroup(std::string_view id, SimGroup group,
                                               const ChargeFn& charge, bool exclude_members,
                                               std::string_view location_base) {
  SimWriteLock lock(&mutex_);
  SimGroup* stored = FindGroupLocked(id);
  if (stored == nullptr) return NotFoundError("group \"" + std::string(id) + "\" not found");
  return CommitGroupLocked(stored, std::move(group), charge, exclude_members, location_base);
}

ScimResult<std::string> SimStore::PatchGroup(std::string_view id,
                                             std::span<const PatchOperation> operations,
                                             const ChargeFn& charge, bool exclude_members,
                                             std::string_view location_base) {
  SimWriteLock lock(&mutex_);
  SimGroup* stored = FindGroupLocked(id);
  if (stored == nullptr) return NotFoundError("group \"" + std::string(id) + "\" not found");
  SimGroup updated = *stored;
  if (ScimStatus status = ApplyGroupPatch(operations, &updated)) return *status;
  if (ScimStatus status = ValidateGroup(updated, kAttrAll, profile_)) return *status;
  return CommitGroupLocked(stored, std::move(updated), charge, exclude_members, location_base);
}

ScimStatus SimStore::DeleteGroup(std::string_view id) {
  SimWriteLock lock(&mutex_);
  SimGroup* stored = FindGroupLocked(id);
  if (stored == nullptr) return NotFoundError("group \"" + std::string(id) + "\" not found");
  UnindexGroupLocked(*stored);
  group_order_.erase(std::find(group_order_.begin(), group_order_.end(), stored));
  groups_.erase(stored->id);  // Destroys *stored.
  return std::nullopt;
}

ScimResult<std::string> SimStore::GetGroup(std::string_view id, bool exclude_members,
                                           std::string_view location_base) {
  SimReadLock lock(&mutex_);
  const SimGroup* stored = FindGroupLocked(id);
  if (stored == nullptr) return NotFoundError("group \"" + std::string(id) + "\" not found");
  std::string json;
  AppendGroupLocked(*stored, !exclude_members, location_base, &json);
  return json;
}

std::vector<SimGroup*> SimStore::MatchGroupsLocked(const SimFilter& filter) const {
  std::vector<SimGroup*> matches;
  if (filter.op == FilterOp::kEq && filter.attribute == "externalId") {
    auto hit = groups_by_external_id_.find(filter.value);
    if (hit != groups_by_external_id_.end()) matches.push_back(hit->second);
    return matches;
  }
  const bool case_exact = filter.attribute != "displayName";
  for (SimGroup* group : group_order_) {
    if (FilterMatches(filter, GroupAttribute(*group, filter.attribute), case_exact)) {
      matches.push_back(group);
    }
  }
  return matches;
}

std::string SimStore::ListGroups(const ListQuery& query, std::string_view location_base) {
  SimReadLock lock(&mutex_);
  std::vector<SimGroup*> matches;
  const std::vector<SimGroup*>* list = &group_order_;  // Unfiltered: no copy, as for users.
  if (query.filter != nullptr) {
    matches = MatchGroupsLocked(*query.filter);
    list = &matches;
  }
  const internal::Page page = internal::PageOf(list->size(), query);
  std::string resources;
  for (uint64_t position = page.first; position < page.last; ++position) {
    if (position > page.first) resources.push_back(',');
    AppendGroupLocked(*(*list)[position], !query.exclude_members, location_base, &resources);
  }
  return internal::ListResponseJson(list->size(), page, resources);
}

ScimStatus SimStore::InsertLoadedGroup(SimGroup group, std::vector<std::string>* unknown_members) {
  SimWriteLock lock(&mutex_);
  if (users_.contains(group.id) || groups_.contains(group.id)) {
    return Conflict("id \"" + group.id + "\" is already taken");
  }
  if (ScimStatus status = CheckGroupUniqueLocked(group, nullptr)) return status;
  std::vector<std::string> known;
  for (std::string& id : group.member_ids) {
    if (FindUserLocked(id) != nullptr) {
      known.push_back(std::move(id));
    } else {
      unknown_members->push_back(std::move(id));
    }
  }
  group.member_ids = std::move(known);
  CountCreateLocked(&group_creates_, group.external_id.empty() ? "displayName:" + group.display_name
                                                               : group.external_id);
  InsertGroupLocked(std::move(group));
  return std::nullopt;
}

}  // namespace scimflow
