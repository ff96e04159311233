#include "tools/gen/churn.h"

#include <algorithm>
#include <unordered_set>
#include <vector>

#include "io/json_writer.h"
#include "tools/gen/random.h"

namespace scimflow::gen {
namespace {

// Member changes of one existing group during the day. Pairs are distinct by construction.
struct GroupChange {
  std::vector<uint32_t> removed;
  std::vector<uint32_t> added;
};

uint64_t Chunks(uint64_t members, uint32_t per_patch) {
  return (members + per_patch - 1) / per_patch;
}

// Moves `count` (capped) randomly chosen elements of `*pool` to its front (partial Fisher–Yates)
// and returns how many were chosen.
size_t ChooseFront(std::vector<uint32_t>* pool, uint64_t count, Rng* rng) {
  const size_t chosen = static_cast<size_t>(std::min<uint64_t>(count, pool->size()));
  for (size_t index = 0; index < chosen; ++index) {
    const size_t other = index + static_cast<size_t>(rng->Below(pool->size() - index));
    std::swap((*pool)[index], (*pool)[other]);
  }
  return chosen;
}

uint64_t PairKey(uint32_t group_index, uint32_t user) { return uint64_t{group_index} << 32 | user; }

// One day of churn. The steps run in a fixed order and all draw from one sequential stream:
// the day is deterministic, and cheap next to writing the files.
class ChurnRun {
 public:
  ChurnRun(ExportModel* model, const ChurnSpec& spec, uint32_t per_patch)
      : model_(*model),
        spec_(spec),
        per_patch_(per_patch),
        rng_(DeriveSeed(model->params.seed, Stream::kChurnDay, model->day + 1)),
        changes_(model->groups.size()),
        group_removed_(model->groups.size(), false),
        left_idp_(model->users.size(), false),
        first_joiner_(static_cast<uint32_t>(model->users.size())) {
    for (const GenUser& user : model_.users) idp_users_ += user.InIdp() ? 1 : 0;
    for (const GenGroup& group : model_.groups) memberships_ += group.members.size();
  }

  ChurnResult Run() {
    RemoveGroups();
    ChangeUsers();
    AddJoiners();
    DropMembershipsOfRemovedUsers();
    LeaveGroups();
    JoinGroups();
    RenameGroups();
    CreateGroups();
    Commit();
    ++model_.day;
    return result_;
  }

 private:
  uint64_t Count(ChurnKind kind) const {
    const ChurnBase base = BaseOf(kind);
    const uint64_t of = base == ChurnBase::kUsers         ? idp_users_
                        : base == ChurnBase::kMemberships ? memberships_
                                                          : model_.groups.size();
    return spec_.CountFor(kind, of);
  }
  void Applied(ChurnKind kind, uint64_t count) { result_.applied[static_cast<int>(kind)] = count; }

  void RemoveGroups() {
    std::vector<uint32_t> positions(model_.groups.size());
    for (uint32_t index = 0; index < positions.size(); ++index) positions[index] = index;
    const size_t chosen = ChooseFront(&positions, Count(ChurnKind::kGroupsRemoved), &rng_);
    for (size_t index = 0; index < chosen; ++index) group_removed_[positions[index]] = true;
    for (uint32_t index = chosen; index < positions.size(); ++index)
      surviving_.push_back(positions[index]);
    // Ascending, so later draws do not depend on the shuffle's leftovers' order by accident.
    std::sort(surviving_.begin(), surviving_.end());
    Applied(ChurnKind::kGroupsRemoved, chosen);
    result_.expected.group_delete = chosen;
  }

