#include "engine/resolve.h"

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <unordered_map>

namespace scimflow {

namespace {

// Records per parallel block. Each block owns one arena, so copies need no locking; the block
// size only trades scheduling overhead against balance.
constexpr size_t kRecordsPerBlock = 16384;

size_t BlockCount(size_t records) { return (records + kRecordsPerBlock - 1) / kRecordsPerBlock; }

// Runs `body(block, begin, end)` for every block of `records` in parallel.
template <typename Body>
void ForEachBlock(size_t records, const Body& body) {
  tbb::parallel_for(size_t{0}, BlockCount(records), [&](size_t block) {
    const size_t begin = block * kRecordsPerBlock;
    body(block, begin, std::min(records, begin + kRecordsPerBlock));
  });
}

template <typename Record>
std::vector<const Record*> Flatten(const ResolveInput& input,
                                   std::vector<Record> RecordChunk::*field) {
  std::vector<const Record*> records;
  size_t total = 0;
  for (const RecordChunk* chunk : input.chunks) total += (chunk->*field).size();
  records.reserve(total);
  for (const RecordChunk* chunk : input.chunks) {
    for (const Record& record : chunk->*field) records.push_back(&record);
  }
  return records;
}

// Concatenates per-block reject lists in block order, which is file order.
void AppendInOrder(std::vector<std::vector<ResolveReject>>* per_block,
                   std::vector<ResolveReject>* out) {
  for (std::vector<ResolveReject>& block : *per_block) {
    for (ResolveReject& reject : block) out->push_back(std::move(reject));
  }
}

std::string UnknownRole(std::string_view role, const TargetProfile& profile) {
  return fmt::format("unknown role \"{}\" for profile {}", role, profile.name);
}

// The first role `profile` does not accept, or nullptr.
const Role* FirstUnknownRole(std::span<const Role> roles, const TargetProfile& profile) {
  for (const Role& role : roles) {
    if (!profile.AcceptsRole(role.value)) return &role;
  }
  return nullptr;
}

// The assignments file in compact form: per record its externalId and its roles, copied out of
// the parsed chunks (which the caller may free as soon as AddAssignments returns). Role lists
// are interned: an export names a handful of distinct lists (`["user"]`) for 10^6 records.
struct AssignmentTable {
  std::vector<std::string_view> keys;        // externalIds, in `arena`.
  std::vector<std::span<const Role>> roles;  // Interned, in `arena`.
  std::vector<uint8_t> refused;  // Per record: its roles were refused, so its user is held.
  // Per record: it is the first of its externalId, and (set while users stream in, from many
  // threads, so through atomic_ref) some user record carries that externalId. Together they
  // count the assignments naming no user without reading the assignments' chunks again.
  std::vector<uint8_t> first;
  std::vector<uint8_t> matched;
  KeyIndex index;
  std::unique_ptr<Arena> arena = std::make_unique<Arena>();
};

// Copies `roles` into `arena` once per distinct list (values and primary flags, in order).
class RoleListInterner {
 public:
  explicit RoleListInterner(Arena* arena) : arena_(arena) {}

  std::span<const Role> Intern(std::span<const Role> roles) {
    if (roles.empty()) return {};
    scratch_.clear();
    for (const Role& role : roles) {
      const auto length = static_cast<uint32_t>(role.value.size());
      scratch_.append(reinterpret_cast<const char*>(&length), sizeof(length));
      scratch_.append(role.value);
      scratch_.push_back(role.primary ? '1' : '0');
    }
    const auto found = lists_.find(scratch_);
    if (found != lists_.end()) return found->second;
    std::span<Role> copy = arena_->AllocateArray<Role>(roles.size());
    for (size_t index = 0; index < roles.size(); ++index) {
      copy[index] = {arena_->Copy(roles[index].value), roles[index].primary};
    }
    lists_.emplace(scratch_, copy);
    return copy;
  }

