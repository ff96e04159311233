// The end-of-run outputs of apply and sync (tools/run_report.h), checked whole on a RunSummary
// built here: the summary table, the --report JSON and the --metrics Prometheus text (the last
// also by a strict exposition-format parser written below and by `promtool check metrics`), and
// WriteFileAtomically, which writes the last two.
#include "tools/run_report.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include "tests/gen_testutil.h"

namespace scimflow {
namespace {

using testing_gen::ReadFile;
using testing_gen::RunCommand;
using testing_gen::TempDir;

KindOutcomes Outcomes(uint64_t planned, uint64_t done, uint64_t skipped, uint64_t failed) {
  return KindOutcomes{planned, done, skipped, failed};
}

RunSummary SampleSummary() {
  RunSummary summary;
  summary.command = "sync";
  summary.target = "https://api.github.com/scim/v2/enterprises/acme";
  summary.profile = "github-emu";
  summary.state = "/var/lib/scimflow/state.db";
  summary.outcome = "partial";
  summary.kinds[static_cast<size_t>(OperationKind::kUserDeactivate)] = Outcomes(3, 3, 0, 0);
  summary.kinds[static_cast<size_t>(OperationKind::kUserUpdate)] = Outcomes(10, 9, 0, 1);
  summary.kinds[static_cast<size_t>(OperationKind::kUserCreate)] = Outcomes(1000, 990, 8, 2);
  summary.kinds[static_cast<size_t>(OperationKind::kGroupMembersAdd)] = Outcomes(20, 20, 0, 0);
  summary.failures = {
      {"u:e17:update", "user.update", "e17", 400,
       R"(HTTP 400 invalidValue: attribute "emails" must be an array)"},
      {"u:e900:create", "user.create", "e900", 0, "timed out after 5 attempts"},
      {"u:e901:create", "user.create", "e901", 400, "HTTP 400 invalidValue:\nunknown role \"x\""},
  };
  summary.conflicts = 2;
  summary.rejects = 1;
  summary.requests_sent = 1100;
  summary.rate_limited = 4;
  summary.retries = 7;
  summary.lookups = 2;
  summary.adopted = 1;
  summary.wall_seconds = 12345.6;
  summary.finished_unix_seconds = 1800000000;  // 2027-01-15T08:00:00Z
  summary.budgets = {{"user-assignments", "1000/h", 998, 11000.5}, {"writes", "180/min", 1031, 0}};
  return summary;
}

std::string SummaryText(const RunSummary& summary) {
  std::FILE* file = std::tmpfile();
  PrintRunSummary(summary, file);
  std::rewind(file);
  std::string text;
  char buffer[4096];
  size_t read;
  while ((read = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, read);
  std::fclose(file);
  return text;
}

TEST(RunReportTest, SummaryTableShowsEveryKindTheTotalsAndTheFirstFailures) {
  EXPECT_EQ(SummaryText(SampleSummary()),
            "scimflow sync (github-emu) → https://api.github.com/scim/v2/enterprises/acme\n"
            "  operation                 planned       done    skipped     failed\n"
            "  user.deactivate                 3          3          0          0\n"
            "  user.roles                      0          0          0          0\n"
            "  user.update                    10          9          0          1\n"
            "  user.reactivate                 0          0          0          0\n"
            "  user.create                  1000        990          8          2\n"
            "  group.create                    0          0          0          0\n"
            "  group.rename                    0          0          0          0\n"
            "  group.members.remove            0          0          0          0\n"
            "  group.members.add              20         20          0          0\n"
            "  group.delete                    0          0          0          0\n"
            "  total                        1033       1022          8          3\n"
            "  requests: 1100 (0 bulk), 429s: 4, retries: 7, lookups: 2 (1 adopted)\n"
            "  conflicts: 2, rejects: 1\n"
            "  wall time: 3 h 26 min (12345.6 s)\n"
            "  outcome: partial\n"
            "  first failures:\n"
            "    u:e17:update (e17): HTTP 400 invalidValue: attribute \"emails\" must "
            "be an array\n"
            "    u:e900:create (e900): timed out after 5 attempts\n"
            "    u:e901:create (e901): HTTP 400 invalidValue: unknown role \"x\"\n");
}

TEST(RunReportTest, SummaryWarnsLoudlyWhenTlsVerificationWasOff) {
  RunSummary summary = SampleSummary();
  summary.insecure_tls = true;
  summary.resumed = true;
  const std::string text = SummaryText(summary);
  EXPECT_EQ(text.substr(0, text.find('\n', text.find('\n') + 1) + 1),
            "WARNING: TLS certificate verification was OFF for this run (--insecure)\n"
            "scimflow sync (github-emu) → https://api.github.com/scim/v2/enterprises/acme, "
            "resumed\n");
}

TEST(RunReportTest, SummaryListsFiveFailuresAndCountsTheRestAndCutsLongErrors) {
  RunSummary summary = SampleSummary();
  summary.failures.clear();
  for (int index = 0; index < 7; ++index) {
    summary.failures.push_back({"u:e" + std::to_string(index) + ":create", "user.create",
                                "e" + std::to_string(index), 400, std::string(300, 'x')});
  }
  const std::string text = SummaryText(summary);
  const std::string failures = text.substr(text.find("  first failures:\n"));
  EXPECT_EQ(failures,
            "  first failures:\n"
            "    u:e0:create (e0): HTTP 400: " +
                std::string(200, 'x') +
                "…\n"
                "    u:e1:create (e1): HTTP 400: " +
                std::string(200, 'x') +
                "…\n"
                "    u:e2:create (e2): HTTP 400: " +
                std::string(200, 'x') +
                "…\n"
                "    u:e3:create (e3): HTTP 400: " +
                std::string(200, 'x') +
                "…\n"
                "    u:e4:create (e4): HTTP 400: " +
                std::string(200, 'x') +
                "…\n"
                "    … and 2 more (all of them in --report and the journal)\n");
}

TEST(RunReportTest, ReportJsonHoldsEveryFigureAndEveryFailureVerbatim) {
  std::string json;
  AppendRunReportJson(SampleSummary(), &json);
  const std::string zero = R"({"planned":0,"done":0,"skipped":0,"failed":0})";
  EXPECT_EQ(
      json,
      R"({"command":"sync","target":"https://api.github.com/scim/v2/enterprises/acme",)"
      R"("profile":"github-emu","state":"/var/lib/scimflow/state.db","plan":"",)"
      R"("outcome":"partial","resumed":false,"insecure_tls":false,)"
      R"("finished_at":"2027-01-15T08:00:00Z","operations":{)"
      R"("user.deactivate":{"planned":3,"done":3,"skipped":0,"failed":0},)"
      R"("user.roles":)" +
          zero + "," +
          R"("user.update":{"planned":10,"done":9,"skipped":0,"failed":1},)"
          R"("user.reactivate":)" +
          zero + "," +
          R"("user.create":{"planned":1000,"done":990,"skipped":8,"failed":2},)"
          R"("group.create":)" +
          zero + R"(,"group.rename":)" + zero + R"(,"group.members.remove":)" + zero + "," +
          R"("group.members.add":{"planned":20,"done":20,"skipped":0,"failed":0},)"
          R"("group.delete":)" +
          zero + "}," +
          R"("total":{"planned":1033,"done":1022,"skipped":8,"failed":3},"failures":[)"
          R"({"op_id":"u:e17:update","kind":"user.update","external_id":"e17",)"
          R"("http_status":400,"error":"HTTP 400 invalidValue: attribute \"emails\" must be )"
          R"(an array"},)"
          R"({"op_id":"u:e900:create","kind":"user.create","external_id":"e900",)"
          R"("http_status":0,"error":"timed out after 5 attempts"},)"
          R"({"op_id":"u:e901:create","kind":"user.create","external_id":"e901",)"
          R"("http_status":400,"error":"HTTP 400 invalidValue:\nunknown role \"x\""}],)"
          R"("conflicts":2,"rejects":1,"requests":1100,"bulk_requests":0,"rate_limited":4,)"
          R"("retries":7,"lookups":2,"adopted":1,"budgets":[)"
          R"({"name":"user-assignments","rate":"1000/h","drawn":998,"waited_seconds":11000.5},)"
          R"({"name":"writes","rate":"180/min","drawn":1031,"waited_seconds":0}],)"
          R"("wall_seconds":12345.6})"
          "\n");
}

