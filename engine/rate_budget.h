// RateBudget: the target's rate budgets as token buckets, so the emitter spends each budget at
// exactly the allowed rate and 429 answers stay the exception rather than the control loop.
//
// A budget is "N per PERIOD" under a name shared with the simulator and the planner:
//   user-assignments    creates and reactivations of users          (github-emu: 1000/h)
//   group-member-adds   member additions, one bucket per group      (github-emu: 1000/h per group)
//   requests            every request with the token                (github-emu: 5000/h)
//   writes              POST, PATCH, PUT, DELETE                     (github-emu: 180/min)
// Each bucket holds at most `burst` tokens (default N), starts full and refills continuously at
// N per PERIOD. Arithmetic is exact integers (one token is PERIOD-in-nanoseconds ticks, refill is
// N ticks per nanosecond), so 1000/h admits one operation every 3.6 s exactly, with no drift over
// a run of days.
//
// An operation draws on every budget it counts against (a user create: user-assignments,
// requests, writes), all or nothing: TryAcquire either takes every draw or none and says how long
// until it could succeed. Draws on a budget that is not configured are free (ghes has no budgets
// unless configured). Answers from the target correct the buckets: x-ratelimit-remaining lowers a
// bucket that believes it holds more (it is never raised: our bucket already counts requests the
// target has not seen yet), remaining 0 with x-ratelimit-reset and Retry-After pause it.
// A Retry-After also holds back draws on a budget that is not configured (a target enforcing
// limits nobody told us of): those draws stay free of tokens but wait out the pause, so one 429
// holds back every operation it concerns instead of only the one it refused.
//
// Time is passed in, never read: tests drive a fake clock and never sleep.
// Thread-safety: all member functions are thread-safe (one mutex; a call is a few hundred
// nanoseconds, far below the rates it guards).
#ifndef SCIMFLOW_ENGINE_RATE_BUDGET_H_
#define SCIMFLOW_ENGINE_RATE_BUDGET_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/status.h"
#include "engine/target_profile.h"

namespace scimflow {

// The budget names (SPEC §5) are those of engine/target_profile.h, shared with the planner and
// `scimflow sim --budget NAME=N/PERIOD`.
namespace budget_names = budget;

struct BucketSpec {
  std::string name;
  uint64_t amount = 0;                // N; REQUIRES > 0
  std::chrono::nanoseconds period{};  // PERIOD; REQUIRES > 0
  uint64_t burst = 0;                 // bucket capacity in tokens; 0 means `amount`
  bool per_scope = false;             // one bucket per scope (per group), created on first use
};

// A profile's budget (engine/target_profile.h) as a bucket of `limit` tokens per period.
BucketSpec BucketSpecFromProfile(const RateBudgetSpec& budget);

// Parses `NAME=N/PERIOD`, e.g. `user-assignments=1000/h`, `writes=180/1m`, `requests=5000/3600s`.
// PERIOD is an optional positive count followed by a unit: s, m (or min), h, d.
// `group-member-adds` is per scope. Errors: kInvalidArgument naming the malformed part, e.g.
// `budget "writes=180": expected NAME=N/PERIOD`.
Result<BucketSpec> ParseBucketSpec(std::string_view text);

// One budget an operation counts against. `scope` selects the bucket of a per-scope budget (the
// group's externalId for group-member-adds) and is ignored otherwise.
struct BudgetDraw {
  std::string_view budget;
  std::string_view scope;
  uint64_t amount = 1;
};

struct AcquireResult {
  bool acquired = false;
  // When !acquired: how long until every draw could succeed, as far as is known now.
  std::chrono::nanoseconds wait{0};
  // When !acquired: the name of the budget that needs the longest wait.
  std::string limiting_budget;
};

class RateBudget {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;

  // Buckets start full at `now`. REQUIRES: names are distinct, amounts and periods positive.
  RateBudget(std::vector<BucketSpec> specs, TimePoint now);