 private:
  Arena* arena_;
  std::string scratch_;  // The list's length-prefixed encoding, reused.
  std::unordered_map<std::string, std::span<const Role>> lists_;
};

AssignmentTable LoadAssignments(const ResolveInput& input, const TargetProfile& profile,
                                std::vector<ResolveReject>* rejects) {
  AssignmentTable table;
  const std::vector<const Assignment*> records = Flatten(input, &RecordChunk::assignments);
  table.keys.resize(records.size());
  table.roles.resize(records.size());
  RoleListInterner interner(table.arena.get());
  for (size_t record = 0; record < records.size(); ++record) {
    table.keys[record] = table.arena->Copy(records[record]->external_id);
    table.roles[record] = interner.Intern(records[record]->roles);
  }
  table.refused.assign(records.size(), 0);
  table.first.assign(records.size(), 0);
  table.matched.assign(records.size(), 0);
  table.index.Build(
      records.size(), [&](size_t record) { return table.keys[record]; },
      [](size_t) { return true; });
  for (size_t record = 0; record < records.size(); ++record) {
    const Assignment& assignment = *records[record];
    const uint32_t first = table.index.FirstOf(record);
    table.first[record] = first == record;
    if (first != record) {
      rejects->push_back({InputKind::kAssignments, assignment.origin,
                          fmt::format("duplicate externalId \"{}\" (first at line {})",
                                      assignment.external_id, records[first]->origin.line)});
    } else if (const Role* role = FirstUnknownRole(assignment.roles, profile)) {
      table.refused[record] = 1;
      rejects->push_back(
          {InputKind::kAssignments, assignment.origin, UnknownRole(role->value, profile)});
    }
  }
  return table;
}

// Per-record facts of the first pass over users that the second pass needs; everything here
// outlives the record's chunk.
struct UserScratch {
  // The record's place in the users file (its line is DesiredUser::line, its file the
  // resolver's), kept apart from a RecordOrigin to keep this per-user struct small.
  // Ordered for packing (48 bytes, not 56): this is allocated once per user.
  uint64_t byte_offset = 0;
  std::string_view folded_name;   // In the resolver's arenas.
  std::string_view unknown_role;  // The first role the profile refuses, copied; empty if none.
  uint32_t byte_length = 0;
  bool assignment_refused = false;
};

// Users stream in chunk by chunk (AddChunk, in file order); once all are in, Finish settles
// duplicates and holds over the whole file in parallel.
class UserResolver {
 public:
  UserResolver(AssignmentTable* assignments, const TargetProfile& profile,
               const CurrentState* current, DesiredState* desired)
      : assignments_(assignments), profile_(profile), current_(current), desired_(desired) {}

  void AddChunk(const RecordChunk& chunk) {
    if (desired_->users.empty()) ReserveFor(chunk);
    const size_t base = desired_->users.size();
    const size_t count = chunk.users.size();
    desired_->users.resize(base + count);
    scratch_.resize(base + count);
    const size_t first_arena = desired_->arenas.size();
    for (size_t block = 0; block < BlockCount(count); ++block) {
      desired_->arenas.push_back(std::make_unique<Arena>());
    }
    ForEachBlock(count, [&](size_t block, size_t begin, size_t end) {
      Arena* arena = desired_->arenas[first_arena + block].get();
      for (size_t index = begin; index < end; ++index) {
        Describe(chunk.users[index], base + index, arena);
      }
    });
  }

  void Finish() {
    BuildIndexes();
    const size_t count = desired_->users.size();
    std::vector<std::vector<ResolveReject>> rejects(BlockCount(count));
    ForEachBlock(count, [&](size_t block, size_t begin, size_t end) {
      for (size_t record = begin; record < end; ++record) Decide(record, &rejects[block]);
    });
    AppendInOrder(&rejects, &desired_->rejects);
    scratch_ = {};
  }

