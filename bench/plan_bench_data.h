// Synthetic data for the planner's micro-benchmarks: an IdP export of N users in groups of ten,
// and a target state that equals it except for a known churn, so each benchmark can check its
// result against exact expected counts before it times anything.
//
// Churn (per 100 users): user 0 has another displayName on the target (user.update), user 1 has
// other roles (user.roles), user 2 is missing on the target (user.create, and one member add),
// user 3 is missing from the export (user.deactivate, and one member removal).
#ifndef SCIMFLOW_BENCH_PLAN_BENCH_DATA_H_
#define SCIMFLOW_BENCH_PLAN_BENCH_DATA_H_

#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "engine/chunk.h"
#include "engine/current_state.h"
#include "engine/resolve.h"
#include "engine/target_profile.h"

namespace scimflow::bench {

inline constexpr size_t kUsersPerGroup = 10;
inline constexpr size_t kUsersPerChunk = 10000;

struct PlanBenchData {
  std::vector<std::unique_ptr<RecordChunk>> user_chunks;
  std::unique_ptr<RecordChunk> group_chunk;
  std::vector<const RecordChunk*> user_views;
  std::vector<const RecordChunk*> group_views;
  std::unique_ptr<CurrentState> current;
  size_t users = 0;

  ResolveInput Users() const { return {"users.ndjson", user_views}; }
  ResolveInput Groups() const { return {"groups.ndjson", group_views}; }
  // Expected counts for the churn above.
  size_t ExpectedUpdates() const { return (users + 99) / 100; }
};

inline User MakeBenchUser(size_t index, RecordChunk* chunk, bool on_target) {
  User user;
  user.origin = {"users.ndjson", index + 1, 0, 0};
  user.external_id = chunk->arena.Copy(fmt::format("00u{:07d}", index));
  user.user_name = chunk->arena.Copy(fmt::format("user{}@example.com", index));
  user.name.given_name = chunk->arena.Copy(fmt::format("Given{}", index));
  user.name.family_name = chunk->arena.Copy("Family");
  const bool stale_name = on_target && index % 100 == 0;
  user.display_name = chunk->arena.Copy(stale_name ? "Old Name" : fmt::format("User {}", index));
  const Email email{chunk->arena.Copy(fmt::format("user{}@example.com", index)), "work", true};
  user.emails = chunk->arena.CopyArray<Email>(std::span<const Email>(&email, 1));
  const bool stale_roles = on_target && index % 100 == 1;
  const Role role{stale_roles ? "billing_manager" : "user", true};
  user.roles = chunk->arena.CopyArray<Role>(std::span<const Role>(&role, 1));
  return user;
}

inline std::unique_ptr<PlanBenchData> MakePlanBenchData(size_t users) {
  auto data = std::make_unique<PlanBenchData>();
  data->users = users;
  data->current = std::make_unique<CurrentState>("snapshot.ndjson");
  RecordChunk target_scratch;
  for (size_t index = 0; index < users; ++index) {
    if (index % kUsersPerChunk == 0) data->user_chunks.push_back(std::make_unique<RecordChunk>());
    if (index % 100 != 3) {
      data->user_chunks.back()->users.push_back(
          MakeBenchUser(index, data->user_chunks.back().get(), false));
    }
    if (index % 100 != 2) {
      data->current->AddUser(fmt::format("t-{}", index),
                             MakeBenchUser(index, &target_scratch, true));
    }
  }
  data->group_chunk = std::make_unique<RecordChunk>();
  for (size_t group = 0; group * kUsersPerGroup < users; ++group) {
    Group record;
    record.origin = {"groups.ndjson", group + 1, 0, 0};
    record.external_id = data->group_chunk->arena.Copy(fmt::format("g-{:05d}", group));
    record.display_name = data->group_chunk->arena.Copy(fmt::format("Group {}", group));
    std::vector<std::string_view> members;
    std::vector<std::string_view> member_ids;
    for (size_t slot = 0; slot < kUsersPerGroup && group * kUsersPerGroup + slot < users; ++slot) {
      const size_t index = group * kUsersPerGroup + slot;
      if (index % 100 != 3) {
        members.push_back(data->group_chunk->arena.Copy(fmt::format("00u{:07d}", index)));
      }
      if (index % 100 != 2) {
        member_ids.push_back(data->group_chunk->arena.Copy(fmt::format("t-{}", index)));
      }
    }
    record.member_external_ids = data->group_chunk->arena.CopyArray<std::string_view>(members);
    data->group_chunk->groups.push_back(record);
    data->current->AddGroup(fmt::format("tg-{}", group), record.external_id, record.display_name,
                            member_ids, group + 1);
  }
  data->current->Finalize();
  for (const auto& chunk : data->user_chunks) data->user_views.push_back(chunk.get());
  data->group_views.push_back(data->group_chunk.get());
  return data;
}

}  // namespace scimflow::bench

#endif  // SCIMFLOW_BENCH_PLAN_BENCH_DATA_H_
