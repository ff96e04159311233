// `scimflow apply` with SCIM /Bulk against a generic `scimflow sim`: the same final state as one
// request per operation with at least ten times fewer requests, bulkId references inside a batch
// only, per-operation outcomes inside a batch, an oversized operation sent alone, and faults
// (500s, lost answers) ending in the exact state without duplicates.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "io/plan_reader.h"
#include "tests/emit_testutil.h"

namespace scimflow::testing_emit {
namespace {

constexpr char kUserSchema[] = R"("schemas":["urn:ietf:params:scim:schemas:core:2.0:User"])";

std::string Header(int total) {
  return R"({"format":"scimflow-plan","version":1,"profile":"generic","total":)" +
         std::to_string(total) + "}\n";
}

std::string CreateLine(const std::string& external_id, const std::string& user_name = "") {
  return R"({"op":"u:)" + external_id + R"(:create","kind":"user.create","externalId":")" +
         external_id + R"(","method":"POST","path":"/Users","body":{)" + kUserSchema +
         R"(,"externalId":")" + external_id + R"(","userName":")" +
         (user_name.empty() ? external_id : user_name) +
         R"(","active":true}})"
         "\n";
}

class EmitBulkTest : public ::testing::Test {
 protected:
  std::string WritePlan(const std::string& text) {
    const std::string path = dir_ / "plan.ndjson";
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  // `scimflow gen` day 0 and its plan for a generic target.
  std::string GenAndPlan(int users, int groups) {
    const std::string day = dir_ / "day0";
    CommandResult result =
        RunScimflow({"gen", "--users", std::to_string(users), "--groups", std::to_string(groups),
                     "--seed", "7", "--snapshot", "--out", day});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    const std::string empty = dir_ / "empty.ndjson";
    std::ofstream(empty).flush();
    const std::string plan = dir_ / "plan.ndjson";
    result = RunScimflow({"plan", "--users", day + "/users.ndjson", "--groups",
                          day + "/groups.ndjson", "--assignments", day + "/assignments.ndjson",
                          "--current", empty, "--profile", "generic", "--out", plan});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return plan;
  }

  CommandResult Apply(const std::string& plan, const SimProcess& sim, const std::string& state,
                      std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"apply",   plan,         "--target", sim.ScimUrl(),
                                     "--state", dir_ / state, "--report", dir_ / (state + ".json")};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunScimflow(args);
  }

  TempDir dir_{"emit_bulk"};
};

TEST_F(EmitBulkTest, BulkReachesTheSameStateWithTenTimesFewerRequests) {
  const std::string plan = GenAndPlan(5000, 100);
  Result<ReadPlan> read = ReadPlanFile(plan);
  ASSERT_TRUE(read.ok()) << read.status().message();
  SimProcess bulk;
  ASSERT_TRUE(bulk.Start({"--profile", "generic"}).ok());
  SimProcess single;
  ASSERT_TRUE(single.Start({"--profile", "generic"}).ok());
  const CommandResult with_bulk = Apply(plan, bulk, "bulk.db");
  ASSERT_EQ(with_bulk.exit_code, 0) << with_bulk.err;
  const CommandResult without = Apply(plan, single, "single.db", {"--no-bulk"});
  ASSERT_EQ(without.exit_code, 0) << without.err;

  const SimStats bulk_stats = bulk.Stats();
  const SimStats single_stats = single.Stats();
  const TargetState state = StateOf(bulk_stats);
  EXPECT_EQ(ToString(state), ToString(StateOf(single_stats)));
  EXPECT_EQ(ToString(state), ToString(ExpectedAfterMigration(dir_ / "day0/snapshot.ndjson")));
  EXPECT_GT(state.memberships, 0u);
  EXPECT_EQ(bulk_stats.Number("/duplicate_creates"), 0u);
  // Without Bulk: one request per operation and the discovery of /ServiceProviderConfig is not
  // even asked for.
  EXPECT_EQ(single_stats.Number("/requests/total"), read->operations.size());
  const uint64_t bulk_requests = bulk_stats.Number("/requests/total");
  EXPECT_LE(bulk_requests * 10, single_stats.Number("/requests/total"))
      << "bulk " << bulk_requests << ", single " << single_stats.Number("/requests/total");
  // Every operation is done once in the journal.
  EXPECT_EQ(JournalCount(dir_ / "bulk.db", "done"), static_cast<int64_t>(read->operations.size()));
}