  // Leavers, profile and role changes come from the provisioned users, reactivations from the
  // users the IdP lists but the target holds suspended; both lists are taken before any change.
  void ChangeUsers() {
    std::vector<uint32_t> provisioned;
    std::vector<uint32_t> suspended;
    for (const GenUser& user : model_.users) {
      if (user.Provisioned())
        provisioned.push_back(user.serial);
      else if (user.InIdp())
        suspended.push_back(user.serial);
    }
    const uint64_t leavers = Count(ChurnKind::kLeavers);
    const uint64_t profile = Count(ChurnKind::kProfile);
    const uint64_t roles = Count(ChurnKind::kRoles);
    const size_t chosen = ChooseFront(&provisioned, leavers + profile + roles, &rng_);
    size_t next = 0;
    for (; next < std::min<uint64_t>(chosen, leavers); ++next) Leave(provisioned[next]);
    Applied(ChurnKind::kLeavers, next);
    const size_t profile_end = std::min<uint64_t>(chosen, leavers + profile);
    for (; next < profile_end; ++next) ChangeProfile(provisioned[next]);
    Applied(ChurnKind::kProfile, profile_end - std::min<uint64_t>(chosen, leavers));
    for (; next < chosen; ++next)
      model_.users[provisioned[next]].roles =
          DrawOtherRoles(model_.users[provisioned[next]].roles, &rng_);
    Applied(ChurnKind::kRoles, chosen - profile_end);
    result_.expected.user_roles = chosen - profile_end;

    const size_t reactivated = ChooseFront(&suspended, Count(ChurnKind::kReactivations), &rng_);
    for (size_t index = 0; index < reactivated; ++index) Reactivate(suspended[index]);
    Applied(ChurnKind::kReactivations, reactivated);
    result_.expected.user_reactivate = reactivated;

    // Who may join groups today: provisioned after the changes (leavers are not).
    for (const GenUser& user : model_.users) {
      if (user.Provisioned()) joinable_.push_back(user.serial);
    }
  }

  void Leave(uint32_t serial) {
    GenUser& user = model_.users[serial];
    const uint64_t way = rng_.Below(1000);
    if (way < config::kLeaverRemovedPermille) {
      user.SetFlag(GenUser::kInIdp, false);
      left_idp_[serial] = true;
    } else if (way < config::kLeaverRemovedPermille + config::kLeaverInactivePermille) {
      user.SetFlag(GenUser::kActive, false);
    } else {
      user.SetFlag(GenUser::kAssigned, false);
    }
    ++result_.expected.user_deactivate;
  }

  void ChangeProfile(uint32_t serial) {
    GenUser& user = model_.users[serial];
    user.family = DrawOtherFamily(user.culture(), user.family, &rng_);
    if (rng_.Chance(config::kProfileWithRolesPpm)) user.roles = DrawOtherRoles(user.roles, &rng_);
    ++result_.expected.user_update;
  }

  void Reactivate(uint32_t serial) {
    GenUser& user = model_.users[serial];
    user.SetFlag(GenUser::kActive, true);
    user.SetFlag(GenUser::kAssigned, true);
    if (rng_.Chance(config::kReactivationWithProfilePpm)) {
      user.family = DrawOtherFamily(user.culture(), user.family, &rng_);
    }
  }

  // Joiners are new, active and assigned users, each joining about --memberships-per-user of
  // the surviving groups.
  void AddJoiners() {
    const uint64_t joiners = Count(ChurnKind::kJoiners);
    for (uint64_t index = 0; index < joiners; ++index) {
      GenUser user = DrawUser(static_cast<uint32_t>(model_.users.size()), &rng_);
      user.SetFlag(GenUser::kActive, true);
      user.SetFlag(GenUser::kAssigned, true);
      model_.users.push_back(user);
      const uint64_t wanted =
          std::min<uint64_t>(model_.params.memberships_per_user, surviving_.size());
      std::vector<uint32_t> joined;
      while (joined.size() < wanted) {
        const uint32_t group_index = surviving_[rng_.Below(surviving_.size())];
        if (std::find(joined.begin(), joined.end(), group_index) != joined.end()) continue;
        joined.push_back(group_index);
        changes_[group_index].added.push_back(user.serial);
      }
    }
    Applied(ChurnKind::kJoiners, joiners);
    result_.expected.user_create = joiners;
  }

  void DropMembershipsOfRemovedUsers() {
    for (uint32_t group_index : surviving_) {
      for (uint32_t member : model_.groups[group_index].members) {
        if (left_idp_[member]) changes_[group_index].removed.push_back(member);
      }
    }
  }