// A strict reader of the Prometheus text exposition format 0.0.4: every line is a HELP, a TYPE
// or a sample; names and label names follow the grammar; label values use only the three
// escapes; values parse as floats; a family's samples are contiguous and follow its TYPE; HELP
// and TYPE come at most once per family; no series repeats; the text ends with a newline.
// Returns "" or `line N: reason`.
std::string CheckExpositionFormat(const std::string& text) {
  static const std::regex kHelp(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*))");
  static const std::regex kType(
      R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
  static const std::regex kSample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? (\S+))");
  if (text.empty() || text.back() != '\n') return "text does not end with a newline";
  std::set<std::string> helped, typed, closed, series;
  std::string current;  // The family whose samples are being read.
  size_t number = 0;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    const std::string where = "line " + std::to_string(number) + ": ";
    std::smatch match;
    if (std::regex_match(line, match, kHelp) || std::regex_match(line, match, kType)) {
      const std::string name = match[1];
      std::set<std::string>& seen = line[2] == 'H' ? helped : typed;
      if (!seen.insert(name).second) return where + "second HELP or TYPE for " + name;
      if (closed.count(name) != 0) return where + name + " is not contiguous";
      if (name != current && !current.empty()) closed.insert(current);
      current = name;
      continue;
    }
    if (!std::regex_match(line, match, kSample)) return where + "not a HELP, TYPE or sample";
    const std::string name = match[1];
    if (name != current || typed.count(name) == 0) return where + name + " without its TYPE";
    if (!series.insert(match[1].str() + match[2].str()).second) return where + "repeated series";
    const std::string value = match[7];
    char* parsed_end = nullptr;
    std::strtod(value.c_str(), &parsed_end);
    if (*parsed_end != '\0' && value != "+Inf" && value != "-Inf" && value != "NaN") {
      return where + "bad value " + value;
    }
  }
  return "";
}

