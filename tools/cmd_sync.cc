// `scimflow sync`: plan and apply in one run (SPEC §7). The plan is made by `scimflow plan`'s own
// code (same rejects, conflicts, deprovision guard and exit codes 2 and 4), written to --out (or
// to a temporary file next to the state database, removed at the end), read back and applied
// exactly as `scimflow apply` would.
//
// Current state: `--current SNAPSHOT` when given; otherwise the state database (`plan --state`,
// the nightly fast path), or an empty target when the database does not exist yet (the first
// migration). `--dry-run` stops after planning: the summary says what would be sent.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "tools/cli_flags.h"
#include "tools/cmd_apply.h"
#include "tools/subcommands.h"

namespace scimflow {
namespace {

struct SyncFlags {
  std::string users;
  std::string groups;
  std::string assignments;
  std::string current;
  std::string out;
  std::string rejects;
  int64_t max_rejects = 0;  // SPEC §2: a plan built from a damaged file is never applied.
  int64_t allow_deprovision = 0;
  uint32_t max_members_per_patch = 0;  // 0: the profile file's, else plan's default.
  uint32_t threads = 0;
  bool dry_run = false;
};

void AddSyncFlags(CLI::App* app, SyncFlags* flags) {
  app->add_option("--users", flags->users, "the IdP's users file")->required();
  app->add_option("--groups", flags->groups, "push groups (NDJSON or CSV edges)");
  app->add_option("--assignments", flags->assignments, "who is assigned, with which roles");
  app->add_option("--current", flags->current,
                  "snapshot of the target; without it the state database must hold no users");
  app->add_option("--out", flags->out, "also keep the plan in this file");
  app->add_option("--rejects", flags->rejects, "write refused records as NDJSON to this file");
  app->add_option("--max-rejects", flags->max_rejects, "refuse to sync (exit 2) above this many")
      ->capture_default_str();
  app->add_option("--allow-deprovision", flags->allow_deprovision,
                  "confirm this many deactivations plus deletions");
  app->add_option("--max-members-per-patch", flags->max_members_per_patch,
                  "member adds or removes per group PATCH (default: the profile file's, else 100)")
      ->check(CLI::Range(1u, 100000u));
  app->add_option("--threads", flags->threads, "worker threads of the planning");
  app->add_flag("--dry-run", flags->dry_run,
                "plan and print what would be sent (keep it with --out), send nothing");
}

// Runs `scimflow plan` in-process with the sync's inputs.
ExitCode Plan(const SyncFlags& flags, const ApplyFlags& apply, const std::string& profile,
              const std::string& source_flag, const std::string& source, const std::string& out) {
  std::vector<std::string> args = {"plan",
                                   "--users",
                                   flags.users,
                                   source_flag,
                                   source,
                                   "--profile",
                                   profile,
                                   "--out",
                                   out,
                                   "--max-rejects",
                                   std::to_string(flags.max_rejects)};
  const std::pair<const char*, const std::string*> optional[] = {
      {"--groups", &flags.groups},
      {"--assignments", &flags.assignments},
      {"--rejects", &flags.rejects},
      // The same profile file apply uses: its roles and member batches shape the plan.
      {"--profile-file", &apply.profile_file}};
  for (const auto& [name, value] : optional) {
    if (value->empty()) continue;
    args.push_back(name);
    args.push_back(*value);
  }
  if (flags.allow_deprovision > 0) {
    args.push_back("--allow-deprovision");
    args.push_back(std::to_string(flags.allow_deprovision));
  }
  if (flags.max_members_per_patch > 0) {
    args.push_back("--max-members-per-patch");
    args.push_back(std::to_string(flags.max_members_per_patch));
  }
  if (flags.threads > 0) {
    args.push_back("--threads");
    args.push_back(std::to_string(flags.threads));
  }
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  return RunPlan(static_cast<int>(args.size()), argv.data());
}

ExitCode Sync(const SyncFlags& flags, const ApplyFlags& apply) {
  const std::string profile = apply.profile.empty() ? "github-emu" : apply.profile;
  const std::string scratch = apply.state + ".sync";
  std::string source_flag = "--current";
  std::string current = flags.current;
  bool empty_target = false;
  if (current.empty() && std::filesystem::exists(apply.state)) {
    source_flag = "--state";
    current = apply.state;
  } else if (current.empty()) {
    empty_target = true;
    current = scratch + ".empty.ndjson";
    std::ofstream(current, std::ios::trunc).flush();
  }
  const std::string plan_path = flags.out.empty() ? scratch + ".plan.ndjson" : flags.out;
  const ExitCode planned = Plan(flags, apply, profile, source_flag, current, plan_path);
  std::error_code ignored;
  if (empty_target) std::filesystem::remove(current, ignored);
  if (planned != ExitCode::kSuccess || flags.dry_run) {
    if (flags.out.empty()) std::filesystem::remove(plan_path, ignored);
    if (flags.dry_run && planned == ExitCode::kSuccess) {
      std::fprintf(stderr, "scimflow sync: dry run, nothing sent%s\n",
                   flags.out.empty() ? "" : fmt::format("; the plan is in {}", flags.out).c_str());
    }
    return planned;
  }
  Result<ReadPlan> plan = ReadPlanFile(plan_path);
  if (flags.out.empty()) std::filesystem::remove(plan_path, ignored);
  if (!plan.ok()) {
    std::fprintf(stderr, "scimflow sync: %s\n", plan.status().message().c_str());
    return ExitCode::kUsage;
  }
  RunSummary summary;
  summary.command = "sync";
  summary.plan = flags.out;
  return ApplyPlan(*plan, apply, &summary);
}

}  // namespace

ExitCode RunSync(int argc, char** argv) {
  CLI::App app{
      "Plan the IdP's export against the target and apply the plan in one run; see "
      "docs/apply.md.",
      "scimflow sync"};
  SyncFlags flags;
  ApplyFlags apply;
  AddSyncFlags(&app, &flags);
  AddApplyFlags(&app, &apply);
  AddOutputFlags(&app);
  if (std::optional<ExitCode> done = ParseFlags(&app, argc, argv)) return *done;
  return Sync(flags, apply);
}

}  // namespace scimflow
