// SimBudgets: the rate budgets the simulator enforces with 429 answers, one token bucket per
// budget (and per group for `group-member-adds`), as GitHub paces SCIM clients (reference §4).
//
// A bucket of a `N/PERIOD` budget holds at most N tokens and refills at N per PERIOD,
// continuously. A request that needs more tokens than are left is refused whole and takes
// nothing, so a refused request changes no state; the refusal says when enough tokens will be
// back (Retry-After, rounded up to whole seconds) and what the x-ratelimit-* headers should say.
// A cost above N can never be met; it is refused with the full period as Retry-After.
//
// Thread-safety: every method may be called from any thread (one mutex; the critical sections
// are a few arithmetic operations).
#ifndef SCIMFLOW_TOOLS_SIM_SIM_BUDGET_H_
#define SCIMFLOW_TOOLS_SIM_SIM_BUDGET_H_

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "tools/sim/sim_options.h"
#include "tools/sim/thread_annotations.h"

namespace scimflow {

// What a 429 answer (or the x-ratelimit-* headers of any answer) reports about one budget.
struct BudgetState {
  BudgetKind kind = BudgetKind::kRequests;
  uint64_t limit = 0;
  uint64_t remaining = 0;            // Whole tokens left after this request.
  uint64_t retry_after_seconds = 0;  // Until the refused cost is available; 0 when granted.
  int64_t reset_epoch_seconds = 0;   // Wall-clock second when the bucket is full again.
};

class SimBudgets {
 public:
  // Seconds on a monotonic clock; injectable so tests can move time.
  using Clock = std::function<double()>;

  // One bucket per spec; a later spec of the same kind replaces an earlier one. Buckets start
  // full. `clock` defaults to std::chrono::steady_clock.
  explicit SimBudgets(std::span<const BudgetSpec> specs, Clock clock = nullptr);

  // Whether a budget of `kind` is configured.
  bool Has(BudgetKind kind) const { return specs_[static_cast<int>(kind)].has_value(); }

  // Takes `cost` tokens from the `kind` bucket (for kGroupMemberAdds, the bucket of group `key`).
  // Returns nullopt when granted (or no such budget), or the refusal. A cost of 0 is granted.
  std::optional<BudgetState> TryTake(BudgetKind kind, std::string_view key, uint64_t cost)
      EXCLUDES(mutex_);

  // Gives back tokens taken by a request that then failed, so failed requests do not consume
  // assignments or member adds.
  void Refund(BudgetKind kind, std::string_view key, uint64_t cost) EXCLUDES(mutex_);

  // The state of the `kind` bucket without taking anything (for x-ratelimit-* headers on
  // granted answers); nullopt without such a budget.
  std::optional<BudgetState> Peek(BudgetKind kind) EXCLUDES(mutex_);

 private:
  struct Bucket {
    double tokens = 0;
    double updated = 0;  // Clock reading of the last refill.
  };

  // The bucket of `kind` (of group `key` for kGroupMemberAdds, created full at `now`).
  Bucket* FindBucket(BudgetKind kind, std::string_view key, double now) REQUIRES(mutex_);
  void Refill(const BudgetSpec& spec, double now, Bucket* bucket) const;
  BudgetState StateOf(const BudgetSpec& spec, const Bucket& bucket, double now,
                      double wanted) const;

  Clock clock_;
  std::array<std::optional<BudgetSpec>, kBudgetKindCount> specs_;
  SimMutex mutex_;
  std::array<Bucket, kBudgetKindCount> buckets_ GUARDED_BY(mutex_);
  // group-member-adds: one bucket per group id, created full on first use.
  std::unordered_map<std::string, Bucket> group_buckets_ GUARDED_BY(mutex_);
};

}  // namespace scimflow

#endif  // SCIMFLOW_TOOLS_SIM_SIM_BUDGET_H_
