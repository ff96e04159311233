// SimStore: the simulator's users and groups, in memory, with GitHub EMU semantics.
//
// Owns every resource. Enforces what a SCIM service provider enforces: unique `userName`
// (case-insensitive) and `externalId` per resource type (409 uniqueness), known ids (404),
// members that are users (400), `userName` immutable on the GitHub profiles (400 mutability), and
// atomic PUT/PATCH (a change is built on a copy and committed whole, or not at all). On
// `github-emu` and `ghes` a suspended user (`active:false`) stays a member of its groups but is
// hidden from them, as GitHub does: group answers and the visible membership count leave it out.
//
// Writes take a ChargeFn, called under the store's lock once the write is known to be valid and
// what it costs (a user assignment, member additions to one group); it may refuse (429), in which
// case nothing changes. This makes "over budget" and "state unchanged" one atomic decision.
//
// Answers are rendered to JSON inside the lock (group members need their users' userNames); the
// `location_base` argument (scheme, host and base path) goes into `meta.location`.
//
// Ids are UUID-shaped, derived from the seed and a counter, so the same seed and request order
// give the same ids; an id already present (e.g. loaded from a snapshot) is never reissued.
// Memory is proportional to the data: one owned struct per resource plus three hash indexes
// whose keys view the struct's own strings.
//
// Thread-safety: every public method may be called from any thread; one reader/writer lock
// guards all state (reads share it).
#ifndef SCIMFLOW_TOOLS_SIM_SIM_STORE_H_
#define SCIMFLOW_TOOLS_SIM_SIM_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tools/sim/sim_error.h"
#include "tools/sim/sim_filter.h"
#include "tools/sim/sim_options.h"
#include "tools/sim/sim_patch.h"
#include "tools/sim/sim_resource.h"
#include "tools/sim/thread_annotations.h"

namespace scimflow {

// What a valid write costs in the budgets that depend on state.
struct WriteCharge {
  uint64_t user_assignments = 0;  // 1 for a create with active true, or a reactivation.
  std::string_view group_id;      // The group that gains members, if any.
  uint64_t member_adds = 0;       // Members the group gains.
};

// Called under the store's lock before a write is committed: nullopt to commit, or the error to
// answer instead (nothing is changed then). Must not call back into the store.
using ChargeFn = std::function<ScimStatus(const WriteCharge&)>;

// A page request of a list answer. `start_index` is 1-based (values < 1 mean 1); `count` is
// already capped by the caller.
struct ListQuery {
  const SimFilter* filter = nullptr;
  uint64_t start_index = 1;
  uint64_t count = 30;
  bool exclude_members = false;  // Groups only: `excludedAttributes=members`.
};

// State counts for /_stats. `memberships` counts visible memberships (on the GitHub profiles,
// without suspended users); `memberships_stored` counts them all.
struct StoreCounts {
  uint64_t users = 0;
  uint64_t active_users = 0;
  uint64_t groups = 0;
  uint64_t memberships = 0;
  uint64_t memberships_stored = 0;
  uint64_t user_creates = 0;   // Successful POST /Users (and bulk creates) since start.
  uint64_t group_creates = 0;  // Successful POST /Groups since start.
  // ExternalIds (users and groups apart) created more than once since start, a loaded resource
  // counting as its first creation: the tell-tale of a client that re-sent a create.
  uint64_t duplicate_creates = 0;
  std::vector<std::string> duplicate_external_ids;  // The first kMaxListedDuplicates of them.
};

namespace internal {
// The entries [first, last) (0-based) of a list of `total` that a ListQuery asks for, and the
// 1-based startIndex it answers with.
struct Page {
  uint64_t start_index = 1;
  uint64_t first = 0;
  uint64_t last = 0;
};
Page PageOf(size_t total, const ListQuery& query);
// A ListResponse over `total` matches; `resources` holds the page's resources as JSON values
// separated by commas.
std::string ListResponseJson(size_t total, const Page& page, std::string_view resources);
}  // namespace internal

// The attributes list filters accept, in their canonical spelling.
std::span<const std::string_view> UserFilterAttributes();
std::span<const std::string_view> GroupFilterAttributes();

class SimStore {
 public:
  static constexpr size_t kMaxListedDuplicates = 100;