TEST_F(EmitBulkTest, BulkIdReferencesStayInsideOneBatch) {
  // Two operations per batch, one batch at a time: [e-1, e-2], then [g-1, its member add] with
  // the group by bulkId and the users, created by the first batch, by their real ids.
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--profile", "generic", "--bulk-max-operations", "2"}).ok());
  const std::string plan =
      WritePlan(Header(4) + CreateLine("e-1") + CreateLine("e-2") + PlanGroupCreateLine("g-1") +
                PlanMemberAddLine("g-1", {"e-1", "e-2"}));
  const CommandResult result = Apply(plan, sim, "state.db", {"--concurrency", "1"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const SimStats stats = sim.Stats();
  EXPECT_EQ(ToString(StateOf(stats)), "users 2, active 2, groups 1, memberships 2");
  // GET /ServiceProviderConfig, then two POST /Bulk.
  EXPECT_EQ(stats.Number("/requests/total"), 3u);
  EXPECT_EQ(stats.Number("/requests/POST"), 2u);
  EXPECT_NE(result.err.find("  requests: 3 (2 bulk)"), std::string::npos) << result.err;
  EXPECT_EQ(JournalCount(dir_ / "state.db", "done"), 4);
}

TEST_F(EmitBulkTest, GroupAndMemberAddTravelWithTheUserCreatesTheyName) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--profile", "generic"}).ok());
  const std::string plan =
      WritePlan(Header(4) + CreateLine("e-1") + CreateLine("e-2") + PlanGroupCreateLine("g-1") +
                PlanMemberAddLine("g-1", {"e-1", "e-2"}));
  const CommandResult result = Apply(plan, sim, "state.db");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const SimStats stats = sim.Stats();
  EXPECT_EQ(ToString(StateOf(stats)), "users 2, active 2, groups 1, memberships 2");
  EXPECT_EQ(stats.Number("/requests/total"), 2u);  // The discovery and one batch.
  EXPECT_NE(result.err.find("  requests: 2 (1 bulk)"), std::string::npos) << result.err;
}

TEST_F(EmitBulkTest, OneConflictAndOneRefusalInABatchEachGetTheirOwnOutcome) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--profile", "generic"}).ok());
  SimClient client = sim.Client();
  ASSERT_EQ(client.Post("/Users", SimUserBody("e-1", "e-1")).status, 201);
  // One batch: e-1 exists already (409, looked up and adopted), e-bad has no userName (400).
  std::string bad = CreateLine("e-bad");
  bad.replace(bad.find(R"("userName")"), std::string(R"("userName":"e-bad",)").size(), "");
  const std::string plan =
      WritePlan(Header(4) + CreateLine("e-1") + bad + CreateLine("e-2") + CreateLine("e-3"));
  const CommandResult result = Apply(plan, sim, "state.db");
  EXPECT_EQ(result.exit_code, 3) << result.err;
  EXPECT_NE(result.err.find("    u:e-bad:create (e-bad): HTTP 400 invalidValue: missing required "
                            "attribute \"userName\"\n"),
            std::string::npos)
      << result.err;
  const SimStats stats = sim.Stats();
  EXPECT_EQ(ToString(StateOf(stats)), "users 3, active 3, groups 0, memberships 0");
  EXPECT_EQ(stats.Number("/duplicate_creates"), 0u);
  // The test's own POST of e-1, then the discovery, one batch, and the lookup that adopts e-1.
  EXPECT_EQ(stats.Number("/requests/total"), 4u);
  const std::string report = testing_gen::ReadFile(dir_ / "state.db.json");
  EXPECT_NE(report.find("\"lookups\":1,\"adopted\":1"), std::string::npos) << report;
  EXPECT_EQ(JournalCount(dir_ / "state.db", "done"), 3);
  EXPECT_EQ(JournalCount(dir_ / "state.db", "failed"), 1);
}

