#include "tools/plan_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "engine/chunk.h"
#include "io/json_writer.h"
#include "io/reject_writer.h"

namespace scimflow {

std::string_view PlanInputRoleName(PlanInputRole role) {
  static constexpr std::array<std::string_view, kPlanInputRoleCount> kNames = {
      "users", "groups", "assignments", "current"};
  return kNames[static_cast<size_t>(role)];
}

void SortRejects(std::vector<RejectLine>* rejects) {
  std::stable_sort(rejects->begin(), rejects->end(),
                   [](const RejectLine& left, const RejectLine& right) {
                     if (left.role != right.role) return left.role < right.role;
                     return left.line < right.line;
                   });
}

Status WriteRejectsFile(const std::string& path, const std::vector<RejectLine>& rejects) {
  SCIMFLOW_ASSIGN_OR_RETURN(std::unique_ptr<RejectWriter> writer, RejectWriter::Open(path));
  for (const RejectLine& line : rejects) {
    const Reject reject{RecordOrigin{line.file, line.line, line.byte_offset, 0}, line.reason,
                        line.excerpt};
    SCIMFLOW_RETURN_IF_ERROR(writer->Write(reject));
  }
  return writer->Close();
}

uint64_t PlanRunSummary::RejectsOf(PlanInputRole role) const {
  return static_cast<uint64_t>(
      std::count_if(rejects.begin(), rejects.end(),
                    [role](const RejectLine& line) { return line.role == role; }));
}

void PrintSummaryTable(const PlanRunSummary& summary, std::FILE* out) {
  std::string text = fmt::format(
      "scimflow plan ({}): {} users and {} group records read; target holds {} users, {} groups\n",
      summary.profile, summary.users_read, summary.groups_read, summary.current_users,
      summary.current_groups);
  if (summary.plan != nullptr) {
    const Plan& plan = *summary.plan;
    text += fmt::format("  {:<22} {:>10}\n", "operation", "count");
    for (size_t kind = 0; kind < kOperationKindCount; ++kind) {
      text += fmt::format("  {:<22} {:>10}\n", OperationKindName(static_cast<OperationKind>(kind)),
                          plan.counts[kind]);
    }
    text += fmt::format("  {:<22} {:>10}\n", "total", plan.operations.size());
    text += fmt::format("  members: {} added, {} removed, {} left out; conflicts: {}\n",
                        plan.members_added, plan.members_removed, plan.members_left_out,
                        plan.conflicts.size());
  }
  text += fmt::format(
      "  rejects: {} (users {}, groups {}, assignments {}, current {})\n", summary.rejects.size(),
      summary.RejectsOf(PlanInputRole::kUsers), summary.RejectsOf(PlanInputRole::kGroups),
      summary.RejectsOf(PlanInputRole::kAssignments), summary.RejectsOf(PlanInputRole::kCurrent));
  text += summary.plan_path.empty() ? fmt::format("  {}; no plan written\n", summary.outcome)
                                    : fmt::format("  plan written to {} in {:.2f} s\n",
                                                  summary.plan_path, summary.wall_seconds);
  std::fputs(text.c_str(), out);
}

namespace {

void WriteOperations(const Plan& plan, JsonWriter* json) {
  json->Key("operations").BeginObject();
  for (size_t kind = 0; kind < kOperationKindCount; ++kind) {
    json->Member(OperationKindName(static_cast<OperationKind>(kind)), plan.counts[kind]);
  }
  json->EndObject();
  uint64_t per_kind[3] = {0, 0, 0};
  for (const Conflict& conflict : plan.conflicts) ++per_kind[static_cast<size_t>(conflict.kind)];
  json->Member("total", static_cast<uint64_t>(plan.operations.size()))
      .Member("members_added", plan.members_added)
      .Member("members_removed", plan.members_removed)
      .Member("members_left_out", plan.members_left_out)
      .Key("conflicts")
      .BeginObject();
  for (ConflictKind kind :
       {ConflictKind::kUsernameChange, ConflictKind::kGroupRole, ConflictKind::kUsernameTaken}) {
    json->Member(ConflictKindName(kind), per_kind[static_cast<size_t>(kind)]);
  }
  json->EndObject();
}

}  // namespace

void AppendReportJson(const PlanRunSummary& summary, std::string* out) {
  JsonWriter json(out);
  json.BeginObject()
      .Member("command", "plan")
      .Member("profile", summary.profile)
      .Member("outcome", summary.outcome)
      .Member("plan", summary.plan_path);
  if (summary.plan != nullptr) WriteOperations(*summary.plan, &json);
  json.Key("rejects").BeginObject().Member("total", static_cast<uint64_t>(summary.rejects.size()));
  for (size_t role = 0; role < kPlanInputRoleCount; ++role) {
    json.Member(PlanInputRoleName(static_cast<PlanInputRole>(role)),
                summary.RejectsOf(static_cast<PlanInputRole>(role)));
  }
  json.EndObject()
      .Key("deprovision")
      .BeginObject()
      .Member("count", summary.guard.deprovisions)
      .Member("limit", summary.guard.limit)
      .Member("refused", summary.guard.refused)
      .EndObject()
      .Key("stage_seconds")
      .BeginObject();
  for (const auto& [stage, seconds] : summary.stage_seconds) json.Key(stage).Double(seconds);
  json.EndObject().Key("wall_seconds").Double(summary.wall_seconds).EndObject();
}

}  // namespace scimflow
