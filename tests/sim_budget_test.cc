// Rate budgets: the token buckets themselves (with a fake clock), `--budget` parsing, and the
// 429 answers over HTTP (Retry-After, x-ratelimit-*, and no state change).
#include "tools/sim/sim_budget.h"

#include <gtest/gtest.h>

#include <ctime>
#include <string>
#include <vector>

#include "engine/target_profile.h"
#include "tests/sim_fixture.h"

namespace scimflow {
namespace {

class FakeClock {
 public:
  SimBudgets::Clock AsClock() {
    return [this] { return now_; };
  }
  void Advance(double seconds) { now_ += seconds; }

 private:
  double now_ = 1000.0;
};

TEST(SimBudgetTest, BucketGrantsUpToTheLimitThenRefusesWithRetryAfter) {
  FakeClock clock;
  const BudgetSpec spec{BudgetKind::kWrites, 3, 60};  // 3/min: one token per 20 s.
  SimBudgets budgets({&spec, 1}, clock.AsClock());
  for (int request = 0; request < 3; ++request) {
    EXPECT_FALSE(budgets.TryTake(BudgetKind::kWrites, "", 1).has_value());
  }
  std::optional<BudgetState> refused = budgets.TryTake(BudgetKind::kWrites, "", 1);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->limit, 3u);
  EXPECT_EQ(refused->remaining, 0u);
  EXPECT_EQ(refused->retry_after_seconds, 20u);
  clock.Advance(19.5);
  ASSERT_TRUE(budgets.TryTake(BudgetKind::kWrites, "", 1).has_value());
  EXPECT_EQ(budgets.TryTake(BudgetKind::kWrites, "", 1)->retry_after_seconds, 1u);  // Rounded up.
  clock.Advance(0.5);
  EXPECT_FALSE(budgets.TryTake(BudgetKind::kWrites, "", 1).has_value());
}

TEST(SimBudgetTest, UnconfiguredBudgetsAndZeroCostsAreAlwaysGranted) {
  SimBudgets budgets({});
  EXPECT_FALSE(budgets.Has(BudgetKind::kRequests));
  EXPECT_FALSE(budgets.TryTake(BudgetKind::kRequests, "", 1000000).has_value());
  EXPECT_FALSE(budgets.Peek(BudgetKind::kRequests).has_value());
}

TEST(SimBudgetTest, GroupMemberAddsAreCountedPerGroup) {
  FakeClock clock;
  const BudgetSpec spec{BudgetKind::kGroupMemberAdds, 10, 3600};
  SimBudgets budgets({&spec, 1}, clock.AsClock());
  EXPECT_FALSE(budgets.TryTake(BudgetKind::kGroupMemberAdds, "g1", 10).has_value());
  EXPECT_TRUE(budgets.TryTake(BudgetKind::kGroupMemberAdds, "g1", 1).has_value());
  EXPECT_FALSE(budgets.TryTake(BudgetKind::kGroupMemberAdds, "g2", 10).has_value());
}

TEST(SimBudgetTest, CostAboveTheLimitIsRefusedForAFullPeriodAndTakesNothing) {
  FakeClock clock;
  const BudgetSpec spec{BudgetKind::kGroupMemberAdds, 10, 3600};
  SimBudgets budgets({&spec, 1}, clock.AsClock());
  std::optional<BudgetState> refused = budgets.TryTake(BudgetKind::kGroupMemberAdds, "g", 11);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->retry_after_seconds, 3600u);
  EXPECT_FALSE(budgets.TryTake(BudgetKind::kGroupMemberAdds, "g", 10).has_value());
}

TEST(SimBudgetTest, RefundGivesTokensBackUpToTheLimit) {
  FakeClock clock;
  const BudgetSpec spec{BudgetKind::kUserAssignments, 2, 3600};
  SimBudgets budgets({&spec, 1}, clock.AsClock());
  EXPECT_FALSE(budgets.TryTake(BudgetKind::kUserAssignments, "", 2).has_value());
  budgets.Refund(BudgetKind::kUserAssignments, "", 5);
  EXPECT_EQ(budgets.Peek(BudgetKind::kUserAssignments)->remaining, 2u);
}

