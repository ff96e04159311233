#include "engine/rate_budget.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace scimflow {
namespace {

using std::chrono::nanoseconds;

std::optional<uint64_t> ParseCount(std::string_view text) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || ptr != end) return std::nullopt;
  return value;
}

// "h", "1h", "3600s", "15min" → the duration; nullopt when malformed or zero.
std::optional<nanoseconds> ParsePeriod(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  uint64_t count = 1;
  if (digits > 0) {
    const std::optional<uint64_t> parsed = ParseCount(text.substr(0, digits));
    if (!parsed || *parsed == 0 || *parsed > 1'000'000) return std::nullopt;
    count = *parsed;
  }
  const std::string_view unit = text.substr(digits);
  nanoseconds unit_length{0};
  if (unit == "s") {
    unit_length = std::chrono::seconds(1);
  } else if (unit == "m" || unit == "min") {
    unit_length = std::chrono::minutes(1);
  } else if (unit == "h") {
    unit_length = std::chrono::hours(1);
  } else if (unit == "d") {
    unit_length = std::chrono::hours(24);
  } else {
    return std::nullopt;
  }
  return unit_length * static_cast<int64_t>(count);
}

Status BadSpec(std::string_view text, std::string_view what) {
  return InvalidArgument(fmt::format("budget \"{}\": {}", text, what));
}

}  // namespace

Result<BucketSpec> ParseBucketSpec(std::string_view text) {
  const size_t equals = text.find('=');
  const size_t slash = text.find('/', equals == std::string_view::npos ? 0 : equals);
  if (equals == std::string_view::npos || equals == 0 || slash == std::string_view::npos) {
    return BadSpec(text, "expected NAME=N/PERIOD");
  }
  BucketSpec spec;
  spec.name = std::string(text.substr(0, equals));
  const std::optional<uint64_t> amount = ParseCount(text.substr(equals + 1, slash - equals - 1));
  // A billion per period is far beyond any target; the bound keeps tick arithmetic in range.
  if (!amount || *amount == 0 || *amount > 1'000'000'000) {
    return BadSpec(text, "N must be a whole number from 1 to 1000000000");
  }
  const std::optional<nanoseconds> period = ParsePeriod(text.substr(slash + 1));
  if (!period) return BadSpec(text, "PERIOD must be s, m, h or d, optionally after a count");
  spec.amount = *amount;
  spec.period = *period;
  spec.per_scope = spec.name == budget_names::kGroupMemberAdds;
  return spec;
}

BucketSpec BucketSpecFromProfile(const RateBudgetSpec& budget) {
  BucketSpec spec;
  spec.name = std::string(budget.name);
  spec.amount = budget.limit;
  spec.period = std::chrono::seconds(budget.period_seconds);
  spec.per_scope = budget.per_group;
  return spec;
}

RateBudget::RateBudget(std::vector<BucketSpec> specs, TimePoint now) {
  for (BucketSpec& spec : specs) {
    Budget budget;
    budget.token = spec.period.count();
    budget.capacity = static_cast<Ticks>(spec.burst != 0 ? spec.burst : spec.amount) * budget.token;
    budget.shared = Bucket{budget.capacity, now, now};
    budget.spec = std::move(spec);
    std::string name = budget.spec.name;
    budgets_.emplace(std::move(name), std::move(budget));
  }
}

RateBudget::Ticks RateBudget::LevelAt(const Budget& owner, const Bucket& bucket, TimePoint now) {
  if (now <= bucket.updated) return bucket.level;
  const Ticks elapsed = (now - bucket.updated).count();
  return std::min(owner.capacity, bucket.level + elapsed * static_cast<Ticks>(owner.spec.amount));
}

void RateBudget::Refill(const Budget& owner, Bucket* bucket, TimePoint now) {
  bucket->level = LevelAt(owner, *bucket, now);
  bucket->updated = std::max(bucket->updated, now);
}

