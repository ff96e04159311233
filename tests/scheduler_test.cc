#include "engine/scheduler.h"

#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

namespace scimflow {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// A PlanOperation's strings are views (into its plan's text): the test's live here.
std::string_view Keep(std::string text) {
  static std::deque<std::string> kept;
  return kept.emplace_back(std::move(text));
}

PlanOperation Op(std::string id, OperationKind kind, std::string external_id = "x",
                 std::vector<uint32_t> deps = {}, uint32_t members = 0) {
  PlanOperation operation;
  operation.op_id = Keep(std::move(id));
  operation.kind = kind;
  operation.external_id = Keep(std::move(external_id));
  operation.deps = std::move(deps);
  operation.members = members;
  operation.method =
      kind == OperationKind::kUserCreate || kind == OperationKind::kGroupCreate ? "POST" : "PATCH";
  return operation;
}

class SchedulerTest : public ::testing::Test {
 protected:
  RateBudget::TimePoint now_{};

  // Drains every ready operation, completing each, and returns the op ids in send order.
  std::vector<std::string> DrainAll(Scheduler& scheduler, const std::vector<PlanOperation>& ops) {
    std::vector<std::string> order;
    while (true) {
      Scheduler::Pick pick = scheduler.Next(now_);
      if (pick.index == Scheduler::kNone) break;
      order.emplace_back(ops[pick.index].op_id);
      scheduler.Complete(pick.index);
    }
    return order;
  }
};

TEST_F(SchedulerTest, LeavesInPriorityOrder) {
  const std::vector<PlanOperation> ops = {
      Op("gdel", OperationKind::kGroupDelete),      Op("add", OperationKind::kGroupMembersAdd),
      Op("rm", OperationKind::kGroupMembersRemove), Op("gcreate", OperationKind::kGroupCreate),
      Op("create", OperationKind::kUserCreate),     Op("react", OperationKind::kUserReactivate),
      Op("update", OperationKind::kUserUpdate),     Op("roles", OperationKind::kUserRoles),
      Op("deact", OperationKind::kUserDeactivate),
  };
  RateBudget budget({}, now_);
  Scheduler scheduler(ops, &budget);
  scheduler.Start();
  EXPECT_EQ(DrainAll(scheduler, ops),
            (std::vector<std::string>{"deact", "roles", "update", "react", "create", "gcreate",
                                      "rm", "add", "gdel"}));
  EXPECT_EQ(scheduler.unfinished(), 0u);
}

TEST_F(SchedulerTest, MemberAddWaitsOnlyForTheCreatesItNames) {
  const std::vector<PlanOperation> ops = {
      Op("u1", OperationKind::kUserCreate, "e1"),
      Op("u2", OperationKind::kUserCreate, "e2"),
      Op("g", OperationKind::kGroupCreate, "g"),
      Op("add", OperationKind::kGroupMembersAdd, "g", {2, 0}, 1),
  };
  RateBudget budget({}, now_);
  Scheduler scheduler(ops, &budget);
  scheduler.Start();
  Scheduler::Pick first = scheduler.Next(now_);
  Scheduler::Pick second = scheduler.Next(now_);
  Scheduler::Pick third = scheduler.Next(now_);
  EXPECT_EQ(ops[first.index].op_id, "u1");
  EXPECT_EQ(ops[second.index].op_id, "u2");
  EXPECT_EQ(ops[third.index].op_id, "g");
  EXPECT_EQ(scheduler.Next(now_).index, Scheduler::kNone);
  scheduler.Complete(third.index);
  EXPECT_EQ(scheduler.Next(now_).index, Scheduler::kNone);
  scheduler.Complete(first.index);  // u2 still in flight: the add does not wait for it.
  EXPECT_EQ(ops[scheduler.Next(now_).index].op_id, "add");
}

TEST_F(SchedulerTest, FailedDependencyFailsItsDependentsNamingIt) {
  const std::vector<PlanOperation> ops = {
      Op("u:e-2:create", OperationKind::kUserCreate, "e-2"),
      Op("g:g:create", OperationKind::kGroupCreate, "g"),
      Op("g:g:add:1", OperationKind::kGroupMembersAdd, "g", {1, 0}, 1),
  };
  RateBudget budget({}, now_);
  Scheduler scheduler(ops, &budget);
  scheduler.Start();
  const uint32_t user = scheduler.Next(now_).index;
  const uint32_t group = scheduler.Next(now_).index;
  scheduler.Complete(group);
  const std::vector<Scheduler::DependentFailure> failures = scheduler.Fail(user);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].index, 2u);
  EXPECT_EQ(failures[0].error, "dependency \"u:e-2:create\" failed");
  EXPECT_EQ(scheduler.unfinished(), 0u);
  EXPECT_EQ(scheduler.Next(now_).index, Scheduler::kNone);
}

