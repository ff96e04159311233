// The `scimflow` command line as an operator meets it (SPEC §7): `help`, `help SUBCOMMAND` equal to
// `SUBCOMMAND --help` for every subcommand of the table, `--version`, global --quiet, and each
// documented error with its one line and its exit code (1 usage, 2 input rejected, 4 refused by
// the deprovision guard, 5 target unreachable or credentials refused).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/gen_testutil.h"
#include "tests/sim_fixture.h"

namespace scimflow {
namespace {

using testing_gen::CommandResult;
using testing_gen::ReadFile;
using testing_gen::RunCommand;
using testing_gen::TempDir;

CommandResult Scimflow(const std::string& arguments) {
  return RunCommand(std::string(SCIMFLOW_BINARY) + " " + arguments);
}

size_t Lines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

// The subcommand names `scimflow help` lists, in its order.
std::vector<std::string> ListedSubcommands() {
  const std::string help = Scimflow("help").out;
  std::vector<std::string> names;
  const size_t start = help.find("subcommands:\n");
  if (start == std::string::npos) return names;
  std::istringstream lines(help.substr(start + 13, help.find("\n\n", start) - start - 13));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string name;
    words >> name;
    names.push_back(name);
  }
  return names;
}

TEST(CliTest, HelpListsEverySubcommandTheGlobalFlagsAndTheExitCodes) {
  const CommandResult help = Scimflow("help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_EQ(help.err, "");
  EXPECT_EQ(help.out.rfind("usage: scimflow SUBCOMMAND [options]\n", 0), 0u) << help.out;
  const std::vector<std::string> names = ListedSubcommands();
  for (const char* name : {"version", "gen", "sim", "plan"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
  for (const char* text :
       {"  -q, --quiet ", "  -v, --verbose ", "  --version ", "exit codes: 0 "}) {
    EXPECT_NE(help.out.find(text), std::string::npos) << text;
  }
  EXPECT_EQ(Scimflow("--help").out, help.out);
  // Without any argument the same text goes to stderr, and it is a usage error.
  const CommandResult bare = Scimflow("");
  EXPECT_EQ(bare.exit_code, 1);
  EXPECT_EQ(bare.err, help.out);
}

TEST(CliTest, HelpOfEachSubcommandIsItsOwnHelpFlag) {
  const std::vector<std::string> names = ListedSubcommands();
  ASSERT_GE(names.size(), 4u);
  for (const std::string& name : names) {
    const CommandResult help = Scimflow("help " + name);
    EXPECT_EQ(help.exit_code, 0) << name;
    EXPECT_EQ(help.err, "") << name;
    EXPECT_NE(help.out.find("Usage: scimflow " + name + " [OPTIONS]"), std::string::npos)
        << name << ":\n"
        << help.out;
    const CommandResult flag = Scimflow(name + " --help");
    EXPECT_EQ(flag.exit_code, 0) << name;
    EXPECT_EQ(flag.out, help.out) << name;
    EXPECT_EQ(Scimflow(name + " -h").out, help.out) << name;
  }
}

TEST(CliTest, VersionThreeWays) {
  const std::string version = std::string("scimflow ") + SCIMFLOW_VERSION + "\n";
  for (const char* arguments : {"--version", "version", "--quiet --version"}) {
    const CommandResult result = Scimflow(arguments);
    EXPECT_EQ(result.exit_code, 0) << arguments;
    EXPECT_EQ(result.out, version) << arguments;
  }
}

TEST(CliTest, UnknownSubcommandsAndFlagsAreOneLineAndExitOne) {
  const std::pair<std::string, std::string> kCases[] = {
      {"frobnicate", "scimflow: unknown subcommand 'frobnicate'; see 'scimflow help'\n"},
      {"help frobnicate", "scimflow: unknown subcommand 'frobnicate'; see 'scimflow help'\n"},
      {"--bogus plan", "scimflow: unknown option '--bogus'; see 'scimflow help'\n"},
      {"version --bogus", "scimflow version: The following argument was not expected: --bogus\n"},
      {"sim --bogus", "scimflow sim: The following argument was not expected: --bogus\n"},
      {"gen --users 1 --out x --bogus",
       "scimflow gen: The following argument was not expected: --bogus\n"},
      {"plan --users u --current c --out p --bogus",
       "scimflow plan: The following argument was not expected: --bogus\n"},
      {"plan --users u --current c", "scimflow plan: --out is required\n"},
      {"sim --listen 127.0.0.1:0 --fault-500 2",
       "scimflow sim: --fault-500: Value 2 not in range 0.000000 to 1.000000\n"},
      {"plan --quiet --verbose --users u --current c --out p",
       "scimflow plan: --quiet excludes --verbose\n"},
  };
  for (const auto& [arguments, message] : kCases) {
    const CommandResult result = Scimflow(arguments);
    EXPECT_EQ(result.exit_code, 1) << arguments;
    EXPECT_EQ(result.err, message) << arguments;
    EXPECT_EQ(result.out, "") << arguments;
  }
  // Every subcommand of the table, present or future, answers an unknown flag the same way.
  for (const std::string& name : ListedSubcommands()) {
    const CommandResult result = Scimflow(name + " --no-such-flag");
    EXPECT_EQ(result.exit_code, 1) << name;
    EXPECT_EQ(Lines(result.err), 1u) << name << ": " << result.err;
    EXPECT_EQ(result.err.rfind("scimflow " + name + ": ", 0), 0u) << result.err;
  }
}

class CliErrorsTest : public ::testing::Test {
 protected:
  // A target holding 300 users (gen's snapshot) and that day's export.
  void SetUp() override {
    const CommandResult gen = Scimflow("gen --users 300 --snapshot --out " + (dir_ / "day0"));
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    std::ofstream(dir_ / "empty.ndjson").close();
  }

  std::string PlanArguments(const std::string& users) const {
    return "plan --users " + users + " --current " + (dir_ / "day0/snapshot.ndjson") + " --out " +
           (dir_ / "out.plan");
  }

  TempDir dir_{"cli_errors"};
};

TEST_F(CliErrorsTest, MissingFilesAreOneLineAndExitOne) {
  const std::pair<std::string, std::string> kCases[] = {
      {PlanArguments(dir_ / "nope.ndjson"),
       "scimflow plan: " + (dir_ / "nope.ndjson") + ": cannot open: No such file or directory\n"},
      {"plan --users " + (dir_ / "day0/users.ndjson") + " --current " + (dir_ / "nope.ndjson") +
           " --out " + (dir_ / "out.plan"),
       "scimflow plan: " + (dir_ / "nope.ndjson") + ": cannot open: No such file or directory\n"},
      {"sim --load " + (dir_ / "nope.ndjson"),
       "scimflow sim: " + (dir_ / "nope.ndjson") + ": cannot open: No such file or directory\n"},
      {"gen --next-day-of " + (dir_ / "nowhere") + " --churn 1% --out " + (dir_ / "x"),
       "scimflow gen: " + (dir_ / "nowhere") + "/manifest.json: no such file\n"},
  };
  for (const auto& [arguments, message] : kCases) {
    const CommandResult result = Scimflow(arguments);
    EXPECT_EQ(result.exit_code, 1) << arguments;
    EXPECT_EQ(result.err, message) << arguments;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out.plan"));
}

TEST_F(CliErrorsTest, NonLoopbackSimulatorAddressExitsOne) {
  const CommandResult result = Scimflow("sim --listen 10.1.2.3:8080");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "scimflow sim: --listen: only loopback addresses (127.x.x.x) are served\n");
}

TEST_F(CliErrorsTest, RejectedInputExitsTwo) {
  {
    std::ofstream users(dir_ / "broken.ndjson");
    users << ReadFile(dir_ / "day0/users.ndjson") << "{\"externalId\":\"broken\"\n";
  }
  const CommandResult result = Scimflow(PlanArguments(dir_ / "broken.ndjson") + " --max-rejects 0");
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find("scimflow plan: 1 rejects exceed --max-rejects 0\n"), std::string::npos)
      << result.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out.plan"));
}

TEST_F(CliErrorsTest, DeprovisionGuardExitsFourAndSaysHowToConfirm) {
  const CommandResult refused = Scimflow(PlanArguments(dir_ / "empty.ndjson"));
  EXPECT_EQ(refused.exit_code, 4) << refused.err;
  EXPECT_NE(refused.err.find("scimflow plan: refused: the plan deactivates 291 users and deletes 0 "
                             "groups, 291 deprovisions in all, more than the limit of 100 (10% of "
                             "the target's 291 active users, at least 100); if this is intended, "
                             "run again with --allow-deprovision 291\n"),
            std::string::npos)
      << refused.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out.plan"));
  EXPECT_EQ(Scimflow(PlanArguments(dir_ / "empty.ndjson") + " --allow-deprovision 300").exit_code,
            0);
}

TEST_F(CliErrorsTest, QuietLeavesOnlyErrors) {
  const std::string plan = PlanArguments(dir_ / "day0/users.ndjson");
  const CommandResult loud = Scimflow(plan);
  EXPECT_EQ(loud.exit_code, 0) << loud.err;
  EXPECT_NE(loud.err, "");
  for (const std::string& arguments : {"--quiet " + plan, plan + " --quiet", "-q " + plan}) {
    const CommandResult quiet = Scimflow(arguments);
    EXPECT_EQ(quiet.exit_code, 0) << arguments;
    EXPECT_EQ(quiet.err + quiet.out, "") << arguments;
  }
  const CommandResult gen = Scimflow("--quiet gen --users 10 --out " + (dir_ / "quiet"));
  EXPECT_EQ(gen.exit_code, 0);
  EXPECT_EQ(gen.out + gen.err, "");
  // Errors still show.
  const CommandResult refused = Scimflow("--quiet " + PlanArguments(dir_ / "empty.ndjson"));
  EXPECT_EQ(refused.exit_code, 4);
  EXPECT_EQ(Lines(refused.err), 1u) << refused.err;
}

TEST_F(CliErrorsTest, PlanWritesMetricsAlsoWhenRefused) {
  const std::string metrics = dir_ / "plan.prom";
  ASSERT_EQ(Scimflow(PlanArguments(dir_ / "day0/users.ndjson") + " --metrics " + metrics).exit_code,
            0);
  std::string text = ReadFile(metrics);
  for (const char* line :
       {"\nscimflow_plan_operations{command=\"plan\",kind=\"user.create\"} 0\n",
        "\nscimflow_rejects{command=\"plan\"} 0\n",
        "\nscimflow_last_run_success{command=\"plan\"} 1\n",
        "\nscimflow_last_run_outcome{command=\"plan\",outcome=\"planned\"} 1\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "in:\n" << text;
  }
  ASSERT_EQ(Scimflow(PlanArguments(dir_ / "empty.ndjson") + " --metrics " + metrics).exit_code, 4);
  text = ReadFile(metrics);
  for (const char* line : {"\nscimflow_plan_deprovisions{command=\"plan\"} 291\n",
                           "\nscimflow_last_run_success{command=\"plan\"} 0\n",
                           "\nscimflow_last_run_outcome{command=\"plan\",outcome=\"refused: "
                           "deprovision\"} 1\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "in:\n" << text;
  }
  if (RunCommand("command -v promtool").exit_code == 0) {
    const CommandResult checked = RunCommand("promtool check metrics < " + metrics);
    EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  }
}

// apply and sync: exit 5 when the target cannot be reached or refuses the token (SPEC §7).
TEST_F(CliErrorsTest, ApplyToAnUnreachableTargetExitsFive) {
  ASSERT_EQ(Scimflow("plan --users " + (dir_ / "day0/users.ndjson") + " --current " +
                     (dir_ / "empty.ndjson") + " --out " + (dir_ / "all.plan"))
                .exit_code,
            0);
  // Port 9 (discard) on loopback: nothing listens, the connection is refused at once. Without
  // budgets the window stays full of retries; the run must still stop after the first window
  // of refused connections, not retry each of the plan's ~300 operations.
  const std::string report = dir_ / "unreachable.json";
  const CommandResult result = RunCommand(
      "SCIMFLOW_TOKEN=t " + std::string(SCIMFLOW_BINARY) + " apply " + (dir_ / "all.plan") +
      " --target http://127.0.0.1:9/scim/v2/enterprises/x --no-budgets --concurrency 8 --state " +
      (dir_ / "state.db") + " --report " + report);
  EXPECT_EQ(result.exit_code, 5) << result.err;
  EXPECT_NE(result.err.find("target unreachable: http://127.0.0.1:9/scim/v2/enterprises/x"),
            std::string::npos)
      << result.err;
  simdjson::dom::parser parser;
  uint64_t requests = 0;
  ASSERT_EQ(parser.load(report)["requests"].get(requests), simdjson::SUCCESS);
  EXPECT_LE(requests, 16u);  // One window of 8, and at most the 8 retries already due.
}

TEST_F(CliErrorsTest, SyncWithABadTargetUrlExitsOne) {
  for (const char* url : {"not-a-url", "ftp://127.0.0.1/scim/v2"}) {
    const CommandResult result = RunCommand("SCIMFLOW_TOKEN=t " + std::string(SCIMFLOW_BINARY) +
                                            " sync --users " + (dir_ / "day0/users.ndjson") +
                                            " --target " + url + " --state " + (dir_ / "state.db"));
    EXPECT_EQ(result.exit_code, 1) << url << ": " << result.err;
    EXPECT_NE(result.err.find(url), std::string::npos) << result.err;
  }
}

TEST_F(CliErrorsTest, SyncWithARefusedTokenExitsFive) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start().ok());
  const CommandResult result =
      RunCommand("SCIMFLOW_TOKEN=wrong-token " + std::string(SCIMFLOW_BINARY) + " sync --users " +
                 (dir_ / "day0/users.ndjson") + " --target " + sim.ScimUrl() + " --state " +
                 (dir_ / "state.db"));
  EXPECT_EQ(result.exit_code, 5) << result.err;
  EXPECT_EQ(sim.Stats().Number("/users"), 0u);
}

}  // namespace
}  // namespace scimflow
