#include "engine/rate_budget.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace scimflow {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;
using TimePoint = RateBudget::TimePoint;

const TimePoint kStart{hours(1000)};

// The github-emu budgets exactly as the shared target profile defines them.
std::vector<BucketSpec> GithubEmu() {
  std::vector<BucketSpec> specs;
  for (const TargetProfile& profile : BuiltinProfiles()) {
    if (profile.name != "github-emu") continue;
    for (const RateBudgetSpec& budget : profile.budgets) {
      specs.push_back(BucketSpecFromProfile(budget));
    }
  }
  EXPECT_EQ(specs.size(), 4u);
  return specs;
}

BucketSpec Spec(const char* text) { return *ParseBucketSpec(text); }

const BudgetDraw kCreateDraws[] = {
    {budget_names::kUserAssignments, "", 1},
    {budget_names::kRequests, "", 1},
    {budget_names::kWrites, "", 1},
};

TEST(RateBudgetTest, ParsesNamePerPeriod) {
  const BucketSpec spec = Spec("writes=180/1m");
  EXPECT_EQ(spec.name, "writes");
  EXPECT_EQ(spec.amount, 180u);
  EXPECT_EQ(spec.period, minutes(1));
  EXPECT_FALSE(spec.per_scope);
  EXPECT_EQ(Spec("requests=5000/3600s").period, hours(1));
  EXPECT_EQ(Spec("x=1/15min").period, minutes(15));
  EXPECT_EQ(Spec("x=7/2d").period, hours(48));
  EXPECT_TRUE(Spec("group-member-adds=1000/h").per_scope);
}

TEST(RateBudgetTest, RejectsMalformedSpecsWithTheReason) {
  EXPECT_EQ(ParseBucketSpec("writes=180").status().message(),
            "budget \"writes=180\": expected NAME=N/PERIOD");
  EXPECT_EQ(ParseBucketSpec("=1/h").status().message(), "budget \"=1/h\": expected NAME=N/PERIOD");
  EXPECT_EQ(ParseBucketSpec("writes=0/m").status().message(),
            "budget \"writes=0/m\": N must be a whole number from 1 to 1000000000");
  EXPECT_EQ(ParseBucketSpec("writes=-5/m").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseBucketSpec("writes=5/week").status().message(),
            "budget \"writes=5/week\": PERIOD must be s, m, h or d, optionally after a count");
  EXPECT_EQ(ParseBucketSpec("writes=5/0h").status().code(), StatusCode::kInvalidArgument);
}

