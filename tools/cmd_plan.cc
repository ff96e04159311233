// `scimflow plan`: inputs + current state → plan file, rejects file, summary and report.
//
// Stages, each timed for the report: load the current state (snapshot), ingest the assignments,
// users and groups files, resolve, reconcile, build the plan, check the deprovision guard, write.
// The plan file is written only when the run passed --max-rejects and the guard; the report is
// written in every case, so a refused run still says why. Flags: `scimflow help plan`.
#include <fmt/format.h>
#include <malloc.h>
#include <tbb/global_control.h>
#include <tbb/task_group.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <future>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/current_state.h"
#include "engine/current_state_store.h"
#include "engine/ingest.h"
#include "engine/options.h"
#include "engine/plan.h"
#include "engine/reconcile.h"
#include "engine/resolve.h"
#include "engine/target_profile.h"
#include "io/json_writer.h"
#include "io/plan_file.h"
#include "io/reject_writer.h"
#include "io/snapshot_file.h"
#include "tools/cli_flags.h"
#include "tools/cmd_apply.h"
#include "tools/plan_report.h"
#include "tools/run_report.h"
#include "tools/subcommands.h"
#include "tools/target_source.h"

namespace scimflow {
namespace {

struct PlanFlags {
  std::string users;
  std::string groups;
  std::string assignments;
  std::string current;
  std::string state;
  TargetFlags target;
  std::string profile = "github-emu";
  std::string profile_file;  // Its roles, suspended-member rule and members per patch count here.
  std::string out;
  std::string report;
  std::string rejects;
  int64_t max_rejects = -1;  // -1: plan reports any number of rejects (it sends nothing).
  uint32_t threads = 0;
  uint32_t max_members_per_patch = 0;  // 0: the profile file's, else EngineOptions' default.
  int64_t allow_deprovision = 0;
  // --format, --groups-format, --assignments-format: names of io/format_detect.h; "auto" detects.
  std::string users_format = "auto";
  std::string groups_format = "auto";
  std::string assignments_format = "auto";
  // The formats the three flags name, set by ParseFormatFlags.
  InputFormat users_input_format = InputFormat::kAuto;
  InputFormat groups_input_format = InputFormat::kAuto;
  InputFormat assignments_input_format = InputFormat::kAuto;
};

// The format a --*-format flag names; an unknown name is a usage error that lists the known ones.
Result<InputFormat> FormatFlag(std::string_view flag, const std::string& value) {
  const std::optional<InputFormat> format = ParseInputFormat(value);
  if (format.has_value()) return *format;
  return InvalidArgument(fmt::format(
      "unknown {} \"{}\" (one of auto, ndjson, json, okta-ndjson, okta-json, csv)", flag, value));
}

void AddFlags(CLI::App* app, PlanFlags* flags) {
  app->add_option("--users", flags->users, "the IdP's users file")->required();
  app->add_option("--groups", flags->groups, "push groups (NDJSON or CSV edges)");
  app->add_option("--assignments", flags->assignments, "who is assigned, with which roles");
  CLI::Option* current =
      app->add_option("--current", flags->current, "snapshot of the target (scimflow snapshot)");
  CLI::Option* state = app->add_option(
      "--state", flags->state, "the state database of earlier applies (read only; the fast path)");
  CLI::Option* target = AddTargetFlags(app, &flags->target, /*url_required=*/false);
  app->callback([current, state, target] {
    if (current->count() + state->count() + target->count() != 1) {
      throw CLI::ValidationError("exactly one of --current, --state or --target is required");
    }
  });
  app->add_option("--profile", flags->profile, "target profile")
      ->check(CLI::IsMember({"github-emu", "ghes", "generic"}))
      ->capture_default_str();
  app->add_option("--profile-file", flags->profile_file,
                  "profile file (docs/apply.md); planning uses its roles, "
                  "hide-suspended-members and max-members-per-patch");
  app->add_option("--out", flags->out, "plan file to write (docs/plan-format.md)")->required();
  app->add_option("--report", flags->report, "write the summary as JSON to this file");
  app->add_option("--rejects", flags->rejects, "write refused records as NDJSON to this file");
  app->add_option("--max-rejects", flags->max_rejects,
                  "refuse to plan (exit 2) above this many rejects (default: any number)");
  app->add_option("--threads", flags->threads, "worker threads; the plan is the same for any");
  app->add_option("--max-members-per-patch", flags->max_members_per_patch,
                  "member adds or removes per group PATCH (default: the profile file's, else 100)")
      ->check(CLI::Range(1u, 100000u));
  app->add_option("--allow-deprovision", flags->allow_deprovision,
                  "confirm this many deactivations plus deletions (default limit: 10% of the "
                  "target's active users, at least 100)")
      ->check(CLI::NonNegativeNumber);
  app->add_option("--format", flags->users_format,
                  "format of --users: auto, ndjson, json, okta-ndjson, okta-json, csv "
                  "(auto: from the first bytes)")
      ->capture_default_str();
  app->add_option("--groups-format", flags->groups_format, "format of --groups, as --format")
      ->capture_default_str();
  app->add_option("--assignments-format", flags->assignments_format,
                  "format of --assignments, as --format")
      ->capture_default_str();
}

Status ParseFormatFlags(PlanFlags* flags) {
  SCIMFLOW_ASSIGN_OR_RETURN(flags->users_input_format, FormatFlag("--format", flags->users_format));
  SCIMFLOW_ASSIGN_OR_RETURN(flags->groups_input_format,
                            FormatFlag("--groups-format", flags->groups_format));
  SCIMFLOW_ASSIGN_OR_RETURN(flags->assignments_input_format,
                            FormatFlag("--assignments-format", flags->assignments_format));
  return Status::Ok();
}

using Clock = std::chrono::steady_clock;

// Longest accepted line of a groups file or snapshot. A group line lists every member: a group
// holding a tenth of 10^6 users is a few megabytes (target ids are longer than externalIds), so
// the per-record limit meant for users would refuse real groups. 16 MiB is three times the
// longest line of a 10^6-user snapshot; the reader buffers scale with it, so not more.
constexpr uint32_t kGroupLineBytes = uint32_t{16} << 20;

// Hands the pages of freed allocations back to the kernel. The parsed chunks of one stage are
// allocated by the pipeline's threads, each from its own malloc arena, and freed by another; the
// next stage's allocations come from other arenas, so without this the freed pages stay resident
// and add to the peak (the peak RSS limit is a share of the input bytes).
void ReturnFreedMemory() { malloc_trim(0); }

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Reads up to config::kRejectExcerptBytes of a record back from its file, for rejects decided
// after the record's chunk was released.
std::string ReadExcerpt(const std::string& path, const RecordOrigin& origin) {
  std::ifstream file(path, std::ios::binary);
  const size_t length =
      std::min<size_t>(origin.byte_length == 0 ? config::kRejectExcerptBytes : origin.byte_length,
                       config::kRejectExcerptBytes);
  std::string excerpt(length, '\0');
  file.seekg(static_cast<std::streamoff>(origin.byte_offset));
  file.read(excerpt.data(), static_cast<std::streamsize>(length));
  excerpt.resize(static_cast<size_t>(std::max<std::streamsize>(0, file.gcount())));
  const size_t newline = excerpt.find('\n');
  if (newline != std::string::npos) excerpt.resize(newline);
  return excerpt;
}

// One input file's chunks, kept until the resolver has copied out what it needs.
struct IngestedInput {
  std::string_view file;
  std::vector<std::unique_ptr<RecordChunk>> chunks;
  std::vector<const RecordChunk*> views;

