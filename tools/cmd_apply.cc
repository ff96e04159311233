// `scimflow apply PLAN`: executes a plan file against --target, journalling every outcome into
// --state; `--resume` continues an interrupted run. Flags: `scimflow help apply`; behaviour:
// docs/apply.md.
#include "tools/cmd_apply.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include "engine/ascii.h"
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

// The rate budgets of the run: the profile's, a --profile-file's included (with --no-budgets
// only those the profile file gives), then --budget flags, each replacing a budget of the same
// name.
Result<std::vector<BucketSpec>> Budgets(const TargetProfile& profile, const CustomProfile* custom,
                                        const ApplyFlags& flags) {
  std::vector<BucketSpec> specs;
  if (!flags.no_budgets) {
    for (const RateBudgetSpec& budget : profile.budgets) {
      specs.push_back(BucketSpecFromProfile(budget));
    }
  } else if (custom != nullptr) {
    for (const RateBudgetSpec& budget : custom->file_budgets) {
      specs.push_back(BucketSpecFromProfile(budget));
    }
  }
  for (const std::string& text : flags.budgets) {
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

namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

// Applies one setting of a profile file to `*custom`. `first` is true for the file's first
// setting. Errors: the reason, without the file and line.
Status ApplySetting(std::string_view key, std::string_view value, bool first,
                    CustomProfile* custom) {
  TargetProfile& profile = custom->profile;
  const auto on_off = [&](bool* flag) {
    if (value == "on") {
      *flag = true;
    } else if (value == "off") {
      *flag = false;
    } else {
      return InvalidArgument(fmt::format("\"{}\" takes on or off, not \"{}\"", key, value));
    }
    return Status::Ok();
  };
  const auto keep = [&](std::string_view text) -> std::string_view {
    return custom->strings.emplace_back(text);
  };
  const auto add_budget = [&](std::string_view spec_text) {
    Result<BucketSpec> spec = ParseBucketSpec(spec_text);
    if (!spec.ok()) return spec.status();
    const int64_t seconds = std::chrono::duration_cast<std::chrono::seconds>(spec->period).count();
    if (seconds <= 0 || seconds > UINT32_MAX) {
      return InvalidArgument(fmt::format("budget \"{}\": PERIOD is out of range", spec_text));
    }
    RateBudgetSpec budget{keep(spec->name), static_cast<uint32_t>(spec->amount),
                          static_cast<uint32_t>(seconds), spec->per_scope};
    std::erase_if(custom->budgets,
                  [&](const RateBudgetSpec& other) { return other.name == budget.name; });
    std::erase_if(custom->file_budgets,
                  [&](const RateBudgetSpec& other) { return other.name == budget.name; });
    custom->budgets.push_back(budget);
    custom->file_budgets.push_back(budget);
    return Status::Ok();
  };
  if (key.find('=') != std::string_view::npos) return add_budget(key);  // NAME=N/PERIOD
  if (value.empty()) return InvalidArgument(fmt::format("\"{}\" needs a value", key));
  if (key == "profile") {
    const TargetProfile* base = FindProfile(value);
    if (base == nullptr) return InvalidArgument(fmt::format("unknown profile \"{}\"", value));
    if (!first) return InvalidArgument("\"profile\" must be the first setting of the file");
    custom->profile = *base;
    custom->budgets.assign(base->budgets.begin(), base->budgets.end());
    custom->headers.assign(base->required_headers.begin(), base->required_headers.end());
    custom->roles.assign(base->role_values.begin(), base->role_values.end());
    return Status::Ok();
  }
  if (key == "base-url") {
    profile.base_url_template = keep(value);
    return Status::Ok();
  }
  if (key == "header") {
    const size_t colon = value.find(':');
    const std::string_view name = Trim(value.substr(0, colon));
    if (colon == std::string_view::npos || name.empty() ||
        name.find(' ') != std::string_view::npos) {
      return InvalidArgument(fmt::format("\"header\" takes NAME: VALUE, not \"{}\"", value));
    }
    if (EqualsIgnoringAsciiCase(name, "authorization")) {
      return InvalidArgument(
          "the Authorization header comes from --token-env or --token-file, never from a "
          "profile file");
    }
    const std::string_view kept_name = keep(name);
    std::erase_if(custom->headers, [&](const RequiredHeader& header) {
      return header.name == kept_name && header.value.empty();
    });
    custom->headers.push_back({kept_name, keep(Trim(value.substr(colon + 1)))});
    return Status::Ok();
  }
  if (key == "budget") return add_budget(value);
  if (key == "budgets") {
    if (value != "none") {
      return InvalidArgument(fmt::format("\"budgets\" takes none, not \"{}\"", value));
    }
    custom->budgets.clear();
    custom->budgets.assign(custom->file_budgets.begin(), custom->file_budgets.end());
    return Status::Ok();
  }
  if (key == "bulk") {
    return on_off(&profile.supports_bulk);
  }
  if (key == "patch") return on_off(&profile.supports_patch);
  if (key == "hide-suspended-members") return on_off(&profile.hides_suspended_members);
  if (key == "filter") {
    if (value == "eq-only") {
      profile.supports_filter = true;
      profile.filter_eq_only = true;
    } else if (value == "full") {
      profile.supports_filter = true;
      profile.filter_eq_only = false;
    } else if (value == "none") {
      profile.supports_filter = false;
    } else {
      return InvalidArgument(
          fmt::format("\"filter\" takes eq-only, full or none, not \"{}\"", value));
    }
    return Status::Ok();
  }
  if (key == "roles") {
    custom->roles.clear();
    profile.any_role = value == "any";
    if (profile.any_role) return Status::Ok();
    std::istringstream words{std::string(value)};
    std::string word;
    while (words >> word) custom->roles.push_back(keep(word));
    return Status::Ok();
  }
  if (key == "max-members-per-patch") {
    uint32_t count = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), count);
    if (error != std::errc() || end != value.data() + value.size() || count == 0) {
      return InvalidArgument(
          fmt::format("\"max-members-per-patch\" takes a positive integer, not \"{}\"", value));
    }
    custom->max_members_per_patch = count;
    return Status::Ok();
  }
  return InvalidArgument(fmt::format("unknown setting \"{}\"", key));
}

}  // namespace