 private:
  // Sizes the per-user vectors once, from the users file's size and the first chunk's bytes per
  // record, so they are not regrown by doubling while the file streams in: each regrowth holds
  // the old and the new array at once, and leaves up to half the new one unused.
  void ReserveFor(const RecordChunk& chunk) {
    if (chunk.users.empty()) return;
    const RecordOrigin& first = chunk.users.front().origin;
    const RecordOrigin& last = chunk.users.back().origin;
    const uint64_t chunk_bytes = last.byte_offset + last.byte_length - first.byte_offset;
    std::error_code error;
    const uintmax_t file_bytes = std::filesystem::file_size(std::string(first.file), error);
    if (error || chunk_bytes == 0 || file_bytes == 0) return;
    const double bytes_per_user = static_cast<double>(chunk_bytes) / chunk.users.size();
    // A little slack for records shorter than the first chunk's; an underestimate only means
    // one regrowth at the end.
    const auto expected = static_cast<size_t>(file_bytes / bytes_per_user * 1.02) + 1024;
    desired_->users.reserve(expected);
    scratch_.reserve(expected);
  }

  // First pass: copies out of the chunk what outlives it: keys, hashes, flags, and the full
  // attributes of a user that differs from the target (only those need a request body).
  void Describe(const User& user, size_t record, Arena* arena) {
    DesiredUser& out = desired_->users[record];
    UserScratch& scratch = scratch_[record];
    out.external_id = arena->Copy(user.external_id);
    out.user_name = arena->Copy(user.user_name);
    out.line = user.origin.line;
    out.active = user.active;
    scratch.byte_offset = user.origin.byte_offset;
    scratch.byte_length = user.origin.byte_length;
    file_ = user.origin.file;
    std::span<const Role> roles = user.roles;
    if (assignments_ != nullptr) {
      const uint32_t assignment = assignments_->index.Find(user.external_id);
      out.assigned = assignment != kNoIndex;
      if (out.assigned) {
        std::atomic_ref<uint8_t>(assignments_->matched[assignment])
            .store(1, std::memory_order_relaxed);
        roles = assignments_->roles[assignment];
        scratch.assignment_refused = assignments_->refused[assignment] != 0;
      }
    } else if (const Role* role = FirstUnknownRole(user.roles, profile_)) {
      // Without an assignments file the users file's roles are the ones sent, so checked here.
      scratch.unknown_role = arena->Copy(role->value);
    }
    out.hashes = HashUserAttributes(user, roles);
    scratch.folded_name = FoldUserName(out.user_name, arena);
    if (current_ != nullptr) out.current = current_->FindUser(out.external_id);
    const bool unchanged = out.current != kNoIndex &&
                           current_->users()[out.current].hashes.content == out.hashes.content;
    if (!unchanged) out.attributes = CopyUser(user, roles, arena);
  }

  void BuildIndexes() {
    const size_t count = desired_->users.size();
    desired_->user_by_external_id.Build(
        count, [&](size_t record) { return desired_->users[record].external_id; },
        [](size_t) { return true; });
    // A userName is taken only by a record that is itself the first of its externalId.
    name_index_.Build(
        count, [&](size_t record) { return scratch_[record].folded_name; },
        [&](size_t record) { return desired_->user_by_external_id.FirstOf(record) == record; });
  }

  // Second pass: settles duplicates and holds.
  void Decide(size_t record, std::vector<ResolveReject>* rejects) {
    DesiredUser& out = desired_->users[record];
    const UserScratch& scratch = scratch_[record];
    const uint32_t first = desired_->user_by_external_id.FirstOf(record);
    if (first != record) {
      out.state = DesiredUserState::kDuplicate;
      Reject(record,
             fmt::format("duplicate externalId \"{}\" (first at line {})", out.external_id,
                         desired_->users[first].line),
             rejects);
      return;
    }
    const uint32_t name_first = name_index_.FirstOf(record);
    if (name_first != record) {
      out.state = DesiredUserState::kHeld;
      Reject(record,
             fmt::format("duplicate userName \"{}\" (first at line {})", out.user_name,
                         desired_->users[name_first].line),
             rejects);
      return;
    }
    if (!scratch.unknown_role.empty()) {
      out.state = DesiredUserState::kHeld;
      Reject(record, UnknownRole(scratch.unknown_role, profile_), rejects);
      return;
    }
    // A refused assignment carries the reject itself; its user is held all the same.
    if (scratch.assignment_refused) out.state = DesiredUserState::kHeld;
  }