  ResolveInput AsResolveInput() const { return ResolveInput{file, views}; }
};

class PlanRun {
 public:
  // `profile` (the named one, or a profile file's) outlives the run.
  PlanRun(const PlanFlags& flags, const TargetProfile& profile, uint32_t max_members_per_patch)
      : flags_(flags), profile_(&profile), max_members_per_patch_(max_members_per_patch) {
    summary_.profile = profile.name;
    options_.threads = flags.threads;
    options_.max_members_per_patch = max_members_per_patch;
    options_.max_deprovision = flags.allow_deprovision;
  }

  ExitCode Run() {
    const Clock::time_point start = Clock::now();
    ExitCode code = Stages();
    summary_.wall_seconds = SecondsSince(start);
    if (!flags_.rejects.empty()) {
      const Status written = WriteRejectsFile(flags_.rejects, summary_.rejects);
      if (!written.ok()) code = Fail(written);
    }
    // A usage error (missing file, unwritable output) is said in one line; a table of zeros
    // under it would only hide it.
    if (OutputMode() != ProgressMode::kQuiet && code != ExitCode::kUsage) {
      PrintSummaryTable(summary_, stderr);
    }
    if (!flags_.report.empty() && !WriteReport()) code = ExitCode::kUsage;
    return code;
  }

