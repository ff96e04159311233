#include "tools/gen/generator.h"

#include <fmt/format.h>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <cstdio>
#include <filesystem>

#include "tools/gen/block_writer.h"
#include "tools/gen/churn_spec.h"
#include "tools/gen/manifest.h"

namespace scimflow::gen {
namespace {

namespace fs = std::filesystem;

std::string PathIn(const std::string& dir, std::string_view name) {
  return (fs::path(dir) / std::string(name)).string();
}

// Writes a small file (manifest, expected.json) through the same temp-and-rename path.
Result<WriteStats> WriteSmallFile(const std::string& path, const std::string& text) {
  auto render = [](size_t, size_t, std::string*) {};
  Result<uint64_t> bytes = WriteFileInBlocks(path, text, 0, 1, render, "");
  if (!bytes.ok()) return bytes.status();
  return WriteStats{1, *bytes};
}

// The manifest a request starts from: built from the flags for day 0, read for a next day.
Result<Manifest> StartingManifest(const GenRequest& request) {
  if (request.next_day_of.empty()) {
    if (!request.churn.empty()) return InvalidArgument("--churn needs --next-day-of DIR");
    if (request.params.users == 0) return InvalidArgument("--users must be at least 1");
    Manifest manifest;
    manifest.params = request.params;
    if (manifest.params.groups == 0)
      manifest.params.groups = std::max<uint32_t>(1, request.params.users / 100);
    return manifest;
  }
  if (request.churn.empty()) return InvalidArgument("--next-day-of needs --churn SPEC");
  std::error_code error;
  if (fs::equivalent(request.next_day_of, request.out_dir, error)) {
    return InvalidArgument("--out must be another directory than --next-day-of");
  }
  return ReadManifest(PathIn(request.next_day_of, kManifestFileName));
}

// Applies the request's format choices; a next day must keep the attribute set of its users.
Status ChooseFormats(const GenRequest& request, Manifest* manifest) {
  if (request.user_format) {
    if (!request.next_day_of.empty() &&
        CarriesFullName(*request.user_format) != CarriesFullName(manifest->user_format)) {
      return InvalidArgument(fmt::format(
          "--user-format {} carries other name attributes than {} of the earlier day; every user "
          "would change",
          FormatName(*request.user_format), FormatName(manifest->user_format)));
    }
    manifest->user_format = *request.user_format;
  }
  if (request.group_format) manifest->group_format = *request.group_format;
  if (request.assignment_format) manifest->assignment_format = *request.assignment_format;
  return Status::Ok();
}

// Rebuilds the day the manifest describes, then applies the request's churn if any.
Result<ExportModel> BuildDay(const GenRequest& request, Manifest* manifest,
                             std::optional<ChurnResult>* churn) {
  std::vector<ChurnSpec> specs;
  for (const std::string& text : manifest->days) {
    SCIMFLOW_ASSIGN_OR_RETURN(ChurnSpec spec, ParseChurnSpec(text));
    specs.push_back(std::move(spec));
  }
  std::optional<ChurnSpec> next;
  if (!request.churn.empty()) {
    SCIMFLOW_ASSIGN_OR_RETURN(ChurnSpec spec, ParseChurnSpec(request.churn));
    next = std::move(spec);
  }
  ExportModel model = BuildInitialDay(manifest->params);
  for (const ChurnSpec& spec : specs) ApplyChurn(&model, spec, request.max_members_per_patch);
  if (next) {
    *churn = ApplyChurn(&model, *next, request.max_members_per_patch);
    manifest->days.push_back(request.churn);
  }
  return model;
}

Status WriteAll(const GenRequest& request, const Manifest& manifest, const ExportModel& model,
                GenSummary* summary) {
  const IdScheme ids(manifest.params.seed);
  const std::string& dir = request.out_dir;
  auto record = [&](std::string_view name, Result<WriteStats> stats) -> Status {
    if (!stats.ok()) return stats.status();
    summary->files.push_back({std::string(name), *stats});
    return Status::Ok();
  };
  const std::string_view users = FileName(manifest.user_format);
  SCIMFLOW_RETURN_IF_ERROR(
      record(users, WriteUsers(model, ids, manifest.user_format, PathIn(dir, users))));
  summary->users_in_idp = summary->files.back().stats.records;
  const std::string_view groups = FileName(manifest.group_format);
  SCIMFLOW_RETURN_IF_ERROR(
      record(groups, WriteGroups(model, ids, manifest.group_format, PathIn(dir, groups))));
  const std::string_view assignments = FileName(manifest.assignment_format);
  SCIMFLOW_RETURN_IF_ERROR(
      record(assignments,
             WriteAssignments(model, ids, manifest.assignment_format, PathIn(dir, assignments))));
  summary->assignments = summary->files.back().stats.records;
  if (request.snapshot) {
    SCIMFLOW_RETURN_IF_ERROR(
        record(kSnapshotFileName, WriteSnapshot(model, ids, CarriesFullName(manifest.user_format),
                                                PathIn(dir, kSnapshotFileName))));
  }
  if (summary->churn) {
    SCIMFLOW_RETURN_IF_ERROR(record(
        kExpectedFileName,
        WriteSmallFile(PathIn(dir, kExpectedFileName), ExpectedJson(summary->churn->expected))));
  }
  return record(kManifestFileName,
                WriteSmallFile(PathIn(dir, kManifestFileName), ManifestJson(manifest)));
}

}  // namespace

Result<GenSummary> RunGenerator(const GenRequest& request) {
  if (request.max_members_per_patch == 0)
    return InvalidArgument("--max-members-per-patch must be at least 1");
  SCIMFLOW_ASSIGN_OR_RETURN(Manifest manifest, StartingManifest(request));
  SCIMFLOW_RETURN_IF_ERROR(ChooseFormats(request, &manifest));
  std::error_code error;
  fs::create_directories(request.out_dir, error);
  if (error) return IoError(request.out_dir + ": " + error.message());

  // An explicit --threads is honoured even above the core count (oneTBB would otherwise cap
  // the workers at the cores and print a warning); the output is the same either way.
  std::optional<tbb::global_control> allow;
  if (request.threads > 0) {
    allow.emplace(tbb::global_control::max_allowed_parallelism, request.threads);
  }
  tbb::task_arena arena(request.threads == 0 ? tbb::task_arena::automatic
                                             : static_cast<int>(request.threads));
  Result<GenSummary> result = Internal("generator did not run");
  arena.execute([&] {
    GenSummary summary;
    Result<ExportModel> model = BuildDay(request, &manifest, &summary.churn);
    if (!model.ok()) {
      result = model.status();
      return;
    }
    summary.day = model->day;
    summary.groups = model->groups.size();
    for (const GenGroup& group : model->groups) summary.memberships += group.members.size();
    const Status written = WriteAll(request, manifest, *model, &summary);
    if (written.ok()) {
      result = std::move(summary);
    } else {
      result = written;
    }
  });
  return result;
}

}  // namespace scimflow::gen
