// The chaos suite (issue #9): `scimflow apply` against `scimflow sim` while things go wrong — the
// target restarts mid-run, a 429 storm, answers slower than the client's timeout, lost answers to
// creates, patches and deletes, `kill -9` of the engine inside a group-membership batch, and the
// state database on a full disk. Each case ends by comparing the simulator's /_stats with the
// state the export asks for and by checking that no externalId was created twice.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include "engine/reconcile.h"
#include "io/plan_reader.h"
#include "tests/e2e/chaos_testutil.h"
#include "tests/emit_testutil.h"

namespace scimflow::testing_chaos {
namespace {

using Clock = std::chrono::steady_clock;
using testing_emit::CommandResult;
using testing_emit::ExpectedAfterMigration;
using testing_emit::JournalCount;
using testing_emit::RunScimflow;
using testing_emit::SpawnScimflow;
using testing_emit::StateOf;
using testing_emit::TargetState;
using testing_emit::TempDir;
using testing_emit::ToString;
using testing_emit::WaitExit;

class ChaosTest : public ::testing::Test {
 protected:
  // `scimflow gen` day 0 into DIR/name with its snapshot.
  std::string Gen(const std::string& name, int users, int groups) {
    const std::string out = dir_ / name;
    const CommandResult result =
        RunScimflow({"gen", "--users", std::to_string(users), "--groups", std::to_string(groups),
                     "--seed", "9", "--snapshot", "--out", out});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return out;
  }

  // `scimflow plan` of `day` against the snapshot `current` (empty: an empty target).
  std::string Plan(const std::string& day, std::string current, const std::string& name,
                   std::vector<std::string> extra = {}) {
    if (current.empty()) {
      current = dir_ / "empty.ndjson";
      std::ofstream(current).flush();
    }
    const std::string out = dir_ / name;
    std::vector<std::string> args = {"plan",
                                     "--users",
                                     day + "/users.ndjson",
                                     "--groups",
                                     day + "/groups.ndjson",
                                     "--assignments",
                                     day + "/assignments.ndjson",
                                     "--current",
                                     current,
                                     "--out",
                                     out,
                                     "--allow-deprovision",
                                     "1000000"};
    args.insert(args.end(), extra.begin(), extra.end());
    const CommandResult result = RunScimflow(args);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return out;
  }

