// `scimflow apply` on small hand-written plans against `scimflow sim`: adoption after a 409, a
// refused create failing its dependents, exit codes, `--resume` skipping what is done; and
// against a scripted server, the requests as they go over the wire.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tests/emit_testutil.h"
#include "tests/http_test_server.h"

namespace scimflow::testing_emit {
namespace {

std::string Header(int total) {
  return R"({"format":"scimflow-plan","version":1,"profile":"github-emu","total":)" +
         std::to_string(total) + "}\n";
}

class EmitApplyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const Status started = sim_.Start();
    ASSERT_TRUE(started.ok()) << started.message();
  }

  std::string WritePlan(const std::string& text) {
    const std::string path = dir_ / "plan.ndjson";
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  CommandResult Apply(const std::string& plan, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "apply",           plan,       "--target",          sim_.ScimUrl(), "--state",
        dir_ / "state.db", "--report", dir_ / "report.json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunScimflow(args);
  }

  TempDir dir_{"emit_apply"};
  SimProcess sim_;
};

TEST_F(EmitApplyTest, CreatesUsersAndGroupWithMembersByRef) {
  const std::string plan =
      WritePlan(Header(4) + PlanUserCreateLine("e-1") + PlanUserCreateLine("e-2") +
                PlanGroupCreateLine("g-1") + PlanMemberAddLine("g-1", {"e-1", "e-2"}));
  const CommandResult result = Apply(plan);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const SimStats stats = sim_.Stats();
  EXPECT_EQ(ToString(StateOf(stats)), "users 2, active 2, groups 1, memberships 2");
  EXPECT_EQ(stats.Number("/requests/total"), 4u);
  EXPECT_EQ(JournalCount(dir_ / "state.db", "done"), 4);
}

TEST_F(EmitApplyTest, ConflictOnCreateAdoptsTheExistingUser) {
  SimClient client = sim_.Client();
  ASSERT_EQ(client.Post("/Users", SimUserBody("e-1", "e-1")).status, 201);
  const CommandResult result = Apply(WritePlan(Header(1) + PlanUserCreateLine("e-1")));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const SimStats stats = sim_.Stats();
  EXPECT_EQ(stats.Number("/users"), 1u);
  EXPECT_EQ(stats.Number("/duplicate_creates"), 0u);
  EXPECT_EQ(stats.Number("/statuses/409"), 1u);
  const std::string report = testing_gen::ReadFile(dir_ / "report.json");
  EXPECT_NE(report.find("\"lookups\":1,\"adopted\":1"), std::string::npos) << report;
}

TEST_F(EmitApplyTest, AdoptedSuspendedUserIsReactivated) {
  SimClient client = sim_.Client();
  ASSERT_EQ(client.Post("/Users", SimUserBody("e-1", "e-1", false)).status, 201);
  const CommandResult result = Apply(WritePlan(Header(1) + PlanUserCreateLine("e-1")));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(ToString(StateOf(sim_.Stats())), "users 1, active 1, groups 0, memberships 0");
}

TEST_F(EmitApplyTest, RefusedCreateFailsItsDependentsAndTheRestGoOn) {
  std::string bad = PlanUserCreateLine("e-bad");
  bad.replace(bad.find("\"emails\""), bad.find("\"roles\"") - bad.find("\"emails\""), "");
  const std::string plan =
      WritePlan(Header(4) + bad + PlanUserCreateLine("e-2") + PlanGroupCreateLine("g-1") +
                PlanMemberAddLine("g-1", {"e-bad", "e-2"}));
  const CommandResult result = Apply(plan);
  EXPECT_EQ(result.exit_code, 3) << result.err;
  EXPECT_NE(result.err.find("    u:e-bad:create (e-bad): HTTP 400 invalidValue: missing required "
                            "attribute \"emails\"\n"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("    g:g-1:add:1 (g-1): dependency \"u:e-bad:create\" failed\n"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(ToString(StateOf(sim_.Stats())), "users 1, active 1, groups 1, memberships 0");
  EXPECT_EQ(JournalCount(dir_ / "state.db", "failed"), 2);
  EXPECT_EQ(JournalCount(dir_ / "state.db", "done"), 2);
}

TEST_F(EmitApplyTest, ResumeSkipsWhatIsDone) {
  const std::string plan =
      WritePlan(Header(2) + PlanUserCreateLine("e-1") + PlanUserCreateLine("e-2"));
  ASSERT_EQ(Apply(plan).exit_code, 0);
  const CommandResult again = Apply(plan, {"--resume"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(
      again.err.find("  user.create                     2          0          2          0\n"),
      std::string::npos)
      << again.err;
  EXPECT_NE(again.err.find("  requests: 0 (0 bulk)"), std::string::npos) << again.err;
  EXPECT_EQ(sim_.Stats().Number("/requests/total"), 2u);
}

TEST_F(EmitApplyTest, UnreachableTargetExitsFive) {
  const std::string plan = WritePlan(Header(1) + PlanUserCreateLine("e-1"));
  const int port = sim_.port();
  sim_.Stop();
  const CommandResult result =
      RunScimflow({"apply", plan, "--target", "http://127.0.0.1:" + std::to_string(port) + "/scim",
                   "--state", dir_ / "state.db"});
  EXPECT_EQ(result.exit_code, 5) << result.err;
  EXPECT_NE(result.err.find("target unreachable"), std::string::npos) << result.err;
}

TEST_F(EmitApplyTest, RefusedCredentialsExitFive) {
  const std::string plan = WritePlan(Header(1) + PlanUserCreateLine("e-1"));
  const CommandResult result = RunScimflow(
      {"apply", plan, "--target", sim_.ScimUrl(), "--state", dir_ / "state.db"}, "wrong-token");
  EXPECT_EQ(result.exit_code, 5) << result.err;
  EXPECT_NE(result.err.find("credentials refused"), std::string::npos) << result.err;
  EXPECT_EQ(sim_.Stats().Number("/users"), 0u);
}

TEST_F(EmitApplyTest, BrokenPlanIsAUsageError) {
  const CommandResult result = Apply(WritePlan(Header(2) + PlanUserCreateLine("e-1")));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("truncated: the header announces 2 operations, the file holds 1"),
            std::string::npos)
      << result.err;
}

// A group's PATCH asks the target to leave the members out of its answer (RFC 7644 §3.9):
// GitHub and the simulator answer with the group, and each member chunk of a large group would
// otherwise fetch every member added so far. Creates ask for nothing of the kind.
TEST(EmitApplyWireTest, GroupUpdatesAskTheTargetToLeaveMembersOutOfTheAnswer) {
  auto server = testing::HttpTestServer::Start([](const testing::RecordedRequest& request) {
    testing::ScriptedAnswer answer;
    answer.status = request.method == "POST" ? 201 : 200;
    answer.body = request.path.ends_with("/Users") ? R"({"id":"t-e-1"})" : R"({"id":"t-g-1"})";
    return answer;
  });
  ASSERT_NE(server, nullptr);
  TempDir dir("emit_apply_wire");
  const std::string plan = dir / "plan.ndjson";
  std::ofstream(plan, std::ios::binary) << Header(3) + PlanUserCreateLine("e-1") +
                                               PlanGroupCreateLine("g-1") +
                                               PlanMemberAddLine("g-1", {"e-1"});
  const CommandResult result = RunScimflow({"apply", plan, "--target", server->Url("/scim/v2"),
                                            "--state", dir / "state.db", "--no-budgets"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::vector<std::string> requests;
  for (const testing::RecordedRequest& request : server->requests()) {
    std::string line = request.method + " " + request.path;
    for (const auto& [name, value] : request.query) line += " ?" + name + "=" + value;
    requests.push_back(line);
  }
  EXPECT_EQ(requests,
            (std::vector<std::string>{"POST /scim/v2/Users", "POST /scim/v2/Groups",
                                      "PATCH /scim/v2/Groups/t-g-1 ?excludedAttributes=members"}));
}

}  // namespace
}  // namespace scimflow::testing_emit
