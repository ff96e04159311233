// Plan micro-benchmarks over synthetic data with a known 1% churn (bench/plan_bench_data.h):
//   BM_Plan_Build          ChangeSet → ordered operations with ids (operations/s)
//   BM_PlanFile_Render     every operation line of the plan file (bytes/s, operations/s)
//   BM_Plan_CountOnlyBaseline
//                          simdjson iterate_many merely counting the documents of the plan's
//                          input files: the floor `scimflow plan` is measured against
//                          (tools/bench-plan). Needs SCIMFLOW_PLAN_BENCH_FILES, a list of files
//                          separated by ':'; skipped without it.
// Each checks its result (counts against the expected churn, or documents against the files'
// newlines) before timing.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

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

std::vector<std::string> BenchFiles() {
  std::vector<std::string> files;
  const char* list = std::getenv("SCIMFLOW_PLAN_BENCH_FILES");
  if (list == nullptr) return files;
  std::stringstream stream(list);
  std::string file;
  while (std::getline(stream, file, ':')) {
    if (!file.empty()) files.push_back(file);
  }
  return files;
}

// Documents in an NDJSON file, by iterate_many; -1 on an error. The batch must hold the longest
// line: a group of 10^5 members is a few megabytes.
int64_t CountDocuments(const std::string& path, uint64_t* bytes) {
  constexpr size_t kBatchBytes = size_t{32} << 20;
  simdjson::padded_string json;
  if (simdjson::padded_string::load(path).get(json)) return -1;
  *bytes += json.size();
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document_stream stream;
  if (parser.iterate_many(json, kBatchBytes).get(stream)) return -1;
  int64_t documents = 0;
  for (auto document : stream) {
    if (document.error()) return -1;
    ++documents;
  }
  return documents;
}

int64_t CountNewlines(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return std::count(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>(), '\n');
}

void BM_Plan_CountOnlyBaseline(benchmark::State& state) {
  const std::vector<std::string> files = BenchFiles();
  if (files.empty()) {
    state.SkipWithError("set SCIMFLOW_PLAN_BENCH_FILES (tools/bench-plan does)");
    return;
  }
  for (const std::string& file : files) {
    uint64_t ignored = 0;
    if (CountDocuments(file, &ignored) != CountNewlines(file)) {
      state.SkipWithError(("document count differs from the line count: " + file).c_str());
      return;
    }
  }
  uint64_t bytes = 0;
  int64_t documents = 0;
  for (auto _ : state) {
    bytes = 0;
    documents = 0;
    for (const std::string& file : files) documents += CountDocuments(file, &bytes);
    benchmark::DoNotOptimize(documents);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
  state.SetItemsProcessed(state.iterations() * documents);
}
BENCHMARK(BM_Plan_CountOnlyBaseline)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace
}  // namespace scimflow::bench
