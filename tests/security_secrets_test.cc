// Secrets (issue #9, SPEC §6): the token comes only from an environment variable or a file, a
// token file others can read is warned about (and still used), the token never reaches a log, a
// plan, a report, metrics, the state database, a rejects file or an error message of any command,
// and the state database is created private (0600) whatever the umask.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "tests/e2e/chaos_testutil.h"
#include "tests/emit_testutil.h"

namespace scimflow {
namespace {

namespace fs = std::filesystem;
using testing_chaos::ChildSetup;
using testing_chaos::RunScimflowWith;
using testing_emit::CommandResult;
using testing_emit::MakeMigrationPlan;
using testing_emit::RunScimflow;
using testing_emit::SpawnScimflow;
using testing_emit::WaitExit;
using testing_gen::ReadFile;
using testing_gen::TempDir;

constexpr char kSecret[] = "tok-S3cr3t-Zq81-distinctive-9917";

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const CommandResult planned =
        MakeMigrationPlan({"--users", "300", "--groups", "6", "--seed", "3"}, day_, empty_, plan_);
    ASSERT_EQ(planned.exit_code, 0) << planned.err;
  }

  static int Mode(const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 ? static_cast<int>(info.st_mode & 07777) : -1;
  }

  TempDir dir_{"security"};
  const std::string day_ = dir_ / "day0";
  const std::string empty_ = dir_ / "empty.ndjson";
  const std::string plan_ = dir_ / "plan.ndjson";
};

TEST_F(SecurityTest, TokenOnTheCommandLineIsRefusedWithoutBeingEchoed) {
  const CommandResult refused =
      RunScimflow({"apply", plan_, "--target", "http://127.0.0.1:9/scim/v2", "--state",
                   dir_ / "state.db", "--token", kSecret});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.err,
            "scimflow apply: --token is not accepted: a token on the command line is visible to "
            "every user of this machine; use --token-env NAME or --token-file F\n");
  EXPECT_FALSE(fs::exists(dir_ / "state.db"));
}

TEST_F(SecurityTest, TokenFileReadableByOthersIsWarnedAboutAndStillUsed) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--token", kSecret}).ok());
  const std::string token_file = dir_ / "token";
  std::ofstream(token_file) << kSecret << "\n";
  ASSERT_EQ(::chmod(token_file.c_str(), 0640), 0);
  // No token in the environment: the file is the only source.
  const int exit_code =
      RunScimflowWith({"apply", plan_, "--target", sim.ScimUrl(), "--state", dir_ / "state.db",
                       "--no-budgets", "--token-file", token_file, "-q"},
                      dir_ / "out.txt", dir_ / "err.txt", "", {});
  EXPECT_EQ(exit_code, 0) << ReadFile(dir_ / "err.txt");
  EXPECT_EQ(ReadFile(dir_ / "err.txt"),
            "scimflow apply: token file " + token_file +
                " has mode 0640, readable by group or others; restrict it with chmod 600\n");
  EXPECT_EQ(sim.Stats().Number("/statuses/401"), 0u);
  EXPECT_GT(sim.Stats().Number("/users"), 0u);
  // Private again: no warning.
  ASSERT_EQ(::chmod(token_file.c_str(), 0600), 0);
  const int again =
      RunScimflowWith({"apply", plan_, "--target", sim.ScimUrl(), "--state", dir_ / "state.db",
                       "--no-budgets", "--token-file", token_file, "-q"},
                      dir_ / "out.txt", dir_ / "err2.txt", "", {});
  EXPECT_EQ(again, 0);
  EXPECT_EQ(ReadFile(dir_ / "err2.txt"), "");
}