TEST_F(EmitBulkTest, AnOperationOverThePayloadLimitGoesAlone) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--profile", "generic", "--bulk-max-payload", "600"}).ok());
  const std::string plan =
      WritePlan(Header(3) + CreateLine("e-1") + CreateLine("e-long", std::string(700, 'x')) +
                CreateLine("e-2"));
  const CommandResult result = Apply(plan, sim, "state.db");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const SimStats stats = sim.Stats();
  EXPECT_EQ(ToString(StateOf(stats)), "users 3, active 3, groups 0, memberships 0");
  EXPECT_EQ(stats.Number("/statuses/413"), 0u);
  EXPECT_EQ(stats.Number("/requests/total"), 3u);  // The discovery, one batch, one single create.
  EXPECT_NE(result.err.find("  requests: 3 (1 bulk)"), std::string::npos) << result.err;
}

TEST_F(EmitBulkTest, FaultsEndInTheExactStateWithoutDuplicates) {
  const std::string plan = GenAndPlan(2000, 40);
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--profile", "generic", "--bulk-max-operations", "40", "--fault-500",
                         "0.1", "--lost-answer", "0.1", "--seed", "3"})
                  .ok());
  const CommandResult applied = Apply(plan, sim, "state.db");
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  const SimStats stats = sim.Stats();
  EXPECT_GT(stats.Number("/faults/500"), 0u);
  EXPECT_GT(stats.Number("/faults/lost_answer"), 0u);
  EXPECT_EQ(ToString(StateOf(stats)),
            ToString(ExpectedAfterMigration(dir_ / "day0/snapshot.ndjson")));
  EXPECT_EQ(stats.Number("/duplicate_creates"), 0u) << stats.json;
  // The batches were used (a fault on the discovery is retried too).
  const std::string report = testing_gen::ReadFile(dir_ / "state.db.json");
  EXPECT_NE(report.find("\"bulk_requests\":"), std::string::npos) << report;
  EXPECT_EQ(report.find("\"bulk_requests\":0,"), std::string::npos) << report;
}

TEST_F(EmitBulkTest, NoBulkSendsEveryOperationAlone) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--profile", "generic"}).ok());
  const std::string plan = WritePlan(Header(2) + CreateLine("e-1") + CreateLine("e-2"));
  const CommandResult result = Apply(plan, sim, "state.db", {"--no-bulk"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(sim.Stats().Number("/requests/total"), 2u);
  EXPECT_NE(result.err.find("  requests: 2 (0 bulk)"), std::string::npos) << result.err;
}

TEST_F(EmitBulkTest, ProfileFileTurnsBulkOff) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--profile", "generic"}).ok());
  const std::string profile = dir_ / "target.profile";
  std::ofstream(profile) << "# this target's /Bulk is unreliable\nprofile generic\nbulk off\n";
  const std::string plan = WritePlan(Header(2) + CreateLine("e-1") + CreateLine("e-2"));
  const CommandResult result = Apply(plan, sim, "state.db", {"--profile-file", profile});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(sim.Stats().Number("/requests/total"), 2u);
  EXPECT_EQ(sim.Stats().Number("/users"), 2u);
}

TEST_F(EmitBulkTest, BadProfileFileLineIsAUsageError) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--profile", "generic"}).ok());
  const std::string profile = dir_ / "target.profile";
  std::ofstream(profile) << "profile generic\nbulk maybe\n";
  const std::string plan = WritePlan(Header(1) + CreateLine("e-1"));
  const CommandResult result = Apply(plan, sim, "state.db", {"--profile-file", profile});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find(profile + ":2: \"bulk\" takes on or off, not \"maybe\"\n"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(sim.Stats().Number("/requests/total"), 0u);
}

}  // namespace
}  // namespace scimflow::testing_emit