TEST(RunReportTest, StrictExpositionCheckerRefusesBrokenText) {
  EXPECT_EQ(CheckExpositionFormat("# TYPE a gauge\na 1\n"), "");
  EXPECT_EQ(CheckExpositionFormat("# TYPE a gauge\na 1"), "text does not end with a newline");
  EXPECT_EQ(CheckExpositionFormat("a 1\n"), "line 1: a without its TYPE");
  EXPECT_EQ(CheckExpositionFormat("# TYPE a gauge\na{x=\"1} 1\n"),
            "line 2: not a HELP, TYPE or sample");
  EXPECT_EQ(CheckExpositionFormat("# TYPE a gauge\na one\n"), "line 2: bad value one");
  EXPECT_EQ(CheckExpositionFormat("# TYPE a gauge\na 1\na 2\n"), "line 3: repeated series");
  EXPECT_EQ(CheckExpositionFormat("# TYPE a gauge\n# TYPE b gauge\nb 1\n# TYPE a gauge\n"),
            "line 4: second HELP or TYPE for a");
}

TEST(RunReportTest, MetricsParseStrictlyAndCarryTheRunsFigures) {
  RunSummary summary = SampleSummary();
  summary.outcome = "stopped: \"odd\" \\ outcome";  // Label escaping.
  std::string metrics;
  AppendRunMetrics(summary, &metrics);
  EXPECT_EQ(CheckExpositionFormat(metrics), "");
  for (const char* line :
       {"# HELP scimflow_operations Operations of the last run by kind and outcome (planned, "
        "done, skipped, failed).\n# TYPE scimflow_operations gauge\n",
        "\nscimflow_operations{command=\"sync\",kind=\"user.create\",outcome=\"planned\"} "
        "1000\n",
        "\nscimflow_operations{command=\"sync\",kind=\"user.create\",outcome=\"skipped\"} 8\n",
        "\nscimflow_operations{command=\"sync\",kind=\"user.update\",outcome=\"failed\"} 1\n",
        "\nscimflow_requests{command=\"sync\"} 1100\n",
        "\nscimflow_rate_limited_responses{command=\"sync\"} 4\n",
        "\nscimflow_retries{command=\"sync\"} 7\n",
        "\nscimflow_budget_drawn{command=\"sync\",budget=\"user-assignments\"} 998\n",
        "\nscimflow_budget_waited_seconds{command=\"sync\",budget=\"user-assignments\"} "
        "11000.5\n",
        "\nscimflow_run_duration_seconds{command=\"sync\"} 12345.6\n",
        "\nscimflow_last_run_success{command=\"sync\"} 0\n",
        "\nscimflow_last_run_outcome{command=\"sync\",outcome=\"stopped: \\\"odd\\\" \\\\ "
        "outcome\"} 1\n",
        "\nscimflow_last_run_timestamp_seconds{command=\"sync\"} 1800000000\n"}) {
    EXPECT_NE(metrics.find(line), std::string::npos) << line << "\nin:\n" << metrics;
  }
  EXPECT_TRUE(
      metrics.ends_with("\nscimflow_last_run_timestamp_seconds{command=\"sync\"} 1800000000\n"));
}