  void Reject(size_t record, std::string reason, std::vector<ResolveReject>* rejects) {
    const UserScratch& scratch = scratch_[record];
    const RecordOrigin origin{file_, desired_->users[record].line, scratch.byte_offset,
                              scratch.byte_length};
    rejects->push_back({InputKind::kUsers, origin, std::move(reason)});
  }

  AssignmentTable* assignments_;  // Its `matched` flags are set here.
  const TargetProfile& profile_;
  const CurrentState* current_;
  DesiredState* desired_;
  std::vector<UserScratch> scratch_;
  KeyIndex name_index_;
  std::string_view file_;  // The users file, as every record's origin names it.
};

// Groups: NDJSON records are one group each (a later record of an externalId is a duplicate);
// CSV edge rows are one membership each and merge into their group by externalId.
//
// Streamed chunk by chunk in file order, so only the compact result is kept, never the parsed
// file: per chunk, groups are numbered in order of first appearance (serially: the first record
// of an externalId is the earliest one seen, which is what "first at line N" names), then member
// externalIds are resolved to user indices in parallel blocks. Finish buckets the (group, user)
// pairs per group. REQUIRES: every user is in (FinishUsers ran), so members can be looked up.
class GroupResolver {
 public:
  explicit GroupResolver(DesiredState* desired)
      : desired_(desired), arena_(desired->arenas.emplace_back(std::make_unique<Arena>()).get()) {}

  void AddChunk(const RecordChunk& chunk) {
    std::vector<uint32_t> group_of(chunk.groups.size(), kNoIndex);
    for (size_t record = 0; record < chunk.groups.size(); ++record) {
      group_of[record] = AssignGroup(chunk.groups[record]);
    }
    CollectMembers(chunk.groups, group_of);
  }

  void Finish() {
    desired_->group_by_external_id.Build(
        desired_->groups.size(), [&](size_t group) { return desired_->groups[group].external_id; },
        [](size_t) { return true; });
    Bucket(pairs_);
    pairs_.clear();
    group_index_.clear();
  }

 private:
  // The group `group` belongs to, a new one for an unseen externalId; kNoIndex (and a reject)
  // for a later NDJSON record of an externalId already seen.
  uint32_t AssignGroup(const Group& group) {
    uint32_t index = kNoIndex;
    const auto found = group_index_.find(group.external_id);
    if (found == group_index_.end()) {
      index = static_cast<uint32_t>(desired_->groups.size());
      DesiredGroup& added = desired_->groups.emplace_back();
      added.external_id = arena_->Copy(group.external_id);  // The key outlives the chunk.
      added.display_name = arena_->Copy(group.display_name);
      added.line = group.origin.line;
      group_index_.emplace(added.external_id, index);
    } else if (group.from_edge_list) {
      index = found->second;
    } else {
      desired_->rejects.push_back(
          {InputKind::kGroups, group.origin,
           fmt::format("duplicate externalId \"{}\" (first at line {})", group.external_id,
                       desired_->groups[found->second].line)});
      return kNoIndex;
    }
    DesiredGroup& target = desired_->groups[index];
    if (group.has_roles && target.roles_line == 0) target.roles_line = group.origin.line;
    return index;
  }

