#include "engine/current_state.h"

#include <fmt/format.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cctype>

#include "engine/ascii.h"
#include "engine/chunk.h"

namespace scimflow {

std::string_view FoldUserName(std::string_view user_name, Arena* arena) {
  if (std::none_of(user_name.begin(), user_name.end(), IsAsciiUpper)) return user_name;
  std::span<char> folded = arena->AllocateArray<char>(user_name.size());
  std::transform(user_name.begin(), user_name.end(), folded.begin(), AsciiLower);
  return std::string_view(folded.data(), folded.size());
}

CurrentState::CurrentState(std::string source_name) : source_name_(std::move(source_name)) {}

void CurrentState::AddUser(std::string_view id, const User& user) {
  if (users_indexed_) {
    AddIssue(user.origin.line, "user listed after the first group", user.external_id);
    return;
  }
  CurrentUser& added = users_.emplace_back();
  added.id = arena_.Copy(id);
  added.external_id = arena_.Copy(user.external_id);
  added.user_name = arena_.Copy(user.user_name);
  added.hashes = HashUserAttributes(user, user.roles);
  added.line = user.origin.line;
  added.active = user.active;
}

void CurrentState::AddUser(std::string_view id, std::string_view external_id,
                           std::string_view user_name, const AttributeHashes& hashes, bool active,
                           uint64_t line) {
  if (users_indexed_) {
    AddIssue(line, "user listed after the first group", external_id);
    return;
  }
  CurrentUser& added = users_.emplace_back();
  added.id = arena_.Copy(id);
  added.external_id = arena_.Copy(external_id);
  added.user_name = arena_.Copy(user_name);
  added.hashes = hashes;
  added.line = line;
  added.active = active;
}

CurrentGroup& CurrentState::StartGroup(std::string_view id, std::string_view external_id,
                                       std::string_view display_name, uint64_t line) {
  if (!users_indexed_) IndexUsers();
  CurrentGroup& added = groups_.emplace_back();
  added.id = arena_.Copy(id);
  added.external_id = arena_.Copy(external_id);
  added.display_name = arena_.Copy(display_name);
  added.line = line;
  return added;
}

void CurrentState::AddGroup(std::string_view id, std::string_view external_id,
                            std::string_view display_name,
                            std::span<const std::string_view> member_ids, uint64_t line) {
  StartGroup(id, external_id, display_name, line);
  // Members are resolved now, so 10^6 member id strings are never copied; the span is set in
  // Finalize because the pool still grows.
  const size_t begin = member_pool_.size();
  // Looked up together, so the cache misses of a large group's members overlap.
  member_scratch_.resize(member_ids.size());
  by_id_.FindBatch(member_ids, member_scratch_);
  for (size_t index = 0; index < member_ids.size(); ++index) {
    const std::string_view member_id = member_ids[index];
    const uint32_t user = member_scratch_[index];
    if (user == kNoIndex) {
      AddIssue(line, fmt::format("group member id \"{}\" is not a user of the snapshot", member_id),
               external_id);
      continue;
    }
    member_pool_.push_back(user);
  }
  CloseMembers(begin);
}

void CurrentState::AddGroupByMemberExternalIds(
    std::string_view id, std::string_view external_id, std::string_view display_name,
    std::span<const std::string_view> member_external_ids, uint64_t line) {
  StartGroup(id, external_id, display_name, line);
  const size_t begin = member_pool_.size();
  for (std::string_view member : member_external_ids) {
    // A later duplicate of an externalId is no user of its own: members resolve to the first.
    const uint32_t user = by_external_id_.Find(member);
    if (user == kNoIndex) {
      AddIssue(line, fmt::format("group member externalId \"{}\" is not a user", member),
               external_id);
      continue;
    }
    member_pool_.push_back(user);
  }
  CloseMembers(begin);
}

void CurrentState::AddIssue(uint64_t line, std::string reason, std::string_view excerpt) {
  issues_.push_back(SourceIssue{line, std::move(reason),
                                std::string(excerpt.substr(0, config::kRejectExcerptBytes))});
}

void CurrentState::IndexUsers() {
  users_indexed_ = true;
  const size_t count = users_.size();
  const auto all = [](size_t) { return true; };
  by_external_id_.Build(
      count, [this](size_t user) { return users_[user].external_id; }, all);
  by_id_.Build(
      count, [this](size_t user) { return users_[user].id; }, all);
}

void CurrentState::IndexUserNames() const {
  std::call_once(folded_names_indexed_, [this] {
    // Folded here rather than as users are added, so the 10^6 views are not held while the
    // desired state is built. Most names have no upper-case letter and need no copy.
    // The arena is written only here after Finalize, once, under the once_flag; the state object
    // itself is never const (it is built, then handed out as const).
    Arena* arena = const_cast<Arena*>(&arena_);
    folded_names_.reserve(users_.size());
    for (const CurrentUser& user : users_) {
      folded_names_.push_back(FoldUserName(user.user_name, arena));
    }
    // Isolated: while this thread waits for the parallel build it must not pick up another
    // task of the caller's loop, which would call IndexUserNames again and wait on itself.
    tbb::this_task_arena::isolate([this] {
      // Only the users that survive the externalId check hold their userName.
      by_folded_name_.Build(
          users_.size(), [this](size_t user) { return folded_names_[user]; },
          [this](size_t user) { return by_external_id_.FirstOf(user) == user; });
    });
    // The index holds the folded names now (their bytes stay in the arena).
    folded_names_ = {};
  });
}

void CurrentState::Finalize() {
  if (!users_indexed_) IndexUsers();
  for (size_t group = 0; group < groups_.size(); ++group) {
    const auto [begin, end] = member_ranges_[group];
    groups_[group].members = std::span<const uint32_t>(member_pool_.data() + begin, end - begin);
  }
  group_by_external_id_.Build(
      groups_.size(), [this](size_t group) { return groups_[group].external_id; },
      [](size_t) { return true; });
  // Target ids are looked up only to resolve group members, which are all in: free the index
  // before the desired state takes its memory.
  by_id_ = KeyIndex();
  member_scratch_ = {};
  ReportDuplicates();
  active_users_ = 0;
  for (size_t user = 0; user < users_.size(); ++user) {
    if (users_[user].active && IsUserKept(static_cast<uint32_t>(user))) ++active_users_;
  }
  std::stable_sort(
      issues_.begin(), issues_.end(),
      [](const SourceIssue& left, const SourceIssue& right) { return left.line < right.line; });
}

void CurrentState::ReportDuplicates() {
  for (uint32_t user : by_external_id_.duplicates()) {
    const CurrentUser& later = users_[user];
    const CurrentUser& first = users_[by_external_id_.FirstOf(user)];
    AddIssue(later.line,
             fmt::format("duplicate externalId \"{}\" (first at line {})", later.external_id,
                         first.line),
             later.external_id);
  }
  for (uint32_t group : group_by_external_id_.duplicates()) {
    const CurrentGroup& later = groups_[group];
    const CurrentGroup& first = groups_[group_by_external_id_.FirstOf(group)];
    AddIssue(later.line,
             fmt::format("duplicate externalId \"{}\" (first at line {})", later.external_id,
                         first.line),
             later.external_id);
  }
}

}  // namespace scimflow