  // Random memberships (uniform over all edges of surviving groups), skipping users who left.
  void LeaveGroups() {
    std::vector<uint64_t> ends;  // cumulative member counts of surviving_ groups
    uint64_t total = 0;
    for (uint32_t group_index : surviving_)
      ends.push_back(total += model_.groups[group_index].members.size());
    const uint64_t wanted = Count(ChurnKind::kGroupLeaves);
    std::unordered_set<uint64_t> picked;
    uint64_t attempts = 0;
    while (total > 0 && picked.size() < wanted && attempts++ < 4 * wanted + 100) {
      const uint64_t edge = rng_.Below(total);
      const size_t slot = std::upper_bound(ends.begin(), ends.end(), edge) - ends.begin();
      const uint32_t group_index = surviving_[slot];
      const uint64_t offset = edge - (slot == 0 ? 0 : ends[slot - 1]);
      const uint32_t member = model_.groups[group_index].members[offset];
      if (left_idp_[member]) continue;
      if (!picked.insert(PairKey(group_index, member)).second) continue;
      changes_[group_index].removed.push_back(member);
    }
    Applied(ChurnKind::kGroupLeaves, picked.size());
  }

  // Random (provisioned user, surviving group) pairs that are not yet memberships.
  void JoinGroups() {
    const uint64_t wanted = Count(ChurnKind::kGroupJoins);
    std::unordered_set<uint64_t> picked;
    uint64_t attempts = 0;
    while (!joinable_.empty() && !surviving_.empty() && picked.size() < wanted &&
           attempts++ < 4 * wanted + 100) {
      const uint32_t user = joinable_[rng_.Below(joinable_.size())];
      const uint32_t group_index = surviving_[rng_.Below(surviving_.size())];
      const std::vector<uint32_t>& members = model_.groups[group_index].members;
      if (std::binary_search(members.begin(), members.end(), user)) continue;
      if (!picked.insert(PairKey(group_index, user)).second) continue;
      changes_[group_index].added.push_back(user);
    }
    Applied(ChurnKind::kGroupJoins, picked.size());
  }

  void RenameGroups() {
    std::vector<uint32_t> candidates = surviving_;
    const size_t chosen = ChooseFront(&candidates, Count(ChurnKind::kGroupsRenamed), &rng_);
    const auto departments = static_cast<uint16_t>(Departments().size());
    const auto teams = static_cast<uint16_t>(Teams().size());
    for (size_t index = 0; index < chosen; ++index) {
      GenGroup& group = model_.groups[candidates[index]];
      const auto department = static_cast<uint16_t>(rng_.Below(departments));
      auto team = static_cast<uint16_t>(rng_.Below(teams));
      // The name must change; the serial part stays, so moving the team on is enough.
      if (department == group.department && team == group.team) team = (team + 1) % teams;
      group.department = department;
      group.team = team;
    }
    Applied(ChurnKind::kGroupsRenamed, chosen);
    result_.expected.group_rename = chosen;
  }

  // New groups get a small-group size and provisioned members (joiners included).
  void CreateGroups() {
    for (uint32_t serial = first_joiner_; serial < model_.users.size(); ++serial) {
      joinable_.push_back(serial);  // the joiners, all provisioned
    }
    const uint64_t wanted = Count(ChurnKind::kGroupsCreated);
    for (uint64_t index = 0; index < wanted && !joinable_.empty(); ++index) {
      GenGroup group;
      group.serial = model_.next_group_serial++;
      group.department = static_cast<uint16_t>(rng_.Below(Departments().size()));
      group.team = static_cast<uint16_t>(rng_.Below(Teams().size()));
      const uint32_t size = DrawSmallGroupSize(static_cast<uint32_t>(joinable_.size()), &rng_);
      while (group.members.size() < size) {
        const uint32_t user = joinable_[rng_.Below(joinable_.size())];
        if (std::find(group.members.begin(), group.members.end(), user) == group.members.end()) {
          group.members.push_back(user);
        }
      }
      std::sort(group.members.begin(), group.members.end());
      result_.expected.members_added += size;
      result_.expected.group_members_add += Chunks(size, per_patch_);
      created_.push_back(std::move(group));
    }
    Applied(ChurnKind::kGroupsCreated, created_.size());
    result_.expected.group_create = created_.size();
  }