  const PlanRunSummary& summary() const { return summary_; }

 private:
  ExitCode Stages() {
    // The digests read every input once more; they run beside the parsing, not after it.
    std::future<Result<std::vector<PlanInput>>> digests =
        std::async(std::launch::async, [this] { return DigestInputs(); });
    Status loaded = Timed("current", [&] { return LoadCurrent(); });
    ReturnFreedMemory();
    if (loaded.ok()) loaded = Timed("ingest+resolve", [&] { return IngestAndResolve(); });
    Result<std::vector<PlanInput>> inputs = digests.get();
    if (!loaded.ok()) {
      const ExitCode code = Fail(loaded);
      return target_failed_ ? TargetExitCode(loaded) : code;
    }
    if (!inputs.ok()) return Fail(inputs.status());
    // Reconciling and planning cannot fail; Timed only records how long they took.
    (void)Timed("reconcile+plan", [&] { return ReconcileAndPlan(); });
    CollectRejects();
    if (flags_.max_rejects >= 0 &&
        summary_.rejects.size() > static_cast<uint64_t>(flags_.max_rejects)) {
      summary_.outcome = "refused: rejects";
      std::fprintf(stderr, "scimflow plan: %zu rejects exceed --max-rejects %lld\n",
                   summary_.rejects.size(), static_cast<long long>(flags_.max_rejects));
      return ExitCode::kInputRejected;
    }
    summary_.guard = CheckDeprovision(plan_, current_->active_users(), flags_.allow_deprovision);
    if (summary_.guard.refused) {
      summary_.outcome = "refused: deprovision";
      std::fprintf(stderr, "scimflow plan: %s\n", summary_.guard.message.c_str());
      return ExitCode::kSafetyRefused;
    }
    PlanFileHeader header{std::move(*inputs), summary_.rejects.size()};
    const Status written = Timed("write", [&] { return WritePlanFile(flags_.out, plan_, header); });
    if (!written.ok()) return Fail(written);
    summary_.plan_path = flags_.out;
    return ExitCode::kSuccess;
  }

  template <typename Body>
  Status Timed(const char* stage, const Body& body) {
    const Clock::time_point start = Clock::now();
    Status status = body();
    summary_.stage_seconds.emplace_back(stage, SecondsSince(start));
    return status;
  }

  ExitCode Fail(const Status& status) {
    summary_.outcome = "failed: " + status.message();
    std::fprintf(stderr, "scimflow plan: %s\n", status.message().c_str());
    // A missing or unreadable file is for the caller to fix (SPEC §7: usage or configuration).
    return ExitCode::kUsage;
  }

  Result<std::vector<PlanInput>> DigestInputs() const {
    std::vector<PlanInput> inputs;
    const std::pair<const char*, const std::string*> files[] = {
        {"users", &flags_.users},
        {"groups", &flags_.groups},
        {"assignments", &flags_.assignments},
        {"current", &flags_.current}};
    for (const auto& [role, path] : files) {
      if (path->empty()) continue;
      SCIMFLOW_ASSIGN_OR_RETURN(PlanInput input, DigestFile(role, *path));
      inputs.push_back(std::move(input));
    }
    return inputs;
  }