TEST(RunReportTest, MetricsPassPromtoolCheck) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
    GTEST_SKIP()
        << "promtool is not installed (Debian package prometheus; not installed by tools/deps, "
           "which would start a Prometheus server; the strict parser above still checks)";
  }
  TempDir dir("metrics_promtool");
  for (const char* outcome : {"applied", "partial"}) {
    RunSummary summary = SampleSummary();
    summary.outcome = outcome;
    if (outcome == std::string("applied")) summary.budgets.clear();
    std::string metrics;
    AppendRunMetrics(summary, &metrics);
    ASSERT_TRUE(WriteFileAtomically(dir / "scimflow.prom", metrics).ok());
    const auto checked = RunCommand("promtool check metrics < " + (dir / "scimflow.prom"));
    EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
    EXPECT_EQ(checked.out + checked.err, "") << outcome;
  }
}

TEST(AtomicFileTest, WritesThenReplacesTheWholeFileAndLeavesNoTemporaryFile) {
  TempDir dir("atomic_replace");
  ASSERT_TRUE(WriteFileAtomically(dir / "report.json", "first, longer contents\n").ok());
  ASSERT_TRUE(WriteFileAtomically(dir / "report.json", "second\n").ok());
  EXPECT_EQ(ReadFile(dir / "report.json"), "second\n");
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    names.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(names, std::vector<std::string>{"report.json"});
}

TEST(AtomicFileTest, NewFilesAreWorldReadableAndReplacedFilesKeepTheirMode) {
  TempDir dir("atomic_mode");
  struct stat info;
  ASSERT_TRUE(WriteFileAtomically(dir / "new.prom", "x 1\n").ok());
  ASSERT_EQ(::stat((dir / "new.prom").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0644u);
  ASSERT_EQ(::chmod((dir / "new.prom").c_str(), 0600), 0);
  ASSERT_TRUE(WriteFileAtomically(dir / "new.prom", "x 2\n").ok());
  ASSERT_EQ(::stat((dir / "new.prom").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0600u);
}

TEST(AtomicFileTest, ErrorsNameThePathAndKeepTheOldContents) {
  TempDir dir("atomic_errors");
  const Status missing = WriteFileAtomically(dir / "nowhere/report.json", "{}");
  EXPECT_EQ(missing.code(), StatusCode::kIoError);
  EXPECT_EQ(missing.message(), dir / "nowhere/report.json" +
                                   ": cannot create a temporary file in " + dir / "nowhere" +
                                   ": No such file or directory");
  std::filesystem::create_directory(dir / "taken");
  const Status directory = WriteFileAtomically(dir / "taken", "{}");
  EXPECT_EQ(directory.message(), dir / "taken" + ": cannot rename: Is a directory");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);  // Only `taken`: the temporary file is gone.
}

}  // namespace
}  // namespace scimflow