  // Resolves member externalIds to users in parallel blocks; rejects and pairs in file order.
  void CollectMembers(const std::vector<Group>& records, const std::vector<uint32_t>& group_of) {
    const size_t count = records.size();
    std::vector<std::vector<std::pair<uint32_t, uint32_t>>> pairs(BlockCount(count));
    std::vector<std::vector<ResolveReject>> rejects(BlockCount(count));
    ForEachBlock(count, [&](size_t block, size_t begin, size_t end) {
      std::vector<uint32_t> found;
      for (size_t record = begin; record < end; ++record) {
        if (group_of[record] == kNoIndex) continue;
        const Group& group = records[record];
        // Looked up together, so the cache misses of a large group's members overlap.
        const std::span<const std::string_view> members = group.member_external_ids;
        found.resize(members.size());
        desired_->user_by_external_id.FindBatch(members, found);
        for (size_t index = 0; index < members.size(); ++index) {
          const std::string_view member = members[index];
          const uint32_t user = found[index];
          if (user == kNoIndex) {
            rejects[block].push_back(
                {InputKind::kGroups, group.origin,
                 fmt::format("group member \"{}\" is not a known user", member)});
          } else {
            pairs[block].emplace_back(group_of[record], user);
          }
        }
      }
    });
    AppendInOrder(&rejects, &desired_->rejects);
    for (auto& block : pairs) {
      if (!block.empty()) pairs_.push_back(std::move(block));
    }
  }

  // Counting sort of (group, user) pairs into one pool; each group's users sorted, unique.
  void Bucket(const std::vector<std::vector<std::pair<uint32_t, uint32_t>>>& pairs) {
    std::vector<GroupRange> ranges(desired_->groups.size());
    size_t total = 0;
    for (const auto& block : pairs) {
      for (const auto& [group, user] : block) ++ranges[group].size;
      total += block.size();
    }
    size_t offset = 0;
    for (GroupRange& range : ranges) {
      range.begin = offset;
      offset += range.size;
      range.size = 0;
    }
    std::vector<uint32_t>& pool = desired_->member_pool;
    pool.resize(total);
    for (const auto& block : pairs) {
      for (const auto& [group, user] : block) {
        GroupRange& range = ranges[group];
        pool[range.begin + range.size++] = user;
      }
    }
    tbb::parallel_for(size_t{0}, ranges.size(), [&](size_t group) {
      uint32_t* first = pool.data() + ranges[group].begin;
      uint32_t* last = first + ranges[group].size;
      std::sort(first, last);
      last = std::unique(first, last);
      desired_->groups[group].members = std::span<const uint32_t>(first, last);
    });
  }

  struct GroupRange {
    size_t begin = 0;
    size_t size = 0;
  };

  DesiredState* desired_;
  Arena* arena_;  // Owned by desired_: group externalIds and names.
  // externalId → group index; keys view arena_ copies. Groups are few (10^4 for 10^6 users).
  std::unordered_map<std::string_view, uint32_t> group_index_;
  // (group, user) pairs in file order, one vector per parsed block.
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> pairs_;
};

}  // namespace

const User* CopyUser(const User& user, std::span<const Role> roles, Arena* arena) {
  User* copy = static_cast<User*>(arena->Allocate(sizeof(User), alignof(User)));
  new (copy) User();
  copy->origin = user.origin;
  copy->external_id = arena->Copy(user.external_id);
  copy->user_name = arena->Copy(user.user_name);
  copy->display_name = arena->Copy(user.display_name);
  copy->name.formatted = arena->Copy(user.name.formatted);
  copy->name.family_name = arena->Copy(user.name.family_name);
  copy->name.given_name = arena->Copy(user.name.given_name);
  copy->name.middle_name = arena->Copy(user.name.middle_name);
  std::span<Email> emails = arena->AllocateArray<Email>(user.emails.size());
  for (size_t index = 0; index < emails.size(); ++index) {
    emails[index] = {arena->Copy(user.emails[index].value), arena->Copy(user.emails[index].type),
                     user.emails[index].primary};
  }
  copy->emails = emails;
  std::span<Role> copied_roles = arena->AllocateArray<Role>(roles.size());
  for (size_t index = 0; index < roles.size(); ++index) {
    copied_roles[index] = {arena->Copy(roles[index].value), roles[index].primary};
  }
  copy->roles = copied_roles;
  copy->active = user.active;
  return copy;
}

uint32_t DesiredState::FindUser(std::string_view external_id) const {
  return user_by_external_id.Find(external_id);
}

struct Resolver::Impl {
  Impl(const TargetProfile& profile, const CurrentState* current)
      : profile(profile), current(current) {}