  // The current state from whichever source was given; the plan does not depend on which.
  Status LoadCurrent() {
    if (!flags_.state.empty()) {
      SCIMFLOW_ASSIGN_OR_RETURN(current_, LoadCurrentStateFromStore(flags_.state));
    } else if (!flags_.target.url.empty()) {
      // Without a groups file the target's groups are left alone, so they need not be read.
      target_failed_ = true;
      SCIMFLOW_ASSIGN_OR_RETURN(std::unique_ptr<TargetSource> source,
                                TargetSource::Open(flags_.target, *profile_,
                                                   /*read_groups=*/!flags_.groups.empty()));
      for (const std::string& warning : source->warnings()) {
        std::fprintf(stderr, "scimflow plan: warning: %s\n", warning.c_str());
      }
      SCIMFLOW_ASSIGN_OR_RETURN(current_, LoadCurrentStateFromTarget(source->reader()));
      target_failed_ = false;
    } else {
      SCIMFLOW_ASSIGN_OR_RETURN(current_, LoadSnapshot(flags_.current, GroupOptions()));
    }
    summary_.current_users = current_->users().size();
    summary_.current_groups = current_->groups().size();
    return Status::Ok();
  }

  EngineOptions GroupOptions() const {
    EngineOptions options = options_;
    options.max_line_bytes = std::max(options.max_line_bytes, kGroupLineBytes);
    return options;
  }

  // Keeps the rejects of a chunk, which is about to be released.
  void KeepRejects(PlanInputRole role, const RecordChunk& chunk) {
    for (const Reject& reject : chunk.rejects) {
      summary_.rejects.push_back({role, std::string(reject.origin.file), reject.origin.line,
                                  reject.origin.byte_offset, std::string(reject.reason),
                                  std::string(reject.excerpt)});
    }
  }

  Status IngestWhole(const std::string& path, InputKind kind, InputFormat format,
                     PlanInputRole role, IngestedInput* out) {
    out->file = path;
    if (path.empty()) return Status::Ok();
    SCIMFLOW_ASSIGN_OR_RETURN(
        IngestResult result,
        IngestFile(path, kind, format, kind == InputKind::kGroups ? GroupOptions() : options_));
    out->chunks = std::move(result.chunks);
    for (const auto& chunk : out->chunks) {
      out->views.push_back(chunk.get());
      summary_.groups_read += chunk->groups.size();
      KeepRejects(role, *chunk);
    }
    return Status::Ok();
  }

  // Assignments first (they decide roles), then users and groups, each streamed chunk by chunk
  // into the resolver (each chunk released once resolved).
  Status IngestAndResolve() {
    Resolver resolver(*profile_, current_.get());
    {
      IngestedInput assignments;
      SCIMFLOW_RETURN_IF_ERROR(IngestWhole(flags_.assignments, InputKind::kAssignments,
                                           flags_.assignments_input_format,
                                           PlanInputRole::kAssignments, &assignments));
      resolver.AddAssignments(assignments.AsResolveInput());
      // The resolver keeps a compact copy (keys and interned role lists): free the parsed file
      // before the users stream in.
      assignments = IngestedInput{};
      ReturnFreedMemory();
      IngestStats stats;
      SCIMFLOW_RETURN_IF_ERROR(IngestFileStreaming(
          flags_.users, InputKind::kUsers, flags_.users_input_format, options_,
          [&](std::unique_ptr<RecordChunk> chunk) {
            summary_.users_read += chunk->users.size();
            KeepRejects(PlanInputRole::kUsers, *chunk);
            resolver.AddUsers(*chunk);
            return Status::Ok();
          },
          &stats, IngestIo{.lifetime = ChunkLifetime::kDuringCall}));
      resolver.FinishUsers();
    }
    if (!flags_.groups.empty()) {
      // Streamed like the users: each chunk is released once its groups are resolved.
      IngestStats stats;
      SCIMFLOW_RETURN_IF_ERROR(IngestFileStreaming(
          flags_.groups, InputKind::kGroups, flags_.groups_input_format, GroupOptions(),
          [&](std::unique_ptr<RecordChunk> chunk) {
            summary_.groups_read += chunk->groups.size();
            KeepRejects(PlanInputRole::kGroups, *chunk);
            resolver.AddGroupsChunk(*chunk);
            return Status::Ok();
          },
          &stats, IngestIo{.lifetime = ChunkLifetime::kDuringCall}));
      resolver.FinishGroups();
    }
    desired_ = std::make_unique<DesiredState>(resolver.Finish());
    return Status::Ok();
  }

  Status ReconcileAndPlan() {
    plan_ = BuildPlan(Reconcile(*desired_, *current_, *profile_), *desired_, *current_, *profile_,
                      max_members_per_patch_);
    summary_.plan = &plan_;
    return Status::Ok();
  }

