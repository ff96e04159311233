// TargetProfile: what scimflow knows about a kind of SCIM service provider (SPEC §5): its base
// path, the headers it requires, the SCIM features it offers, the role values it accepts and the
// rate budgets it enforces.
//
// Three profiles are built in: `github-emu` (GitHub Enterprise Managed Users), `ghes` (GitHub
// Enterprise Server) and `generic` (any SCIM 2.0 server). The planner reads a profile to validate
// roles and to pick membership rules; the scheduler and the simulator read the same budget table,
// under the same budget names, so a plan, its pacing and the simulated limits always agree.
//
// Ownership: the built-in profiles are static constants; every view and span they hand out lives
// for the whole process. Thread-safety: immutable, safe to read from any thread.
#ifndef SCIMFLOW_ENGINE_TARGET_PROFILE_H_
#define SCIMFLOW_ENGINE_TARGET_PROFILE_H_

#include <cstdint>
#include <span>
#include <string_view>

namespace scimflow {

// Budget names, shared by the planner, the scheduler (engine/rate_budget) and `scimflow sim
// --budget NAME=N/PERIOD`. Renaming one breaks scripts: add, never rename.
namespace budget {
// User assignments: creates of active users and reactivations.
inline constexpr std::string_view kUserAssignments = "user-assignments";
// Members added to one group (one bucket per group).
inline constexpr std::string_view kGroupMemberAdds = "group-member-adds";
// Every request, reads included.
inline constexpr std::string_view kRequests = "requests";
// POST, PUT, PATCH and DELETE.
inline constexpr std::string_view kWrites = "writes";
}  // namespace budget

// One rate budget: at most `limit` units per `period_seconds`.
struct RateBudgetSpec {
  std::string_view name;  // One of the budget:: names.
  uint32_t limit = 0;
  uint32_t period_seconds = 0;
  bool per_group = false;  // True when each group has a bucket of its own.
};

// One HTTP header every request must carry. `value` may be empty: the client fills it in (e.g. the
// User-Agent carries the version), the profile only says that it is required.
struct RequiredHeader {
  std::string_view name;
  std::string_view value;
};

struct TargetProfile {
  std::string_view name;  // "github-emu", "ghes" or "generic".
  // URL template of the SCIM root; request paths in a plan (`/Users/{id}`) are relative to it.
  std::string_view base_url_template;
  std::span<const RequiredHeader> required_headers;

  // SCIM features. Without PATCH a profile update would be a full PUT.
  bool supports_patch = true;
  bool supports_bulk = false;
  // Filters: `filter=ATTR eq "value"` on one attribute only (GitHub), or the full RFC 7644 grammar.
  bool supports_filter = true;
  bool filter_eq_only = true;

  // Role values the target accepts; `any_role` means every value is accepted (generic).
  std::span<const std::string_view> role_values;
  bool any_role = false;

  // Group membership rule (docs/operations.md): true where the target itself hides suspended users
  // from their groups (GitHub), so a deactivation sends no member removal and a reactivation no
  // re-add; false where membership must follow the provisioned set exactly (generic).
  bool hides_suspended_members = true;

  std::span<const RateBudgetSpec> budgets;

  // True if `value` is a role this target accepts (exact match: GitHub's enum is case-sensitive).
  bool AcceptsRole(std::string_view value) const;
  // The budget named `name`, or nullptr when this profile has none by that name.
  const RateBudgetSpec* FindBudget(std::string_view name) const;
};

// The built-in profiles, in a stable order (github-emu, ghes, generic).
std::span<const TargetProfile> BuiltinProfiles();

// The built-in profile called `name`, or nullptr.
const TargetProfile* FindProfile(std::string_view name);

// The default profile of every command: github-emu.
const TargetProfile& DefaultProfile();

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_TARGET_PROFILE_H_