  std::vector<std::string> ApplyArgs(const std::string& plan, const std::string& target,
                                     std::vector<std::string> extra) const {
    std::vector<std::string> args = {"apply",   plan,   "--target",    target,
                                     "--state", state_, "--no-budgets"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  // Applies, then resumes while the run ends with some operations failed (exit 3), at most
  // `resumes` times; returns the last result.
  CommandResult ApplyUntilDone(const std::string& plan, const std::string& target,
                               std::vector<std::string> extra, int resumes = 3) {
    CommandResult result = RunScimflow(ApplyArgs(plan, target, extra));
    extra.push_back("--resume");
    for (int round = 0; round < resumes && result.exit_code == 3; ++round) {
      result = RunScimflow(ApplyArgs(plan, target, extra));
    }
    return result;
  }

  // The target holds exactly the state of a migration of `day` and created nothing twice.
  static void ExpectMigrated(const SimStats& stats, const std::string& day) {
    EXPECT_EQ(ToString(StateOf(stats)), ToString(ExpectedAfterMigration(day + "/snapshot.ndjson")));
    EXPECT_EQ(stats.Number("/duplicate_creates"), 0u) << stats.json;
  }

  TempDir dir_{"chaos"};
  const std::string state_ = dir_ / "state.db";
};

// (a) The target goes away mid-run and comes back on the same address with the state it had
// (dumped on stop, loaded on start): requests in the gap fail to connect and are retried with
// backoff, creates whose answers were lost in the stop are looked up, and the run converges.
TEST_F(ChaosTest, TargetRestartedMidRunWithItsStateConverges) {
  const std::string day = Gen("day0", 3000, 50);
  const std::string plan = Plan(day, "", "plan.ndjson");
  const std::string dump = dir_ / "target.ndjson";
  const std::string listen = "127.0.0.1:" + std::to_string(FreeLoopbackPort());
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--listen", listen, "--dump", dump, "--latency-ms", "2"}).ok());
  const std::string target = sim.ScimUrl();
  const pid_t apply = SpawnScimflow(ApplyArgs(plan, target, {}), dir_ / "out.txt", dir_ / "err.txt",
                                    std::string(SimProcess::kToken), {});
  ASSERT_GT(apply, 0);
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(60);
  while (JournalCount(state_, "done") < 1000 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(sim.Stop(), 0);  // Writes the dump.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_TRUE(sim.Start({"--listen", listen, "--load", dump, "--dump", dump}).ok());
  ASSERT_EQ(sim.ScimUrl(), target);
  int exit_code = WaitExit(apply);
  for (int round = 0; round < 3 && exit_code == 3; ++round) {
    exit_code = RunScimflow(ApplyArgs(plan, target, {"--resume"})).exit_code;
  }
  ASSERT_EQ(exit_code, 0) << testing_gen::ReadFile(dir_ / "err.txt");
  EXPECT_EQ(JournalCount(state_, "done"),
            static_cast<int64_t>(ReadPlanFile(plan)->operations.size()));
  ExpectMigrated(sim.Stats(), day);
}

// (b) A 429 storm: 150 requests in a row are refused with Retry-After and
// `x-ratelimit-resource: requests`; the engine pauses its requests budget and sends them again,
// nothing fails and nothing is applied twice. (A budget named `requests` is given: with none, a
// 429 delays only the refused operation, not the others.)
TEST_F(ChaosTest, RateLimitStormIsWaitedOut) {
  const std::string day = Gen("day0", 2000, 50);
  const std::string plan = Plan(day, "", "plan.ndjson");
  SimProcess sim;
  ASSERT_TRUE(
      sim.Start({"--fault-429", "1", "--fault-429-from", "300", "--fault-429-to", "450"}).ok());
  const CommandResult applied = RunScimflow(ApplyArgs(
      plan, sim.ScimUrl(), {"--budget", "requests=100000/s", "--report", dir_ / "report.json"}));
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  const SimStats stats = sim.Stats();
  EXPECT_EQ(stats.Number("/faults/429"), 150u);
  EXPECT_EQ(stats.Number("/statuses/429"), 150u);
  const std::string report = testing_gen::ReadFile(dir_ / "report.json");
  EXPECT_NE(report.find("\"rate_limited\":150"), std::string::npos) << report;
  ExpectMigrated(stats, day);
}

// (c) Some answers come later than the client's timeout (the request was applied): the engine
// gives up on them, retries, looks up creates instead of sending them blind.
TEST_F(ChaosTest, AnswersSlowerThanTheTimeoutAreRetriedWithoutDuplicates) {
  const std::string day = Gen("day0", 2000, 50);
  const std::string plan = Plan(day, "", "plan.ndjson");
  SimProcess sim;
  ASSERT_TRUE(
      sim.Start({"--latency-spike", "0.02", "--latency-spike-ms", "2500", "--seed", "3"}).ok());
  const CommandResult applied =
      ApplyUntilDone(plan, sim.ScimUrl(), {"--timeout-ms", "1000", "--concurrency", "32"});
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  const SimStats stats = sim.Stats();
  EXPECT_GT(stats.Number("/faults/latency_spike"), 20u);
  ExpectMigrated(stats, day);
}

// (d) The next day against a target of yesterday, with lost answers: creates, deactivation and
// update patches, member removals and additions, group deletes all lose some answers.
TEST_F(ChaosTest, LostAnswersOnEveryKindOfWriteEndExact) {
  const std::string day0 = Gen("day0", 3000, 50);
  const CommandResult next =
      RunScimflow({"gen", "--next-day-of", day0, "--churn", "8%,groups-removed=12", "--snapshot",
                   "--out", dir_ / "day1"});
  ASSERT_EQ(next.exit_code, 0) << next.err;
  const std::string day1 = dir_ / "day1";
  const std::string plan = Plan(day1, day0 + "/snapshot.ndjson", "plan.ndjson");
  Result<ReadPlan> read = ReadPlanFile(plan);
  ASSERT_TRUE(read.ok());
  std::map<std::string, int> kinds;
  for (const auto& operation : read->operations)
    ++kinds[std::string(OperationKindName(operation.kind))];
  for (const char* kind : {"user.create", "user.deactivate", "user.update", "group.members.remove",
                           "group.members.add", "group.delete"}) {
    EXPECT_GT(kinds[kind], 0) << kind;
  }
  SimProcess sim;
  ASSERT_TRUE(
      sim.Start({"--load", day0 + "/snapshot.ndjson", "--lost-answer", "0.25", "--seed", "4"})
          .ok());
  const uint64_t users_before = sim.Stats().Number("/users");
  // One request at a time: the n-th request's fate is fixed by the seed, so is the outcome.
  const CommandResult applied = ApplyUntilDone(plan, sim.ScimUrl(), {"--concurrency", "1"});
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  const SimStats stats = sim.Stats();
  EXPECT_GT(stats.Number("/faults/lost_answer_by_method/POST"), 0u) << stats.json;
  EXPECT_GT(stats.Number("/faults/lost_answer_by_method/PATCH"), 0u) << stats.json;
  EXPECT_GT(stats.Number("/faults/lost_answer_by_method/DELETE"), 0u) << stats.json;
  const TargetState expected = ExpectedAfterMigration(day1 + "/snapshot.ndjson");
  TargetState actual = StateOf(stats);
  EXPECT_EQ(actual.users, users_before + static_cast<uint64_t>(kinds["user.create"]));
  actual.users = expected.users;  // Suspended users stay on the target; compared above.
  EXPECT_EQ(ToString(actual), ToString(expected));
  EXPECT_EQ(stats.Number("/duplicate_creates"), 0u) << stats.json;
}

// (e) `kill -9` while large member-add batches are in flight, then `--resume`: the batches are
// sent again (re-adding a member changes nothing) and the memberships end exact.
TEST_F(ChaosTest, KillNineInsideMembershipBatchThenResumeEndsExact) {
  const std::string day = Gen("day0", 3000, 20);
  const std::string plan = Plan(day, "", "plan.ndjson", {"--max-members-per-patch", "1000"});
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--latency-ms", "100"}).ok());
  const pid_t apply =
      SpawnScimflow(ApplyArgs(plan, sim.ScimUrl(), {"--concurrency", "64"}), dir_ / "out.txt",
                    dir_ / "err.txt", std::string(SimProcess::kToken), {});
  ASSERT_GT(apply, 0);
  const std::string in_flight_adds =
      "SELECT count(*) FROM journal WHERE kind = 'group.members.add' AND state = 'in_flight'";
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(60);
  while (QueryInt(state_, in_flight_adds) < 1 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(apply, SIGKILL);
  ASSERT_EQ(WaitExit(apply), -1) << "apply ended before the kill";
  EXPECT_GE(QueryInt(state_, in_flight_adds), 1);
  const CommandResult resumed = RunScimflow(ApplyArgs(plan, sim.ScimUrl(), {"--resume"}));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(QueryInt(state_, "SELECT count(*) FROM journal WHERE state <> 'done'"), 0);
  ExpectMigrated(sim.Stats(), day);
}

// (f) The state database's file system fills up mid-run (RLIMIT_FSIZE: writes past the limit fail
// with EFBIG): the engine stops with exit 3 or 5 and a message naming the database, without a
// crash and with a database that still opens; with space back, --resume finishes the plan.
TEST_F(ChaosTest, FullDiskStopsCleanlyAndResumeFinishes) {
  const std::string day = Gen("day0", 3000, 50);
  const std::string plan = Plan(day, "", "plan.ndjson");
  SimProcess sim;
  ASSERT_TRUE(sim.Start().ok());
  ChildSetup full_disk;
  full_disk.file_size_limit = 256 * 1024;
  const int exit_code =
      RunScimflowWith(ApplyArgs(plan, sim.ScimUrl(), {}), dir_ / "out.txt", dir_ / "err.txt",
                      std::string(SimProcess::kToken), full_disk);
  const std::string err = testing_gen::ReadFile(dir_ / "err.txt");
  EXPECT_TRUE(exit_code == 3 || exit_code == 5) << exit_code << "\n" << err;
  EXPECT_NE(err.find("scimflow apply: " + state_ + ": "), std::string::npos) << err;
  EXPECT_NE(err.find("; the run stopped: fix the state database (e.g. free space), then run "
                     "again with --resume\n"),
            std::string::npos)
      << err;
  EXPECT_EQ(err.find("AddressSanitizer"), std::string::npos) << err;
  EXPECT_EQ(err.find("runtime error"), std::string::npos) << err;
  EXPECT_EQ(QueryInt(state_,
                     "SELECT count(*) FROM pragma_integrity_check "
                     "WHERE integrity_check <> 'ok'"),
            0);
  EXPECT_GT(sim.Stats().Number("/user_creates"), 0u);
  const CommandResult resumed = RunScimflow(ApplyArgs(plan, sim.ScimUrl(), {"--resume"}));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(QueryInt(state_, "SELECT count(*) FROM journal WHERE state <> 'done'"), 0);
  ExpectMigrated(sim.Stats(), day);
}

// A create refused 409 because another externalId holds the userName: the lookup by externalId
// finds nothing, and the create fails once with the target's error instead of being sent again
// and again (it used to loop without end).
TEST_F(ChaosTest, CreateRefusedForATakenUserNameFailsOnce) {
  const std::string day = Gen("day0", 20, 1);
  const std::string plan = Plan(day, "", "plan.ndjson");
  std::string line;
  std::getline(std::ifstream(day + "/users.ndjson") >> std::ws, line);
  const std::string taken = JsonString(line, "/userName");
  SimProcess sim;
  ASSERT_TRUE(sim.Start().ok());
  ASSERT_EQ(sim.Client().Post("/Users", SimUserBody("someone-else", taken)).status, 201);
  const CommandResult applied =
      RunScimflow(ApplyArgs(plan, sim.ScimUrl(), {"--report", dir_ / "report.json"}));
  EXPECT_EQ(applied.exit_code, 3) << applied.err;
  const SimStats stats = sim.Stats();
  EXPECT_EQ(stats.Number("/statuses/409"), 1u) << stats.json;
  EXPECT_EQ(stats.Number("/requests/GET"), 1u) << stats.json;  // The one lookup.
  const std::string report = testing_gen::ReadFile(dir_ / "report.json");
  EXPECT_NE(report.find("HTTP 409 uniqueness: userName \\\"" + taken + "\\\" is already taken"),
            std::string::npos)
      << report;
}

}  // namespace
}  // namespace scimflow::testing_chaos
