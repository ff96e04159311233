// `scimflow gen`: writes a synthetic IdP export (seeded, deterministic), optionally the target
// snapshot after a full push, and with --next-day-of the next day's export plus expected.json.
// Flags and file names are documented in docs/gen.md; the work is tools/gen/generator.h.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "tools/cli_flags.h"
#include "tools/gen/broken_files.h"
#include "tools/gen/generator.h"
#include "tools/subcommands.h"

namespace scimflow {
namespace {

struct GenFlags {
  gen::GenRequest request;
  std::string user_format;
  std::string group_format;
  std::string assignment_format;
  bool broken = false;
};

void AddFlags(CLI::App* app, GenFlags* flags) {
  gen::GenRequest& request = flags->request;
  app->add_option("--users", request.params.users,
                  "users of day 0 (required unless --next-day-of)");
  app->add_option("--groups", request.params.groups,
                  "groups of day 0 (default: users / 100, at least 1)");
  app->add_option("--seed", request.params.seed, "seed; the same arguments give the same bytes")
      ->capture_default_str();
  app->add_option("--out", request.out_dir, "output directory (created when missing)")->required();
  app->add_option("--user-format", flags->user_format,
                  "scim | scim-array | okta | okta-ndjson | csv (default scim)")
      ->check(CLI::IsMember({"scim", "scim-array", "okta", "okta-ndjson", "csv"}));
  app->add_option("--group-format", flags->group_format, "ndjson | csv (default ndjson)")
      ->check(CLI::IsMember({"ndjson", "csv"}));
  app->add_option("--assignment-format", flags->assignment_format, "ndjson | csv (default ndjson)")
      ->check(CLI::IsMember({"ndjson", "csv"}));
  app->add_flag("--snapshot", request.snapshot,
                "also write snapshot.ndjson (target after a full push)");
  app->add_option("--next-day-of", request.next_day_of,
                  "directory of an earlier day: write the next day and expected.json");
  app->add_option("--churn", request.churn, "next-day changes, e.g. 1% or joiners=0.3%,leavers=20");
  app->add_option("--memberships-per-user", request.params.memberships_per_user,
                  "average group memberships per user")
      ->capture_default_str();
  app->add_option("--max-members-per-patch", request.max_members_per_patch,
                  "member chunk size expected.json assumes (as the planner's flag)")
      ->capture_default_str();
  app->add_flag("--broken", flags->broken,
                "write one damaged file per failure kind and expected-rejects.json instead");
  app->add_option("--threads", request.threads, "worker threads (default: one per core)");
}

std::string Megabytes(uint64_t bytes) { return fmt::format("{:.1f} MB", bytes / 1e6); }

void PrintSummary(const gen::GenRequest& request, const gen::GenSummary& summary, double seconds) {
  std::string files;
  for (const gen::GenFile& file : summary.files) {
    if (!files.empty()) files += ", ";
    files += fmt::format("{} {}", file.name, Megabytes(file.stats.bytes));
  }
  std::printf(
      "gen: day %u: %llu users, %llu assigned, %llu groups, %llu memberships → %s (%s) in %.2f s\n",
      summary.day, static_cast<unsigned long long>(summary.users_in_idp),
      static_cast<unsigned long long>(summary.assignments),
      static_cast<unsigned long long>(summary.groups),
      static_cast<unsigned long long>(summary.memberships), request.out_dir.c_str(), files.c_str(),
      seconds);
  if (summary.churn) {
    const gen::ExpectedOperations& expected = summary.churn->expected;
    std::printf("gen: expected operations: %llu (see expected.json)\n",
                static_cast<unsigned long long>(expected.Total()));
  }
}

}  // namespace

ExitCode RunGen(int argc, char** argv) {
  CLI::App app{"Write a synthetic IdP export (seeded, deterministic); see docs/gen.md.",
               "scimflow gen"};
  GenFlags flags;
  AddFlags(&app, &flags);
  AddOutputFlags(&app);
  if (std::optional<ExitCode> done = ParseFlags(&app, argc, argv)) return *done;
  gen::GenRequest& request = flags.request;
  if (flags.broken) {
    const Status written = WriteBrokenExport(request.out_dir);
    if (!written.ok()) {
      std::fprintf(stderr, "scimflow gen: %s\n", written.message().c_str());
      return ExitCode::kUsage;
    }
    std::printf("gen: broken export and expected-rejects.json written to %s\n",
                request.out_dir.c_str());
    return ExitCode::kSuccess;
  }
  if (!request.next_day_of.empty() &&
      (app.count("--users") + app.count("--groups") + app.count("--seed") +
       app.count("--memberships-per-user")) > 0) {
    std::fprintf(stderr,
                 "scimflow gen: --users, --groups, --seed and --memberships-per-user come from the "
                 "earlier day's manifest.json; leave them out with --next-day-of\n");
    return ExitCode::kUsage;
  }
  if (!flags.user_format.empty()) request.user_format = gen::ParseUserFormat(flags.user_format);
  if (!flags.group_format.empty()) request.group_format = gen::ParseGroupFormat(flags.group_format);
  if (!flags.assignment_format.empty()) {
    request.assignment_format = gen::ParseAssignmentFormat(flags.assignment_format);
  }
  const auto start = std::chrono::steady_clock::now();
  const Result<gen::GenSummary> summary = gen::RunGenerator(request);
  if (!summary.ok()) {
    std::fprintf(stderr, "scimflow gen: %s\n", summary.status().message().c_str());
    // Bad flags, a bad manifest and an unwritable directory are all for the caller to fix.
    return ExitCode::kUsage;
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  if (OutputMode() != ProgressMode::kQuiet) PrintSummary(request, *summary, elapsed.count());
  return ExitCode::kSuccess;
}

}  // namespace scimflow