nanoseconds RateBudget::WaitFor(const Budget& owner, const Bucket& bucket, Ticks need,
                                TimePoint now) {
  const Ticks level = LevelAt(owner, bucket, now);
  Ticks wait_ns = 0;
  if (level < need) {
    // Ceiling division: waiting one nanosecond too little would fail the retry.
    const Ticks rate = owner.spec.amount;
    wait_ns = (need - level + rate - 1) / rate;
  }
  const Ticks pause_ns = bucket.paused_until > now ? (bucket.paused_until - now).count() : 0;
  return nanoseconds(static_cast<int64_t>(std::max(wait_ns, pause_ns)));
}

RateBudget::Bucket* RateBudget::FindBucket(std::string_view budget, std::string_view scope,
                                           TimePoint now, Budget** owner) {
  const auto found = budgets_.find(budget);
  if (found == budgets_.end()) return nullptr;
  *owner = &found->second;
  if (!found->second.spec.per_scope) return &found->second.shared;
  auto& scoped = found->second.scoped;
  auto bucket = scoped.find(scope);
  if (bucket == scoped.end()) {
    bucket = scoped.emplace(std::string(scope), Bucket{found->second.capacity, now, now}).first;
  }
  return &bucket->second;
}

const RateBudget::Bucket* RateBudget::FindBucket(std::string_view budget, std::string_view scope,
                                                 const Budget** owner) const {
  const auto found = budgets_.find(budget);
  if (found == budgets_.end()) return nullptr;
  *owner = &found->second;
  if (!found->second.spec.per_scope) return &found->second.shared;
  const auto bucket = found->second.scoped.find(scope);
  // A scope never drawn on is a full bucket: the shared one's template stands in for it.
  return bucket == found->second.scoped.end() ? nullptr : &bucket->second;
}

Result<AcquireResult> RateBudget::TryAcquire(std::span<const BudgetDraw> draws, TimePoint now) {
  std::lock_guard lock(mutex_);
  // Small fixed buffer: an operation draws on at most a handful of budgets.
  constexpr size_t kMaxDraws = 8;
  if (draws.size() > kMaxDraws) return InvalidArgument("more than 8 budget draws in one acquire");
  Bucket* buckets[kMaxDraws] = {};
  Budget* owners[kMaxDraws] = {};
  AcquireResult result;
  if (now < paused_all_until_) {
    result.wait = paused_all_until_ - now;
    result.limiting_budget = budget::kRequests;
  }
  for (size_t index = 0; index < draws.size(); ++index) {
    const BudgetDraw& draw = draws[index];
    buckets[index] = FindBucket(draw.budget, draw.scope, now, &owners[index]);
    if (buckets[index] == nullptr) {
      const TimePoint paused = UnconfiguredPause(draw.budget, draw.scope);
      if (now < paused && paused - now > result.wait) {
        result.wait = paused - now;
        result.limiting_budget = draw.budget;
      }
      continue;
    }
    const Ticks need = static_cast<Ticks>(draw.amount) * owners[index]->token;
    if (need > owners[index]->capacity) {
      return InvalidArgument(
          fmt::format("draw of {} on {} exceeds its capacity of {}", draw.amount, draw.budget,
                      static_cast<uint64_t>(owners[index]->capacity / owners[index]->token)));
    }
    const nanoseconds wait = WaitFor(*owners[index], *buckets[index], need, now);
    if (wait > result.wait) {
      result.wait = wait;
      result.limiting_budget = owners[index]->spec.name;
    }
  }
  if (result.wait > nanoseconds(0)) return result;
  for (size_t index = 0; index < draws.size(); ++index) {
    if (buckets[index] == nullptr) continue;
    Refill(*owners[index], buckets[index], now);
    buckets[index]->level -= static_cast<Ticks>(draws[index].amount) * owners[index]->token;
  }
  result.acquired = true;
  return result;
}

void RateBudget::Refund(std::span<const BudgetDraw> draws, TimePoint now) {
  std::lock_guard lock(mutex_);
  for (const BudgetDraw& draw : draws) {
    Budget* owner = nullptr;
    Bucket* bucket = FindBucket(draw.budget, draw.scope, now, &owner);
    if (bucket == nullptr) continue;
    Refill(*owner, bucket, now);
    bucket->level =
        std::min(owner->capacity, bucket->level + static_cast<Ticks>(draw.amount) * owner->token);
  }
}