  const TargetProfile& profile;
  const CurrentState* current;
  DesiredState desired;
  AssignmentTable assignments;
  std::vector<ResolveReject> assignment_rejects;
  std::unique_ptr<UserResolver> users;
  std::unique_ptr<GroupResolver> groups;
};

Resolver::Resolver(const TargetProfile& profile, const CurrentState* current)
    : impl_(std::make_unique<Impl>(profile, current)) {}

Resolver::~Resolver() = default;

void Resolver::AddAssignments(const ResolveInput& assignments) {
  if (assignments.file.empty()) return;
  impl_->desired.has_assignments = true;
  impl_->assignments = LoadAssignments(assignments, impl_->profile, &impl_->assignment_rejects);
}

void Resolver::AddUsers(const RecordChunk& chunk) {
  if (!impl_->users) {
    impl_->users = std::make_unique<UserResolver>(
        impl_->desired.has_assignments ? &impl_->assignments : nullptr, impl_->profile,
        impl_->current, &impl_->desired);
  }
  impl_->users->AddChunk(chunk);
}

void Resolver::FinishUsers() {
  if (!impl_->users) AddUsers(RecordChunk{});
  // The assignments are done with once every user is in: count those naming no user, then free
  // the table before the userName index and the holds take their memory.
  AssignmentTable& table = impl_->assignments;
  for (size_t record = 0; record < table.keys.size(); ++record) {
    if (table.first[record] && !table.matched[record]) ++impl_->desired.assignments_without_user;
  }
  table = AssignmentTable{};
  impl_->users->Finish();
  // The userName index is needed only to settle duplicates: free it before the groups come.
  impl_->users.reset();
}

void Resolver::AddGroups(const ResolveInput& groups) {
  if (groups.file.empty()) return;
  for (const RecordChunk* chunk : groups.chunks) AddGroupsChunk(*chunk);
  FinishGroups();
}

void Resolver::AddGroupsChunk(const RecordChunk& chunk) {
  impl_->desired.has_groups = true;
  if (!impl_->groups) impl_->groups = std::make_unique<GroupResolver>(&impl_->desired);
  impl_->groups->AddChunk(chunk);
}

void Resolver::FinishGroups() {
  impl_->desired.has_groups = true;
  if (!impl_->groups) impl_->groups = std::make_unique<GroupResolver>(&impl_->desired);
  impl_->groups->Finish();
  impl_->groups.reset();
}

DesiredState Resolver::Finish() {
  DesiredState& desired = impl_->desired;
  desired.rejects.insert(desired.rejects.end(), impl_->assignment_rejects.begin(),
                         impl_->assignment_rejects.end());
  std::stable_sort(desired.rejects.begin(), desired.rejects.end(),
                   [](const ResolveReject& left, const ResolveReject& right) {
                     if (left.input != right.input) return left.input < right.input;
                     return left.origin.line < right.origin.line;
                   });
  return std::move(desired);
}

DesiredState Resolve(const ResolveInput& users, const ResolveInput& groups,
                     const ResolveInput& assignments, const TargetProfile& profile,
                     const CurrentState* current) {
  Resolver resolver(profile, current);
  resolver.AddAssignments(assignments);
  for (const RecordChunk* chunk : users.chunks) resolver.AddUsers(*chunk);
  resolver.FinishUsers();
  resolver.AddGroups(groups);
  return resolver.Finish();
}

}  // namespace scimflow
