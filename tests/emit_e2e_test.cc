// End-to-end runs of `scimflow gen` → `plan` → `apply` against `scimflow sim` on loopback, with
// real HTTP and real SQLite: the initial migration and the next day, budgets, faults, `kill -9`
// with `--resume`, and the token never written anywhere.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>

#include "io/plan_reader.h"
#include "tests/emit_testutil.h"

namespace scimflow::testing_emit {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

class EmitE2eTest : public ::testing::Test {
 protected:
  // `scimflow gen` day 0 into DIR/name, with its snapshot.
  std::string Gen(const std::string& name, int users, int groups) {
    const std::string out = dir_ / name;
    const CommandResult result =
        RunScimflow({"gen", "--users", std::to_string(users), "--groups", std::to_string(groups),
                     "--seed", "5", "--snapshot", "--out", out});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return out;
  }

  // `scimflow plan` of the export in `day` against `current` (empty: an empty target).
  std::string Plan(const std::string& day, std::string current, const std::string& name) {
    if (current.empty()) {
      current = dir_ / "empty.ndjson";
      std::ofstream(current).flush();
    }
    const std::string out = dir_ / name;
    const CommandResult result =
        RunScimflow({"plan", "--users", day + "/users.ndjson", "--groups", day + "/groups.ndjson",
                     "--assignments", day + "/assignments.ndjson", "--current", current, "--out",
                     out, "--allow-deprovision", "1000000"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return out;
  }

  CommandResult Apply(const std::string& plan, SimProcess& sim, std::vector<std::string> extra) {
    std::vector<std::string> args = {"apply",       plan,      "--target",
                                     sim.ScimUrl(), "--state", dir_ / "state.db"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunScimflow(args);
  }

  static uint64_t Writes(const SimStats& stats) {
    return stats.Number("/requests/POST") + stats.Number("/requests/PUT") +
           stats.Number("/requests/PATCH") + stats.Number("/requests/DELETE");
  }

  TempDir dir_{"emit_e2e"};
};

TEST_F(EmitE2eTest, InitialMigrationThenNextDayMatchTheExport) {
  const std::string day0 = Gen("day0", 20000, 500);
  const std::string plan0 = Plan(day0, "", "plan0.ndjson");
  const std::string dump = dir_ / "dump.ndjson";
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--dump", dump}).ok());
  const CommandResult applied = Apply(plan0, sim, {"--no-budgets"});
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  SimStats stats = sim.Stats();
  EXPECT_EQ(ToString(StateOf(stats)), ToString(ExpectedAfterMigration(day0 + "/snapshot.ndjson")));
  EXPECT_EQ(stats.Number("/duplicate_creates"), 0u);
  Result<ReadPlan> read0 = ReadPlanFile(plan0);
  ASSERT_TRUE(read0.ok());
  // One request per operation: no lookup, no retry, no read-before-write.
  EXPECT_EQ(Writes(stats), read0->operations.size());
  EXPECT_EQ(stats.Number("/requests/total"), read0->operations.size());

  // The next day, planned against what the target holds now.
  const CommandResult next = RunScimflow(
      {"gen", "--next-day-of", day0, "--churn", "1%", "--snapshot", "--out", dir_ / "day1"});
  ASSERT_EQ(next.exit_code, 0) << next.err;
  SimClient control(sim.BaseUrl());
  ASSERT_EQ(control.Post("/_dump", "").status, 200);
  const std::string plan1 = Plan(dir_ / "day1", dump, "plan1.ndjson");
  Result<ReadPlan> read1 = ReadPlanFile(plan1);
  ASSERT_TRUE(read1.ok());
  ASSERT_GT(read1->operations.size(), 0u);
  const uint64_t writes_before = Writes(stats);
  const uint64_t requests_before = stats.Number("/requests/total");
  const CommandResult applied1 = Apply(plan1, sim, {"--no-budgets"});
  ASSERT_EQ(applied1.exit_code, 0) << applied1.err;
  stats = sim.Stats();
  EXPECT_EQ(Writes(stats) - writes_before, read1->operations.size());
  EXPECT_EQ(stats.Number("/requests/total") - requests_before, read1->operations.size());
  const TargetState expected = ExpectedAfterMigration(dir_ / "day1/snapshot.ndjson");
  const TargetState actual = StateOf(stats);
  EXPECT_EQ(actual.active_users, expected.active_users);
  EXPECT_EQ(actual.groups, expected.groups);
  EXPECT_EQ(actual.memberships, expected.memberships);
  EXPECT_EQ(stats.Number("/duplicate_creates"), 0u);
}

TEST_F(EmitE2eTest, PacesToTheAssignmentBudgetWithoutRateLimits) {
  const std::string day = Gen("day0", 150, 2);
  const std::string plan = Plan(day, "", "plan.ndjson");
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--budget", "user-assignments=10/s"}).ok());
  const Clock::time_point start = Clock::now();
  const CommandResult applied =
      Apply(plan, sim, {"--no-budgets", "--budget", "user-assignments=10/s"});
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  const SimStats stats = sim.Stats();
  const double creates = static_cast<double>(stats.Number("/user_creates"));
  ASSERT_GT(creates, 100);
  // The bucket holds 10 tokens at the start, then refills at 10 per second: the creates cannot
  // take less than (creates - 10) / 10 s, and a run at 95% of the rate takes at most this:
  const double allowed_seconds = (creates - 10) / (10 * 0.95);
  EXPECT_LE(seconds, allowed_seconds + 1.5) << "creates " << creates;  // + process start, groups
  EXPECT_LT(static_cast<double>(stats.Number("/throttled")),
            0.01 * static_cast<double>(stats.Number("/requests/total")));
  EXPECT_EQ(ToString(StateOf(stats)), ToString(ExpectedAfterMigration(day + "/snapshot.ndjson")));
}

// A target enforcing a limit apply was not told of (ghes with limits configured on the server,
// or --no-budgets): one 429 with Retry-After holds back every create it concerns, not only the
// one it refused. Before, every create in flight or queued kept being sent and refused, three
// 429s and more per create; now under one.
TEST_F(EmitE2eTest, AnUnannouncedLimitHoldsBackEveryOperationItConcerns) {
  const std::string day = Gen("day0", 150, 2);
  const std::string plan = Plan(day, "", "plan.ndjson");
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--budget", "user-assignments=20/s"}).ok());
  const CommandResult applied = Apply(plan, sim, {"--no-budgets", "--concurrency", "16"});
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  const SimStats stats = sim.Stats();
  const uint64_t creates = stats.Number("/user_creates");
  ASSERT_GT(creates, 100u);
  EXPECT_LT(stats.Number("/throttled"), creates);
  EXPECT_EQ(stats.Number("/duplicate_creates"), 0u);
  EXPECT_EQ(ToString(StateOf(stats)), ToString(ExpectedAfterMigration(day + "/snapshot.ndjson")));
}

TEST_F(EmitE2eTest, FaultsEndInTheExactStateWithoutDuplicates) {
  const std::string day = Gen("day0", 2000, 40);
  const std::string plan = Plan(day, "", "plan.ndjson");
  SimProcess sim;
  ASSERT_TRUE(
      sim.Start({"--fault-500", "0.05", "--lost-answer", "0.02", "--drop", "0.01", "--seed", "11"})
          .ok());
  const CommandResult applied = Apply(plan, sim, {"--no-budgets"});
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  const SimStats stats = sim.Stats();
  EXPECT_GT(stats.Number("/faults/500"), 0u);
  EXPECT_GT(stats.Number("/faults/lost_answer"), 0u);
  EXPECT_GT(stats.Number("/faults/drop"), 0u);
  EXPECT_EQ(ToString(StateOf(stats)), ToString(ExpectedAfterMigration(day + "/snapshot.ndjson")));
  EXPECT_EQ(stats.Number("/duplicate_creates"), 0u) << stats.json;
}

TEST_F(EmitE2eTest, KillNineThreeTimesThenResumeEndsExact) {
  const std::string day = Gen("day0", 3000, 60);
  const std::string plan = Plan(day, "", "plan.ndjson");
  Result<ReadPlan> read = ReadPlanFile(plan);
  ASSERT_TRUE(read.ok());
  const int64_t total = static_cast<int64_t>(read->operations.size());
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--latency-ms", "10"}).ok());
  const std::string state = dir_ / "state.db";
  std::mt19937_64 random(20261129);
  int64_t reached = 0;
  for (int crash = 0; crash < 3; ++crash) {
    // A point further on each time, so every run makes progress before it dies.
    std::uniform_int_distribution<int64_t> point(reached + total / 20, reached + total / 4);
    const int64_t target = std::min(point(random), total - 1);
    std::vector<std::string> args = {"apply",   plan,  "--target",    sim.ScimUrl(),
                                     "--state", state, "--no-budgets"};
    if (crash > 0) args.push_back("--resume");
    const pid_t pid = SpawnScimflow(args, dir_ / "out.txt", dir_ / "err.txt");
    ASSERT_GT(pid, 0);
    const Clock::time_point deadline = Clock::now() + std::chrono::seconds(60);
    while (JournalCount(state, "done") < target && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ::kill(pid, SIGKILL);
    EXPECT_EQ(WaitExit(pid), -1) << "apply ended before the kill";
    reached = std::max<int64_t>(JournalCount(state, "done"), reached);
  }
  const CommandResult resumed = Apply(plan, sim, {"--no-budgets", "--resume"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(JournalCount(state, "done"), total);
  const SimStats stats = sim.Stats();
  EXPECT_EQ(ToString(StateOf(stats)), ToString(ExpectedAfterMigration(day + "/snapshot.ndjson")));
  EXPECT_EQ(stats.Number("/duplicate_creates"), 0u) << stats.json;
}

TEST_F(EmitE2eTest, TokenAppearsInNoFileAndNoOutput) {
  const std::string token = "tok-Zq81-distinctive-4711";
  const std::string day = Gen("day0", 200, 4);
  const std::string plan = Plan(day, "", "plan.ndjson");
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--token", token}).ok());
  const std::string report = dir_ / "report.json";
  const std::string metrics = dir_ / "metrics.prom";
  const CommandResult applied =
      RunScimflow({"apply", plan, "--target", sim.ScimUrl(), "--state", dir_ / "state.db",
                   "--no-budgets", "--report", report, "--metrics", metrics},
                  token);
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  // A refused token must not be echoed either.
  const CommandResult refused = RunScimflow({"apply", plan, "--target", sim.ScimUrl(), "--state",
                                             dir_ / "other.db", "--report", dir_ / "r2.json"},
                                            token + "-wrong");
  EXPECT_EQ(refused.exit_code, 5) << refused.err;
  EXPECT_EQ(applied.out.find(token), std::string::npos);
  EXPECT_EQ(applied.err.find(token), std::string::npos);
  EXPECT_EQ(refused.err.find(token), std::string::npos);
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir_.path())) {
    if (!entry.is_regular_file()) continue;
    ++files;
    EXPECT_EQ(testing_gen::ReadFile(entry.path().string()).find(token), std::string::npos)
        << entry.path();
  }
  EXPECT_GE(files, 6);  // Plan, state database (+ WAL), report, metrics, the second report.
  EXPECT_EQ(ToString(StateOf(sim.Stats())),
            ToString(ExpectedAfterMigration(day + "/snapshot.ndjson")));
}

}  // namespace
}  // namespace scimflow::testing_emit
