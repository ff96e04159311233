#include "engine/target_profile.h"

#include <gtest/gtest.h>

namespace scimflow {
namespace {

TEST(TargetProfileTest, GithubProfilesAcceptExactlyTheDocumentedRoles) {
  for (const char* name : {"github-emu", "ghes"}) {
    const TargetProfile* profile = FindProfile(name);
    ASSERT_NE(profile, nullptr);
    EXPECT_EQ(profile->role_values.size(), 10u);
    for (const char* role :
         {"user", "guest_collaborator", "enterprise_owner", "billing_manager",
          "27d9891d-2c17-4f45-a262-781a0e55c80a", "e6be2762-e4ad-4108-b72d-1bbe884a0f91"}) {
      EXPECT_TRUE(profile->AcceptsRole(role)) << name << " " << role;
    }
    EXPECT_FALSE(profile->AcceptsRole("User")) << "GitHub's enum is case-sensitive";
    EXPECT_FALSE(profile->AcceptsRole("admin"));
    EXPECT_FALSE(profile->supports_bulk);
    ASSERT_EQ(profile->required_headers.size(), 1u);
    EXPECT_EQ(profile->required_headers[0].name, "User-Agent");
  }
  EXPECT_TRUE(FindProfile("generic")->AcceptsRole("anything"));
}

TEST(TargetProfileTest, GithubEmuBudgetsAreTheSpecsUnderTheSharedNames) {
  const TargetProfile& emu = *FindProfile("github-emu");
  const RateBudgetSpec* assignments = emu.FindBudget(budget::kUserAssignments);
  ASSERT_NE(assignments, nullptr);
  EXPECT_EQ(assignments->limit, 1000u);
  EXPECT_EQ(assignments->period_seconds, 3600u);
  const RateBudgetSpec* adds = emu.FindBudget("group-member-adds");
  ASSERT_NE(adds, nullptr);
  EXPECT_EQ(adds->limit, 1000u);
  EXPECT_TRUE(adds->per_group);
  EXPECT_EQ(emu.FindBudget("requests")->limit, 5000u);
  EXPECT_EQ(emu.FindBudget("writes")->limit, 180u);
  EXPECT_EQ(emu.FindBudget("writes")->period_seconds, 60u);
  EXPECT_TRUE(FindProfile("ghes")->budgets.empty());
  EXPECT_EQ(FindProfile("ghes")->FindBudget("writes"), nullptr);
}

TEST(TargetProfileTest, MembershipRuleDiffersBetweenGithubAndGeneric) {
  EXPECT_TRUE(FindProfile("github-emu")->hides_suspended_members);
  EXPECT_FALSE(FindProfile("generic")->hides_suspended_members);
  EXPECT_EQ(FindProfile("nope"), nullptr);
  EXPECT_EQ(DefaultProfile().name, "github-emu");
  EXPECT_EQ(BuiltinProfiles().size(), 3u);
}

}  // namespace
}  // namespace scimflow
