// Planner micro-benchmarks over synthetic data with a known 1% churn (bench/plan_bench_data.h):
//   BM_Resolve_Users       join users and groups into desired state (records/s)
//   BM_Reconcile_Users     desired vs current → ChangeSet (users/s)
//   BM_ContentHash_User    attribute hashes of one user (users/s)
// Each checks its result against the expected churn counts before timing.
#include <benchmark/benchmark.h>

#include "bench/plan_bench_data.h"
#include "engine/content_hash.h"
#include "engine/reconcile.h"

namespace scimflow::bench {
namespace {

size_t CountKind(const ChangeSet& changes, OperationKind kind) {
  size_t count = 0;
  for (const UserChange& change : changes.users) count += change.kind == kind ? 1 : 0;
  return count;
}

bool ChurnIsAsExpected(const PlanBenchData& data, const ChangeSet& changes) {
  const size_t per_hundred = data.ExpectedUpdates();
  return CountKind(changes, OperationKind::kUserUpdate) == per_hundred &&
         CountKind(changes, OperationKind::kUserRoles) == per_hundred &&
         CountKind(changes, OperationKind::kUserCreate) == per_hundred &&
         CountKind(changes, OperationKind::kUserDeactivate) == per_hundred;
}

void BM_Resolve_Users(benchmark::State& state) {
  const auto data = MakePlanBenchData(static_cast<size_t>(state.range(0)));
  const TargetProfile& profile = *FindProfile("github-emu");
  {
    const DesiredState check =
        Resolve(data->Users(), data->Groups(), {}, profile, data->current.get());
    if (!check.rejects.empty() || check.groups.size() != data->group_chunk->groups.size()) {
      state.SkipWithError("resolve result differs from the reference");
      return;
    }
  }
  for (auto _ : state) {
    DesiredState desired = Resolve(data->Users(), data->Groups(), {}, profile, data->current.get());
    benchmark::DoNotOptimize(desired.users.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Resolve_Users)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Reconcile_Users(benchmark::State& state) {
  const auto data = MakePlanBenchData(static_cast<size_t>(state.range(0)));
  const TargetProfile& profile = *FindProfile("github-emu");
  const DesiredState desired =
      Resolve(data->Users(), data->Groups(), {}, profile, data->current.get());
  if (!ChurnIsAsExpected(*data, Reconcile(desired, *data->current, profile))) {
    state.SkipWithError("reconcile result differs from the expected churn");
    return;
  }
  for (auto _ : state) {
    ChangeSet changes = Reconcile(desired, *data->current, profile);
    benchmark::DoNotOptimize(changes.users.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Reconcile_Users)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ContentHash_User(benchmark::State& state) {
  RecordChunk chunk;
  const User user = MakeBenchUser(7, &chunk, false);
  const User same = MakeBenchUser(7, &chunk, false);
  if (HashUserAttributes(user, user.roles) != HashUserAttributes(same, same.roles)) {
    state.SkipWithError("equal users hash differently");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(HashUserAttributes(user, user.roles));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ContentHash_User);

}  // namespace
}  // namespace scimflow::bench
