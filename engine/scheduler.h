// Scheduler: decides which operation of a plan leaves next (SPEC §5). Operations leave in priority
// order — deactivations, role and profile updates, reactivations, creates, group creates, renames,
// member removals, member additions, group deletions (OperationKind order) — subject to their own
// dependencies (a member add waits only for the creates it names) and to every rate budget they
// draw on (RateBudget). An operation whose dependency failed for good fails too, with an error
// naming that dependency, and so do the operations that wait for it in turn.
//
// Draws per operation (budget names of engine/target_profile.h; budgets the target does not have
// are free): every request draws `requests`; every write (anything but GET) draws `writes`;
// user.create and user.reactivate draw `user-assignments`; group.members.add draws
// `group-member-adds` in the bucket of its group, one token per member it adds.
//
// Pure logic: no I/O, time is passed in. The emitter calls Next() when it has room for a request,
// Complete() / Fail() once an outcome is durable in the journal, and EstimateRemaining() for the
// progress line. Borrows the operations and the budget; both must outlive the scheduler.
// Thread-safety: none; the emitter's driver thread owns it.
#ifndef SCIMFLOW_ENGINE_SCHEDULER_H_
#define SCIMFLOW_ENGINE_SCHEDULER_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "engine/rate_budget.h"
#include "engine/status.h"
#include "io/plan_reader.h"

namespace scimflow {

namespace config {
// Ready operations of one kind examined per Next() when the first is held back by a per-group
// budget: member adds of other groups may go meanwhile. Bounded so a call stays cheap when many
// groups are exhausted at once.
inline constexpr size_t kSchedulerScanPerKind = 256;
}  // namespace config

// The draws of one attempt of an operation: at most four (requests, writes, user-assignments,
// group-member-adds), kept inline because the scheduler computes them for every request it hands
// out. Converts to the span RateBudget takes. The string_views point into the plan's operations
// and the budget names (engine/target_profile.h), which outlive it.
class BudgetDraws {
 public:
  static constexpr size_t kCapacity = 4;

  // REQUIRES: size() < kCapacity.
  void push_back(const BudgetDraw& draw) { items_[size_++] = draw; }
  // Keeps the first `size` draws. REQUIRES: size <= size().
  void resize(size_t size) { size_ = size; }
  size_t size() const { return size_; }
  const BudgetDraw& operator[](size_t position) const { return items_[position]; }
  const BudgetDraw* begin() const { return items_.data(); }
  const BudgetDraw* end() const { return items_.data() + size_; }
  operator std::span<const BudgetDraw>() const { return {items_.data(), size_}; }

 private:
  std::array<BudgetDraw, kCapacity> items_{};
  size_t size_ = 0;
};

class Scheduler {
 public:
  using TimePoint = RateBudget::TimePoint;
  static constexpr uint32_t kNone = UINT32_MAX;

  // REQUIRES: every dep index is valid (PlanReader checks it); `budget` is non-null.
  Scheduler(const std::vector<PlanOperation>& operations, RateBudget* budget);

  // Before Start(): `index` was done by an earlier run (`--resume`); it counts as succeeded for
  // its dependents and is never handed out.
  void MarkSkipped(uint32_t index);
  // Queues every operation whose dependencies have all succeeded. Call once.
  void Start();

  struct Pick {
    uint32_t index = kNone;  // The operation to send, or kNone.
    // kNone: how long until something may be ready by budget (0 when nothing is ready at all),
    // and the budget that holds it back.
    std::chrono::nanoseconds wait{0};
    std::string limiting_budget;
    // Set with `index` when the operation can never draw its budget (a member chunk larger than
    // its group's bucket): the caller fails it with this message instead of sending it.
    Status error;
  };
  // Takes the first ready operation, in priority order, whose draws succeed at `now`; its draws
  // are taken from the budget.
  Pick Next(TimePoint now);

  // The draws of one attempt of `index` (a retry draws them again).
  BudgetDraws Draws(uint32_t index) const;

  // /Bulk (engine/bulk_emit.cc): the operations waiting for `index`.
  const std::vector<uint32_t>& Dependents(uint32_t index) const { return dependents_[index]; }
  // /Bulk: hands out `index` before its dependencies are done, when every one of them is done or
  // `in_batch(dep)` (a create travelling ahead of it in the same batch); its draws are taken.
  // False (nothing taken) when it is not waiting, a dependency is neither, or a budget is short.
  bool TakeEarly(uint32_t index, const std::function<bool(uint32_t)>& in_batch, TimePoint now);
  // /Bulk: `index`, handed out, was not applied because a create it named in its batch was not
  // done there: it waits again for its dependencies (ready if they are all done already).
  void Unsend(uint32_t index);

  // `index` succeeded and is durable: dependents whose dependencies are now all done get ready.
  void Complete(uint32_t index);

  struct DependentFailure {
    uint32_t index;
    std::string error;  // `dependency "u:e-2:create" failed`
  };
  // `index` failed for good: returns the operations that can no longer be sent, transitively, in
  // the order found; they are done for the scheduler and the caller records their failures.
  std::vector<DependentFailure> Fail(uint32_t index);

  // Operations waiting in the ready queues.
  size_t ready() const { return ready_count_; }
  // Operations neither finished (succeeded, failed, skipped) nor ready: handed out or waiting
  // for a dependency.
  size_t unfinished() const { return unfinished_; }

  // How long the unfinished operations take at the budgets' allowed rates
  // (RateBudget::EstimateDuration over their draws).
  std::chrono::nanoseconds EstimateRemaining(TimePoint now) const;

 private:
  enum class State : uint8_t { kWaiting, kReady, kSent, kSucceeded, kFailed, kSkipped };

  void MakeReady(uint32_t index);
  bool Finished(uint32_t index) const {
    return state_[index] == State::kSucceeded || state_[index] == State::kFailed ||
           state_[index] == State::kSkipped;
  }

  const std::vector<PlanOperation>& operations_;
  RateBudget* budget_;
  std::vector<State> state_;
  std::vector<uint32_t> pending_deps_;             // Dependencies not yet succeeded.
  std::vector<std::vector<uint32_t>> dependents_;  // Reverse edges.
  std::array<std::deque<uint32_t>, kOperationKindCount> ready_;
  size_t ready_count_ = 0;
  size_t unfinished_ = 0;
};

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_SCHEDULER_H_
