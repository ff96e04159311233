// The generator's expected.json against an independent count: the next day's files are read back
// and planned against the earlier day's snapshot by tests/gen_testutil (docs/operations.md),
// which shares no code with the generator.
#include <gtest/gtest.h>

#include "tests/gen_testutil.h"
#include "tools/gen/churn.h"
#include "tools/gen/generator.h"

namespace scimflow::gen {
namespace {

using testing_gen::PlanCounts;
using testing_gen::ReadExpected;
using testing_gen::ReadExport;
using testing_gen::ReadSnapshot;
using testing_gen::TempDir;
using testing_gen::TestCounts;

GenRequest DayZero(const std::string& out, uint32_t users, uint32_t groups) {
  GenRequest request;
  request.params.seed = 11;
  request.params.users = users;
  request.params.groups = groups;
  request.out_dir = out;
  request.snapshot = true;
  return request;
}

GenRequest NextDay(const std::string& earlier, const std::string& out, const std::string& churn) {
  GenRequest request;
  request.next_day_of = earlier;
  request.out_dir = out;
  request.churn = churn;
  request.snapshot = true;
  return request;
}

void ExpectSameCounts(const TestCounts& planned, const TestCounts& expected) {
  EXPECT_EQ(planned.operations, expected.operations);
  EXPECT_EQ(planned.total, expected.total);
  EXPECT_EQ(planned.members_added, expected.members_added);
  EXPECT_EQ(planned.members_removed, expected.members_removed);
  EXPECT_EQ(planned.conflicts, 0u);
}

// Generates day 1 from `day0` with `churn` and checks expected.json against the independent count.
TestCounts CheckNextDay(const std::string& day0, const std::string& day1,
                        const std::string& churn) {
  const Result<GenSummary> summary = RunGenerator(NextDay(day0, day1, churn));
  EXPECT_TRUE(summary.ok()) << summary.status().message();
  const testing_gen::TestDay day = ReadExport(day1);
  const testing_gen::TestSnapshot snapshot = ReadSnapshot(day0 + "/snapshot.ndjson");
  EXPECT_EQ(day.error, "");
  EXPECT_EQ(snapshot.error, "");
  std::string error;
  const TestCounts expected = ReadExpected(day1 + "/expected.json", &error);
  EXPECT_EQ(error, "");
  const TestCounts planned = PlanCounts(day, snapshot, 100);
  ExpectSameCounts(planned, expected);
  return expected;
}

TEST(GenChurnTest, ExpectedCountsEqualAnIndependentDiffOfTheTwoExports) {
  TempDir dir("churn_scim");
  ASSERT_TRUE(RunGenerator(DayZero(dir / "day0", 20'000, 400)).ok());
  const TestCounts counts = CheckNextDay(dir / "day0", dir / "day1", "3%");
  // Every kind occurs, so the comparison above covers each rule.
  for (const auto& [kind, count] : counts.operations) EXPECT_GT(count, 0u) << kind;
}

TEST(GenChurnTest, ANextDayOfANextDayIsCountedAgainstTheLatestSnapshot) {
  TempDir dir("churn_chain");
  ASSERT_TRUE(RunGenerator(DayZero(dir / "day0", 8000, 80)).ok());
  CheckNextDay(dir / "day0", dir / "day1", "3%");
  const TestCounts day2 = CheckNextDay(dir / "day1", dir / "day2",
                                       "joiners=40,leavers=80,profile=30,roles=20,reactivations=10,"
                                       "group-joins=300,group-leaves=200,groups-created=3,"
                                       "groups-renamed=4,groups-removed=2");
  EXPECT_EQ(day2.operations.at("user.create"), 40u);
  EXPECT_EQ(day2.operations.at("user.deactivate"), 80u);
  EXPECT_EQ(day2.operations.at("user.update"), 30u);
  EXPECT_EQ(day2.operations.at("user.roles"), 20u);
  EXPECT_EQ(day2.operations.at("user.reactivate"), 10u);
  EXPECT_EQ(day2.operations.at("group.create"), 3u);
  EXPECT_EQ(day2.operations.at("group.rename"), 4u);
  EXPECT_EQ(day2.operations.at("group.delete"), 2u);
  CheckNextDay(dir / "day2", dir / "day3", "1%");
}

TEST(GenChurnTest, ExpectedCountsHoldForOktaUsersAndCsvGroupsAndAssignments) {
  TempDir dir("churn_okta");
  GenRequest request = DayZero(dir / "day0", 12'000, 120);
  request.user_format = UserFormat::kOktaNdjson;
  request.group_format = GroupFormat::kCsv;
  request.assignment_format = AssignmentFormat::kCsv;
  ASSERT_TRUE(RunGenerator(request).ok());
  CheckNextDay(dir / "day0", dir / "day1", "2%");
}

TEST(GenChurnTest, ADayPlannedAgainstItsOwnSnapshotHasNoOperations) {
  TempDir dir("churn_zero");
  ASSERT_TRUE(RunGenerator(DayZero(dir / "day0", 10'000, 100)).ok());
  ASSERT_TRUE(RunGenerator(NextDay(dir / "day0", dir / "day1", "5%")).ok());
  for (const std::string& day : {dir / "day0", dir / "day1"}) {
    const TestCounts counts =
        PlanCounts(ReadExport(day), ReadSnapshot(day + "/snapshot.ndjson"), 100);
    EXPECT_EQ(counts.total, 0u) << day;
    EXPECT_EQ(counts.members_added + counts.members_removed, 0u) << day;
  }
}

TEST(GenChurnTest, AmountsBeyondTheCandidatesAreCappedAndReported) {
  GenParams params;
  params.users = 2000;
  params.groups = 20;
  ExportModel model = BuildInitialDay(params);
  uint64_t suspended = 0;
  for (const GenUser& user : model.users) suspended += !user.Provisioned();
  const Result<ChurnSpec> spec = ParseChurnSpec("reactivations=100%,groups-removed=50");
  ASSERT_TRUE(spec.ok());
  const ChurnResult result = ApplyChurn(&model, *spec, 100);
  EXPECT_EQ(result.applied[static_cast<int>(ChurnKind::kReactivations)], suspended);
  EXPECT_EQ(result.expected.user_reactivate, suspended);
  EXPECT_EQ(result.expected.group_delete, 20u);
  EXPECT_TRUE(model.groups.empty());
  EXPECT_EQ(model.day, 1u);
  for (const GenUser& user : model.users) EXPECT_TRUE(user.Provisioned());
}

TEST(GenChurnTest, MemberOperationsAreChunkedPerGroupAndDirection) {
  GenParams params;
  params.users = 5000;
  params.groups = 10;
  ExportModel model = BuildInitialDay(params);
  const Result<ChurnSpec> spec = ParseChurnSpec("group-joins=900");
  ASSERT_TRUE(spec.ok());
  ExportModel copy = model;
  const ChurnResult by_100 = ApplyChurn(&model, *spec, 100);
  const ChurnResult by_1 = ApplyChurn(&copy, *spec, 1);
  EXPECT_EQ(by_100.expected.members_added, 900u);
  EXPECT_EQ(by_1.expected.group_members_add, 900u);  // one operation per member
  // Ten groups, ~90 adds each: one or two chunks per group.
  EXPECT_GE(by_100.expected.group_members_add, 10u);
  EXPECT_LE(by_100.expected.group_members_add, 20u);
  EXPECT_EQ(by_100.expected.max_members_per_patch, 100u);
  EXPECT_EQ(ExpectedJson(by_100.expected).substr(0, 48),
            "{\"profile\":\"github-emu\",\"operations\":{\"user.crea");
}

TEST(GenChurnTest, ExpectedJsonHasEveryKindInTheDocumentedShape) {
  ExpectedOperations expected;
  expected.user_create = 1;
  expected.group_members_add = 2;
  expected.members_added = 150;
  EXPECT_EQ(ExpectedJson(expected),
            "{\"profile\":\"github-emu\",\"operations\":{\"user.create\":1,\"user.update\":0,"
            "\"user.roles\":0,\"user.deactivate\":0,\"user.reactivate\":0,\"group.create\":0,"
            "\"group.rename\":0,\"group.members.remove\":0,\"group.members.add\":2,"
            "\"group.delete\":0},\"total\":3,\"members_added\":150,\"members_removed\":0,"
            "\"max_members_per_patch\":100}\n");
}

}  // namespace
}  // namespace scimflow::gen
