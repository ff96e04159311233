// `plan --profile-file F` and `sync --profile-file F`: the planning settings of a profile file
// (the roles the target accepts, members per group PATCH) shape the plan, as apply's own use of
// the file assumes. Without the file the same export is planned with the named profile's.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "io/plan_reader.h"
#include "tests/gen_testutil.h"
#include "tests/test_directory.h"

namespace scimflow {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using testing_gen::ReadFile;
using testing_gen::ScimflowToLog;

class PlanProfileFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = testing::FreshTestDirectory("plan_profile_file");
    // Three users, the second with a role github-emu does not know; one group of all three.
    std::string users;
    for (int index = 1; index <= 3; ++index) {
      const std::string id = std::to_string(index);
      users += R"({"externalId":"e-)" + id + R"(","userName":"u)" + id +
               R"(@example.com","name":{"givenName":"G","familyName":"F"},"emails":[{"value":"u)" +
               id + R"(@example.com","primary":true}],"roles":[{"value":")" +
               (index == 2 ? "auditor" : "user") + R"(","primary":true}],"active":true})" + "\n";
    }
    Write("users.ndjson", users);
    Write("groups.ndjson",
          R"({"externalId":"g-1","displayName":"Everyone","members":["e-1","e-2","e-3"]})"
          "\n");
    Write("empty.ndjson", "");
    Write("target.profile",
          "# roles of this enterprise\nroles user auditor\nmax-members-per-patch 2\n");
  }
  void TearDown() override { fs::remove_all(root_); }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(root_ / name, std::ios::binary) << text;
  }
  std::string Path(const std::string& name) const { return (root_ / name).string(); }

  // `plan` of the files against an empty target; returns the exit code.
  int Plan(const std::string& out, const std::string& extra) {
    return ScimflowToLog("plan --users " + Path("users.ndjson") + " --groups " +
                             Path("groups.ndjson") + " --current " + Path("empty.ndjson") +
                             " --out " + Path(out) + " --rejects " + Path(out + ".rejects") + " " +
                             extra,
                         Path(out + ".log"));
  }

  // The operation ids of a plan file, in order, as apply reads them.
  std::vector<std::string> OperationIds(const std::string& plan_file) {
    Result<ReadPlan> plan = ReadPlanFile(Path(plan_file));
    EXPECT_TRUE(plan.ok()) << plan.status().message();
    std::vector<std::string> ids;
    if (plan.ok()) {
      for (const PlanOperation& operation : plan->operations) ids.emplace_back(operation.op_id);
    }
    return ids;
  }

  fs::path root_;
};

TEST_F(PlanProfileFileTest, TheFilesRolesAndMemberBatchesShapeThePlan) {
  ASSERT_EQ(Plan("named.plan", "--profile github-emu"), 0) << ReadFile(Path("named.plan.log"));
  EXPECT_THAT(ReadFile(Path("named.plan.rejects")),
              HasSubstr(R"(unknown role \"auditor\" for profile github-emu)"));
  EXPECT_THAT(OperationIds("named.plan"), ::testing::ElementsAre("u:e-1:create", "u:e-3:create",
                                                                 "g:g-1:create", "g:g-1:add:1"));

  ASSERT_EQ(Plan("file.plan", "--profile github-emu --profile-file " + Path("target.profile")), 0)
      << ReadFile(Path("file.plan.log"));
  EXPECT_EQ(ReadFile(Path("file.plan.rejects")), "");
  EXPECT_THAT(OperationIds("file.plan"),
              ::testing::ElementsAre("u:e-1:create", "u:e-2:create", "u:e-3:create", "g:g-1:create",
                                     "g:g-1:add:1", "g:g-1:add:2"));

  // The command line's --max-members-per-patch wins over the file's.
  ASSERT_EQ(
      Plan("flag.plan", "--profile-file " + Path("target.profile") + " --max-members-per-patch 3"),
      0)
      << ReadFile(Path("flag.plan.log"));
  EXPECT_THAT(OperationIds("flag.plan"),
              ::testing::ElementsAre("u:e-1:create", "u:e-2:create", "u:e-3:create", "g:g-1:create",
                                     "g:g-1:add:1"));
}

TEST_F(PlanProfileFileTest, ABrokenFileStopsThePlanNamingFileAndLine) {
  Write("bad.profile", "roles user\nbulk maybe\n");
  EXPECT_EQ(Plan("bad.plan", "--profile-file " + Path("bad.profile")), 1);
  EXPECT_THAT(ReadFile(Path("bad.plan.log")),
              HasSubstr(Path("bad.profile") + ":2: \"bulk\" takes on or off, not \"maybe\""));
  EXPECT_FALSE(fs::exists(Path("bad.plan")));
}

TEST_F(PlanProfileFileTest, SyncPlansWithTheProfileFileItWasGiven) {
  // A dry run plans and sends nothing, so the target is never contacted.
  const std::string sync = "sync --users " + Path("users.ndjson") + " --groups " +
                           Path("groups.ndjson") + " --target http://127.0.0.1:9/scim --state " +
                           Path("state.db") + " --dry-run --out " + Path("sync.plan");
  ASSERT_EQ(ScimflowToLog(sync + " --profile-file " + Path("target.profile"), Path("sync.log")), 0)
      << ReadFile(Path("sync.log"));
  EXPECT_THAT(OperationIds("sync.plan"),
              ::testing::ElementsAre("u:e-1:create", "u:e-2:create", "u:e-3:create", "g:g-1:create",
                                     "g:g-1:add:1", "g:g-1:add:2"));
  EXPECT_THAT(ReadFile(Path("sync.log")), Not(HasSubstr("auditor")));
}

}  // namespace
}  // namespace scimflow
