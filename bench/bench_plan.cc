// Plan micro-benchmarks over synthetic data with a known 1% churn (bench/plan_bench_data.h):
//   BM_Plan_Build          ChangeSet → ordered operations with ids (operations/s)
//   BM_PlanFile_Render     every operation line of the plan file (bytes/s, operations/s)
// Each checks the plan's counts against the expected churn before timing.
#include <benchmark/benchmark.h>

#include "bench/plan_bench_data.h"
#include "engine/plan.h"
#include "engine/reconcile.h"
#include "io/plan_file.h"

namespace scimflow::bench {
namespace {

struct PlanInputs {
  std::unique_ptr<PlanBenchData> data;
  std::unique_ptr<DesiredState> desired;
  ChangeSet changes;
};

PlanInputs MakeInputs(size_t users) {
  PlanInputs inputs;
  inputs.data = MakePlanBenchData(users);
  const TargetProfile& profile = *FindProfile("github-emu");
  inputs.desired = std::make_unique<DesiredState>(Resolve(
      inputs.data->Users(), inputs.data->Groups(), {}, profile, inputs.data->current.get()));
  inputs.changes = Reconcile(*inputs.desired, *inputs.data->current, profile);
  return inputs;
}

bool PlanIsAsExpected(const PlanInputs& inputs, const Plan& plan) {
  const size_t per_hundred = inputs.data->ExpectedUpdates();
  return plan.count(OperationKind::kUserUpdate) == per_hundred &&
         plan.count(OperationKind::kUserCreate) == per_hundred &&
         plan.count(OperationKind::kUserDeactivate) == per_hundred &&
         plan.members_added == per_hundred && plan.members_removed == per_hundred;
}

void BM_Plan_Build(benchmark::State& state) {
  WarnAboutBuildMode();
  const PlanInputs inputs = MakeInputs(static_cast<size_t>(state.range(0)));
  const TargetProfile& profile = *FindProfile("github-emu");
  const Plan check =
      BuildPlan(inputs.changes, *inputs.desired, *inputs.data->current, profile, 100);
  if (!PlanIsAsExpected(inputs, check)) {
    state.SkipWithError("plan differs from the expected churn");
    return;
  }
  for (auto _ : state) {
    Plan plan = BuildPlan(inputs.changes, *inputs.desired, *inputs.data->current, profile, 100);
    benchmark::DoNotOptimize(plan.operations.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(check.operations.size()));
}
BENCHMARK(BM_Plan_Build)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_PlanFile_Render(benchmark::State& state) {
  WarnAboutBuildMode();
  const PlanInputs inputs = MakeInputs(static_cast<size_t>(state.range(0)));
  const TargetProfile& profile = *FindProfile("github-emu");
  const Plan plan = BuildPlan(inputs.changes, *inputs.desired, *inputs.data->current, profile, 100);
  if (!PlanIsAsExpected(inputs, plan)) {
    state.SkipWithError("plan differs from the expected churn");
    return;
  }
  size_t bytes = 0;
  for (auto _ : state) {
    std::string text;
    for (size_t index = 0; index < plan.operations.size(); ++index) {
      AppendOperationLine(plan, index, &text);
    }
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(plan.operations.size()));
}
BENCHMARK(BM_PlanFile_Render)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace scimflow::bench