// Every command that talks to the target, verbose, failing and refused runs included: the token
// is in none of their outputs and none of the files they write.
TEST_F(SecurityTest, TokenAppearsInNoOutputOfAnyCommand) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--token", kSecret}).ok());
  // A user the export also has, under another externalId: its create fails (userName taken).
  std::string taken_name;
  {
    std::ifstream users(day_ + "/users.ndjson");
    std::string line;
    std::getline(users, line);
    taken_name = JsonString(line, "/userName");
  }
  SimClient client(sim.ScimUrl(), kSecret);
  ASSERT_EQ(client.Post("/Users", SimUserBody("someone-else", taken_name)).status, 201);
  // A rejects file: one broken record among the users.
  fs::copy_file(day_ + "/users.ndjson", dir_ / "users-broken.ndjson");
  std::ofstream(dir_ / "users-broken.ndjson", std::ios::app) << "{\"externalId\": broken\n";

  std::vector<CommandResult> runs;
  const std::string target = sim.ScimUrl();
  runs.push_back(
      RunScimflow({"snapshot", "--target", target, "--out", dir_ / "snap.ndjson"}, kSecret));
  runs.push_back(
      RunScimflow({"plan", "--users", dir_ / "users-broken.ndjson", "--groups",
                   day_ + "/groups.ndjson", "--assignments", day_ + "/assignments.ndjson",
                   "--target", target, "--out", dir_ / "live-plan.ndjson", "--rejects",
                   dir_ / "rejects.ndjson", "--report", dir_ / "plan-report.json", "-v"},
                  kSecret));
  // The failing run: one create is refused (userName taken), exit 3, verbose.
  runs.push_back(
      RunScimflow({"apply", plan_, "--target", target, "--state", dir_ / "state.db", "--no-budgets",
                   "--report", dir_ / "report.json", "--metrics", dir_ / "metrics.prom", "-v"},
                  kSecret));
  EXPECT_EQ(runs.back().exit_code, 3) << runs.back().err;
  runs.push_back(RunScimflow({"sync",
                              "--users",
                              day_ + "/users.ndjson",
                              "--groups",
                              day_ + "/groups.ndjson",
                              "--assignments",
                              day_ + "/assignments.ndjson",
                              "--current",
                              dir_ / "snap.ndjson",
                              "--target",
                              target,
                              "--state",
                              dir_ / "sync.db",
                              "--no-budgets",
                              "--out",
                              dir_ / "sync-plan.ndjson",
                              "--report",
                              dir_ / "sync-report.json",
                              "--metrics",
                              dir_ / "sync.prom",
                              "-v"},
                             kSecret));
  // Refused credentials (a token one character off) and a token in the wrong place.
  runs.push_back(RunScimflow({"apply", plan_, "--target", target, "--state", dir_ / "other.db",
                              "--report", dir_ / "refused.json", "-v"},
                             std::string(kSecret) + "x"));
  EXPECT_EQ(runs.back().exit_code, 5) << runs.back().err;
  runs.push_back(RunScimflow({"snapshot", "--target", target, "--out", dir_ / "refused.ndjson"},
                             std::string(kSecret) + "x"));
  EXPECT_EQ(runs.back().exit_code, 5) << runs.back().err;
  for (const CommandResult& run : runs) {
    EXPECT_EQ(run.out.find(kSecret), std::string::npos) << run.out;
    EXPECT_EQ(run.err.find(kSecret), std::string::npos) << run.err;
  }
  EXPECT_EQ(runs[0].exit_code, 0) << runs[0].err;
  EXPECT_EQ(runs[1].exit_code, 0) << runs[1].err;
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir_.path())) {
    if (!entry.is_regular_file()) continue;
    ++files;
    EXPECT_EQ(ReadFile(entry.path().string()).find(kSecret), std::string::npos) << entry.path();
  }
  EXPECT_GE(files, 14);
}

// With umask 000 SQLite would create the database and its -wal and -shm world-readable; the
// engine creates them 0600. Checked mid-run (after kill -9, so -wal and -shm are still there) and
// after a clean run.
TEST_F(SecurityTest, StateDatabaseIsPrivateUnderAPermissiveUmask) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--latency-ms", "20"}).ok());
  const std::string state = dir_ / "state.db";
  ChildSetup open_umask;
  open_umask.umask = 0;
  const pid_t apply = SpawnScimflow(
      {"apply", plan_, "--target", sim.ScimUrl(), "--state", state, "--no-budgets"},
      dir_ / "out.txt", dir_ / "err.txt", std::string(SimProcess::kToken), open_umask);
  ASSERT_GT(apply, 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (testing_emit::JournalCount(state, "done") < 20 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(apply, SIGKILL);
  WaitExit(apply);
  EXPECT_EQ(Mode(state), 0600);
  EXPECT_EQ(Mode(state + "-wal"), 0600);
  EXPECT_EQ(Mode(state + "-shm"), 0600);
  const int resumed = RunScimflowWith(
      {"apply", plan_, "--target", sim.ScimUrl(), "--state", state, "--no-budgets", "--resume",
       "--report", dir_ / "report.json"},
      dir_ / "out.txt", dir_ / "err.txt", std::string(SimProcess::kToken), open_umask);
  EXPECT_EQ(resumed, 0) << ReadFile(dir_ / "err.txt");
  EXPECT_EQ(Mode(state), 0600);
}

}  // namespace
}  // namespace scimflow