TEST(RateBudgetTest, FullBucketThenExactlyOneTokenPerIntervalNeverFaster) {
  RateBudget budget({Spec("user-assignments=1000/h")}, kStart);
  const BudgetDraw draw[] = {{budget_names::kUserAssignments, "", 1}};
  for (int taken = 0; taken < 1000; ++taken) {
    ASSERT_TRUE(budget.TryAcquire(draw, kStart)->acquired) << taken;
  }
  const Result<AcquireResult> empty = budget.TryAcquire(draw, kStart);
  EXPECT_FALSE(empty->acquired);
  EXPECT_EQ(empty->wait, milliseconds(3600));
  EXPECT_EQ(empty->limiting_budget, "user-assignments");
  EXPECT_FALSE(budget.TryAcquire(draw, kStart + milliseconds(3599))->acquired);
  EXPECT_TRUE(budget.TryAcquire(draw, kStart + milliseconds(3600))->acquired);
  // Over the following ten hours exactly 10,000 more pass: no drift from rounding.
  int granted = 0;
  for (TimePoint now = kStart + milliseconds(3600); now <= kStart + hours(10) + milliseconds(3600);
       now += milliseconds(100)) {
    while (budget.TryAcquire(draw, now)->acquired) ++granted;
  }
  EXPECT_EQ(granted, 10'000);
}

TEST(RateBudgetTest, DrawsOnEveryBudgetAllOrNothing) {
  RateBudget budget(GithubEmu(), kStart);
  // 180 writes per minute bind first: the 181st create waits for a write token, and the
  // assignments it did not get are not spent.
  for (int taken = 0; taken < 180; ++taken)
    ASSERT_TRUE(budget.TryAcquire(kCreateDraws, kStart)->acquired);
  const Result<AcquireResult> blocked = budget.TryAcquire(kCreateDraws, kStart);
  EXPECT_FALSE(blocked->acquired);
  EXPECT_EQ(blocked->limiting_budget, "writes");
  EXPECT_EQ(blocked->wait, milliseconds(333) + nanoseconds(333'334));
  EXPECT_EQ(budget.Available(budget_names::kUserAssignments, "", kStart), 820u);
  EXPECT_EQ(budget.Available(budget_names::kRequests, "", kStart), 4820u);
  EXPECT_EQ(budget.Available(budget_names::kWrites, "", kStart), 0u);
}

TEST(RateBudgetTest, GroupMemberAddsHaveOneBucketPerGroup) {
  RateBudget budget(GithubEmu(), kStart);
  const BudgetDraw group_a[] = {{budget_names::kGroupMemberAdds, "group-a", 1000}};
  const BudgetDraw group_b[] = {{budget_names::kGroupMemberAdds, "group-b", 100}};
  EXPECT_TRUE(budget.TryAcquire(group_a, kStart)->acquired);
  EXPECT_TRUE(budget.TryAcquire(group_b, kStart)->acquired);
  const BudgetDraw more_a[] = {{budget_names::kGroupMemberAdds, "group-a", 100}};
  const Result<AcquireResult> blocked = budget.TryAcquire(more_a, kStart);
  EXPECT_FALSE(blocked->acquired);
  EXPECT_EQ(blocked->wait, minutes(6));
  EXPECT_EQ(budget.Available(budget_names::kGroupMemberAdds, "group-b", kStart), 900u);
  EXPECT_EQ(budget.Available(budget_names::kGroupMemberAdds, "group-c", kStart), 1000u);
}

TEST(RateBudgetTest, DrawLargerThanCapacityIsAnError) {
  RateBudget budget(GithubEmu(), kStart);
  const BudgetDraw draw[] = {{budget_names::kGroupMemberAdds, "g", 1500}};
  EXPECT_EQ(budget.TryAcquire(draw, kStart).status(),
            InvalidArgument("draw of 1500 on group-member-adds exceeds its capacity of 1000"));
}

TEST(RateBudgetTest, UnconfiguredBudgetsAreFree) {
  RateBudget budget({}, kStart);
  for (int taken = 0; taken < 10'000; ++taken) {
    ASSERT_TRUE(budget.TryAcquire(kCreateDraws, kStart)->acquired);
  }
  EXPECT_FALSE(budget.Available(budget_names::kWrites, "", kStart).has_value());
}

TEST(RateBudgetTest, RemainingFromTheTargetLowersTheBucketButNeverRaisesIt) {
  RateBudget budget(GithubEmu(), kStart);
  budget.ObserveRemaining(budget_names::kRequests, "", 10, std::nullopt, kStart);
  EXPECT_EQ(budget.Available(budget_names::kRequests, "", kStart), 10u);
  budget.ObserveRemaining(budget_names::kRequests, "", 4000, std::nullopt, kStart);
  EXPECT_EQ(budget.Available(budget_names::kRequests, "", kStart), 10u);
}

TEST(RateBudgetTest, RemainingZeroPausesUntilTheReset) {
  RateBudget budget(GithubEmu(), kStart);
  budget.ObserveRemaining(budget_names::kRequests, "", 0, minutes(10), kStart);
  const Result<AcquireResult> blocked = budget.TryAcquire(kCreateDraws, kStart + minutes(1));
  EXPECT_FALSE(blocked->acquired);
  EXPECT_EQ(blocked->wait, minutes(9));
  EXPECT_EQ(blocked->limiting_budget, "requests");
  EXPECT_TRUE(budget.TryAcquire(kCreateDraws, kStart + minutes(10))->acquired);
}

TEST(RateBudgetTest, RetryAfterPausesAndLaterPausesNeverShortenIt) {
  RateBudget budget(GithubEmu(), kStart);
  budget.PauseUntil(budget_names::kWrites, "", kStart + seconds(30), kStart);
  budget.PauseUntil(budget_names::kWrites, "", kStart + seconds(5), kStart);
  EXPECT_EQ(budget.TryAcquire(kCreateDraws, kStart + seconds(10))->wait, seconds(20));
  EXPECT_TRUE(budget.TryAcquire(kCreateDraws, kStart + seconds(30))->acquired);
  budget.PauseAll(kStart + minutes(2));
  EXPECT_EQ(budget.TryAcquire(kCreateDraws, kStart + minutes(1))->wait, minutes(1));
}

TEST(RateBudgetTest, APauseOfAllHoldsBackDrawsOnBudgetsNotConfigured) {
  RateBudget budget({}, kStart);  // ghes: no budgets unless configured.
  budget.PauseAll(kStart + seconds(5));
  const Result<AcquireResult> held = budget.TryAcquire(kCreateDraws, kStart + seconds(1));
  EXPECT_FALSE(held->acquired);
  EXPECT_EQ(held->wait, seconds(4));
  EXPECT_EQ(held->limiting_budget, "requests");
  const BudgetDraw lookup[] = {{budget_names::kRequests, "", 1}};
  EXPECT_FALSE(budget.TryAcquire(lookup, kStart + seconds(1))->acquired);
  const BudgetDraw remaining[] = {{budget_names::kUserAssignments, "", 100}};
  EXPECT_EQ(budget.EstimateDuration(remaining, kStart + seconds(1)), seconds(4));
  EXPECT_TRUE(budget.TryAcquire(kCreateDraws, kStart + seconds(5))->acquired);
}

TEST(RateBudgetTest, RetryAfterOnABudgetNotConfiguredHoldsBackOnlyTheDrawsOnIt) {
  RateBudget budget({Spec("writes=180/min")}, kStart);
  budget.PauseUntil(budget_names::kUserAssignments, "", kStart + seconds(3), kStart);
  budget.PauseUntil(budget_names::kGroupMemberAdds, "g-1", kStart + seconds(2), kStart);
  const Result<AcquireResult> create = budget.TryAcquire(kCreateDraws, kStart);
  EXPECT_FALSE(create->acquired);
  EXPECT_EQ(create->wait, seconds(3));
  EXPECT_EQ(create->limiting_budget, "user-assignments");
  const BudgetDraw update[] = {{budget_names::kRequests, "", 1}, {budget_names::kWrites, "", 1}};
  EXPECT_TRUE(budget.TryAcquire(update, kStart)->acquired);
  const BudgetDraw add_g1[] = {{budget_names::kGroupMemberAdds, "g-1", 5}};
  const BudgetDraw add_g2[] = {{budget_names::kGroupMemberAdds, "g-2", 5}};
  EXPECT_EQ(budget.TryAcquire(add_g1, kStart + seconds(1))->wait, seconds(1));
  EXPECT_TRUE(budget.TryAcquire(add_g2, kStart + seconds(1))->acquired);
  EXPECT_TRUE(budget.TryAcquire(add_g1, kStart + seconds(2))->acquired);
  // A later, shorter pause does not shorten it; past pauses no longer hold anything back.
  budget.PauseUntil(budget_names::kUserAssignments, "", kStart + seconds(1), kStart);
  EXPECT_EQ(budget.TryAcquire(kCreateDraws, kStart + seconds(2))->wait, seconds(1));
  EXPECT_TRUE(budget.TryAcquire(kCreateDraws, kStart + seconds(3))->acquired);
}

TEST(RateBudgetTest, RefundReturnsTokensUpToCapacity) {
  RateBudget budget({Spec("writes=10/m")}, kStart);
  const BudgetDraw draw[] = {{budget_names::kWrites, "", 4}};
  ASSERT_TRUE(budget.TryAcquire(draw, kStart)->acquired);
  EXPECT_EQ(budget.Available(budget_names::kWrites, "", kStart), 6u);
  budget.Refund(draw, kStart);
  budget.Refund(draw, kStart);
  EXPECT_EQ(budget.Available(budget_names::kWrites, "", kStart), 10u);
}

TEST(RateBudgetTest, EtaOfAHundredThousandUserMigrationIsAboutFourDays) {
  RateBudget budget(GithubEmu(), kStart);
  const BudgetDraw remaining[] = {
      {budget_names::kUserAssignments, "", 100'000},
      {budget_names::kRequests, "", 100'000},
      {budget_names::kWrites, "", 100'000},
  };
  const nanoseconds eta = budget.EstimateDuration(remaining, kStart);
  // The first 1000 go at once from the full bucket, the other 99,000 at 1000 per hour.
  EXPECT_EQ(eta, hours(99));  // The progress line says "about 4 days" (progress_test).
}

TEST(RateBudgetTest, EtaTakesTheSlowestGroupAndCountsPauses) {
  RateBudget budget(GithubEmu(), kStart);
  const BudgetDraw remaining[] = {
      {budget_names::kGroupMemberAdds, "big", 5'000},
      {budget_names::kGroupMemberAdds, "small", 10},
  };
  EXPECT_EQ(budget.EstimateDuration(remaining, kStart), hours(4));
  budget.PauseUntil(budget_names::kGroupMemberAdds, "small", kStart + hours(5), kStart);
  EXPECT_EQ(budget.EstimateDuration(remaining, kStart), hours(5));
}

}  // namespace
}  // namespace scimflow
