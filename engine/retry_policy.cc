#include "engine/retry_policy.h"

#include <algorithm>

namespace scimflow {

using std::chrono::milliseconds;

std::string_view RetryActionName(RetryAction action) {
  switch (action) {
    case RetryAction::kDone:
      return "done";
    case RetryAction::kRetryAfterWait:
      return "retry after wait";
    case RetryAction::kLookUpFirst:
      return "look up first";
    case RetryAction::kFail:
      return "fail";
    case RetryAction::kStopRun:
      return "stop run";
  }
  return "fail";
}

RetryPolicy::RetryPolicy(RetryOptions options)
    : options_(options), random_(options.seed != 0 ? options.seed : std::random_device()()) {}

milliseconds RetryPolicy::BackoffCap(uint32_t attempts) const {
  const int64_t max_ms = options_.max_backoff.count();
  int64_t cap_ms = options_.initial_backoff.count();
  // Doubling stops at the cap, so no shift can overflow whatever `attempts` is.
  for (uint32_t doubling = 1; doubling < attempts && cap_ms < max_ms; ++doubling) cap_ms *= 2;
  return milliseconds(std::min(cap_ms, max_ms));
}

milliseconds RetryPolicy::Backoff(uint32_t attempts) {
  const int64_t cap_ms = BackoffCap(attempts).count();
  std::uniform_int_distribution<int64_t> distribution(0, std::max<int64_t>(cap_ms, 0));
  return milliseconds(distribution(random_));
}

RetryDecision RetryPolicy::Decide(const Status& outcome, uint32_t attempts,
                                  std::optional<std::chrono::seconds> server_wait) {
  const uint32_t made = std::max<uint32_t>(attempts, 1);
  switch (outcome.code()) {
    case StatusCode::kOk:
      return {RetryAction::kDone, milliseconds(0)};
    case StatusCode::kResourceExhausted: {
      if (made >= options_.max_rate_limited_attempts) return {RetryAction::kFail, milliseconds(0)};
      // The target said when; waiting exactly that long spends the budget without waste.
      if (server_wait) return {RetryAction::kRetryAfterWait, *server_wait};
      return {RetryAction::kRetryAfterWait, Backoff(made)};
    }
    case StatusCode::kUnavailable: {
      if (made >= options_.max_attempts) return {RetryAction::kFail, milliseconds(0)};
      milliseconds delay = Backoff(made);
      if (server_wait) delay = std::max<milliseconds>(delay, *server_wait);
      return {RetryAction::kRetryAfterWait, delay};
    }
    case StatusCode::kAborted:
      return {RetryAction::kLookUpFirst, milliseconds(0)};
    case StatusCode::kUnauthenticated:
      return {RetryAction::kStopRun, milliseconds(0)};
    default:
      return {RetryAction::kFail, milliseconds(0)};
  }
}

}  // namespace scimflow