TEST(SimBudgetTest, ResetIsWhenTheBucketIsFullAgainInEpochSeconds) {
  FakeClock clock;
  const BudgetSpec spec{BudgetKind::kRequests, 10, 10};  // One token per second.
  SimBudgets budgets({&spec, 1}, clock.AsClock());
  ASSERT_FALSE(budgets.TryTake(BudgetKind::kRequests, "", 4).has_value());
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  const int64_t reset = budgets.Peek(BudgetKind::kRequests)->reset_epoch_seconds;
  EXPECT_GE(reset, now + 4);
  EXPECT_LE(reset, now + 5);
}

TEST(SimBudgetTest, ParsesBudgetSpecs) {
  Result<BudgetSpec> spec = ParseBudgetSpec("user-assignments=600/min");
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->kind, BudgetKind::kUserAssignments);
  EXPECT_EQ(spec->limit, 600u);
  EXPECT_EQ(spec->period_seconds, 60u);
  EXPECT_EQ(ParseBudgetSpec("writes=5/s")->period_seconds, 1u);
  EXPECT_EQ(ParseBudgetSpec("group-member-adds=1000/h")->period_seconds, 3600u);
  EXPECT_EQ(ParseBudgetSpec("requests=5000/h")->kind, BudgetKind::kRequests);
}

TEST(SimBudgetTest, RejectsBadBudgetSpecsWithTheReason) {
  EXPECT_EQ(ParseBudgetSpec("writes").status().message(),
            "budget \"writes\": expected NAME=N/PERIOD");
  EXPECT_EQ(ParseBudgetSpec("reads=5/s").status().message(),
            "budget \"reads=5/s\": unknown name 'reads' (expected user-assignments, "
            "group-member-adds, requests or writes)");
  EXPECT_EQ(ParseBudgetSpec("writes=0/s").status().message(),
            "budget \"writes=0/s\": N must be a whole number from 1 to 1000000000");
  EXPECT_EQ(ParseBudgetSpec("writes=x5/s").status().message(),
            "budget \"writes=x5/s\": N must be a whole number from 1 to 1000000000");
  EXPECT_EQ(ParseBudgetSpec("writes=5/week").status().message(),
            "budget \"writes=5/week\": PERIOD must be s, m, h or d, optionally after a count");
}

TEST(SimBudgetTest, DefaultBudgetsAreTheGitHubProfilesTable) {
  const std::vector<BudgetSpec> budgets = GitHubDefaultBudgets();
  ASSERT_EQ(budgets.size(), 4u);
  for (const BudgetSpec& spec : budgets) {
    const RateBudgetSpec* profile = FindProfile("github-emu")->FindBudget(BudgetName(spec.kind));
    ASSERT_NE(profile, nullptr) << BudgetName(spec.kind);
    EXPECT_EQ(spec.limit, profile->limit);
    EXPECT_EQ(spec.period_seconds, profile->period_seconds);
  }
}

TEST(SimBudgetHttpTest, RequestsBudgetAnswers429WithRetryAfterAndRateHeaders) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--budget", "requests=3/h"}).ok());
  SimClient client = sim.Client();
  HttpReply first = client.Get("/Users");
  EXPECT_EQ(first.Header("x-ratelimit-limit"), "3");
  EXPECT_EQ(first.Header("x-ratelimit-remaining"), "2");
  client.Get("/Users");
  client.Get("/Users");
  const int64_t before = static_cast<int64_t>(std::time(nullptr));
  HttpReply refused = client.Post("/Users", SimUserBody("e1", "mona"));
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.body,
            R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"429",)"
            R"("detail":"rate limit exceeded: budget \"requests\" allows 3 per period"})");
  EXPECT_EQ(refused.Header("retry-after"), "1200");  // One request per 1200 s.
  EXPECT_EQ(refused.Header("x-ratelimit-limit"), "3");
  EXPECT_EQ(refused.Header("x-ratelimit-remaining"), "0");
  EXPECT_EQ(refused.Header("x-ratelimit-resource"), "requests");
  EXPECT_GE(std::stoll(refused.Header("x-ratelimit-reset")), before + 3599);
  SimStats stats = sim.Stats();
  EXPECT_EQ(stats.Number("/users"), 0u);
  EXPECT_EQ(stats.Number("/throttled"), 1u);
  EXPECT_EQ(stats.Number("/throttled_by_budget/requests"), 1u);
  EXPECT_EQ(stats.Number("/statuses/429"), 1u);
}