Result<std::unique_ptr<CustomProfile>> ParseProfileFile(std::string_view text,
                                                        std::string_view file,
                                                        const TargetProfile& base) {
  auto custom = std::make_unique<CustomProfile>();
  custom->profile = base;
  custom->budgets.assign(base.budgets.begin(), base.budgets.end());
  custom->headers.assign(base.required_headers.begin(), base.required_headers.end());
  custom->roles.assign(base.role_values.begin(), base.role_values.end());
  uint64_t line_number = 0;
  bool first = true;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    const std::string_view line = Trim(text.substr(0, newline));
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    const size_t space = line.find_first_of(" \t");
    const std::string_view key = line.substr(0, space);
    const std::string_view value =
        space == std::string_view::npos ? std::string_view() : Trim(line.substr(space));
    const Status applied = ApplySetting(key, value, first, custom.get());
    if (!applied.ok()) {
      return InvalidArgument(fmt::format("{}:{}: {}", file, line_number, applied.message()));
    }
    first = false;
  }
  TargetProfile& profile = custom->profile;
  profile.budgets = custom->budgets;
  profile.required_headers = custom->headers;
  profile.role_values = custom->roles;
  return custom;
}

Result<std::unique_ptr<CustomProfile>> ReadProfileFile(const std::string& path,
                                                       const TargetProfile& base) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(fmt::format("{}: cannot read the profile file", path));
  std::ostringstream text;
  text << in.rdbuf();
  return ParseProfileFile(text.str(), path, base);
}

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
                  "target profile overrides: base profile, budgets, headers, bulk, ... "
                  "(docs/apply.md)");
  app->add_option("--budget", flags->budgets, "NAME=N/PERIOD budget override; repeatable");
  app->add_flag("--no-budgets", flags->no_budgets,
                "drop the profile's budgets (benchmarks, targets without limits); --budget and "
                "--profile-file still apply");
  app->add_flag("--no-bulk", flags->no_bulk,
                "send every operation as its own request, even to a target offering /Bulk");
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
  std::unique_ptr<CustomProfile> custom;
  if (profile != nullptr && !flags.profile_file.empty()) {
    Result<std::unique_ptr<CustomProfile>> read = ReadProfileFile(flags.profile_file, *profile);
    if (!read.ok()) {
      return Stopped(summary, flags, read.status(), "stopped: configuration", ExitCode::kUsage);
    }
    custom = std::move(*read);
    profile = &custom->profile;
  }
  summary->profile = profile != nullptr ? std::string(profile->name) : profile_name;
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
  summary->target = flags.target;  // Only once checked: a URL with credentials never reaches it.
  Result<std::vector<BucketSpec>> budgets = Budgets(*profile, custom.get(), flags);
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
  Result<std::unique_ptr<Journal>> journal = Journal::Open(
      flags.state, flags.target, std::string(profile->name), plan.digest, JournalOptions{});
  if (!journal.ok()) {
    return Stopped(summary, flags, journal.status(), "stopped: state database", ExitCode::kUsage);
  }
  RateBudget budget(std::move(*budgets), RateBudget::Clock::now());
  EmitterOptions options;
  options.target_url = flags.target;
  options.profile = profile;
  options.concurrency = flags.concurrency;
  options.resume = flags.resume;
  options.bulk = !flags.no_bulk;
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
