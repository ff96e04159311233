// --profile-file (tools/cmd_apply.h): a built-in profile with every value the file sets
// overridden, and a `FILE:LINE: reason` for each kind of bad line.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/target_profile.h"
#include "tools/cmd_apply.h"

namespace scimflow {
namespace {

TEST(ApplyProfileFileTest, AGoodFileOverridesEveryKindOfValue) {
  Result<std::unique_ptr<CustomProfile>> custom = ParseProfileFile(
      "# a generic server behind a gateway\n"
      "profile generic\n"
      "\n"
      "base-url https://scim.example.com/v2\n"
      "header X-Tenant: acme corp\n"
      "budget requests=600/min\n"
      "writes=10/s\n"
      "bulk off\n"
      "patch off\n"
      "filter eq-only\n"
      "roles user admin\n"
      "hide-suspended-members on\n"
      "max-members-per-patch 50\n",
      "p.conf", DefaultProfile());
  ASSERT_TRUE(custom.ok()) << custom.status().message();
  const TargetProfile& profile = (*custom)->profile;
  EXPECT_EQ(profile.name, "generic");
  EXPECT_EQ(profile.base_url_template, "https://scim.example.com/v2");
  ASSERT_EQ(profile.required_headers.size(), 1u);
  EXPECT_EQ(profile.required_headers[0].name, "X-Tenant");
  EXPECT_EQ(profile.required_headers[0].value, "acme corp");
  ASSERT_EQ(profile.budgets.size(), 2u);
  EXPECT_EQ(profile.budgets[0].name, "requests");
  EXPECT_EQ(profile.budgets[0].limit, 600u);
  EXPECT_EQ(profile.budgets[0].period_seconds, 60u);
  EXPECT_EQ(profile.FindBudget("writes")->limit, 10u);
  EXPECT_EQ((*custom)->file_budgets.size(), 2u);
  EXPECT_FALSE(profile.supports_bulk);
  EXPECT_FALSE(profile.supports_patch);
  EXPECT_TRUE(profile.filter_eq_only);
  EXPECT_FALSE(profile.any_role);
  EXPECT_TRUE(profile.AcceptsRole("admin"));
  EXPECT_FALSE(profile.AcceptsRole("owner"));
  EXPECT_TRUE(profile.hides_suspended_members);
  EXPECT_EQ((*custom)->max_members_per_patch, 50u);
}

TEST(ApplyProfileFileTest, BudgetLinesReplaceTheBaseProfilesBudgetOfTheSameName) {
  Result<std::unique_ptr<CustomProfile>> custom =
      ParseProfileFile("writes=90/min\n", "p.conf", *FindProfile("github-emu"));
  ASSERT_TRUE(custom.ok()) << custom.status().message();
  const TargetProfile& profile = (*custom)->profile;
  EXPECT_EQ(profile.name, "github-emu");
  EXPECT_EQ(profile.budgets.size(), 4u);
  EXPECT_EQ(profile.FindBudget("writes")->limit, 90u);
  EXPECT_EQ(profile.FindBudget("user-assignments")->limit, 1000u);
  ASSERT_EQ(profile.required_headers.size(), 1u);  // GitHub's User-Agent stays required.

  custom = ParseProfileFile("budgets none\nrequests=5/s\n", "p.conf", *FindProfile("github-emu"));
  ASSERT_TRUE(custom.ok()) << custom.status().message();
  ASSERT_EQ((*custom)->profile.budgets.size(), 1u);
  EXPECT_EQ((*custom)->profile.budgets[0].name, "requests");
}

TEST(ApplyProfileFileTest, EachKindOfBadLineNamesFileLineAndReason) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"bulkk on\n", "p.conf:1: unknown setting \"bulkk\""},
      {"# comment\nprofile okta\n", "p.conf:2: unknown profile \"okta\""},
      {"bulk on\nprofile generic\n", "p.conf:2: \"profile\" must be the first setting of the file"},
      {"bulk yes\n", "p.conf:1: \"bulk\" takes on or off, not \"yes\""},
      {"patch\n", "p.conf:1: \"patch\" needs a value"},
      {"writes=180\n", "p.conf:1: budget \"writes=180\": expected NAME=N/PERIOD"},
      {"budget writes=0/min\n",
       "p.conf:1: budget \"writes=0/min\": N must be a whole number from 1 to 1000000000"},
      {"budgets some\n", "p.conf:1: \"budgets\" takes none, not \"some\""},
      {"header X-Tenant acme\n", "p.conf:1: \"header\" takes NAME: VALUE, not \"X-Tenant acme\""},
      {"header authorization: Bearer x\n",
       "p.conf:1: the Authorization header comes from --token-env or --token-file, never from a "
       "profile file"},
      {"filter some\n", "p.conf:1: \"filter\" takes eq-only, full or none, not \"some\""},
      {"max-members-per-patch 0\n",
       "p.conf:1: \"max-members-per-patch\" takes a positive integer, not \"0\""},
      {"max-members-per-patch 10x\n",
       "p.conf:1: \"max-members-per-patch\" takes a positive integer, not \"10x\""},
  };
  for (const auto& [text, message] : cases) {
    Result<std::unique_ptr<CustomProfile>> custom =
        ParseProfileFile(text, "p.conf", DefaultProfile());
    ASSERT_FALSE(custom.ok()) << text;
    EXPECT_EQ(custom.status().message(), message) << text;
  }
  EXPECT_EQ(ReadProfileFile("/nonexistent/p.conf", DefaultProfile()).status().message(),
            "/nonexistent/p.conf: cannot read the profile file");
}

}  // namespace
}  // namespace scimflow
