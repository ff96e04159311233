#include "tools/sim/sim_options.h"

#include <charconv>
#include <string>

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
  const std::string quoted = "budget '" + std::string(text) + "': ";
  const size_t equals = text.find('=');
  const size_t slash = text.find('/', equals == std::string_view::npos ? 0 : equals);
  if (equals == std::string_view::npos || slash == std::string_view::npos) {
    return InvalidArgument(quoted + "expected NAME=N/PERIOD, e.g. user-assignments=600/min");
  }
  BudgetSpec spec;
  const std::string_view name = text.substr(0, equals);
  bool known = false;
  for (int index = 0; index < kBudgetKindCount; ++index) {
    if (BudgetName(static_cast<BudgetKind>(index)) == name) {
      spec.kind = static_cast<BudgetKind>(index);
      known = true;
    }
  }
  if (!known) {
    return InvalidArgument(quoted + "unknown name '" + std::string(name) +
                           "' (expected user-assignments, group-member-adds, requests or writes)");
  }
  const std::string_view count = text.substr(equals + 1, slash - equals - 1);
  const auto [end, error] = std::from_chars(count.data(), count.data() + count.size(), spec.limit);
  if (error != std::errc() || end != count.data() + count.size() || spec.limit == 0) {
    return InvalidArgument(quoted + "N must be a positive integer");
  }
  const std::string_view period = text.substr(slash + 1);
  if (period == "s") {
    spec.period_seconds = 1;
  } else if (period == "min") {
    spec.period_seconds = 60;
  } else if (period == "h") {
    spec.period_seconds = 3600;
  } else {
    return InvalidArgument(quoted + "unknown period '" + std::string(period) +
                           "' (expected s, min or h)");
  }
  return spec;
}

std::vector<BudgetSpec> GitHubDefaultBudgets() {
  return {
      {BudgetKind::kUserAssignments, 1000, 3600},
      {BudgetKind::kGroupMemberAdds, 1000, 3600},
      {BudgetKind::kRequests, 5000, 3600},
      {BudgetKind::kWrites, 180, 60},
  };
}

}  // namespace scimflow
