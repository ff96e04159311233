// `scimflow gen` as users run it: the real binary, byte-identical output across runs and thread
// counts, and one-line usage errors with exit code 1.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/gen_testutil.h"
#include "tools/gen/generator.h"

namespace scimflow {
namespace {

using testing_gen::ReadFile;
using testing_gen::RunCommand;
using testing_gen::TempDir;

std::string Gen(const std::string& arguments) {
  return std::string(SCIMFLOW_BINARY) + " gen " + arguments;
}

// Every file of `left` has the same bytes in `right`, and both hold the same file names.
void ExpectSameFiles(const std::string& left, const std::string& right) {
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(left)) {
    const std::string name = entry.path().filename().string();
    const std::string other = right + "/" + name;
    ASSERT_TRUE(std::filesystem::exists(other)) << name;
    EXPECT_TRUE(ReadFile(entry.path().string()) == ReadFile(other)) << name << " differs";
    ++files;
  }
  EXPECT_EQ(files, static_cast<size_t>(std::distance(std::filesystem::directory_iterator(right),
                                                     std::filesystem::directory_iterator())));
}

TEST(GenCliTest, TwoRunsAndAnyThreadCountWriteTheSameBytes) {
  TempDir dir("cli_same");
  const std::string common = "--users 30000 --groups 300 --seed 99 --snapshot";
  const auto one = RunCommand(Gen(common + " --threads 1 --out " + (dir / "one")));
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out.rfind("gen: day 0: 30000 users, ", 0), 0u) << one.out;
  const auto two = RunCommand(Gen(common + " --threads 2 --out " + (dir / "two")));
  ASSERT_EQ(two.exit_code, 0) << two.err;
  ExpectSameFiles(dir / "one", dir / "two");
  EXPECT_EQ(std::filesystem::file_size(dir / "one/users.ndjson") > 9'000'000, true);

  const std::string next = " --churn 1% --snapshot --next-day-of ";
  const auto next_one =
      RunCommand(Gen("--threads 1 --out " + (dir / "next1") + next + (dir / "one")));
  ASSERT_EQ(next_one.exit_code, 0) << next_one.err;
  const auto next_two =
      RunCommand(Gen("--threads 2 --out " + (dir / "next2") + next + (dir / "two")));
  ASSERT_EQ(next_two.exit_code, 0) << next_two.err;
  ExpectSameFiles(dir / "next1", dir / "next2");
  EXPECT_NE(next_one.out.find("gen: expected operations: "), std::string::npos) << next_one.out;
}

TEST(GenCliTest, AnotherSeedWritesOtherBytes) {
  TempDir dir("cli_seed");
  ASSERT_EQ(RunCommand(Gen("--users 500 --seed 1 --out " + (dir / "a"))).exit_code, 0);
  ASSERT_EQ(RunCommand(Gen("--users 500 --seed 2 --out " + (dir / "b"))).exit_code, 0);
  EXPECT_NE(ReadFile(dir / "a/users.ndjson"), ReadFile(dir / "b/users.ndjson"));
}

TEST(GenCliTest, UsageErrorsExitWithOneAndSayWhatIsWrong) {
  TempDir dir("cli_usage");
  ASSERT_EQ(RunCommand(Gen("--users 100 --out " + (dir / "day0"))).exit_code, 0);
  const std::pair<std::string, std::string> kCases[] = {
      {"--users 10", "scimflow gen: --out is required\n"},
      {"--users ten --out " + (dir / "x"), "scimflow gen: Could not convert: --users = ten\n"},
      {"--users 10 --user-format xml --out " + (dir / "x"),
       "scimflow gen: --user-format: xml not in {scim,scim-array,okta,okta-ndjson,csv}\n"},
      {"--out " + (dir / "x"), "scimflow gen: --users must be at least 1\n"},
      {"--users 10 --churn 1% --out " + (dir / "x"),
       "scimflow gen: --churn needs --next-day-of DIR\n"},
      {"--next-day-of " + (dir / "nowhere") + " --churn 1% --out " + (dir / "x"),
       "scimflow gen: " + (dir / "nowhere") + "/manifest.json: no such file\n"},
      {"--next-day-of " + (dir / "day0") + " --churn 1% --users 5 --out " + (dir / "x"),
       "scimflow gen: --users, --groups, --seed and --memberships-per-user come from the earlier "
       "day's manifest.json; leave them out with --next-day-of\n"},
      {"--next-day-of " + (dir / "day0") + " --churn 1%,1% --out " + (dir / "x"),
       "scimflow gen: --churn \"1%,1%\": a total share can only come first\n"},
  };
  for (const auto& [arguments, message] : kCases) {
    const auto result = RunCommand(Gen(arguments));
    EXPECT_EQ(result.exit_code, 1) << arguments;
    EXPECT_EQ(result.err, message) << arguments;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "x/manifest.json"));
}

