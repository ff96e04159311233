// `scimflow snapshot` and `plan --target` end to end: the real binary reads the simulator loaded
// with `gen --snapshot` data. The snapshot written equals the loaded one (compared canonically:
// users by externalId, groups with their member sets), also while the simulator answers 5% of the
// requests with 500; `plan --target` writes the same plan as `plan --current` on the same data;
// an unreachable target and a refused token end with exit code 5 and one line on stderr.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/options.h"
#include "io/snapshot_file.h"
#include "tests/gen_testutil.h"
#include "tests/sim_fixture.h"
#include "tests/test_directory.h"

namespace scimflow {
namespace {

namespace fs = std::filesystem;
using testing_gen::ReadFile;
using testing_gen::ScimflowToLog;

// A snapshot file in a form that ignores order: user lines by externalId (each line as written),
// groups by externalId with id, displayName and the sorted member ids.
struct CanonicalSnapshot {
  std::map<std::string, std::string> users;
  std::map<std::string, std::tuple<std::string, std::string, std::vector<std::string>>> groups;
  std::set<std::string> inactive_ids;
  size_t rejects = 0;

  friend bool operator==(const CanonicalSnapshot& left, const CanonicalSnapshot& right) {
    return left.users == right.users && left.groups == right.groups;
  }
};

CanonicalSnapshot Canonical(const fs::path& path) {
  CanonicalSnapshot canonical;
  EngineOptions options;
  options.max_line_bytes = 16u << 20;
  const Status read = ReadSnapshotFile(path.string(), options, [&](SnapshotChunk& chunk) {
    canonical.rejects += chunk.rejects.size();
    for (const SnapshotUser& user : chunk.users) {
      std::string line;
      AppendSnapshotUser(&line, user.id, user.user);
      canonical.users[std::string(user.user.external_id)] = line;
      if (!user.user.active) canonical.inactive_ids.emplace(user.id);
    }
    for (const SnapshotGroup& group : chunk.groups) {
      std::vector<std::string> members(group.member_ids.begin(), group.member_ids.end());
      std::sort(members.begin(), members.end());
      canonical.groups[std::string(group.external_id)] = {std::string(group.id),
                                                          std::string(group.display_name), members};
    }
  });
  EXPECT_TRUE(read.ok()) << read.ToString();
  return canonical;
}

// The plan without the header's "current" input (a live target has no file to pin).
std::string WithoutCurrentInput(const std::string& plan) {
  static const std::regex kCurrent(
      R"re(,\{"role":"current","file":"[^"]*","bytes":\d+,"xxh3":"[0-9a-f]{16}"\})re");
  return std::regex_replace(plan, kCurrent, "", std::regex_constants::format_first_only);
}

class SnapshotCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = testing::FreshTestDirectory("snapshot_command");
    token_file_ = root_ / "token";
    WriteToken(std::string(SimProcess::kToken));
  }
  void TearDown() override { fs::remove_all(root_); }

  void WriteToken(const std::string& token) {
    std::ofstream(token_file_, std::ios::trunc) << token << "\n";
    ::chmod(token_file_.c_str(), 0600);
  }

  void Generate(int users) {
    ASSERT_EQ(ScimflowToLog("gen --users " + std::to_string(users) +
                                " --seed 13 --snapshot --out " + (root_ / "day0").string(),
                            root_ / "gen0.log"),
              0)
        << ReadFile(root_ / "gen0.log");
    ASSERT_EQ(ScimflowToLog("gen --next-day-of " + (root_ / "day0").string() +
                                " --churn 1% --out " + (root_ / "day1").string(),
                            root_ / "gen1.log"),
              0)
        << ReadFile(root_ / "gen1.log");
  }

  fs::path Loaded() const { return root_ / "day0" / "snapshot.ndjson"; }

  void StartSim(std::vector<std::string> args) {
    args.insert(args.begin(), {"--load", Loaded().string()});
    ASSERT_TRUE(sim_.Start(args).ok());
  }

  // `scimflow snapshot` of the running simulator into `out`; returns the exit code.
  int Snapshot(const std::string& out, const std::string& extra = "") {
    return ScimflowToLog("snapshot --target " + sim_.ScimUrl() + " --out " +
                             (root_ / out).string() + " --token-file " + token_file_.string() +
                             " " + extra,
                         root_ / (out + ".log"));
  }

  std::string Plan(const std::string& day, const std::string& source, const std::string& out) {
    const fs::path dir = root_ / day;
    const fs::path log = root_ / (out + ".log");
    const int code = ScimflowToLog("plan --users " + (dir / "users.ndjson").string() +
                                       " --groups " + (dir / "groups.ndjson").string() +
                                       " --assignments " + (dir / "assignments.ndjson").string() +
                                       " " + source + " --out " + (root_ / out).string(),
                                   log);
    EXPECT_EQ(code, 0) << ReadFile(log);
    return ReadFile(root_ / out);
  }

  fs::path root_;
  fs::path token_file_;
  SimProcess sim_;
};

