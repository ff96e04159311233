// `scimflow sync` against `scimflow sim`: a first migration planned against an empty target, then
// the nightly path planned against the state database the migration filled: an unchanged export
// sends nothing, a dry run sends nothing, and the next day's export sends exactly its plan.
#include <gtest/gtest.h>

#include <string>

#include "io/plan_reader.h"
#include "tests/emit_testutil.h"

namespace scimflow::testing_emit {
namespace {

TEST(EmitSyncTest, FirstMigrationThenNightlyRunsAgainstTheStateDatabase) {
  TempDir dir("emit_sync");
  const std::string day = dir / "day0";
  ASSERT_EQ(
      RunScimflow({"gen", "--users", "300", "--groups", "5", "--snapshot", "--out", day}).exit_code,
      0);
  SimProcess sim;
  ASSERT_TRUE(sim.Start().ok());
  const std::vector<std::string> inputs = {"sync",
                                           "--users",
                                           day + "/users.ndjson",
                                           "--groups",
                                           day + "/groups.ndjson",
                                           "--assignments",
                                           day + "/assignments.ndjson",
                                           "--target",
                                           sim.ScimUrl(),
                                           "--state",
                                           dir / "state.db",
                                           "--no-budgets"};
  std::vector<std::string> first = inputs;
  first.insert(first.end(), {"--out", dir / "plan.ndjson"});
  const CommandResult synced = RunScimflow(first);
  ASSERT_EQ(synced.exit_code, 0) << synced.err;
  EXPECT_EQ(ToString(StateOf(sim.Stats())),
            ToString(ExpectedAfterMigration(day + "/snapshot.ndjson")));
  Result<ReadPlan> plan = ReadPlanFile(dir / "plan.ndjson");
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(sim.Stats().Number("/requests/total"), plan->operations.size());

  // Unchanged export, planned against the state database: not a single request.
  const uint64_t after_migration = sim.Stats().Number("/requests/total");
  const CommandResult unchanged = RunScimflow(inputs);
  ASSERT_EQ(unchanged.exit_code, 0) << unchanged.err;
  EXPECT_EQ(sim.Stats().Number("/requests/total"), after_migration);

  // The next day, first as a dry run (nothing sent), then for real: exactly the plan's requests.
  const std::string next = dir / "day1";
  ASSERT_EQ(RunScimflow({"gen", "--next-day-of", day, "--churn", "3%", "--snapshot", "--out", next})
                .exit_code,
            0);
  std::vector<std::string> nightly = inputs;
  for (std::string& arg : nightly) {
    if (arg.starts_with(day + "/")) arg = next + arg.substr(day.size());
  }
  nightly.insert(nightly.end(), {"--out", dir / "plan1.ndjson"});
  std::vector<std::string> dry_run = nightly;
  dry_run.push_back("--dry-run");
  const CommandResult planned = RunScimflow(dry_run);
  ASSERT_EQ(planned.exit_code, 0) << planned.err;
  EXPECT_NE(planned.err.find("dry run, nothing sent"), std::string::npos) << planned.err;
  EXPECT_EQ(sim.Stats().Number("/requests/total"), after_migration);
  const CommandResult applied = RunScimflow(nightly);
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  Result<ReadPlan> changes = ReadPlanFile(dir / "plan1.ndjson");
  ASSERT_TRUE(changes.ok()) << changes.status().message();
  EXPECT_GT(changes->operations.size(), 0u);
  EXPECT_EQ(sim.Stats().Number("/requests/total"), after_migration + changes->operations.size());
  // Users who left are suspended, never deleted, so only the active ones are compared by count.
  const TargetState expected = ExpectedAfterMigration(next + "/snapshot.ndjson");
  const TargetState actual = StateOf(sim.Stats());
  EXPECT_EQ(actual.active_users, expected.active_users);
  EXPECT_EQ(actual.groups, expected.groups);
  EXPECT_EQ(actual.memberships, expected.memberships);
  EXPECT_EQ(sim.Stats().Number("/duplicate_creates"), 0u);
}

}  // namespace
}  // namespace scimflow::testing_emit
