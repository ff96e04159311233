#include "engine/scheduler.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

namespace scimflow {

Scheduler::Scheduler(const std::vector<PlanOperation>& operations, RateBudget* budget)
    : operations_(operations),
      budget_(budget),
      state_(operations.size(), State::kWaiting),
      pending_deps_(operations.size(), 0),
      dependents_(operations.size()),
      unfinished_(operations.size()) {
  for (uint32_t index = 0; index < operations.size(); ++index) {
    for (uint32_t dep : operations[index].deps) {
      ++pending_deps_[index];
      dependents_[dep].push_back(index);
    }
  }
}

void Scheduler::MarkSkipped(uint32_t index) {
  if (Finished(index)) return;
  state_[index] = State::kSkipped;
  --unfinished_;
  for (uint32_t dependent : dependents_[index]) --pending_deps_[dependent];
}

void Scheduler::Start() {
  for (uint32_t index = 0; index < operations_.size(); ++index) {
    if (state_[index] == State::kWaiting && pending_deps_[index] == 0) MakeReady(index);
  }
}

void Scheduler::MakeReady(uint32_t index) {
  state_[index] = State::kReady;
  ready_[static_cast<size_t>(operations_[index].kind)].push_back(index);
  ++ready_count_;
}

BudgetDraws Scheduler::Draws(uint32_t index) const {
  const PlanOperation& operation = operations_[index];
  BudgetDraws draws;
  draws.push_back({budget::kRequests, "", 1});
  if (operation.method != "GET") draws.push_back({budget::kWrites, "", 1});
  if (operation.kind == OperationKind::kUserCreate ||
      operation.kind == OperationKind::kUserReactivate) {
    draws.push_back({budget::kUserAssignments, "", 1});
  }
  if (operation.kind == OperationKind::kGroupMembersAdd && operation.members > 0) {
    draws.push_back({budget::kGroupMemberAdds, operation.external_id, operation.members});
  }
  return draws;
}

Scheduler::Pick Scheduler::Next(TimePoint now) {
  Pick pick;
  bool held = false;
  for (std::deque<uint32_t>& queue : ready_) {
    const size_t scan = std::min(queue.size(), config::kSchedulerScanPerKind);
    for (size_t position = 0; position < scan; ++position) {
      const uint32_t index = queue[position];
      const BudgetDraws draws = Draws(index);
      Result<AcquireResult> acquired = budget_->TryAcquire(draws, now);
      if (!acquired.ok() || acquired->acquired) {
        queue.erase(queue.begin() + static_cast<std::ptrdiff_t>(position));
        --ready_count_;
        state_[index] = State::kSent;
        pick.index = index;
        if (!acquired.ok()) pick.error = acquired.status();
        return pick;
      }
      if (!held || acquired->wait < pick.wait) {
        pick.wait = acquired->wait;
        pick.limiting_budget = acquired->limiting_budget;
      }
      held = true;
      // Only a per-group bucket can hold back one operation of a kind and not the next.
      if (acquired->limiting_budget != budget::kGroupMemberAdds) break;
    }
  }
  return pick;
}

bool Scheduler::TakeEarly(uint32_t index, const std::function<bool(uint32_t)>& in_batch,
                          TimePoint now) {
  if (state_[index] != State::kWaiting) return false;
  for (uint32_t dep : operations_[index].deps) {
    if (state_[dep] != State::kSucceeded && state_[dep] != State::kSkipped && !in_batch(dep)) {
      return false;
    }
  }
  const BudgetDraws draws = Draws(index);
  Result<AcquireResult> acquired = budget_->TryAcquire(draws, now);
  if (!acquired.ok() || !acquired->acquired) return false;
  state_[index] = State::kSent;
  return true;
}

void Scheduler::Unsend(uint32_t index) {
  if (state_[index] != State::kSent) return;
  state_[index] = State::kWaiting;
  if (pending_deps_[index] == 0) MakeReady(index);
}

void Scheduler::Complete(uint32_t index) {
  if (Finished(index)) return;
  if (state_[index] == State::kReady) {
    std::deque<uint32_t>& queue = ready_[static_cast<size_t>(operations_[index].kind)];
    queue.erase(std::find(queue.begin(), queue.end(), index));
    --ready_count_;
  }
  state_[index] = State::kSucceeded;
  --unfinished_;
  for (uint32_t dependent : dependents_[index]) {
    if (--pending_deps_[dependent] == 0 && state_[dependent] == State::kWaiting) {
      MakeReady(dependent);
    }
  }
}

std::vector<Scheduler::DependentFailure> Scheduler::Fail(uint32_t index) {
  std::vector<DependentFailure> failures;
  if (Finished(index)) return failures;
  state_[index] = State::kFailed;
  --unfinished_;
  // Breadth-first over the dependents; each failed one names the dependency that failed first.
  std::vector<uint32_t> frontier = {index};
  while (!frontier.empty()) {
    const uint32_t failed = frontier.back();
    frontier.pop_back();
    for (uint32_t dependent : dependents_[failed]) {
      if (state_[dependent] != State::kWaiting) continue;
      state_[dependent] = State::kFailed;
      --unfinished_;
      failures.push_back(
          {dependent, fmt::format("dependency \"{}\" failed", operations_[failed].op_id)});
      frontier.push_back(dependent);
    }
  }
  return failures;
}

std::chrono::nanoseconds Scheduler::EstimateRemaining(TimePoint now) const {
  // Without any of the budgets operations draw on (--no-budgets) there is nothing to estimate,
  // and no reason to walk the plan for every progress update.
  constexpr std::string_view kDrawn[] = {budget::kRequests, budget::kWrites,
                                         budget::kUserAssignments, budget::kGroupMemberAdds};
  if (std::none_of(std::begin(kDrawn), std::end(kDrawn), [&](std::string_view name) {
        return budget_->Available(name, "", now).has_value();
      })) {
    return std::chrono::nanoseconds(0);
  }
  // Sums per bucket: (budget, scope) → amount still to draw. Called for every progress update
  // (several times a second) over the whole plan: a short linear list of the unscoped buckets,
  // and a hash map only for the per-group ones (group-member-adds, the only scoped budget), keep
  // it a plain scan without allocations per operation.
  std::vector<BudgetDraw> remaining;
  std::unordered_map<std::string_view, uint64_t> scoped;
  for (uint32_t index = 0; index < operations_.size(); ++index) {
    if (Finished(index)) continue;
    for (const BudgetDraw& draw : Draws(index)) {
      if (!draw.scope.empty()) {
        scoped[draw.scope] += draw.amount;
        continue;
      }
      const auto same =
          std::find_if(remaining.begin(), remaining.end(),
                       [&](const BudgetDraw& other) { return other.budget == draw.budget; });
      if (same == remaining.end()) {
        remaining.push_back(draw);
      } else {
        same->amount += draw.amount;
      }
    }
  }
  for (const auto& [scope, amount] : scoped) {
    remaining.push_back({budget::kGroupMemberAdds, scope, amount});
  }
  return budget_->EstimateDuration(remaining, now);
}

}  // namespace scimflow
