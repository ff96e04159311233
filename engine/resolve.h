// Resolve: joins the IdP's users, assignments and groups into the desired state, and refuses the
// records that cannot be used (docs/input-formats.md, "Rejects"): a later duplicate of an
// externalId, a later user with a userName already taken (ignoring ASCII case), a role the target
// profile does not know, a group member who is no user of the users file.
//
// "First at line N" is always the earliest record, whatever the thread count: keys are indexed in
// parallel by KeyIndex, which settles races on the smallest record index. A user whose record (or
// assignment) is refused for anything but being a later duplicate is *held*: it gets no operation
// at all, so a typo in one record can never deactivate that user on the target.
//
// What outlives the input chunks is copied compactly into the DesiredState's arenas: per user the
// externalId, userName, attribute hashes and flags; the full attributes only for users that differ
// from the current state (or all of them without one), because only those need a request body.
// The chunks may be released as soon as Resolve returns.
//
// Thread-safety: Resolve runs its own parallel loops under the caller's oneTBB arena (the result is
// the same for any thread count); the returned DesiredState is immutable and safe to read from any
// number of threads.
#ifndef SCIMFLOW_ENGINE_RESOLVE_H_
#define SCIMFLOW_ENGINE_RESOLVE_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/arena.h"
#include "engine/chunk.h"
#include "engine/content_hash.h"
#include "engine/current_state.h"
#include "engine/key_index.h"
#include "engine/model.h"
#include "engine/target_profile.h"

namespace scimflow {

// What became of one user record.
enum class DesiredUserState : uint8_t {
  kAccepted,   // Planned against the current state.
  kDuplicate,  // A later record of an externalId: ignored, the first record stands.
  kHeld,       // Refused (userName taken, unknown role, refused assignment): no operation at all.
};

struct DesiredUser {
  std::string_view external_id;  // Copied; lives as long as the DesiredState.
  std::string_view user_name;
  uint64_t line = 0;       // In the users file.
  AttributeHashes hashes;  // With the effective roles (assignments file over users file).
  // The full mapped attributes with the effective roles, or nullptr when the user equals its
  // current counterpart (same content hash, same userName), whose request needs no attributes.
  const User* attributes = nullptr;
  uint32_t current = kNoIndex;  // Index in CurrentState::users(), or kNoIndex.
  bool active = true;           // IdP status.
  bool assigned = true;         // Listed in the assignments file, or no assignments file.
  DesiredUserState state = DesiredUserState::kAccepted;

  // Assigned and active: the user exists and is active on the target once the plan has run.
  bool provisioned() const { return state == DesiredUserState::kAccepted && assigned && active; }
};

struct DesiredGroup {
  std::string_view external_id;
  std::string_view display_name;  // Of the group's first record.
  uint64_t line = 0;              // Of the group's first record.
  // Indices into DesiredState::users (externalId winners only), ascending, without repeats.
  std::span<const uint32_t> members;
  // Line of the first record of this group that carried `roles`, or 0: a group-role conflict.
  uint64_t roles_line = 0;
};

// A refused record, located `file:line`. The excerpt is not kept: the record's byte range lets
// the rejects writer read it back from the file.
struct ResolveReject {
  InputKind input = InputKind::kUsers;
  RecordOrigin origin;
  std::string reason;
};

// The records of one input file, as chunks in file order. Chunks are read, never modified.
struct ResolveInput {
  std::string_view file;  // As given on the command line.
  std::span<const RecordChunk* const> chunks;
};

struct DesiredState {
  std::vector<DesiredUser> users;      // One per user record, in file order.
  std::vector<DesiredGroup> groups;    // One per group, in order of first appearance.
  std::vector<ResolveReject> rejects;  // Sorted by input (users, groups, assignments), then line.
  KeyIndex user_by_external_id;        // Over `users`; FirstOf gives the externalId winner.
  KeyIndex group_by_external_id;       // Over `groups`.
  bool has_groups = false;       // A groups file was given: groups absent from it are deleted.
  bool has_assignments = false;  // An assignments file was given.
  uint64_t assignments_without_user = 0;  // Assignments naming no user of the users file.

  // Index of the accepted or held user with `external_id`, or kNoIndex.
  uint32_t FindUser(std::string_view external_id) const;

  // Owners of every string and attribute copy above.
  std::vector<std::unique_ptr<Arena>> arenas;
  std::vector<uint32_t> member_pool;
};

// The streaming form of Resolve, so the users and groups files' chunks can be released one by
// one as they are resolved (memory holds the compact desired state, not the parsed files). Calls,
// in order:
//   AddAssignments (optional) → AddUsers per chunk, in file order → FinishUsers →
//   (optional, for a groups file: AddGroupsChunk per chunk, in file order → FinishGroups, or
//   AddGroups with all chunks at once) → Finish.
// Each call runs by one thread at a time; they run parallel loops themselves. Lifetimes: every
// chunk need only live during the call it is passed to (AddAssignments copies what it keeps into
// a compact table; AddUsers, AddGroupsChunk and AddGroups copy into the desired state).
class Resolver {
 public:
  // `current` may be null (then every user keeps its full attributes); it must outlive Finish.
  Resolver(const TargetProfile& profile, const CurrentState* current);
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // An input without a file (empty `file`) means "no such file".
  void AddAssignments(const ResolveInput& assignments);
  void AddUsers(const RecordChunk& chunk);
  void FinishUsers();
  void AddGroups(const ResolveInput& groups);
  // A groups file given chunk by chunk; FinishGroups after the last (also for a file without
  // any chunk: it marks that a groups file was given, so groups absent from it are deleted).
  void AddGroupsChunk(const RecordChunk& chunk);
  void FinishGroups();
  // The desired state; the Resolver is spent afterwards.
  DesiredState Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Joins the inputs. `groups` and `assignments` may have no file (empty `file` and no chunks).
// `current` may be null; with it, full attributes are kept only for users that differ from it.
// Rejects are values in the result; the only failure is none (every input problem is a reject).
DesiredState Resolve(const ResolveInput& users, const ResolveInput& groups,
                     const ResolveInput& assignments, const TargetProfile& profile,
                     const CurrentState* current);

// Deep-copies `user` into `arena` with `roles` as its roles; the copy lives as long as the arena.
const User* CopyUser(const User& user, std::span<const Role> roles, Arena* arena);

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_RESOLVE_H_
