// `scimflow plan` end to end: the real binary on files written by `scimflow gen`. The plan of a
// next-day export has exactly the operation counts gen computed in expected.json; an export
// planned against its own snapshot is empty; the plan is byte-identical across runs and thread
// counts; the deprovision guard refuses an empty export (exit 4) unless confirmed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/gen_testutil.h"
#include "tests/test_directory.h"

namespace scimflow {
namespace {

namespace fs = std::filesystem;
using testing_gen::ReadFile;
using testing_gen::ScimflowToLog;

// Each test generates what it needs into a directory of its own: ctest runs tests as parallel
// processes.
class PlanCommandTest : public ::testing::Test {
 protected:
  void SetUp() override { root_ = testing::FreshTestDirectory("plan_command"); }
  void TearDown() override { fs::remove_all(root_); }

  // Day 0 with its snapshot, and day 1 with 1% churn and expected.json.
  void Generate(int users) {
    const fs::path day0 = root_ / "day0";
    ASSERT_EQ(ScimflowToLog("gen --users " + std::to_string(users) + " --seed 7 --snapshot --out " +
                                day0.string(),
                            root_ / "gen0.log"),
              0)
        << ReadFile(root_ / "gen0.log");
    ASSERT_EQ(ScimflowToLog("gen --next-day-of " + day0.string() + " --churn 1% --out " +
                                (root_ / "day1").string(),
                            root_ / "gen1.log"),
              0)
        << ReadFile(root_ / "gen1.log");
  }

  // `plan` of day `day`'s export against day 0's snapshot; returns the exit code.
  int Plan(const std::string& day, const std::string& out, const std::string& extra = "") {
    const fs::path dir = root_ / day;
    return ScimflowToLog("plan --users " + (dir / "users.ndjson").string() + " --groups " +
                             (dir / "groups.ndjson").string() + " --assignments " +
                             (dir / "assignments.ndjson").string() + " --current " +
                             (root_ / "day0" / "snapshot.ndjson").string() + " --out " +
                             (root_ / out).string() + " " + extra,
                         root_ / (out + ".log"));
  }

  uint64_t HeaderTotal(const std::string& plan_file) {
    const std::string plan = ReadFile(root_ / plan_file);
    simdjson::dom::parser parser;
    return uint64_t(parser.parse(plan.substr(0, plan.find('\n')))["total"]);
  }