  SimStore(SimProfile profile, uint64_t seed);
  SimStore(const SimStore&) = delete;
  SimStore& operator=(const SimStore&) = delete;

  // ---- Users -------------------------------------------------------------------------------
  // REQUIRES for Create/Replace: `user` passed ValidateUser for this profile.
  // Each returns the stored user's answer JSON.
  ScimResult<std::string> CreateUser(SimUser user, const ChargeFn& charge,
                                     std::string_view location_base) EXCLUDES(mutex_);
  ScimResult<std::string> ReplaceUser(std::string_view id, SimUser user, const ChargeFn& charge,
                                      std::string_view location_base) EXCLUDES(mutex_);
  ScimResult<std::string> PatchUser(std::string_view id, std::span<const PatchOperation> operations,
                                    const ChargeFn& charge, std::string_view location_base)
      EXCLUDES(mutex_);
  // Removes the user and its memberships.
  ScimStatus DeleteUser(std::string_view id) EXCLUDES(mutex_);
  ScimResult<std::string> GetUser(std::string_view id, std::string_view location_base)
      EXCLUDES(mutex_);
  // A ListResponse; filters on id, externalId, userName, displayName.
  std::string ListUsers(const ListQuery& query, std::string_view location_base) EXCLUDES(mutex_);

  // ---- Groups ------------------------------------------------------------------------------
  // REQUIRES for Create/Replace: `group` passed ValidateGroup for this profile.
  ScimResult<std::string> CreateGroup(SimGroup group, const ChargeFn& charge,
                                      std::string_view location_base) EXCLUDES(mutex_);
  // Replace and Patch answer the changed group (GitHub may answer 204; 200 with the resource
  // serves every client), with its members unless `exclude_members` (RFC 7644 §3.9: a client
  // may leave attributes out of a PUT's or PATCH's answer, as out of a GET's).
  ScimResult<std::string> ReplaceGroup(std::string_view id, SimGroup group, const ChargeFn& charge,
                                       bool exclude_members, std::string_view location_base)
      EXCLUDES(mutex_);
  ScimResult<std::string> PatchGroup(std::string_view id,
                                     std::span<const PatchOperation> operations,
                                     const ChargeFn& charge, bool exclude_members,
                                     std::string_view location_base) EXCLUDES(mutex_);
  ScimStatus DeleteGroup(std::string_view id) EXCLUDES(mutex_);
  ScimResult<std::string> GetGroup(std::string_view id, bool exclude_members,
                                   std::string_view location_base) EXCLUDES(mutex_);
  // A ListResponse; filters on id, externalId, displayName.
  std::string ListGroups(const ListQuery& query, std::string_view location_base) EXCLUDES(mutex_);

  // ---- State and snapshots -----------------------------------------------------------------
  StoreCounts Counts() EXCLUDES(mutex_);
  // Calls `emit` with each snapshot line (no newline): users in creation order, then groups with
  // all their members (suspended ones too, so a load restores them). Holds the read lock.
  void ForEachSnapshotLine(const std::function<void(std::string_view)>& emit) EXCLUDES(mutex_);
  // Inserts a resource read from a snapshot, keeping its id. 409 on a duplicate id, externalId
  // or userName.
  ScimStatus InsertLoadedUser(SimUser user) EXCLUDES(mutex_);
  // As InsertLoadedUser; members that are no users are dropped and their ids appended to
  // `*unknown_members`.
  ScimStatus InsertLoadedGroup(SimGroup group, std::vector<std::string>* unknown_members)
      EXCLUDES(mutex_);