  void CollectRejects() {
    const std::string* files[] = {&flags_.users, &flags_.groups, &flags_.assignments};
    for (const ResolveReject& reject : desired_->rejects) {
      const std::string& path = *files[static_cast<size_t>(reject.input)];
      summary_.rejects.push_back({static_cast<PlanInputRole>(reject.input), path,
                                  reject.origin.line, reject.origin.byte_offset, reject.reason,
                                  ReadExcerpt(path, reject.origin)});
    }
    for (const SourceIssue& issue : current_->issues()) {
      summary_.rejects.push_back({PlanInputRole::kCurrent, current_->source_name(), issue.line, 0,
                                  issue.reason, issue.excerpt});
    }
    SortRejects(&summary_.rejects);
  }

  bool WriteReport() {
    std::string json;
    AppendReportJson(summary_, &json);
    json.push_back('\n');
    std::ofstream file(flags_.report, std::ios::binary | std::ios::trunc);
    file << json;
    file.close();
    if (!file) {
      std::fprintf(stderr, "scimflow plan: %s: cannot write the report\n", flags_.report.c_str());
      return false;
    }
    return true;
  }

  const PlanFlags& flags_;
  const TargetProfile* profile_;
  uint32_t max_members_per_patch_;
  EngineOptions options_;
  PlanRunSummary summary_;
  std::unique_ptr<CurrentState> current_;
  bool target_failed_ = false;  // The live read failed: exit 5, not 1.
  std::unique_ptr<DesiredState> desired_;
  Plan plan_;
};

}  // namespace

ExitCode RunPlan(int argc, char** argv) {
  CLI::App app{
      "Compare the IdP's export with the target and write the operations that would make "
      "them equal; see docs/plan-format.md.",
      "scimflow plan"};
  PlanFlags flags;
  AddFlags(&app, &flags);
  app.footer(
      "The current state comes from exactly one of: --current SNAPSHOT (a snapshot file, "
      "docs/snapshot-format.md); --state DB (the state database apply keeps, opened read only: "
      "the fast path for nightly runs); --target URL (read live: users pages, then groups and "
      "their members, with --token-env/--token-file, --ca-file, --insecure, --concurrency, "
      "--page-size, --max-attempts; groups are read only when --groups is given).");
  AddOutputFlags(&app);
  std::string metrics_path;
  app.add_option("--metrics", metrics_path,
                 "write the summary as Prometheus text to this file (docs/report-format.md)");
  if (std::optional<ExitCode> done = ParseFlags(&app, argc, argv)) return *done;
  const Status formats = ParseFormatFlags(&flags);
  if (!formats.ok()) {
    std::fprintf(stderr, "scimflow plan: %s\n", formats.message().c_str());
    return ExitCode::kUsage;
  }
  // Every parallel loop of the run stays within --threads; the plan is the same for any value.
  std::unique_ptr<tbb::global_control> limit;
  if (flags.threads > 0) {
    limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                  flags.threads);
  }
  const TargetProfile* profile = FindProfile(flags.profile);
  std::unique_ptr<CustomProfile> custom;
  if (!flags.profile_file.empty()) {
    Result<std::unique_ptr<CustomProfile>> read = ReadProfileFile(flags.profile_file, *profile);
    if (!read.ok()) {
      std::fprintf(stderr, "scimflow plan: %s\n", read.status().message().c_str());
      return ExitCode::kUsage;
    }
    custom = std::move(*read);
    profile = &custom->profile;
  }
  uint32_t members_per_patch = flags.max_members_per_patch;
  if (members_per_patch == 0 && custom != nullptr)
    members_per_patch = custom->max_members_per_patch;
  if (members_per_patch == 0) members_per_patch = EngineOptions{}.max_members_per_patch;
  PlanRun run(flags, *profile, members_per_patch);
  const ExitCode code = run.Run();
  if (metrics_path.empty()) return code;
  std::string metrics;
  AppendPlanMetrics(run.summary(), std::time(nullptr), &metrics);
  if (const Status written = WriteFileAtomically(metrics_path, metrics); !written.ok()) {
    std::fprintf(stderr, "scimflow plan: %s\n", written.message().c_str());
    return ExitCode::kUsage;
  }
  return code;
}

}  // namespace scimflow