  fs::path root_;
};

TEST_F(PlanCommandTest, NextDayPlanHasExactlyTheExpectedCountsAndTheSameDayNone) {
  Generate(100000);
  ASSERT_EQ(Plan("day1", "day1.plan", "--report " + (root_ / "day1.report.json").string()), 0)
      << ReadFile(root_ / "day1.plan.log");
  const std::string plan = ReadFile(root_ / "day1.plan");
  simdjson::dom::parser parser;
  simdjson::dom::element planned = parser.parse(plan.substr(0, plan.find('\n')));
  simdjson::dom::parser expected_parser;
  simdjson::dom::element expected =
      expected_parser.load((root_ / "day1" / "expected.json").string());
  for (auto [kind, count] : expected["operations"].get_object()) {
    EXPECT_EQ(uint64_t(planned["operations"][kind]), uint64_t(count)) << kind;
  }
  EXPECT_EQ(uint64_t(planned["total"]), uint64_t(expected["total"]));
  EXPECT_EQ(uint64_t(planned["members_added"]), uint64_t(expected["members_added"]));
  EXPECT_EQ(uint64_t(planned["members_removed"]), uint64_t(expected["members_removed"]));
  EXPECT_GT(uint64_t(planned["total"]), 0u);
  // One line per operation after the header.
  EXPECT_EQ(static_cast<uint64_t>(std::count(plan.begin(), plan.end(), '\n')),
            uint64_t(planned["total"]) + 1);
  // The export the snapshot was taken of plans nothing.
  ASSERT_EQ(Plan("day0", "day0.plan"), 0) << ReadFile(root_ / "day0.plan.log");
  EXPECT_EQ(HeaderTotal("day0.plan"), 0u);
  const std::string unchanged = ReadFile(root_ / "day0.plan");
  EXPECT_EQ(std::count(unchanged.begin(), unchanged.end(), '\n'), 1);
}

TEST_F(PlanCommandTest, PlanIsByteIdenticalAcrossRunsAndThreadCounts) {
  Generate(20000);
  ASSERT_EQ(Plan("day1", "one.plan", "--threads 1"), 0) << ReadFile(root_ / "one.plan.log");
  ASSERT_EQ(Plan("day1", "two.plan", "--threads 2"), 0) << ReadFile(root_ / "two.plan.log");
  ASSERT_EQ(Plan("day1", "again.plan", "--threads 2"), 0) << ReadFile(root_ / "again.plan.log");
  EXPECT_GT(HeaderTotal("one.plan"), 0u);
  const std::string one = ReadFile(root_ / "one.plan");
  EXPECT_TRUE(one == ReadFile(root_ / "two.plan"));
  EXPECT_TRUE(one == ReadFile(root_ / "again.plan"));
}

TEST_F(PlanCommandTest, EmptyExportIsRefusedByTheDeprovisionGuardUnlessAllowed) {
  Generate(2000);
  const fs::path empty = root_ / "empty.ndjson";
  std::ofstream(empty).close();
  const std::string base = "plan --users " + empty.string() + " --current " +
                           (root_ / "day0" / "snapshot.ndjson").string() + " --out " +
                           (root_ / "empty.plan").string();
  const fs::path log = root_ / "empty.log";
  EXPECT_EQ(ScimflowToLog(base, log), 4);
  EXPECT_THAT(ReadFile(log), ::testing::HasSubstr("run again with --allow-deprovision"));
  EXPECT_FALSE(fs::exists(root_ / "empty.plan"));
  EXPECT_EQ(ScimflowToLog(base + " --allow-deprovision 50", log), 4);
  EXPECT_EQ(ScimflowToLog(base + " --allow-deprovision 1000000", log), 0) << ReadFile(log);
  EXPECT_TRUE(fs::exists(root_ / "empty.plan"));
}

TEST_F(PlanCommandTest, RejectsAreWrittenAndMaxRejectsStopsThePlan) {
  const fs::path users = root_ / "broken-users.ndjson";
  std::ofstream(users) << R"({"externalId":"e-1","userName":"a@example.com"})"
                       << "\n"
                       << R"({"externalId":"e-1","userName":"b@example.com"})"
                       << "\n"
                       << R"({"externalId":"e-2")"
                       << "\n";
  const fs::path snapshot = root_ / "empty-snapshot.ndjson";
  std::ofstream(snapshot).close();
  const fs::path rejects = root_ / "rejects.ndjson";
  const std::string base = "plan --users " + users.string() + " --current " + snapshot.string() +
                           " --out " + (root_ / "broken.plan").string() + " --rejects " +
                           rejects.string();
  const fs::path log = root_ / "broken.log";
  ASSERT_EQ(ScimflowToLog(base, log), 0) << ReadFile(log);
  const std::string file = users.string();
  EXPECT_EQ(ReadFile(rejects),
            R"x({"file":")x" + file +
                R"x(","line":2,"reason":"duplicate externalId \"e-1\" (first at line 1)",)x"
                R"x("excerpt":"{\"externalId\":\"e-1\",\"userName\":\"b@example.com\"}"})x"
                "\n"
                R"x({"file":")x" +
                file +
                R"x(","line":3,"reason":"malformed JSON","excerpt":"{\"externalId\":\"e-2\""})x"
                "\n");
  EXPECT_EQ(ScimflowToLog(base + " --max-rejects 1", log), 2);
  EXPECT_EQ(ScimflowToLog(base + " --max-rejects 2", log), 0);
}

TEST_F(PlanCommandTest, MissingInputIsAUsageError) {
  const fs::path snapshot = root_ / "empty-snapshot.ndjson";
  std::ofstream(snapshot).close();
  const fs::path log = root_ / "missing.log";
  EXPECT_EQ(ScimflowToLog("plan --users " + (root_ / "nope.ndjson").string() + " --current " +
                              snapshot.string() + " --out " + (root_ / "nope.plan").string(),
                          log),
            1);
  EXPECT_THAT(ReadFile(log), ::testing::HasSubstr("nope.ndjson: cannot open"));
  EXPECT_FALSE(fs::exists(root_ / "nope.plan"));
}

}  // namespace
}  // namespace scimflow
