// `scimflow apply` on small hand-written plans against `scimflow sim`: adoption after a 409, a
// refused create failing its dependents, exit codes, `--resume` skipping what is done.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tests/emit_testutil.h"

namespace scimflow::testing_emit {
namespace {

constexpr char kUserSchema[] = R"("schemas":["urn:ietf:params:scim:schemas:core:2.0:User"])";

std::string Header(int total) {
  return R"({"format":"scimflow-plan","version":1,"profile":"github-emu","total":)" +
         std::to_string(total) + "}\n";
}

// A complete GitHub-valid user create line.
std::string CreateLine(const std::string& external_id) {
  return R"({"op":"u:)" + external_id + R"(:create","kind":"user.create","externalId":")" +
         external_id + R"(","method":"POST","path":"/Users","body":{)" + kUserSchema +
         R"(,"externalId":")" + external_id + R"(","userName":")" + external_id +
         R"(","name":{"givenName":"G","familyName":"F"},"displayName":"D","emails":[{"value":")" +
         external_id +
         R"(@example.com","type":"work","primary":true}],"roles":[{"value":"user","primary":true}],"active":true}})"
         "\n";
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
      WritePlan(Header(4) + CreateLine("e-1") + CreateLine("e-2") + PlanGroupCreateLine("g-1") +
                PlanMemberAddLine("g-1", {"e-1", "e-2"}));
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
  const CommandResult result = Apply(WritePlan(Header(1) + CreateLine("e-1")));
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
  const CommandResult result = Apply(WritePlan(Header(1) + CreateLine("e-1")));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(ToString(StateOf(sim_.Stats())), "users 1, active 1, groups 0, memberships 0");
}

TEST_F(EmitApplyTest, RefusedCreateFailsItsDependentsAndTheRestGoOn) {
  std::string bad = CreateLine("e-bad");
  bad.replace(bad.find("\"emails\""), bad.find("\"roles\"") - bad.find("\"emails\""), "");
  const std::string plan =
      WritePlan(Header(4) + bad + CreateLine("e-2") + PlanGroupCreateLine("g-1") +
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
  const std::string plan = WritePlan(Header(2) + CreateLine("e-1") + CreateLine("e-2"));
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
  const std::string plan = WritePlan(Header(1) + CreateLine("e-1"));
  const int port = sim_.port();
  sim_.Stop();
  const CommandResult result =
      RunScimflow({"apply", plan, "--target", "http://127.0.0.1:" + std::to_string(port) + "/scim",
                   "--state", dir_ / "state.db"});
  EXPECT_EQ(result.exit_code, 5) << result.err;
  EXPECT_NE(result.err.find("target unreachable"), std::string::npos) << result.err;
}

TEST_F(EmitApplyTest, RefusedCredentialsExitFive) {
  const std::string plan = WritePlan(Header(1) + CreateLine("e-1"));
  const CommandResult result = RunScimflow(
      {"apply", plan, "--target", sim_.ScimUrl(), "--state", dir_ / "state.db"}, "wrong-token");
  EXPECT_EQ(result.exit_code, 5) << result.err;
  EXPECT_NE(result.err.find("credentials refused"), std::string::npos) << result.err;
  EXPECT_EQ(sim_.Stats().Number("/users"), 0u);
}

TEST_F(EmitApplyTest, BrokenPlanIsAUsageError) {
  const CommandResult result = Apply(WritePlan(Header(2) + CreateLine("e-1")));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("truncated: the header announces 2 operations, the file holds 1"),
            std::string::npos)
      << result.err;
}

}  // namespace
}  // namespace scimflow::testing_emit