 private:
  std::string NewIdLocked() REQUIRES(mutex_);
  SimUser* FindUserLocked(std::string_view id) const REQUIRES_SHARED(mutex_);
  SimGroup* FindGroupLocked(std::string_view id) const REQUIRES_SHARED(mutex_);
  // 409 when `user`'s userName or externalId belongs to a user other than `self`.
  ScimStatus CheckUserUniqueLocked(const SimUser& user, const SimUser* self) const
      REQUIRES_SHARED(mutex_);
  ScimStatus CheckGroupUniqueLocked(const SimGroup& group, const SimGroup* self) const
      REQUIRES_SHARED(mutex_);
  // Users / groups that `filter` selects, in creation order (an index lookup for `eq` on a key).
  std::vector<SimUser*> MatchUsersLocked(const SimFilter& filter) const REQUIRES_SHARED(mutex_);
  std::vector<SimGroup*> MatchGroupsLocked(const SimFilter& filter) const REQUIRES_SHARED(mutex_);
  // 400 when a member id is no user.
  ScimStatus CheckMembersLocked(const SimGroup& group) const REQUIRES_SHARED(mutex_);
  // Validates a changed copy of `*stored`, charges it and commits it.
  ScimResult<std::string> CommitUserLocked(SimUser* stored, SimUser updated, const ChargeFn& charge,
                                           std::string_view location_base) REQUIRES(mutex_);
  ScimResult<std::string> CommitGroupLocked(SimGroup* stored, SimGroup updated,
                                            const ChargeFn& charge, bool exclude_members,
                                            std::string_view location_base) REQUIRES(mutex_);
  void IndexUserLocked(SimUser* user) REQUIRES(mutex_);
  void UnindexUserLocked(const SimUser& user) REQUIRES(mutex_);
  void IndexGroupLocked(SimGroup* group) REQUIRES(mutex_);
  void UnindexGroupLocked(const SimGroup& group) REQUIRES(mutex_);
  void InsertUserLocked(SimUser user) REQUIRES(mutex_);
  void InsertGroupLocked(SimGroup group) REQUIRES(mutex_);
  void CountCreateLocked(std::unordered_map<std::string, uint32_t>* creates, std::string key)
      REQUIRES(mutex_);
  // Whether `user_id` shows as a member (GitHub profiles hide suspended users).
  bool MemberVisibleLocked(std::string_view user_id) const REQUIRES_SHARED(mutex_);
  void AppendGroupLocked(const SimGroup& group, bool with_members, std::string_view location_base,
                         std::string* out) const REQUIRES_SHARED(mutex_);

  const SimProfile profile_;
  const uint64_t seed_;

  mutable SimMutex mutex_;
  uint64_t next_id_counter_ GUARDED_BY(mutex_) = 0;
  // Keys view the owned resource's own `id`, `external_id` strings; lower-cased userNames need
  // their own copy.
  std::unordered_map<std::string_view, std::unique_ptr<SimUser>> users_ GUARDED_BY(mutex_);
  std::vector<SimUser*> user_order_ GUARDED_BY(mutex_);  // Creation order, for stable paging.
  std::unordered_map<std::string_view, SimUser*> users_by_external_id_ GUARDED_BY(mutex_);
  std::unordered_map<std::string, SimUser*> users_by_name_ GUARDED_BY(mutex_);
  std::unordered_map<std::string_view, std::unique_ptr<SimGroup>> groups_ GUARDED_BY(mutex_);
  std::vector<SimGroup*> group_order_ GUARDED_BY(mutex_);
  std::unordered_map<std::string_view, SimGroup*> groups_by_external_id_ GUARDED_BY(mutex_);
  // Creations per externalId (userName when a generic client sends none), users and groups apart.
  std::unordered_map<std::string, uint32_t> user_creates_ GUARDED_BY(mutex_);
  std::unordered_map<std::string, uint32_t> group_creates_ GUARDED_BY(mutex_);
  uint64_t user_create_count_ GUARDED_BY(mutex_) = 0;
  uint64_t group_create_count_ GUARDED_BY(mutex_) = 0;
};

}  // namespace scimflow

#endif  // SCIMFLOW_TOOLS_SIM_SIM_STORE_H_