TEST(GenCliTest, MaxMembersPerPatchSetsTheChunkingOfExpectedJson) {
  TempDir dir("cli_chunks");
  ASSERT_EQ(RunCommand(Gen("--users 3000 --out " + (dir / "day0"))).exit_code, 0);
  const auto result = RunCommand(Gen("--next-day-of " + (dir / "day0") +
                                     " --churn group-joins=40,group-leaves=30 "
                                     "--max-members-per-patch 1 --out " +
                                     (dir / "day1")));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::string error;
  const testing_gen::TestCounts counts =
      testing_gen::ReadExpected(dir / "day1/expected.json", &error);
  EXPECT_EQ(error, "");
  EXPECT_EQ(counts.operations.at("group.members.add"), 40u);
  EXPECT_EQ(counts.operations.at("group.members.remove"), 30u);
  EXPECT_NE(ReadFile(dir / "day1/expected.json").find("\"max_members_per_patch\":1}"),
            std::string::npos);
}

TEST(GenCliTest, HelpDescribesEveryFlag) {
  const auto result = RunCommand(std::string(SCIMFLOW_BINARY) + " help gen");
  EXPECT_EQ(result.exit_code, 0);
  for (const char* flag :
       {"--users", "--groups", "--seed", "--out", "--user-format", "--group-format",
        "--assignment-format", "--snapshot", "--next-day-of", "--churn", "--memberships-per-user",
        "--max-members-per-patch", "--threads"}) {
    EXPECT_NE(result.out.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace scimflow

namespace scimflow::gen {
namespace {

// datasets/small is hand-checked output of the generator; this keeps it in step
// (datasets/README.md).
TEST(GenDatasetsTest, SmallFixturesAreExactlyWhatTheGeneratorWrites) {
  const std::string small = std::string(SCIMFLOW_SOURCE_DIR) + "/datasets/small";
  TempDir dir("datasets_small");
  struct Variant {
    UserFormat users;
    GroupFormat groups;
    AssignmentFormat assignments;
    std::vector<std::string> files;
  };
  const Variant kVariants[] = {
      {UserFormat::kScim,
       GroupFormat::kNdjson,
       AssignmentFormat::kNdjson,
       {"users.ndjson", "groups.ndjson", "assignments.ndjson", "snapshot.ndjson", "manifest.json"}},
      {UserFormat::kScimArray,
       GroupFormat::kCsv,
       AssignmentFormat::kCsv,
       {"users.json", "groups.csv", "assignments.csv"}},
      {UserFormat::kOkta, GroupFormat::kCsv, AssignmentFormat::kCsv, {"users.okta.json"}},
      {UserFormat::kOktaNdjson, GroupFormat::kCsv, AssignmentFormat::kCsv, {"users.okta.ndjson"}},
      {UserFormat::kCsv, GroupFormat::kCsv, AssignmentFormat::kCsv, {"users.csv"}},
  };
  for (const Variant& variant : kVariants) {
    GenRequest request;
    request.params = {.seed = 41, .users = 20, .groups = 3, .memberships_per_user = 5};
    request.out_dir = dir / std::string(FormatName(variant.users));
    request.user_format = variant.users;
    request.group_format = variant.groups;
    request.assignment_format = variant.assignments;
    request.snapshot = true;
    ASSERT_TRUE(RunGenerator(request).ok());
    for (const std::string& file : variant.files) {
      EXPECT_EQ(ReadFile(request.out_dir + "/" + file), ReadFile(small + "/" + file)) << file;
    }
  }
  GenRequest next;
  next.next_day_of = small;
  next.out_dir = dir / "next-day";
  next.churn =
      "joiners=2,leavers=2,profile=1,roles=1,reactivations=1,group-joins=3,group-leaves=2,"
      "groups-created=1,groups-renamed=1,groups-removed=1";
  next.snapshot = true;
  ASSERT_TRUE(RunGenerator(next).ok());
  for (const char* file : {"users.ndjson", "groups.ndjson", "assignments.ndjson", "snapshot.ndjson",
                           "expected.json", "manifest.json"}) {
    EXPECT_EQ(ReadFile(next.out_dir + "/" + file), ReadFile(small + "/next-day/" + file)) << file;
  }
}

}  // namespace
}  // namespace scimflow::gen