TEST(SimBudgetHttpTest, UserAssignmentsCountActiveCreatesAndReactivationsOnly) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--budget", "user-assignments=2/h"}).ok());
  SimClient client = sim.Client();
  const std::string first = JsonString(client.Post("/Users", SimUserBody("e1", "a")).body, "/id");
  EXPECT_EQ(client.Post("/Users", SimUserBody("e2", "b")).status, 201);
  HttpReply refused = client.Post("/Users", SimUserBody("e3", "c"));
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.Header("x-ratelimit-resource"), "user-assignments");
  EXPECT_EQ(refused.Header("retry-after"), "1800");
  // An inactive user is no assignment; a suspension neither.
  EXPECT_EQ(client.Post("/Users", SimUserBody("e4", "d", /*active=*/false)).status, 201);
  const std::string off = R"([{"op":"replace","path":"active","value":false}])";
  const std::string on = R"([{"op":"replace","path":"active","value":true}])";
  EXPECT_EQ(client.Patch("/Users/" + first, SimPatchBody(off)).status, 200);
  // A reactivation is one, refused here, and the user stays suspended.
  EXPECT_EQ(client.Patch("/Users/" + first, SimPatchBody(on)).status, 429);
  SimStats stats = sim.Stats();
  EXPECT_EQ(stats.Number("/users"), 3u);
  EXPECT_EQ(stats.Number("/active_users"), 1u);
  EXPECT_EQ(stats.Number("/throttled_by_budget/user-assignments"), 2u);
}

TEST(SimBudgetHttpTest, GroupMemberAddsArePerGroupAndARefusedPatchAddsNobody) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--budget", "group-member-adds=2/h"}).ok());
  SimClient client = sim.Client();
  std::vector<std::string> users;
  for (int number = 0; number < 3; ++number) {
    users.push_back(JsonString(
        client
            .Post("/Users", SimUserBody("e" + std::to_string(number), "u" + std::to_string(number)))
            .body,
        "/id"));
  }
  const std::string g1 = JsonString(client.Post("/Groups", SimGroupBody("g1", "G1")).body, "/id");
  const std::string g2 = JsonString(client.Post("/Groups", SimGroupBody("g2", "G2")).body, "/id");
  auto add = [&](const std::string& group, std::vector<int> members) {
    std::string value;
    for (int member : members) {
      value += (value.empty() ? "" : ",") + std::string(R"({"value":")") + users[member] + "\"}";
    }
    return client.Patch("/Groups/" + group,
                        SimPatchBody(R"([{"op":"add","path":"members","value":[)" + value + "]}]"));
  };
  EXPECT_EQ(add(g1, {0, 1}).status, 200);
  // Re-adding present members costs nothing; a new one is over the budget.
  EXPECT_EQ(add(g1, {0}).status, 200);
  HttpReply refused = add(g1, {1, 2});
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.Header("x-ratelimit-resource"), "group-member-adds");
  EXPECT_EQ(add(g2, {0, 1}).status, 200);
  EXPECT_EQ(sim.Stats().Number("/memberships"), 4u);
}

TEST(SimBudgetHttpTest, WritesBudgetLeavesReadsAlone) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--budget", "writes=1/min"}).ok());
  SimClient client = sim.Client();
  EXPECT_EQ(client.Post("/Users", SimUserBody("e1", "a")).status, 201);
  EXPECT_EQ(client.Post("/Users", SimUserBody("e2", "b")).status, 429);
  EXPECT_EQ(client.Get("/Users").status, 200);
  EXPECT_EQ(sim.Stats().Number("/users"), 1u);
}

TEST(SimBudgetHttpTest, GitHubBudgetsAdvertiseTheRequestLimit) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--github-budgets"}).ok());
  HttpReply reply = sim.Client().Get("/Users");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.Header("x-ratelimit-limit"), "5000");
  EXPECT_EQ(reply.Header("x-ratelimit-remaining"), "4999");
}

TEST(SimBudgetHttpTest, BadBudgetFlagIsAUsageError) {
  SimProcess sim;
  EXPECT_FALSE(sim.Start({"--budget", "writes=5/day"}).ok());
}

}  // namespace
}  // namespace scimflow
