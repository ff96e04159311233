// SimStore: users, ids, indexes, counts and snapshots. Group methods are in sim_store_groups.cc.
#include "tools/sim/sim_store.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <utility>

#include "engine/ascii.h"
#include "io/json_writer.h"
#include "tools/sim/sim_faults.h"

namespace scimflow {
namespace {

constexpr std::string_view kUserFilterAttributes[] = {"id", "externalId", "userName",
                                                      "displayName"};

// Formats 128 bits as a version-4 UUID so clients that validate the shape accept it.
std::string FormatUuid(uint64_t high, uint64_t low) {
  high = (high & ~0xf000ULL) | 0x4000ULL;      // Version 4.
  low = (low & ~(3ULL << 62)) | (2ULL << 62);  // RFC 4122 variant.
  char text[37];
  std::snprintf(text, sizeof(text),
                "%08" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%012" PRIx64, high >> 32,
                (high >> 16) & 0xffff, high & 0xffff, low >> 48,
                static_cast<uint64_t>(low & 0xffffffffffffULL));
  return text;
}

std::string_view UserAttribute(const SimUser& user, std::string_view attribute) {
  if (attribute == "id") return user.id;
  if (attribute == "externalId") return user.external_id;
  if (attribute == "userName") return user.user_name;
  return user.display_name;
}

}  // namespace

std::span<const std::string_view> UserFilterAttributes() { return kUserFilterAttributes; }

SimStore::SimStore(SimProfile profile, uint64_t seed) : profile_(profile), seed_(seed) {}

std::string SimStore::NewIdLocked() {
  for (;;) {
    const uint64_t counter = next_id_counter_++;
    const uint64_t high = SplitMix64(seed_ ^ SplitMix64(counter));
    std::string id = FormatUuid(high, SplitMix64(high ^ counter));
    if (!users_.contains(id) && !groups_.contains(id)) return id;
  }
}

SimUser* SimStore::FindUserLocked(std::string_view id) const {
  auto found = users_.find(id);
  return found == users_.end() ? nullptr : found->second.get();
}

ScimStatus SimStore::CheckUserUniqueLocked(const SimUser& user, const SimUser* self) const {
  auto by_name = users_by_name_.find(AsciiLowerCopy(user.user_name));
  if (by_name != users_by_name_.end() && by_name->second != self) {
    return Conflict("userName \"" + user.user_name + "\" is already taken");
  }
  if (!user.external_id.empty()) {
    auto by_external = users_by_external_id_.find(user.external_id);
    if (by_external != users_by_external_id_.end() && by_external->second != self) {
      return Conflict("externalId \"" + user.external_id + "\" is already taken");
    }
  }
  return std::nullopt;
}

void SimStore::IndexUserLocked(SimUser* user) {
  users_by_name_.emplace(AsciiLowerCopy(user->user_name), user);
  if (!user->external_id.empty()) users_by_external_id_.emplace(user->external_id, user);
}

void SimStore::UnindexUserLocked(const SimUser& user) {
  users_by_name_.erase(AsciiLowerCopy(user.user_name));
  if (!user.external_id.empty()) users_by_external_id_.erase(user.external_id);
}

void SimStore::InsertUserLocked(SimUser user) {
  auto owned = std::make_unique<SimUser>(std::move(user));
  SimUser* stored = owned.get();
  users_.emplace(stored->id, std::move(owned));
  user_order_.push_back(stored);
  IndexUserLocked(stored);
}

void SimStore::CountCreateLocked(std::unordered_map<std::string, uint32_t>* creates,
                                 std::string key) {
  ++(*creates)[std::move(key)];
}

ScimResult<std::string> SimStore::CreateUser(SimUser user, const ChargeFn& charge,
                                             std::string_view location_base) {
  SimWriteLock lock(&mutex_);
  if (ScimStatus status = CheckUserUniqueLocked(user, nullptr)) return *status;
  if (ScimStatus status = charge(WriteCharge{user.active ? 1u : 0u, {}, 0})) return *status;
  user.id = NewIdLocked();
  CountCreateLocked(&user_creates_, user.external_id.empty()
                                        ? "userName:" + AsciiLowerCopy(user.user_name)
                                        : user.external_id);
  ++user_create_count_;
  std::string json;
  AppendUserJson(user, location_base, &json);
  InsertUserLocked(std::move(user));
  return json;
}

ScimResult<std::string> SimStore::CommitUserLocked(SimUser* stored, SimUser updated,
                                                   const ChargeFn& charge,
                                                   std::string_view location_base) {
  updated.id = stored->id;
  // GitHub EMU cannot rename (reference §7): the userName is fixed at creation.
  if (IsGitHubProfile(profile_) && updated.user_name != stored->user_name) {
    return BadRequest("mutability", "attribute \"userName\" is immutable");
  }
  if (ScimStatus status = CheckUserUniqueLocked(updated, stored)) return *status;
  const bool reactivates = !stored->active && updated.active;
  if (ScimStatus status = charge(WriteCharge{reactivates ? 1u : 0u, {}, 0})) return *status;
  UnindexUserLocked(*stored);
  // The id's buffer is the key of the id map: keep that buffer, move every other attribute.
  std::string id = std::move(stored->id);
  *stored = std::move(updated);
  stored->id = std::move(id);
  IndexUserLocked(stored);
  std::string json;
  AppendUserJson(*stored, location_base, &json);
  return json;
}

ScimResult<std::string> SimStore::ReplaceUser(std::string_view id, SimUser user,
                                              const ChargeFn& charge,
                                              std::string_view location_base) {
  SimWriteLock lock(&mutex_);
  SimUser* stored = FindUserLocked(id);
  if (stored == nullptr) return NotFoundError("user \"" + std::string(id) + "\" not found");
  return CommitUserLocked(stored, std::move(user), charge, location_base);
}

ScimResult<std::string> SimStore::PatchUser(std::string_view id,
                                            std::span<const PatchOperation> operations,
                                            const ChargeFn& charge,
                                            std::string_view location_base) {
  SimWriteLock lock(&mutex_);
  SimUser* stored = FindUserLocked(id);
  if (stored == nullptr) return NotFoundError("user \"" + std::string(id) + "\" not found");
  SimUser updated = *stored;
  if (ScimStatus status = ApplyUserPatch(operations, &updated)) return *status;
  if (ScimStatus status = ValidateUser(updated, kAttrAll, profile_)) return *status;
  return CommitUserLocked(stored, std::move(updated), charge, location_base);
}

ScimStatus SimStore::DeleteUser(std::string_view id) {
  SimWriteLock lock(&mutex_);
  SimUser* stored = FindUserLocked(id);
  if (stored == nullptr) return NotFoundError("user \"" + std::string(id) + "\" not found");
  for (SimGroup* group : group_order_) {
    std::erase(group->member_ids, stored->id);
  }
  UnindexUserLocked(*stored);
  user_order_.erase(std::find(user_order_.begin(), user_order_.end(), stored));
  users_.erase(stored->id);  // Destroys *stored: nothing may use it after this line.
  return std::nullopt;
}

ScimResult<std::string> SimStore::GetUser(std::string_view id, std::string_view location_base) {
  SimReadLock lock(&mutex_);
  const SimUser* stored = FindUserLocked(id);
  if (stored == nullptr) return NotFoundError("user \"" + std::string(id) + "\" not found");
  std::string json;
  AppendUserJson(*stored, location_base, &json);
  return json;
}

namespace internal {

Page PageOf(size_t total, const ListQuery& query) {
  Page page;
  page.start_index = std::max<uint64_t>(query.start_index, 1);
  page.first = std::min<uint64_t>(page.start_index - 1, total);
  page.last = std::min<uint64_t>(page.first + query.count, total);
  return page;
}

std::string ListResponseJson(size_t total, const Page& page, std::string_view resources) {
  std::string json;
  JsonWriter writer(&json);
  writer.BeginObject().Key("schemas").BeginArray();
  writer.String("urn:ietf:params:scim:api:messages:2.0:ListResponse").EndArray();
  writer.Member("totalResults", static_cast<uint64_t>(total));
  writer.Member("itemsPerPage", page.last - page.first).Member("startIndex", page.start_index);
  std::string array;
  array.reserve(resources.size() + 2);
  array.append("[").append(resources).append("]");
  writer.Key("Resources").Raw(array).EndObject();
  return json;
}

}  // namespace internal

std::vector<SimUser*> SimStore::MatchUsersLocked(const SimFilter& filter) const {
  std::vector<SimUser*> matches;
  if (filter.op == FilterOp::kEq && filter.attribute != "displayName") {
    // Indexed lookups: the engine's externalId lookups after a lost answer must be cheap.
    SimUser* found = nullptr;
    if (filter.attribute == "id") found = FindUserLocked(filter.value);
    if (filter.attribute == "externalId") {
      auto hit = users_by_external_id_.find(filter.value);
      if (hit != users_by_external_id_.end()) found = hit->second;
    }
    if (filter.attribute == "userName") {
      auto hit = users_by_name_.find(AsciiLowerCopy(filter.value));
      if (hit != users_by_name_.end()) found = hit->second;
    }
    if (found != nullptr) matches.push_back(found);
    return matches;
  }
  const bool case_exact = filter.attribute == "id" || filter.attribute == "externalId";
  for (SimUser* user : user_order_) {
    if (FilterMatches(filter, UserAttribute(*user, filter.attribute), case_exact)) {
      matches.push_back(user);
    }
  }
  return matches;
}

std::string SimStore::ListUsers(const ListQuery& query, std::string_view location_base) {
  SimReadLock lock(&mutex_);
  std::vector<SimUser*> matches;
  // No filter: page straight out of the creation order, without copying it (a snapshot read of
  // a large store asks for thousands of pages).
  const std::vector<SimUser*>* list = &user_order_;
  if (query.filter != nullptr) {
    matches = MatchUsersLocked(*query.filter);
    list = &matches;
  }
  const internal::Page page = internal::PageOf(list->size(), query);
  std::string resources;
  for (uint64_t position = page.first; position < page.last; ++position) {
    if (position > page.first) resources.push_back(',');
    AppendUserJson(*(*list)[position], location_base, &resources);
  }
  return internal::ListResponseJson(list->size(), page, resources);
}

StoreCounts SimStore::Counts() {
  SimReadLock lock(&mutex_);
  StoreCounts counts;
  counts.users = users_.size();
  for (const SimUser* user : user_order_) counts.active_users += user->active ? 1 : 0;
  counts.groups = groups_.size();
  for (const SimGroup* group : group_order_) {
    counts.memberships_stored += group->member_ids.size();
    for (const std::string& member : group->member_ids) {
      counts.memberships += MemberVisibleLocked(member) ? 1 : 0;
    }
  }
  counts.user_creates = user_create_count_;
  counts.group_creates = group_create_count_;
  for (const auto* creates : {&user_creates_, &group_creates_}) {
    for (const auto& [external_id, times] : *creates) {
      if (times < 2) continue;
      ++counts.duplicate_creates;
      if (counts.duplicate_external_ids.size() < kMaxListedDuplicates) {
        counts.duplicate_external_ids.push_back(external_id);
      }
    }
  }
  std::sort(counts.duplicate_external_ids.begin(), counts.duplicate_external_ids.end());
  return counts;
}

void SimStore::ForEachSnapshotLine(const std::function<void(std::string_view)>& emit) {
  SimReadLock lock(&mutex_);
  std::string line;
  for (const SimUser* user : user_order_) {
    line.clear();
    AppendUserJson(*user, "", &line);
    emit(line);
  }
  for (const SimGroup* group : group_order_) {
    line.clear();
    std::vector<MemberView> members;
    for (const std::string& id : group->member_ids) members.push_back({id, ""});
    AppendGroupJson(*group, &members, "", &line);
    emit(line);
  }
}

ScimStatus SimStore::InsertLoadedUser(SimUser user) {
  SimWriteLock lock(&mutex_);
  if (users_.contains(user.id) || groups_.contains(user.id)) {
    return Conflict("id \"" + user.id + "\" is already taken");
  }
  if (ScimStatus status = CheckUserUniqueLocked(user, nullptr)) return status;
  CountCreateLocked(&user_creates_, user.external_id.empty()
                                        ? "userName:" + AsciiLowerCopy(user.user_name)
                                        : user.external_id);
  InsertUserLocked(std::move(user));
  return std::nullopt;
}

}  // namespace scimflow
