// `scimflow sync`: plan and apply in one run (SPEC §7). The plan is made by `scimflow plan`'s own
// code (same rejects, conflicts, deprovision guard and exit codes 2 and 4), written to --out (or
// to a temporary file next to the state database, removed at the end), read back and applied
// exactly as `scimflow apply` would.
//
// Current state: `--current SNAPSHOT` when given; otherwise an empty target, which is what a
// state database without users stands for (the first migration). Planning against a state
// database that apply has filled is not available here yet: such a run is refused with exit 1.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/journal.h"
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
  uint32_t max_members_per_patch = 100;
  uint32_t threads = 0;
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
                  "member adds or removes per group PATCH")
      ->capture_default_str();
  app->add_option("--threads", flags->threads, "worker threads of the planning");
}

// Users the state database holds; 0 for a new one.
Result<int64_t> StoredUsers(const ApplyFlags& flags, const std::string& profile) {
  if (!std::filesystem::exists(flags.state)) return int64_t{0};
  SCIMFLOW_ASSIGN_OR_RETURN(std::unique_ptr<Journal> journal,
                            Journal::Open(flags.state, flags.target, profile, "", {}));
  return journal->state().CountUsers();
}

// Runs `scimflow plan` in-process with the sync's inputs.
ExitCode Plan(const SyncFlags& flags, const std::string& profile, const std::string& current,
              const std::string& out) {
  std::vector<std::string> args = {"plan",
                                   "--users",
                                   flags.users,
                                   "--current",
                                   current,
                                   "--profile",
                                   profile,
                                   "--out",
                                   out,
                                   "--max-rejects",
                                   std::to_string(flags.max_rejects),
                                   "--max-members-per-patch",
                                   std::to_string(flags.max_members_per_patch)};
  const std::pair<const char*, const std::string*> optional[] = {
      {"--groups", &flags.groups},
      {"--assignments", &flags.assignments},
      {"--rejects", &flags.rejects}};
  for (const auto& [name, value] : optional) {
    if (value->empty()) continue;
    args.push_back(name);
    args.push_back(*value);
  }
  if (flags.allow_deprovision > 0) {
    args.push_back("--allow-deprovision");
    args.push_back(std::to_string(flags.allow_deprovision));
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
  std::string current = flags.current;
  if (current.empty()) {
    Result<int64_t> users = StoredUsers(apply, profile);
    if (!users.ok()) {
      std::fprintf(stderr, "scimflow sync: %s\n", users.status().message().c_str());
      return ExitCode::kUsage;
    }
    if (*users > 0) {
      std::fprintf(stderr,
                   "scimflow sync: sync without --current needs a state database "
                   "written by apply\n");
      return ExitCode::kUsage;
    }
    current = scratch + ".empty.ndjson";
    std::ofstream(current, std::ios::trunc).flush();
  }
  const std::string plan_path = flags.out.empty() ? scratch + ".plan.ndjson" : flags.out;
  const ExitCode planned = Plan(flags, profile, current, plan_path);
  std::error_code ignored;
  if (flags.current.empty()) std::filesystem::remove(current, ignored);
  if (planned != ExitCode::kSuccess) return planned;
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::printf("%s", app.help().c_str());
    return ExitCode::kSuccess;
  } catch (const CLI::ParseError& error) {
    std::fprintf(stderr, "scimflow sync: %s\n", error.what());
    return ExitCode::kUsage;
  }
  return Sync(flags, apply);
}

}  // namespace scimflow
