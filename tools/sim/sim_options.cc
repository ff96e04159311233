#include "tools/sim/sim_options.h"

#include <chrono>
#include <string>

#include "engine/rate_budget.h"
#include "engine/target_profile.h"

namespace scimflow {

std::string_view SimProfileName(SimProfile profile) {
  switch (profile) {
    case SimProfile::kGitHubEmu:
      return "github-emu";
    case SimProfile::kGhes:
      return "ghes";
    case SimProfile::kGeneric:
      return "generic";
  }
  return "github-emu";
}

Result<SimProfile> ParseSimProfile(std::string_view name) {
  for (SimProfile profile : {SimProfile::kGitHubEmu, SimProfile::kGhes, SimProfile::kGeneric}) {
    if (SimProfileName(profile) == name) return profile;
  }
  return InvalidArgument("unknown profile '" + std::string(name) +
                         "' (expected github-emu, ghes or generic)");
}

std::string_view DefaultBasePath(SimProfile profile) {
  switch (profile) {
    case SimProfile::kGitHubEmu:
      // GitHub's path with a fixed enterprise slug: the engine only ever sees it in --target.
      return "/scim/v2/enterprises/sim";
    case SimProfile::kGhes:
      return "/api/v3/scim/v2";
    case SimProfile::kGeneric:
      return "/scim/v2";
  }
  return "/scim/v2";
}

std::string_view BudgetName(BudgetKind kind) {
  switch (kind) {
    case BudgetKind::kUserAssignments:
      return "user-assignments";
    case BudgetKind::kGroupMemberAdds:
      return "group-member-adds";
    case BudgetKind::kRequests:
      return "requests";
    case BudgetKind::kWrites:
      return "writes";
  }
  return "requests";
}

Result<BudgetSpec> ParseBudgetSpec(std::string_view text) {
  // The syntax is the engine's (engine/rate_budget.h), so `sim --budget` and a profile file's
  // budgets read the same way; the simulator only narrows it to the budgets it enforces.
  SCIMFLOW_ASSIGN_OR_RETURN(const BucketSpec bucket, ParseBucketSpec(text));
  BudgetSpec spec;
  bool known = false;
  for (int index = 0; index < kBudgetKindCount; ++index) {
    if (BudgetName(static_cast<BudgetKind>(index)) == bucket.name) {
      spec.kind = static_cast<BudgetKind>(index);
      known = true;
    }
  }
  if (!known) {
    return InvalidArgument("budget \"" + std::string(text) + "\": unknown name '" + bucket.name +
                           "' (expected user-assignments, group-member-adds, requests or writes)");
  }
  spec.limit = bucket.amount;
  // ParseBucketSpec's periods are whole seconds (s, m, h, d with a count).
  spec.period_seconds = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(bucket.period).count());
  return spec;
}

std::vector<BudgetSpec> GitHubDefaultBudgets() {
  // The same table the engine paces by, so simulated limits and the scheduler always agree.
  std::vector<BudgetSpec> budgets;
  for (const RateBudgetSpec& budget : FindProfile("github-emu")->budgets) {
    for (int index = 0; index < kBudgetKindCount; ++index) {
      if (BudgetName(static_cast<BudgetKind>(index)) == budget.name) {
        budgets.push_back({static_cast<BudgetKind>(index), budget.limit, budget.period_seconds});
      }
    }
  }
  return budgets;
}

}  // namespace scimflow
