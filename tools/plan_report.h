// What `scimflow plan` tells its user: the rejects of every input in one ordered list (written
// to --rejects), the summary table on stderr and the --report JSON.
//
// Kept apart from the command so the formats can be tested without running the whole command.
// Thread-safety: plain values and pure functions.
#ifndef SCIMFLOW_TOOLS_PLAN_REPORT_H_
#define SCIMFLOW_TOOLS_PLAN_REPORT_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/plan.h"
#include "engine/status.h"

namespace scimflow {

// The inputs of a plan run, in the order their rejects are listed.
enum class PlanInputRole : uint8_t { kUsers, kGroups, kAssignments, kCurrent };
inline constexpr size_t kPlanInputRoleCount = 4;

// "users", "groups", "assignments", "current".
std::string_view PlanInputRoleName(PlanInputRole role);

// One refused record of any input, owning its strings (the chunks it came from are gone).
struct RejectLine {
  PlanInputRole role = PlanInputRole::kUsers;
  std::string file;
  uint64_t line = 0;
  uint64_t byte_offset = 0;
  std::string reason;
  std::string excerpt;
};

// Sorts rejects by input (users, groups, assignments, current), then line; stable otherwise.
void SortRejects(std::vector<RejectLine>* rejects);

// Writes the rejects file (docs/input-formats.md, "Rejects"). Errors: kIoError.
Status WriteRejectsFile(const std::string& path, const std::vector<RejectLine>& rejects);

// Everything the summary and the report say about one run.
struct PlanRunSummary {
  std::string profile;
  std::string plan_path;            // Empty when no plan was written.
  std::string outcome = "planned";  // "planned", "refused: rejects", "refused: deprovision".
  const Plan* plan = nullptr;       // Null when the run stopped before planning.
  std::vector<RejectLine> rejects;
  uint64_t users_read = 0;
  uint64_t groups_read = 0;
  uint64_t current_users = 0;
  uint64_t current_groups = 0;
  DeprovisionCheck guard;
  std::vector<std::pair<std::string, double>> stage_seconds;  // In the order they ran.
  double wall_seconds = 0;

  uint64_t RejectsOf(PlanInputRole role) const;
};

// The human summary: counts per kind, members, conflicts, rejects, the outcome.
void PrintSummaryTable(const PlanRunSummary& summary, std::FILE* out);

// The --report JSON (one object, no trailing newline): counts per kind, conflicts, rejects per
// input, the guard, stage timings and wall time.
void AppendReportJson(const PlanRunSummary& summary, std::string* out);

}  // namespace scimflow

#endif  // SCIMFLOW_TOOLS_PLAN_REPORT_H_
