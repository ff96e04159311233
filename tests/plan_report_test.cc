#include "tools/plan_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "tests/plan_fixture.h"

namespace scimflow::testing {
namespace {

using ::testing::HasSubstr;

class PlanReportTest : public PlanFixture {
 protected:
  PlanRunSummary Summary() {
    TargetUser("t-1", UserSpec{"e-1", "a@example.com", "A", "B", ""});
    IdpUser(UserSpec{"e-2", "b@example.com", "A", "B", ""});
    PlanLines();
    PlanRunSummary summary;
    summary.profile = "github-emu";
    summary.plan = &plan_;
    summary.plan_path = "day1.plan";
    summary.users_read = 1;
    summary.current_users = 1;
    summary.guard = CheckDeprovision(plan_, 1, 0);
    summary.rejects = {
        {PlanInputRole::kCurrent, "snap.ndjson", 4, 0, "malformed JSON", "{"},
        {PlanInputRole::kUsers, "users.ndjson", 9, 77, "malformed JSON", "{\"x"},
        {PlanInputRole::kUsers, "users.ndjson", 2, 5, "truncated record", "{"},
    };
    SortRejects(&summary.rejects);
    summary.stage_seconds = {{"current", 0.5}};
    summary.wall_seconds = 1.25;
    return summary;
  }
};

TEST_F(PlanReportTest, RejectsAreOrderedByInputThenLineAndWrittenAsNdjson) {
  const PlanRunSummary summary = Summary();
  const std::string path = ::testing::TempDir() + "/plan_report_rejects.ndjson";
  ASSERT_TRUE(WriteRejectsFile(path, summary.rejects).ok());
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_EQ(text.str(),
            R"({"file":"users.ndjson","line":2,"reason":"truncated record","excerpt":"{"})"
            "\n"
            R"({"file":"users.ndjson","line":9,"reason":"malformed JSON","excerpt":"{\"x"})"
            "\n"
            R"({"file":"snap.ndjson","line":4,"reason":"malformed JSON","excerpt":"{"})"
            "\n");
}

TEST_F(PlanReportTest, ReportJsonCarriesCountsRejectsGuardAndTimings) {
  std::string json;
  AppendReportJson(Summary(), &json);
  EXPECT_EQ(
      json,
      R"({"command":"plan","profile":"github-emu","outcome":"planned","plan":"day1.plan",)"
      R"("operations":{"user.deactivate":1,"user.roles":0,"user.update":0,"user.reactivate":0,)"
      R"("user.create":1,"group.create":0,"group.rename":0,"group.members.remove":0,)"
      R"("group.members.add":0,"group.delete":0},"total":2,"members_added":0,)"
      R"("members_removed":0,"members_left_out":0,"conflicts":{"username-change":0,)"
      R"("group-role":0,"username-taken":0},"rejects":{"total":3,"users":2,"groups":0,)"
      R"("assignments":0,"current":1},"deprovision":{"count":1,"limit":100,"refused":false},)"
      R"("stage_seconds":{"current":0.5},"wall_seconds":1.25})");
}

TEST_F(PlanReportTest, SummaryTableListsEveryKindAndTheOutcome) {
  const PlanRunSummary summary = Summary();
  char buffer[4096] = {};
  std::FILE* out = fmemopen(buffer, sizeof(buffer), "w");
  PrintSummaryTable(summary, out);
  std::fclose(out);
  const std::string text = buffer;
  EXPECT_THAT(text, HasSubstr("  user.deactivate                 1\n"));
  EXPECT_THAT(text, HasSubstr("  group.delete                    0\n"));
  EXPECT_THAT(text, HasSubstr("  total                           2\n"));
  EXPECT_THAT(text, HasSubstr("  rejects: 3 (users 2, groups 0, assignments 0, current 1)\n"));
  EXPECT_THAT(text, HasSubstr("  plan written to day1.plan in 1.25 s\n"));
}

}  // namespace
}  // namespace scimflow::testing