void RateBudget::ObserveRemaining(std::string_view budget, std::string_view scope,
                                  int64_t remaining, std::optional<nanoseconds> reset_after,
                                  TimePoint now) {
  std::lock_guard lock(mutex_);
  Budget* owner = nullptr;
  Bucket* bucket = FindBucket(budget, scope, now, &owner);
  if (bucket == nullptr) return;
  Refill(*owner, bucket, now);
  const Ticks reported = static_cast<Ticks>(std::max<int64_t>(remaining, 0)) * owner->token;
  bucket->level = std::min(bucket->level, reported);
  if (remaining <= 0 && reset_after) {
    bucket->paused_until = std::max(bucket->paused_until, now + *reset_after);
  }
}

std::string RateBudget::PauseKey(std::string_view budget, std::string_view scope) {
  std::string key(budget);
  key.push_back('\0');
  key.append(scope);
  return key;
}

void RateBudget::PauseUntil(std::string_view budget, std::string_view scope, TimePoint until,
                            TimePoint now) {
  std::lock_guard lock(mutex_);
  Budget* owner = nullptr;
  Bucket* bucket = FindBucket(budget, scope, now, &owner);
  if (bucket != nullptr) {
    bucket->paused_until = std::max(bucket->paused_until, until);
    return;
  }
  // Forget pauses already past, so a run of days keeps only the live ones.
  std::erase_if(unconfigured_pauses_, [&](const auto& entry) { return entry.second <= now; });
  TimePoint& paused = unconfigured_pauses_[PauseKey(budget, scope)];
  paused = std::max(paused, until);
}

RateBudget::TimePoint RateBudget::UnconfiguredPause(std::string_view budget,
                                                    std::string_view scope) const {
  if (unconfigured_pauses_.empty()) return TimePoint{};
  const auto found = unconfigured_pauses_.find(PauseKey(budget, scope));
  return found == unconfigured_pauses_.end() ? TimePoint{} : found->second;
}

void RateBudget::PauseAll(TimePoint until) {
  std::lock_guard lock(mutex_);
  paused_all_until_ = std::max(paused_all_until_, until);
  for (auto& [name, budget] : budgets_) {
    budget.shared.paused_until = std::max(budget.shared.paused_until, until);
    for (auto& [scope, bucket] : budget.scoped) {
      bucket.paused_until = std::max(bucket.paused_until, until);
    }
  }
}

std::optional<uint64_t> RateBudget::Available(std::string_view budget, std::string_view scope,
                                              TimePoint now) const {
  std::lock_guard lock(mutex_);
  const auto found = budgets_.find(budget);
  if (found == budgets_.end()) return std::nullopt;
  const Budget* owner = nullptr;
  const Bucket* bucket = FindBucket(budget, scope, &owner);
  if (bucket == nullptr) return static_cast<uint64_t>(found->second.capacity / found->second.token);
  return static_cast<uint64_t>(LevelAt(*owner, *bucket, now) / owner->token);
}

nanoseconds RateBudget::EstimateDuration(std::span<const BudgetDraw> remaining,
                                         TimePoint now) const {
  std::lock_guard lock(mutex_);
  nanoseconds longest = now < paused_all_until_ ? paused_all_until_ - now : nanoseconds(0);
  for (const BudgetDraw& draw : remaining) {
    const auto found = budgets_.find(draw.budget);
    if (found == budgets_.end()) continue;
    const Budget& owner = found->second;
    const Bucket* bucket = nullptr;
    const Budget* unused = nullptr;
    bucket = FindBucket(draw.budget, draw.scope, &unused);
    const Bucket full{owner.capacity, now, now};
    const Bucket& state = bucket != nullptr ? *bucket : full;
    const Ticks need = static_cast<Ticks>(draw.amount) * owner.token;
    // Unlike WaitFor, `need` may exceed the capacity here: the bucket drains and refills.
    longest = std::max(longest, WaitFor(owner, state, need, now));
  }
  return longest;
}

}  // namespace scimflow
