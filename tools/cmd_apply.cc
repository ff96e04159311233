// `scimflow apply PLAN`: executes a plan file against --target, journalling every outcome into
// --state; `--resume` continues an interrupted run. Flags: `scimflow help apply`; behaviour:
// docs/apply.md.
#include "tools/cmd_apply.h"

#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <memory>

#include "engine/emitter.h"
#include "engine/journal.h"
#include "engine/rate_budget.h"
#include "engine/target_profile.h"
#include "io/http_client.h"
#include "io/json_writer.h"
#include "tools/subcommands.h"

namespace scimflow {
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
  return specs;
}

void AppendKinds(const RunSummary& summary, JsonWriter* json) {
  json->Key("operations").BeginObject();
  for (size_t kind = 0; kind < kOperationKindCount; ++kind) {
    const KindOutcomes& outcomes = summary.kinds[kind];
    json->Key(OperationKindName(static_cast<OperationKind>(kind))).BeginObject();
    json->Member("planned", outcomes.planned).Member("done", outcomes.done);
    json->Member("skipped", outcomes.skipped).Member("failed", outcomes.failed);
    json->EndObject();
  }
  json->EndObject();
}

std::string ReportJson(const RunSummary& summary) {
  std::string out;
  JsonWriter json(&out);
  json.BeginObject();
  json.Member("command", summary.command).Member("target", summary.target);
  json.Member("profile", summary.profile).Member("state", summary.state);
  json.Member("plan", summary.plan).Member("outcome", summary.outcome);
  json.Member("resumed", summary.resumed).Member("insecure_tls", summary.insecure_tls);
  AppendKinds(summary, &json);
  json.Key("failures").BeginArray();
  for (const OperationFailure& failure : summary.failures) {
    json.BeginObject().Member("op", failure.op_id).Member("kind", failure.kind);
    json.Member("externalId", failure.external_id).Member("http_status", failure.http_status);
    json.Member("error", failure.error).EndObject();
  }
  json.EndArray();
  json.Member("conflicts", summary.conflicts).Member("rejects", summary.rejects);
  json.Member("requests_sent", summary.requests_sent)
      .Member("bulk_requests", summary.bulk_requests);
  json.Member("rate_limited", summary.rate_limited).Member("retries", summary.retries);
  json.Member("lookups", summary.lookups).Member("adopted", summary.adopted);
  json.Key("wall_seconds").Double(summary.wall_seconds);
  json.EndObject();
  out.push_back('\n');
  return out;
}

std::string MetricsText(const RunSummary& summary) {
  std::string out;
  for (size_t kind = 0; kind < kOperationKindCount; ++kind) {
    const std::string_view name = OperationKindName(static_cast<OperationKind>(kind));
    const KindOutcomes& outcomes = summary.kinds[kind];
    out += fmt::format("scimflow_operations{{kind=\"{}\",outcome=\"done\"}} {}\n", name,
                       outcomes.done);
    out += fmt::format("scimflow_operations{{kind=\"{}\",outcome=\"failed\"}} {}\n", name,
                       outcomes.failed);
    out += fmt::format("scimflow_operations{{kind=\"{}\",outcome=\"skipped\"}} {}\n", name,
                       outcomes.skipped);
  }
  out += fmt::format("scimflow_requests_total {}\n", summary.requests_sent);
  out += fmt::format("scimflow_rate_limited_total {}\n", summary.rate_limited);
  out += fmt::format("scimflow_retries_total {}\n", summary.retries);
  out += fmt::format("scimflow_wall_seconds {}\n", summary.wall_seconds);
  return out;
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  file.close();
  if (file) return true;
  std::fprintf(stderr, "scimflow: %s: cannot write\n", path.c_str());
  return false;
}

void PrintSummaryLine(const RunSummary& summary) {
  uint64_t done = 0, skipped = 0;
  for (const KindOutcomes& kind : summary.kinds) {
    done += kind.done;
    skipped += kind.skipped;
  }
  std::fprintf(
      stderr,
      "scimflow %s: %s: %llu of %llu operations applied, %llu skipped, %llu failed; "
      "%llu requests, %llu rate-limited, %llu retries, %llu adopted, %.1f s\n",
      summary.command.c_str(), summary.outcome.c_str(), static_cast<unsigned long long>(done),
      static_cast<unsigned long long>(summary.Planned()), static_cast<unsigned long long>(skipped),
      static_cast<unsigned long long>(summary.Failed()),
      static_cast<unsigned long long>(summary.requests_sent),
      static_cast<unsigned long long>(summary.rate_limited),
      static_cast<unsigned long long>(summary.retries),
      static_cast<unsigned long long>(summary.adopted), summary.wall_seconds);
  for (const OperationFailure& failure : summary.failures) {
    std::fprintf(stderr, "  failed %s: %s\n", failure.op_id.c_str(), failure.error.c_str());
  }
}

ExitCode Stopped(RunSummary* summary, const ApplyFlags& flags, const Status& status,
                 std::string outcome, ExitCode code) {
  summary->outcome = std::move(outcome);
  std::fprintf(stderr, "scimflow %s: %s\n", summary->command.c_str(), status.message().c_str());
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
}

bool WriteRunOutputs(const RunSummary& summary, const std::string& report,
                     const std::string& metrics) {
  bool ok = true;
  if (!report.empty()) ok = WriteFile(report, ReportJson(summary)) && ok;
  if (!metrics.empty()) ok = WriteFile(metrics, MetricsText(summary)) && ok;
  return ok;
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
  Emitter emitter(plan, options, client->get(), journal->get(), &budget, nullptr, summary);
  const Status run = emitter.Run();
  if (run.code() == StatusCode::kUnauthenticated) {
    return Stopped(summary, flags, run, "stopped: credentials refused",
                   ExitCode::kTargetUnavailable);
  }
  if (run.code() == StatusCode::kUnavailable) {
    return Stopped(summary, flags, run, "stopped: target unreachable",
                   ExitCode::kTargetUnavailable);
  }
  if (!run.ok()) return Stopped(summary, flags, run, "stopped: state database", ExitCode::kUsage);
  summary->outcome = summary->Failed() > 0 ? "partial" : "applied";
  PrintSummaryLine(*summary);
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::printf("%s", app.help().c_str());
    return ExitCode::kSuccess;
  } catch (const CLI::ParseError& error) {
    std::fprintf(stderr, "scimflow apply: %s\n", error.what());
    return ExitCode::kUsage;
  }
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
