#include "tools/sim/sim_budget.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace scimflow {
namespace {

double SteadySeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int64_t EpochSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

SimBudgets::SimBudgets(std::span<const BudgetSpec> specs, Clock clock)
    : clock_(clock ? std::move(clock) : Clock(SteadySeconds)) {
  const double now = clock_();
  SimWriteLock lock(&mutex_);
  for (const BudgetSpec& spec : specs) {
    specs_[static_cast<int>(spec.kind)] = spec;
    buckets_[static_cast<int>(spec.kind)] = {static_cast<double>(spec.limit), now};
  }
}

SimBudgets::Bucket* SimBudgets::FindBucket(BudgetKind kind, std::string_view key, double now) {
  const BudgetSpec& spec = *specs_[static_cast<int>(kind)];
  if (kind != BudgetKind::kGroupMemberAdds) return &buckets_[static_cast<int>(kind)];
  auto [slot, inserted] = group_buckets_.try_emplace(std::string(key));
  if (inserted) slot->second = {static_cast<double>(spec.limit), now};
  return &slot->second;
}

void SimBudgets::Refill(const BudgetSpec& spec, double now, Bucket* bucket) const {
  const double rate = static_cast<double>(spec.limit) / static_cast<double>(spec.period_seconds);
  // Readings taken by racing threads before they got the lock may be slightly out of order.
  const double elapsed = std::max(0.0, now - bucket->updated);
  bucket->tokens =
      std::min<double>(static_cast<double>(spec.limit), bucket->tokens + elapsed * rate);
  bucket->updated = std::max(bucket->updated, now);
}

BudgetState SimBudgets::StateOf(const BudgetSpec& spec, const Bucket& bucket, double now,
                                double wanted) const {
  const double rate = static_cast<double>(spec.limit) / static_cast<double>(spec.period_seconds);
  BudgetState state;
  state.kind = spec.kind;
  state.limit = spec.limit;
  state.remaining = static_cast<uint64_t>(std::floor(std::max(0.0, bucket.tokens)));
  if (wanted > static_cast<double>(spec.limit)) {
    state.retry_after_seconds = spec.period_seconds;  // Never satisfiable: say "a period".
  } else if (wanted > bucket.tokens) {
    state.retry_after_seconds = static_cast<uint64_t>(std::ceil((wanted - bucket.tokens) / rate));
  }
  const double to_full = (static_cast<double>(spec.limit) - bucket.tokens) / rate;
  state.reset_epoch_seconds = EpochSeconds() + static_cast<int64_t>(std::ceil(to_full));
  return state;
}

std::optional<BudgetState> SimBudgets::TryTake(BudgetKind kind, std::string_view key,
                                               uint64_t cost) {
  const std::optional<BudgetSpec>& spec = specs_[static_cast<int>(kind)];
  if (!spec || cost == 0) return std::nullopt;
  const double now = clock_();
  SimWriteLock lock(&mutex_);
  Bucket* bucket = FindBucket(kind, key, now);
  Refill(*spec, now, bucket);
  const auto wanted = static_cast<double>(cost);
  if (wanted > bucket->tokens) return StateOf(*spec, *bucket, now, wanted);
  bucket->tokens -= wanted;
  return std::nullopt;
}

void SimBudgets::Refund(BudgetKind kind, std::string_view key, uint64_t cost) {
  const std::optional<BudgetSpec>& spec = specs_[static_cast<int>(kind)];
  if (!spec || cost == 0) return;
  const double now = clock_();
  SimWriteLock lock(&mutex_);
  Bucket* bucket = FindBucket(kind, key, now);
  bucket->tokens = std::min<double>(static_cast<double>(spec->limit),
                                    bucket->tokens + static_cast<double>(cost));
}

std::optional<BudgetState> SimBudgets::Peek(BudgetKind kind) {
  const std::optional<BudgetSpec>& spec = specs_[static_cast<int>(kind)];
  if (!spec) return std::nullopt;
  const double now = clock_();
  SimWriteLock lock(&mutex_);
  Bucket* bucket = FindBucket(kind, "", now);
  Refill(*spec, now, bucket);
  return StateOf(*spec, *bucket, now, 0.0);
}

}  // namespace scimflow