TEST_F(SnapshotCommandTest, SnapshotOfTheTargetEqualsTheLoadedDataDespiteInjected500s) {
  Generate(3000);
  StartSim({"--profile", "generic", "--fault-500", "0.05", "--seed", "4"});
  ASSERT_EQ(Snapshot("live.ndjson", "--concurrency 4 --max-attempts 30"), 0)
      << ReadFile(root_ / "live.ndjson.log");
  const CanonicalSnapshot live = Canonical(root_ / "live.ndjson");
  const CanonicalSnapshot loaded = Canonical(Loaded());
  EXPECT_EQ(live.users.size(), 3000u);
  EXPECT_EQ(live.groups.size(), loaded.groups.size());
  EXPECT_EQ(live.rejects, 0u);
  EXPECT_TRUE(live == loaded);
  EXPECT_GT(sim_.Stats().Number("/faults/500"), 0u);
  EXPECT_FALSE(fs::exists(root_ / "live.ndjson.tmp"));
  EXPECT_THAT(ReadFile(root_ / "live.ndjson.log"), ::testing::HasSubstr("3000 users, 30 groups"));
  // Loading the written snapshot into another simulator gives the same state.
  SimProcess again;
  ASSERT_TRUE(
      again.Start({"--profile", "generic", "--load", (root_ / "live.ndjson").string()}).ok());
  EXPECT_EQ(again.Stats().Number("/users"), sim_.Stats().Number("/users"));
  EXPECT_EQ(again.Stats().Number("/memberships"), sim_.Stats().Number("/memberships"));
}

TEST_F(SnapshotCommandTest, GitHubProfileHidesSuspendedUsersFromGroups) {
  Generate(1000);
  StartSim({});
  ASSERT_EQ(Snapshot("live.ndjson"), 0) << ReadFile(root_ / "live.ndjson.log");
  const CanonicalSnapshot live = Canonical(root_ / "live.ndjson");
  CanonicalSnapshot expected = Canonical(Loaded());
  for (auto& [external_id, group] : expected.groups) {
    std::erase_if(std::get<2>(group),
                  [&](const std::string& id) { return expected.inactive_ids.count(id) > 0; });
  }
  EXPECT_FALSE(expected.inactive_ids.empty());
  EXPECT_TRUE(live == expected);
}

TEST_F(SnapshotCommandTest, PlanAgainstTheLiveTargetEqualsPlanAgainstItsSnapshot) {
  Generate(3000);
  StartSim({"--profile", "generic"});
  const std::string target =
      "--target " + sim_.ScimUrl() + " --token-file " + token_file_.string() + " --concurrency 4";
  const std::string current = Plan("day1", "--current " + Loaded().string(), "current.plan");
  const std::string live = Plan("day1", target, "live.plan");
  EXPECT_GT(std::count(live.begin(), live.end(), '\n'), 1);
  EXPECT_EQ(live, WithoutCurrentInput(current));
  EXPECT_NE(current, WithoutCurrentInput(current));
  // Nothing was written to the target.
  const SimStats stats = sim_.Stats();
  EXPECT_EQ(stats.Number("/requests/total"), stats.Number("/requests/GET"));
  // Without a groups file the groups are not read: user pages only.
  const fs::path dir = root_ / "day1";
  const fs::path log = root_ / "users-only.log";
  ASSERT_EQ(ScimflowToLog("plan --users " + (dir / "users.ndjson").string() + " " + target +
                              " --page-size 1000 --out " + (root_ / "users-only.plan").string(),
                          log),
            0)
      << ReadFile(log);
  EXPECT_EQ(sim_.Stats().Number("/requests/GET"), stats.Number("/requests/GET") + 3);
}

TEST_F(SnapshotCommandTest, UnreachableTargetExitsFiveWithOneLine) {
  Generate(10);
  StartSim({"--profile", "generic"});
  const std::string url = sim_.ScimUrl();
  sim_.Stop();
  const fs::path log = root_ / "down.log";
  EXPECT_EQ(
      ScimflowToLog("snapshot --target " + url + " --out " + (root_ / "down.ndjson").string() +
                        " --token-file " + token_file_.string() + " --max-attempts 2",
                    log),
      5);
  const std::string output = ReadFile(log);
  EXPECT_THAT(output, ::testing::StartsWith("scimflow snapshot: GET " + url +
                                            "/Users?startIndex=1&count=100: "));
  EXPECT_THAT(output, ::testing::HasSubstr("(after 2 attempts)"));
  EXPECT_EQ(std::count(output.begin(), output.end(), '\n'), 1) << output;
  EXPECT_FALSE(fs::exists(root_ / "down.ndjson"));
  EXPECT_FALSE(fs::exists(root_ / "down.ndjson.tmp"));
  // plan --target: the same exit code.
  EXPECT_EQ(ScimflowToLog("plan --users " + (root_ / "day0" / "users.ndjson").string() +
                              " --target " + url + " --token-file " + token_file_.string() +
                              " --max-attempts 1 --out " + (root_ / "down.plan").string(),
                          log),
            5);
  EXPECT_THAT(ReadFile(log), ::testing::HasSubstr("scimflow plan: GET " + url + "/Users?"));
  EXPECT_FALSE(fs::exists(root_ / "down.plan"));
}

TEST_F(SnapshotCommandTest, RefusedTokenExitsFiveWithOneLine) {
  Generate(10);
  StartSim({});
  WriteToken("not-the-token");
  ASSERT_EQ(Snapshot("refused.ndjson"), 5);
  EXPECT_EQ(ReadFile(root_ / "refused.ndjson.log"),
            "scimflow snapshot: GET " + sim_.ScimUrl() +
                "/Users?startIndex=1&count=100: HTTP 401: bad credentials\n");
  EXPECT_FALSE(fs::exists(root_ / "refused.ndjson"));
}

}  // namespace
}  // namespace scimflow