TEST_F(SchedulerTest, SkippedOperationsCountAsDoneForDependents) {
  const std::vector<PlanOperation> ops = {
      Op("u", OperationKind::kUserCreate, "e"),
      Op("g", OperationKind::kGroupCreate, "g"),
      Op("add", OperationKind::kGroupMembersAdd, "g", {1, 0}, 1),
  };
  RateBudget budget({}, now_);
  Scheduler scheduler(ops, &budget);
  scheduler.MarkSkipped(0);
  scheduler.MarkSkipped(1);
  scheduler.Start();
  EXPECT_EQ(DrainAll(scheduler, ops), (std::vector<std::string>{"add"}));
}

TEST_F(SchedulerTest, WaitsForTheBudgetAndSaysWhich) {
  std::vector<PlanOperation> ops;
  for (int user = 0; user < 3; ++user) {
    ops.push_back(Op("u" + std::to_string(user), OperationKind::kUserCreate));
  }
  RateBudget budget({{std::string(budget::kUserAssignments), 2, minutes(1), 0, false}}, now_);
  Scheduler scheduler(ops, &budget);
  scheduler.Start();
  EXPECT_NE(scheduler.Next(now_).index, Scheduler::kNone);
  EXPECT_NE(scheduler.Next(now_).index, Scheduler::kNone);
  Scheduler::Pick held = scheduler.Next(now_);
  EXPECT_EQ(held.index, Scheduler::kNone);
  EXPECT_EQ(held.wait, seconds(30));
  EXPECT_EQ(held.limiting_budget, "user-assignments");
  now_ += seconds(30);
  EXPECT_EQ(ops[scheduler.Next(now_).index].op_id, "u2");
}

TEST_F(SchedulerTest, MemberAddsOfAnotherGroupGoWhileOneGroupIsExhausted) {
  const std::vector<PlanOperation> ops = {
      Op("a1", OperationKind::kGroupMembersAdd, "ga", {}, 10),
      Op("a2", OperationKind::kGroupMembersAdd, "ga", {}, 10),
      Op("b1", OperationKind::kGroupMembersAdd, "gb", {}, 10),
  };
  RateBudget budget({{std::string(budget::kGroupMemberAdds), 10, hours(1), 0, true}}, now_);
  Scheduler scheduler(ops, &budget);
  scheduler.Start();
  EXPECT_EQ(ops[scheduler.Next(now_).index].op_id, "a1");
  EXPECT_EQ(ops[scheduler.Next(now_).index].op_id, "b1");
  Scheduler::Pick held = scheduler.Next(now_);
  EXPECT_EQ(held.index, Scheduler::kNone);
  EXPECT_EQ(held.limiting_budget, "group-member-adds");
  EXPECT_EQ(held.wait, hours(1));
}

TEST_F(SchedulerTest, ChunkLargerThanItsBucketFailsWithTheBudgetError) {
  const std::vector<PlanOperation> ops = {Op("a", OperationKind::kGroupMembersAdd, "g", {}, 50)};
  RateBudget budget({{std::string(budget::kGroupMemberAdds), 10, hours(1), 0, true}}, now_);
  Scheduler scheduler(ops, &budget);
  scheduler.Start();
  Scheduler::Pick pick = scheduler.Next(now_);
  EXPECT_EQ(pick.index, 0u);
  EXPECT_EQ(pick.error.message(), "draw of 50 on group-member-adds exceeds its capacity of 10");
}

TEST_F(SchedulerTest, DrawsFollowTheOperationKind) {
  const std::vector<PlanOperation> ops = {
      Op("u", OperationKind::kUserCreate, "e"),
      Op("add", OperationKind::kGroupMembersAdd, "g", {}, 7),
      Op("up", OperationKind::kUserUpdate, "e"),
  };
  RateBudget budget({}, now_);
  Scheduler scheduler(ops, &budget);
  const BudgetDraws create = scheduler.Draws(0);
  ASSERT_EQ(create.size(), 3u);
  EXPECT_EQ(create[2].budget, "user-assignments");
  const BudgetDraws add = scheduler.Draws(1);
  ASSERT_EQ(add.size(), 3u);
  EXPECT_EQ(add[2].budget, "group-member-adds");
  EXPECT_EQ(add[2].scope, "g");
  EXPECT_EQ(add[2].amount, 7u);
  EXPECT_EQ(scheduler.Draws(2).size(), 2u);
}

TEST_F(SchedulerTest, EtaComesFromTheBudgets) {
  std::vector<PlanOperation> ops;
  for (int user = 0; user < 11; ++user) {
    ops.push_back(Op("u" + std::to_string(user), OperationKind::kUserCreate));
  }
  // One token on hand, then one per 3.6 s: 10 more creates take 36 s.
  RateBudget budget({{std::string(budget::kUserAssignments), 1000, hours(1), 1, false}}, now_);
  Scheduler scheduler(ops, &budget);
  scheduler.Start();
  EXPECT_EQ(scheduler.EstimateRemaining(now_), seconds(36));
  scheduler.Complete(scheduler.Next(now_).index);
  EXPECT_EQ(scheduler.EstimateRemaining(now_), seconds(36));
}

}  // namespace
}  // namespace scimflow
