// CurrentState: what the target holds, in the compact form reconciliation needs: per user its
// target id, externalId, userName, attribute hashes and active flag; per group its target id,
// externalId, displayName and members (as user indices).
//
// Sources (SPEC §3): a snapshot file (`--current`, filled by io/snapshot_file), and later the
// live target (`--target`) and the state store (`--state`). Every source feeds the same builder
// calls, AddUser and AddGroup, in its own order, then Finalize; reconciliation does not know which
// source it was. Strings are copied into the state's own arena, so the source's buffers may be
// released as soon as each call returns; nothing holds whole documents.
//
// Stage contract: AddUser/AddGroup/AddIssue are called by one thread at a time (the source's
// in-order sink); Finalize once, by one thread (it runs parallel loops itself, under the caller's
// oneTBB arena); afterwards the state is read-only and every const method is safe from any number
// of threads.
#ifndef SCIMFLOW_ENGINE_CURRENT_STATE_H_
#define SCIMFLOW_ENGINE_CURRENT_STATE_H_

#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/arena.h"
#include "engine/content_hash.h"
#include "engine/key_index.h"
#include "engine/model.h"

namespace scimflow {

struct CurrentUser {
  std::string_view id;           // The target's id, used in `/Users/{id}`.
  std::string_view external_id;  // Join key.
  std::string_view user_name;
  AttributeHashes hashes;  // Of the attributes the target holds, with its roles.
  uint64_t line = 0;       // Where the source listed it (1-based), for messages.
  bool active = true;
};

struct CurrentGroup {
  std::string_view id;
  std::string_view external_id;
  std::string_view display_name;
  // Indices into users(), in the order the source lists them (reconciliation compares them as
  // sets, so no order is needed). Ids that are no user of the source are left out.
  std::span<const uint32_t> members;
  uint64_t line = 0;
};

// A line of the source that was refused or partly ignored, e.g. a member id that is no user.
struct SourceIssue {
  uint64_t line = 0;
  std::string reason;   // Without location; the reasons of docs/input-formats.md where one fits.
  std::string excerpt;  // At most config::kRejectExcerptBytes of the record.
};

class CurrentState {
 public:
  // `source_name` names the source in messages: the snapshot path as given, or the target URL.
  explicit CurrentState(std::string source_name);
  CurrentState(const CurrentState&) = delete;
  CurrentState& operator=(const CurrentState&) = delete;

  // ---- Building (one thread at a time, then Finalize) ----

  // Adds a user the target holds. `user.roles` are the target's roles. Copies what it keeps.
  void AddUser(std::string_view id, const User& user);
  // Adds a user from precomputed attribute hashes (the state store keeps hashes, not documents).
  // The same as AddUser above for a user whose HashUserAttributes(user, roles) is `hashes`.
  // `line` locates it in the source (a row number for the state store). Copies what it keeps.
  void AddUser(std::string_view id, std::string_view external_id, std::string_view user_name,
               const AttributeHashes& hashes, bool active, uint64_t line);
  // Adds a group; `member_ids` are target user ids as the source lists them (any order); an id that
  // is no user added before becomes an issue and is ignored.
  // REQUIRES: every user has been added (sources list users first, docs/snapshot-format.md);
  // users added after the first group are refused as issues.
  void AddGroup(std::string_view id, std::string_view external_id, std::string_view display_name,
                std::span<const std::string_view> member_ids, uint64_t line);
  // Adds a group whose members are given by user externalId (the state store keeps memberships
  // by externalId), resolved through the externalId index instead of the id index; otherwise as
  // AddGroup above. An externalId that is no user added before becomes an issue and is ignored.
  void AddGroupByMemberExternalIds(std::string_view id, std::string_view external_id,
                                   std::string_view display_name,
                                   std::span<const std::string_view> member_external_ids,
                                   uint64_t line);
  // Records a refused or partly ignored source line.
  void AddIssue(uint64_t line, std::string reason, std::string_view excerpt);

  // Indexes users and groups and drops later duplicates of an externalId (reported as issues).
  // Call once, after the last Add. Runs in parallel under the caller's oneTBB arena.
  void Finalize();

  // ---- Reading (after Finalize) ----

  const std::string& source_name() const { return source_name_; }
  const std::vector<CurrentUser>& users() const { return users_; }
  const std::vector<CurrentGroup>& groups() const { return groups_; }
  // Issues in line order.
  const std::vector<SourceIssue>& issues() const { return issues_; }
  // Users with active:true; the deprovision guard's default limit is a share of them.
  size_t active_users() const { return active_users_; }

  // Index of the user / group with `external_id`, or kNoIndex.
  uint32_t FindUser(std::string_view external_id) const {
    return by_external_id_.Find(external_id);
  }
  uint32_t FindGroup(std::string_view external_id) const {
    return group_by_external_id_.Find(external_id);
  }
  // Index of the user whose userName equals `folded_user_name` ignoring ASCII case, or kNoIndex.
  // REQUIRES: the argument is already folded (FoldUserName).
  // The userName index is built on the first call (or by IndexUserNames): only creates look
  // names up, so the index is not held while the desired state is being built.
  uint32_t FindUserByFoldedName(std::string_view folded_user_name) const {
    IndexUserNames();
    return by_folded_name_.Find(folded_user_name);
  }
  // Builds the userName index if it is not built yet; safe from any thread (the first caller
  // builds it, in parallel, while the others wait). Reconcile calls it before its parallel loops.
  void IndexUserNames() const;
  // False for a user or group dropped as a later duplicate of its externalId.
  bool IsUserKept(uint32_t user) const { return by_external_id_.FirstOf(user) == user; }
  bool IsGroupKept(uint32_t group) const { return group_by_external_id_.FirstOf(group) == group; }

 private:
  // Builds the user indexes; called by the first AddGroup (members are resolved on arrival, so
  // their id strings are never kept) or by Finalize.
  void IndexUsers();
  // Appends a group and returns it; its members are then pushed onto member_pool_ by the caller
  // and closed by CloseMembers.
  CurrentGroup& StartGroup(std::string_view id, std::string_view external_id,
                           std::string_view display_name, uint64_t line);
  void CloseMembers(size_t begin) { member_ranges_.emplace_back(begin, member_pool_.size()); }
  void ReportDuplicates();

  std::string source_name_;
  Arena arena_;
  std::vector<CurrentUser> users_;
  std::vector<CurrentGroup> groups_;
  std::vector<std::pair<size_t, size_t>> member_ranges_;  // Per group: [begin, end) in the pool.
  // Empty except inside IndexUserNames, which fills it parallel to users_, builds
  // by_folded_name_ from it and frees it.
  mutable std::vector<std::string_view> folded_names_;
  std::vector<uint32_t> member_pool_;     // What CurrentGroup::members views into.
  std::vector<uint32_t> member_scratch_;  // AddGroup's lookups, reused group to group.
  std::vector<SourceIssue> issues_;
  KeyIndex by_external_id_;
  KeyIndex by_id_;
  mutable KeyIndex by_folded_name_;  // Built once by IndexUserNames.
  mutable std::once_flag folded_names_indexed_;
  KeyIndex group_by_external_id_;
  size_t active_users_ = 0;
  bool users_indexed_ = false;
};

// `user_name` with ASCII letters lower-cased (SCIM userName is case-insensitive, RFC 7643 §4.1);
// other bytes are kept, so non-ASCII letters compare exactly. Returns `user_name` itself when
// nothing changes, else a copy in `arena`.
std::string_view FoldUserName(std::string_view user_name, Arena* arena);

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_CURRENT_STATE_H_
