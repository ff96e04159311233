// Rate budget micro-benchmarks. The budget check sits on the emitter's path once per operation
// (and once per retry), so it must stay far below a request's cost.
//
//   BM_RateBudget_AcquireOneBudget        one global bucket, always enough tokens
//   BM_RateBudget_AcquireGithubEmuCreate  a user create drawing on three github-emu budgets
//   BM_RateBudget_AcquireMemberAddsManyGroups  member adds spread over 10,000 per-group buckets
//   BM_RateBudget_Contended               the create draw from several threads at once
//   BM_RateBudget_EstimateDuration        the ETA over 1,000 group buckets
//
// Before timing, each benchmark checks the bucket arithmetic against a reference (an hour of
// simulated time at 1000/h admits exactly the burst plus 1000) and stops with an error if it
// differs.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/rate_budget.h"

namespace scimflow {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using TimePoint = RateBudget::TimePoint;

const TimePoint kStart{hours(1)};

std::vector<BudgetSpec> Specs(std::initializer_list<const char*> texts) {
  std::vector<BudgetSpec> specs;
  for (const char* text : texts) specs.push_back(*ParseBudgetSpec(text));
  return specs;
}

// Simulates an hour in 10 ms steps at 1000/h: a correct bucket admits 1000 (burst) + 1000.
bool ReferenceHourIsExact() {
  RateBudget budget(Specs({"user-assignments=1000/h"}), kStart);
  const BudgetDraw draw[] = {{"user-assignments", "", 1}};
  int granted = 0;
  for (TimePoint now = kStart; now <= kStart + hours(1); now += milliseconds(10)) {
    while (true) {
      Result<AcquireResult> result = budget.TryAcquire(draw, now);
      if (!result.ok() || !result->acquired) break;
      ++granted;
    }
  }
  return granted == 2000;
}

bool CheckReference(benchmark::State& state) {
  static const bool exact = ReferenceHourIsExact();
  if (!exact) state.SkipWithError("rate budget admitted a wrong count in the reference hour");
  return exact;
}

void WarnIfNotOptimised() {
  static bool warned = false;
  if (warned) return;
  warned = true;
#if !defined(NDEBUG)
  std::fprintf(stderr, "WARNING: built without NDEBUG; timings are not representative\n");
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  std::fprintf(stderr, "WARNING: built with sanitizers; timings are not representative\n");
#endif
}

void BM_RateBudget_AcquireOneBudget(benchmark::State& state) {
  WarnIfNotOptimised();
  if (!CheckReference(state)) return;
  RateBudget budget(Specs({"requests=1000000000/s"}), kStart);
  const BudgetDraw draw[] = {{"requests", "", 1}};
  TimePoint now = kStart;
  for (auto _ : state) {
    now += std::chrono::nanoseconds(2);  // refill keeps pace: every call succeeds
    benchmark::DoNotOptimize(budget.TryAcquire(draw, now));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RateBudget_AcquireOneBudget);

void BM_RateBudget_AcquireGithubEmuCreate(benchmark::State& state) {
  WarnIfNotOptimised();
  if (!CheckReference(state)) return;
  // github-emu's budget names at rates high enough that the benchmark measures the check, not
  // waiting.
  RateBudget budget(
      Specs({"user-assignments=1000000000/s", "requests=1000000000/s", "writes=1000000000/s"}),
      kStart);
  const BudgetDraw draws[] = {
      {budget_names::kUserAssignments, "", 1},
      {budget_names::kRequests, "", 1},
      {budget_names::kWrites, "", 1},
  };
  TimePoint now = kStart;
  int64_t granted = 0;
  for (auto _ : state) {
    now += std::chrono::nanoseconds(2);
    Result<AcquireResult> result = budget.TryAcquire(draws, now);
    granted += result.ok() && result->acquired;
  }
  if (granted != static_cast<int64_t>(state.iterations())) {
    state.SkipWithError("an acquire that should have succeeded was refused");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RateBudget_AcquireGithubEmuCreate);

void BM_RateBudget_AcquireMemberAddsManyGroups(benchmark::State& state) {
  WarnIfNotOptimised();
  if (!CheckReference(state)) return;
  RateBudget budget(
      Specs({"group-member-adds=1000/h", "requests=1000000000/s", "writes=1000000000/s"}), kStart);
  constexpr int kGroups = 10'000;
  std::vector<std::string> groups;
  for (int index = 0; index < kGroups; ++index) groups.push_back("group-" + std::to_string(index));
  TimePoint now = kStart;
  size_t next = 0;
  for (auto _ : state) {
    now += std::chrono::nanoseconds(2);
    const BudgetDraw draws[] = {
        {budget_names::kGroupMemberAdds, groups[next], 1},
        {budget_names::kRequests, "", 1},
        {budget_names::kWrites, "", 1},
    };
    benchmark::DoNotOptimize(budget.TryAcquire(draws, now));
    next = next + 1 == groups.size() ? 0 : next + 1;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RateBudget_AcquireMemberAddsManyGroups);

void BM_RateBudget_Contended(benchmark::State& state) {
  WarnIfNotOptimised();
  static RateBudget* shared = nullptr;
  if (state.thread_index() == 0) {
    shared = new RateBudget(
        Specs({"user-assignments=1000000000/s", "requests=1000000000/s", "writes=1000000000/s"}),
        kStart);
  }
  const BudgetDraw draws[] = {
      {budget_names::kUserAssignments, "", 1},
      {budget_names::kRequests, "", 1},
      {budget_names::kWrites, "", 1},
  };
  // Fresh time per call from a shared counter, so threads see a monotonic clock.
  static std::atomic<int64_t> clock_ns{0};
  for (auto _ : state) {
    const TimePoint now = kStart + std::chrono::nanoseconds(clock_ns.fetch_add(4));
    benchmark::DoNotOptimize(shared->TryAcquire(draws, now));
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    delete shared;
    shared = nullptr;
  }
}
BENCHMARK(BM_RateBudget_Contended)->Threads(1)->Threads(2)->UseRealTime();

void BM_RateBudget_EstimateDuration(benchmark::State& state) {
  WarnIfNotOptimised();
  if (!CheckReference(state)) return;
  RateBudget budget(Specs({"group-member-adds=1000/h", "user-assignments=1000/h"}), kStart);
  std::vector<std::string> groups;
  std::vector<BudgetDraw> remaining;
  for (int index = 0; index < 1000; ++index) groups.push_back("group-" + std::to_string(index));
  for (const std::string& group : groups) {
    remaining.push_back({budget_names::kGroupMemberAdds, group, 200});
  }
  remaining.push_back({budget_names::kUserAssignments, "", 100'000});
  if (budget.EstimateDuration(remaining, kStart) != hours(99)) {
    state.SkipWithError("ETA of 100,000 assignments at 1000/h is not 99 h");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(budget.EstimateDuration(remaining, kStart));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(remaining.size()));
}
BENCHMARK(BM_RateBudget_EstimateDuration);

}  // namespace
}  // namespace scimflow
