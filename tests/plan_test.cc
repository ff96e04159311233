// Plan: stable ids, dependencies, the deprovision guard, the header line and byte-identical plan
// files for any thread count.
#include "engine/plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "bench/plan_bench_data.h"
#include "io/plan_file.h"
#include "tests/plan_fixture.h"

namespace scimflow::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class PlanTest : public PlanFixture {};

std::string ReadAll(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

TEST_F(PlanTest, IdsStayUniqueWhateverAnExternalIdContains) {
  IdpUser(UserSpec{"a:create", "x@example.com", "X", "Y", ""});
  IdpUser(UserSpec{"a", "y@example.com", "X", "Y", ""});
  IdpGroup("g:add:1", "G", {"a", "a:create"});
  PlanLines();
  std::vector<std::string> ids;
  std::vector<std::string> deps;
  for (const Operation& operation : plan_.operations) {
    ids.push_back(plan_.OperationId(operation));
    for (const std::string& dependency : plan_.Dependencies(operation)) deps.push_back(dependency);
  }
  EXPECT_THAT(
      ids, ElementsAre("u:a:create", "u:a:create:create", "g:g:add:1:create", "g:g:add:1:add:1"));
  EXPECT_THAT(deps, ElementsAre("g:g:add:1:create", "u:a:create", "u:a:create:create"));
}

TEST_F(PlanTest, MemberAddWaitsForTheReactivationOfItsUser) {
  UserSpec suspended{"e-1", "a@example.com", "A", "B", ""};
  suspended.active = false;
  TargetUser("t-1", suspended);
  TargetGroup("tg-1", "g-1", "G", {});
  IdpUser(UserSpec{"e-1", "a@example.com", "A", "B", ""});
  IdpGroup("g-1", "G", {"e-1"});
  PlanLines();
  ASSERT_EQ(plan_.operations.size(), 2u);
  EXPECT_THAT(plan_.Dependencies(plan_.operations[1]), ElementsAre("u:e-1:reactivate"));
}

TEST_F(PlanTest, GuardLimitIsTenPercentOfActiveUsersAndAtLeastOneHundred) {
  for (int user = 0; user < 150; ++user) {
    TargetUser("t-" + std::to_string(user),
               UserSpec{"e-" + std::to_string(user), std::to_string(user) + "@x", "A", "B", ""});
  }
  PlanLines();
  const DeprovisionCheck refused = CheckDeprovision(plan_, 150, 0);
  EXPECT_TRUE(refused.refused);
  EXPECT_EQ(refused.deprovisions, 150u);
  EXPECT_EQ(refused.limit, 100u);
  EXPECT_EQ(refused.message,
            "refused: the plan deactivates 150 users and deletes 0 groups, 150 deprovisions in "
            "all, more than the limit of 100 (10% of the target's 150 active users, at least "
            "100); if this is intended, run again with --allow-deprovision 150");
  EXPECT_EQ(CheckDeprovision(plan_, 5000, 0).limit, 500u);
  EXPECT_FALSE(CheckDeprovision(plan_, 5000, 0).refused);
  EXPECT_FALSE(CheckDeprovision(plan_, 150, 150).refused);
  const DeprovisionCheck short_allowance = CheckDeprovision(plan_, 150, 149);
  EXPECT_TRUE(short_allowance.refused);
  EXPECT_THAT(short_allowance.message, HasSubstr("(--allow-deprovision 149)"));
}

TEST_F(PlanTest, HeaderCountsEveryKindConflictsAndInputs) {
  TargetUser("t-1", UserSpec{"e-1", "a@example.com", "A", "B", ""});
  IdpUser(UserSpec{"e-1", "b@example.com", "A", "B", ""});
  IdpUser(UserSpec{"e-2", "c@example.com", "A", "B", ""});
  PlanLines();
  std::string header;
  AppendPlanHeader(plan_, PlanFileHeader{{{"users", "users.ndjson", 12, 0xabcdef}}, 3}, &header);
  EXPECT_EQ(
      header,
      R"({"format":"scimflow-plan","version":1,"profile":"github-emu","max_members_per_patch":100,)"
      R"("inputs":[{"role":"users","file":"users.ndjson","bytes":12,"xxh3":"0000000000abcdef"}],)"
      R"("operations":{"user.deactivate":0,"user.roles":0,"user.update":0,"user.reactivate":0,)"
      R"("user.create":1,"group.create":0,"group.rename":0,"group.members.remove":0,)"
      R"("group.members.add":0,"group.delete":0},"total":1,"members_added":0,)"
      R"("members_removed":0,"members_left_out":0,"rejects":3,"conflicts":{"username-change":1,)"
      R"("group-role":0,"username-taken":0},"conflict_list":[{"kind":"username-change",)"
      R"("externalId":"e-1","file":"users.ndjson","line":1,"detail":"userName \"a@example.com\" )"
      R"(on the target, \"b@example.com\" in the IdP"}]})"
      "\n");
}

TEST(PlanFileTest, PlanFileIsByteIdenticalForAnyThreadCount) {
  const auto data = bench::MakePlanBenchData(30000);
  const TargetProfile& profile = *FindProfile("github-emu");
  std::string first;
  for (int threads : {1, 2, 4}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    const DesiredState desired =
        Resolve(data->Users(), data->Groups(), {}, profile, data->current.get());
    const Plan plan =
        BuildPlan(Reconcile(desired, *data->current, profile), desired, *data->current, profile, 3);
    EXPECT_EQ(plan.count(OperationKind::kUserCreate), 300u);
    EXPECT_EQ(plan.members_removed, 300u);
    const std::string path = ::testing::TempDir() + "/threads.plan";
    ASSERT_TRUE(WritePlanFile(path, plan, PlanFileHeader{}).ok());
    EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
    const std::string text = ReadAll(path);
    if (first.empty()) first = text;
    EXPECT_TRUE(text == first) << "threads " << threads;
  }
  EXPECT_EQ(std::count(first.begin(), first.end(), '\n'), 1 + 4 * 300 + 2 * 300);
}

TEST(PlanFileTest, UnwritablePathIsAnIoError) {
  Plan plan;
  const Status status = WritePlanFile("/nonexistent-dir/x.plan", plan, PlanFileHeader{});
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_THAT(status.message(), HasSubstr("/nonexistent-dir/x.plan.tmp: cannot write"));
}

TEST(PlanFileTest, DigestIsXxh3OfTheBytes) {
  const std::string path = ::testing::TempDir() + "/digest.txt";
  std::ofstream(path, std::ios::binary) << "hello";
  auto input = DigestFile("users", path);
  ASSERT_TRUE(input.ok());
  EXPECT_EQ(input->bytes, 5u);
  EXPECT_EQ(input->xxh3, XXH3_64bits("hello", 5));
  EXPECT_EQ(DigestFile("users", path + ".missing").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace scimflow::testing
