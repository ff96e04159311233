// `scimflow apply PLAN`: executes a plan file against --target, journalling every outcome into
// --state; `--resume` continues an interrupted run. Flags: `scimflow help apply`; behaviour:
// docs/apply.md.
#include "tools/cmd_apply.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <optional>

#include "engine/emitter.h"
#include "engine/journal.h"
#include "engine/rate_budget.h"
#include "engine/target_profile.h"
#include "io/http_client.h"
#include "tools/cli_flags.h"
#include "tools/run_report.h"
#include "tools/subcommands.h"

namespace scimflow {
namespace config {
// Share of each budget's rate the scheduler uses (see Budgets()); 97% stays well above the 95% a
// paced run must achieve.
inline constexpr int kPacingPercent = 97;
}  // namespace config

namespace {

// The rate budgets of the run: the profile's (none with --no-budgets), then --profile-file lines
// and --budget flags, each replacing a budget of the same name.
Result<std::vector<BucketSpec>> Budgets(const TargetProfile& profile, const ApplyFlags& flags) {
  std::vector<BucketSpec> specs;
  if (!flags.no_budgets) {
    for (const RateBudgetSpec& budget : profile.budgets) {
      specs.push_back(BucketSpecFromProfile(budget));
    }
  }
  std::vector<std::string> overrides;
  if (!flags.profile_file.empty()) {
    std::ifstream file(flags.profile_file);
    if (!file) {
      return InvalidArgument(fmt::format("{}: cannot read the profile file", flags.profile_file));
    }
    std::string line;
    while (std::getline(file, line)) {
      if (!line.empty() && line[0] != '#') overrides.push_back(line);
    }
  }
  overrides.insert(overrides.end(), flags.budgets.begin(), flags.budgets.end());
  for (const std::string& text : overrides) {
    SCIMFLOW_ASSIGN_OR_RETURN(BucketSpec spec, ParseBucketSpec(text));
    std::erase_if(specs, [&](const BucketSpec& other) { return other.name == spec.name; });
    specs.push_back(std::move(spec));
  }
  // Pace a little under the target's rate: its bucket and ours tick on different clocks, and a
  // request that left on time may still arrive a hair before the target's token, which costs a
  // 429 and a Retry-After wait. SPEC §5: 429s are the exception, not the control loop.
  for (BucketSpec& spec : specs) {
    spec.period = spec.period * 100 / config::kPacingPercent;
  }
  return specs;
}

ExitCode Stopped(RunSummary* summary, const ApplyFlags& flags, const Status& status,
                 std::string outcome, ExitCode code) {
  summary->outcome = std::move(outcome);
  std::fprintf(stderr, "scimflow %s: %s\n", summary->command.c_str(), status.message().c_str());
  summary->finished_unix_seconds = std::time(nullptr);
  WriteRunOutputs(*summary, flags.report, flags.metrics);
  return code;
}

}  // namespace

void AddApplyFlags(CLI::App* app, ApplyFlags* flags) {
  app->add_option("--target", flags->target, "SCIM base URL of the target")->required();
  app->add_option("--state", flags->state, "state database (journal + state store)")->required();
  app->add_flag("--resume", flags->resume, "skip done operations, re-check in-flight creates");
  app->add_option("--concurrency", flags->concurrency, "requests in flight")
      ->check(CLI::Range(1u, 1024u))
      ->capture_default_str();
  app->add_option("--profile", flags->profile, "target profile (default: the plan's)")
      ->check(CLI::IsMember({"github-emu", "ghes", "generic"}));
  app->add_option("--profile-file", flags->profile_file,
                  "budget overrides, one NAME=N/PERIOD per line");
  app->add_option("--budget", flags->budgets, "NAME=N/PERIOD budget override; repeatable");
  app->add_flag("--no-budgets", flags->no_budgets,
                "drop the profile's budgets (benchmarks, targets without limits); --budget and "
                "--profile-file still apply");
  app->add_option("--token-env", flags->token_env, "environment variable holding the token")
      ->capture_default_str();
  app->add_option("--token-file", flags->token_file, "file holding the token (re-read on 401)");
  app->add_option("--ca-file", flags->ca_file, "PEM file of extra trusted CAs");
  app->add_flag("--insecure", flags->insecure, "skip TLS verification (loopback targets only)");
  app->add_option("--report", flags->report, "write the run summary as JSON to this file");
  app->add_option("--metrics", flags->metrics, "write the figures in Prometheus text format");
  app->add_option("--timeout-ms", flags->timeout_ms,
                  "whole-request timeout; a later answer is treated as lost")
      ->check(CLI::Range(1u, 3'600'000u))
      ->capture_default_str();
  app->add_option("--token", flags->command_line_token, "refused: use --token-env or --token-file")
      ->group("");
}

bool WriteRunOutputs(const RunSummary& summary, const std::string& report,
                     const std::string& metrics) {
  const auto write = [&](const std::string& path, const std::string& text) {
    if (path.empty()) return true;
    const Status written = WriteFileAtomically(path, text);
    if (!written.ok()) {
      std::fprintf(stderr, "scimflow %s: %s\n", summary.command.c_str(), written.message().c_str());
    }
    return written.ok();
  };
  std::string json;
  AppendRunReportJson(summary, &json);
  std::string text;
  AppendRunMetrics(summary, &text);
  const bool report_written = write(report, json);
  return write(metrics, text) && report_written;
}

ExitCode ApplyPlan(const ReadPlan& plan, const ApplyFlags& flags, RunSummary* summary) {
  const std::string profile_name = !flags.profile.empty()       ? flags.profile
                                   : !plan.info.profile.empty() ? plan.info.profile
                                                                : "github-emu";
  const TargetProfile* profile = FindProfile(profile_name);
  summary->target = flags.target;
  summary->profile = profile_name;
  summary->state = flags.state;
  summary->insecure_tls = flags.insecure;
  summary->conflicts = plan.info.conflicts;
  summary->rejects = plan.info.rejects;
  if (!flags.command_line_token.empty()) {
    return Stopped(summary, flags,
                   InvalidArgument("--token is not accepted: a token on the command line is "
                                   "visible to every user of this machine; use --token-env NAME "
                                   "or --token-file F"),
                   "stopped: configuration", ExitCode::kUsage);
  }
  if (profile == nullptr) {
    return Stopped(summary, flags,
                   InvalidArgument(fmt::format("unknown profile \"{}\"", profile_name)),
                   "stopped: configuration", ExitCode::kUsage);
  }
  const Status url = HttpClient::CheckTargetUrl(flags.target, flags.insecure);
  if (!url.ok()) return Stopped(summary, flags, url, "stopped: configuration", ExitCode::kUsage);
  Result<std::vector<BucketSpec>> budgets = Budgets(*profile, flags);
  if (!budgets.ok()) {
    return Stopped(summary, flags, budgets.status(), "stopped: configuration", ExitCode::kUsage);
  }
  HttpClientOptions client_options;
  client_options.max_in_flight = flags.concurrency;
  // HTTP/1.1 targets (the simulator, many SCIM servers) carry one request per connection, so
  // fewer connections than --concurrency would cap the requests in flight below it.
  client_options.max_host_connections = flags.concurrency;
  client_options.total_timeout = std::chrono::milliseconds(flags.timeout_ms);
  client_options.ca_file = flags.ca_file;
  client_options.insecure = flags.insecure;
  client_options.token.env_var = flags.token_env;
  client_options.token.file = flags.token_file;
  Result<std::unique_ptr<HttpClient>> client = HttpClient::Create(client_options);
  if (!client.ok()) {
    return Stopped(summary, flags, client.status(), "stopped: configuration", ExitCode::kUsage);
  }
  for (const std::string& warning : (*client)->warnings()) {
    std::fprintf(stderr, "scimflow %s: %s\n", summary->command.c_str(), warning.c_str());
  }
  Result<std::unique_ptr<Journal>> journal =
      Journal::Open(flags.state, flags.target, profile_name, plan.digest, JournalOptions{});
  if (!journal.ok()) {
    return Stopped(summary, flags, journal.status(), "stopped: state database", ExitCode::kUsage);
  }
  RateBudget budget(std::move(*budgets), RateBudget::Clock::now());
  EmitterOptions options;
  options.target_url = flags.target;
  options.profile = profile;
  options.concurrency = flags.concurrency;
  options.resume = flags.resume;
  const std::unique_ptr<ProgressSink> progress = MakeProgressSink(stderr, OutputMode());
  Emitter emitter(plan, options, client->get(), journal->get(), &budget, progress.get(), summary);
  const Status run = emitter.Run();
  if (run.code() == StatusCode::kUnauthenticated) {
    return Stopped(summary, flags, run, "stopped: credentials refused",
                   ExitCode::kTargetUnavailable);
  }
  if (run.code() == StatusCode::kUnavailable) {
    return Stopped(summary, flags, run, "stopped: target unreachable",
                   ExitCode::kTargetUnavailable);
  }
  if (run.code() == StatusCode::kIoError) {
    // The state database failed mid-run (a full disk, an I/O error): what was committed stays
    // committed, and requests whose outcome could not be journalled are in doubt until
    // `--resume` checks them. Some operations are not applied, so this is a partial failure.
    const Status stopped(run.code(), fmt::format("{}; the run stopped: fix the state database "
                                                 "(e.g. free space), then run again with --resume",
                                                 run.message()));
    return Stopped(summary, flags, stopped, "stopped: state database", ExitCode::kPartialFailure);
  }
  if (!run.ok()) return Stopped(summary, flags, run, "stopped: state database", ExitCode::kUsage);
  summary->outcome = summary->Failed() > 0 ? "partial" : "applied";
  summary->finished_unix_seconds = std::time(nullptr);
  if (OutputMode() != ProgressMode::kQuiet) PrintRunSummary(*summary, stderr);
  if (!WriteRunOutputs(*summary, flags.report, flags.metrics)) return ExitCode::kUsage;
  return summary->Failed() > 0 ? ExitCode::kPartialFailure : ExitCode::kSuccess;
}

ExitCode RunApply(int argc, char** argv) {
  CLI::App app{
      "Execute a plan against the target, journalling every outcome into --state; "
      "see docs/apply.md.",
      "scimflow apply"};
  std::string plan_path;
  ApplyFlags flags;
  app.add_option("PLAN", plan_path, "plan file written by scimflow plan")->required();
  AddApplyFlags(&app, &flags);
  AddOutputFlags(&app);
  if (std::optional<ExitCode> done = ParseFlags(&app, argc, argv)) return *done;
  RunSummary summary;
  summary.command = "apply";
  summary.plan = plan_path;
  Result<ReadPlan> plan = ReadPlanFile(plan_path);
  if (!plan.ok()) {
    return Stopped(&summary, flags, plan.status(), "stopped: plan", ExitCode::kUsage);
  }
  return ApplyPlan(*plan, flags, &summary);
}

}  // namespace scimflow
