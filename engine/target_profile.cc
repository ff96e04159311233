#include "engine/target_profile.h"

#include <array>

namespace scimflow {

namespace {

// GitHub's `roles[].value` enum, identical for EMU and GHES 3.17 (reference §2.2): the four names
// and the six GUIDs that identity providers send for the same roles.
constexpr std::array<std::string_view, 10> kGithubRoles = {
    "user",
    "27d9891d-2c17-4f45-a262-781a0e55c80a",
    "guest_collaborator",
    "1ebc4a02-e56c-43a6-92a5-02ee09b90824",
    "enterprise_owner",
    "981df190-8801-4618-a08a-d91f6206c954",
    "ba4987ab-a1c3-412a-b58c-360fc407cb10",
    "billing_manager",
    "0e338b8c-cc7f-498a-928d-ea3470d7e7e3",
    "e6be2762-e4ad-4108-b72d-1bbe884a0f91",
};

// GitHub rejects SCIM requests without a User-Agent (reference §1.4); the client sets the value.
constexpr std::array<RequiredHeader, 1> kGithubHeaders = {RequiredHeader{"User-Agent", ""}};

constexpr uint32_t kHour = 3600;
constexpr uint32_t kMinute = 60;

// SPEC §5 for github-emu: 1,000 user assignments per hour and 1,000 member additions per group
// per hour (GitHub's SCIM guidance), 5,000 requests per hour per token (REST primary limit) and
// writes paced to 180 per minute (900 points per minute at 5 points per write).
constexpr std::array<RateBudgetSpec, 4> kGithubEmuBudgets = {
    RateBudgetSpec{budget::kUserAssignments, 1000, kHour, false},
    RateBudgetSpec{budget::kGroupMemberAdds, 1000, kHour, true},
    RateBudgetSpec{budget::kRequests, 5000, kHour, false},
    RateBudgetSpec{budget::kWrites, 180, kMinute, false},
};

constexpr std::array<TargetProfile, 3> kProfiles = {
    TargetProfile{
        .name = "github-emu",
        .base_url_template = "https://api.github.com/scim/v2/enterprises/{enterprise}",
        .required_headers = kGithubHeaders,
        .supports_patch = true,
        .supports_bulk = false,
        .supports_filter = true,
        .filter_eq_only = true,
        .role_values = kGithubRoles,
        .any_role = false,
        .hides_suspended_members = true,
        .budgets = kGithubEmuBudgets,
    },
    // GHES has no SCIM budgets unless a site administrator configured rate limits (SPEC §5);
    // its suspended users disappear from groups as on EMU.
    TargetProfile{
        .name = "ghes",
        .base_url_template = "https://{host}/api/v3/scim/v2",
        .required_headers = kGithubHeaders,
        .supports_patch = true,
        .supports_bulk = false,
        .supports_filter = true,
        .filter_eq_only = true,
        .role_values = kGithubRoles,
        .any_role = false,
        .hides_suspended_members = true,
        .budgets = {},
    },
    // A generic server's features are discovered from /ServiceProviderConfig at run time; these
    // are the assumptions until then. `supports_bulk`: `apply` asks /ServiceProviderConfig and
    // sends /Bulk requests when the target offers them (engine/bulk_emit.cc).
    TargetProfile{
        .name = "generic",
        .base_url_template = "{url}",
        .required_headers = {},
        .supports_patch = true,
        .supports_bulk = true,
        .supports_filter = true,
        .filter_eq_only = false,
        .role_values = {},
        .any_role = true,
        .hides_suspended_members = false,
        .budgets = {},
    },
};

}  // namespace

bool TargetProfile::AcceptsRole(std::string_view value) const {
  if (any_role) return true;
  for (std::string_view known : role_values) {
    if (known == value) return true;
  }
  return false;
}

const RateBudgetSpec* TargetProfile::FindBudget(std::string_view budget_name) const {
  for (const RateBudgetSpec& spec : budgets) {
    if (spec.name == budget_name) return &spec;
  }
  return nullptr;
}

std::span<const TargetProfile> BuiltinProfiles() { return kProfiles; }

const TargetProfile* FindProfile(std::string_view profile_name) {
  for (const TargetProfile& profile : kProfiles) {
    if (profile.name == profile_name) return &profile;
  }
  return nullptr;
}

const TargetProfile& DefaultProfile() { return kProfiles[0]; }

}  // namespace scimflow
