// `scimflow sync` against `scimflow sim`: a first migration planned against an empty target, a
// refusal to plan against a filled state database without --current, and a second run against
// the target's snapshot that sends nothing.
#include <gtest/gtest.h>

#include <string>

#include "io/plan_reader.h"
#include "tests/emit_testutil.h"

namespace scimflow::testing_emit {
namespace {

TEST(EmitSyncTest, FirstMigrationThenNothingToDo) {
  TempDir dir("emit_sync");
  const std::string day = dir / "day0";
  ASSERT_EQ(
      RunScimflow({"gen", "--users", "300", "--groups", "5", "--snapshot", "--out", day}).exit_code,
      0);
  const std::string dump = dir / "dump.ndjson";
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--dump", dump}).ok());
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

  const CommandResult refused = RunScimflow(inputs);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.err,
            "scimflow sync: sync without --current needs a state database written by apply\n");

  SimClient control(sim.BaseUrl());
  ASSERT_EQ(control.Post("/_dump", "").status, 200);
  std::vector<std::string> again = inputs;
  again.insert(again.end(), {"--current", dump});
  const uint64_t requests = sim.Stats().Number("/requests/total");
  const CommandResult nothing = RunScimflow(again);
  EXPECT_EQ(nothing.exit_code, 0) << nothing.err;
  EXPECT_EQ(sim.Stats().Number("/requests/total"), requests);
}

}  // namespace
}  // namespace scimflow::testing_emit
