#include "engine/retry_policy.h"

#include <gtest/gtest.h>

#include <vector>

namespace scimflow {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

RetryOptions Options(uint64_t seed = 42) {
  RetryOptions options;
  options.max_attempts = 5;
  options.max_rate_limited_attempts = 10;
  options.initial_backoff = milliseconds(100);
  options.max_backoff = milliseconds(1'000);
  options.seed = seed;
  return options;
}

TEST(RetryPolicyTest, SuccessIsDone) {
  RetryPolicy policy(Options());
  EXPECT_EQ(policy.Decide(Status::Ok(), 1, std::nullopt).action, RetryAction::kDone);
}

TEST(RetryPolicyTest, UnavailableBacksOffWithinTheDoublingCap) {
  RetryPolicy policy(Options());
  EXPECT_EQ(policy.BackoffCap(1), milliseconds(100));
  EXPECT_EQ(policy.BackoffCap(2), milliseconds(200));
  EXPECT_EQ(policy.BackoffCap(4), milliseconds(800));
  EXPECT_EQ(policy.BackoffCap(5), milliseconds(1'000));
  EXPECT_EQ(policy.BackoffCap(4'000'000'000u), milliseconds(1'000));
  const Status unavailable(StatusCode::kUnavailable, "HTTP 503");
  for (uint32_t attempt = 1; attempt < 5; ++attempt) {
    for (int draw = 0; draw < 200; ++draw) {
      const RetryDecision decision = policy.Decide(unavailable, attempt, std::nullopt);
      ASSERT_EQ(decision.action, RetryAction::kRetryAfterWait);
      ASSERT_GE(decision.delay, milliseconds(0));
      ASSERT_LE(decision.delay, policy.BackoffCap(attempt));
    }
  }
}

TEST(RetryPolicyTest, JitterSpreadsDelaysAndIsReproducibleWithASeed) {
  RetryPolicy first(Options(7));
  RetryPolicy second(Options(7));
  std::vector<milliseconds> delays;
  for (int draw = 0; draw < 50; ++draw) {
    const milliseconds delay = first.Backoff(4);
    EXPECT_EQ(delay, second.Backoff(4));
    delays.push_back(delay);
  }
  // Full jitter: draws cover the range instead of clustering at the cap.
  const auto [low, high] = std::minmax_element(delays.begin(), delays.end());
  EXPECT_LT(*low, milliseconds(200));
  EXPECT_GT(*high, milliseconds(600));
}

TEST(RetryPolicyTest, UnavailableFailsAfterMaxAttempts) {
  RetryPolicy policy(Options());
  EXPECT_EQ(policy.Decide(Status(StatusCode::kUnavailable, "timeout"), 5, std::nullopt).action,
            RetryAction::kFail);
}

TEST(RetryPolicyTest, ServerRetryAfterIsALowerBoundForBackoff) {
  RetryPolicy policy(Options());
  const RetryDecision decision =
      policy.Decide(Status(StatusCode::kUnavailable, "HTTP 503"), 1, seconds(5));
  EXPECT_EQ(decision.action, RetryAction::kRetryAfterWait);
  EXPECT_EQ(decision.delay, milliseconds(5'000));
}

TEST(RetryPolicyTest, RateLimitWaitsExactlyWhatTheTargetAsked) {
  RetryPolicy policy(Options());
  const Status limited(StatusCode::kResourceExhausted, "HTTP 429");
  const RetryDecision decision = policy.Decide(limited, 7, seconds(30));
  EXPECT_EQ(decision.action, RetryAction::kRetryAfterWait);
  EXPECT_EQ(decision.delay, milliseconds(30'000));
  EXPECT_EQ(policy.Decide(limited, 10, seconds(30)).action, RetryAction::kFail);
}

TEST(RetryPolicyTest, LostOrConflictedCreateIsNeverResentBlind) {
  RetryPolicy policy(Options());
  for (uint32_t attempt = 1; attempt < 20; ++attempt) {
    EXPECT_EQ(policy.Decide(Status(StatusCode::kAborted, "HTTP 409"), attempt, seconds(1)).action,
              RetryAction::kLookUpFirst);
  }
}

TEST(RetryPolicyTest, RefusedCredentialsStopTheRunAndOther4xxFailTheOperation) {
  RetryPolicy policy(Options());
  EXPECT_EQ(policy.Decide(Status(StatusCode::kUnauthenticated, "HTTP 401"), 1, std::nullopt).action,
            RetryAction::kStopRun);
  EXPECT_EQ(
      policy.Decide(Status(StatusCode::kFailedPrecondition, "HTTP 400"), 1, std::nullopt).action,
      RetryAction::kFail);
  EXPECT_EQ(RetryActionName(RetryAction::kLookUpFirst), "look up first");
}

}  // namespace
}  // namespace scimflow