  // Applies member changes, drops removed groups, appends created ones, and counts member
  // operations per surviving group.
  void Commit() {
    std::vector<GenGroup> groups;
    groups.reserve(surviving_.size() + created_.size());
    for (uint32_t group_index = 0; group_index < model_.groups.size(); ++group_index) {
      if (group_removed_[group_index]) continue;
      GenGroup& group = model_.groups[group_index];
      GroupChange& change = changes_[group_index];
      ApplyChange(&change, &group.members);
      result_.expected.members_removed += change.removed.size();
      result_.expected.members_added += change.added.size();
      result_.expected.group_members_remove += Chunks(change.removed.size(), per_patch_);
      result_.expected.group_members_add += Chunks(change.added.size(), per_patch_);
      groups.push_back(std::move(group));
    }
    for (GenGroup& group : created_) groups.push_back(std::move(group));
    model_.groups = std::move(groups);
  }

  static void ApplyChange(GroupChange* change, std::vector<uint32_t>* members) {
    if (change->removed.empty() && change->added.empty()) return;
    std::sort(change->removed.begin(), change->removed.end());
    std::sort(change->added.begin(), change->added.end());
    std::vector<uint32_t> kept;
    kept.reserve(members->size() + change->added.size());
    std::set_difference(members->begin(), members->end(), change->removed.begin(),
                        change->removed.end(), std::back_inserter(kept));
    members->clear();
    std::merge(kept.begin(), kept.end(), change->added.begin(), change->added.end(),
               std::back_inserter(*members));
  }

  ExportModel& model_;
  const ChurnSpec& spec_;
  const uint32_t per_patch_;
  Rng rng_;
  uint64_t idp_users_ = 0;
  uint64_t memberships_ = 0;
  std::vector<GroupChange> changes_;  // by index into model_.groups (before Commit)
  std::vector<bool> group_removed_;   // same indexing
  std::vector<uint32_t> surviving_;   // indices of groups not removed, ascending
  std::vector<bool> left_idp_;        // by user serial: removed from the users file today
  const uint32_t first_joiner_;       // serial of today's first joiner
  std::vector<uint32_t> joinable_;    // provisioned after today's user changes, ascending
  std::vector<GenGroup> created_;
  ChurnResult result_;
};

}  // namespace

uint64_t ExpectedOperations::Total() const {
  return user_create + user_update + user_roles + user_deactivate + user_reactivate + group_create +
         group_rename + group_members_remove + group_members_add + group_delete;
}

std::string ExpectedJson(const ExpectedOperations& expected) {
  std::string out;
  JsonWriter json(&out);
  json.BeginObject().Member("profile", "github-emu").Key("operations").BeginObject();
  json.Member("user.create", expected.user_create).Member("user.update", expected.user_update);
  json.Member("user.roles", expected.user_roles);
  json.Member("user.deactivate", expected.user_deactivate);
  json.Member("user.reactivate", expected.user_reactivate);
  json.Member("group.create", expected.group_create);
  json.Member("group.rename", expected.group_rename);
  json.Member("group.members.remove", expected.group_members_remove);
  json.Member("group.members.add", expected.group_members_add);
  json.Member("group.delete", expected.group_delete).EndObject();
  json.Member("total", expected.Total()).Member("members_added", expected.members_added);
  json.Member("members_removed", expected.members_removed);
  json.Member("max_members_per_patch", expected.max_members_per_patch).EndObject();
  out.push_back('\n');
  return out;
}

ChurnResult ApplyChurn(ExportModel* model, const ChurnSpec& spec, uint32_t max_members_per_patch) {
  ChurnRun run(model, spec, max_members_per_patch);
  ChurnResult result = run.Run();
  result.expected.max_members_per_patch = max_members_per_patch;
  return result;
}

}  // namespace scimflow::gen