  // Takes every draw, or none. REQUIRES: no two draws name the same bucket.
  // Errors: kInvalidArgument when a draw is larger than its bucket's capacity (it could never
  // succeed), e.g. `draw of 1500 on group-member-adds exceeds its capacity of 1000`.
  Result<AcquireResult> TryAcquire(std::span<const BudgetDraw> draws, TimePoint now);

  // Gives back draws taken by TryAcquire for a request that never left (connect failed). Never
  // fills a bucket beyond its capacity.
  void Refund(std::span<const BudgetDraw> draws, TimePoint now);

  // Applies the target's x-ratelimit-remaining (and reset, when remaining is 0) to a bucket.
  void ObserveRemaining(std::string_view budget, std::string_view scope, int64_t remaining,
                        std::optional<std::chrono::nanoseconds> reset_after, TimePoint now);

  // Nothing is taken from the bucket before `until` (a Retry-After); for a budget that is not
  // configured, no draw on it (that scope of it) succeeds before `until`. Later pauses never
  // shorten earlier ones.
  void PauseUntil(std::string_view budget, std::string_view scope, TimePoint until, TimePoint now);
  // Holds back every draw, configured budget or not, until `until` (a rate-limit answer that
  // does not say which budget). Acquires in that time name `requests` as the limiting budget:
  // such answers describe the token's request budget.
  void PauseAll(TimePoint until);

  // Whole tokens in the bucket at `now`; nullopt when the budget is not configured.
  std::optional<uint64_t> Available(std::string_view budget, std::string_view scope,
                                    TimePoint now) const;

  // How long the remaining work takes at the allowed rates: `remaining` holds the total amount
  // still to draw from each bucket (one entry per group for group-member-adds). Budgets drain in
  // parallel, so the answer is the longest of them, tokens on hand and pauses counted.
  std::chrono::nanoseconds EstimateDuration(std::span<const BudgetDraw> remaining,
                                            TimePoint now) const;

 private:
  // Levels are in ticks: one token is period-in-nanoseconds ticks (see the file comment).
  using Ticks = __int128;
  // Lets the per-group map be probed with a string_view, without building a std::string.
  struct ScopeHash {
    using is_transparent = void;
    size_t operator()(std::string_view scope) const { return std::hash<std::string_view>()(scope); }
  };
  struct Bucket {
    Ticks level = 0;
    TimePoint updated;
    TimePoint paused_until;
  };
  struct Budget {
    BucketSpec spec;
    Ticks capacity = 0;
    Ticks token = 0;  // ticks per token: the period in nanoseconds
    Bucket shared;    // used when !spec.per_scope
    std::unordered_map<std::string, Bucket, ScopeHash, std::equal_to<>> scoped;
  };

  // The bucket a draw refers to, created (full) if it is a new scope; nullptr if the budget is
  // not configured.
  Bucket* FindBucket(std::string_view budget, std::string_view scope, TimePoint now,
                     Budget** owner);
  const Bucket* FindBucket(std::string_view budget, std::string_view scope,
                           const Budget** owner) const;
  // The bucket's level at `now` without changing it.
  static Ticks LevelAt(const Budget& owner, const Bucket& bucket, TimePoint now);
  static void Refill(const Budget& owner, Bucket* bucket, TimePoint now);
  // Time until `bucket` holds `need` ticks and is not paused.
  static std::chrono::nanoseconds WaitFor(const Budget& owner, const Bucket& bucket, Ticks need,
                                          TimePoint now);

  // The pause on draws of a budget that is not configured (PauseUntil), by budget and scope;
  // entries are dropped once past.
  TimePoint UnconfiguredPause(std::string_view budget, std::string_view scope) const;
  // The key of unconfigured_pauses_: budget name + '\0' + scope.
  static std::string PauseKey(std::string_view budget, std::string_view scope);

  mutable std::mutex mutex_;
  std::map<std::string, Budget, std::less<>> budgets_;  // guarded by mutex_
  // Pauses of budgets that are not configured, by PauseKey → until. Guarded by mutex_.
  std::map<std::string, TimePoint, std::less<>> unconfigured_pauses_;
  TimePoint paused_all_until_{};  // PauseAll; guarded by mutex_
};

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_RATE_BUDGET_H_
