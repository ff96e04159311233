// Resolve: duplicates settle on the earliest line whatever the thread count, refused records hold
// their user, assignments override roles, CSV edge rows merge per group, unknown members and roles
// are refused with the exact reasons of docs/input-formats.md.
#include "engine/resolve.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <string>
#include <vector>

#include "tests/plan_fixture.h"

namespace scimflow::testing {
namespace {

using ::testing::ElementsAre;

class ResolveTest : public PlanFixture {
 protected:
  std::vector<std::string> Rejects() {
    std::vector<std::string> lines;
    for (const ResolveReject& reject : desired_->rejects) {
      lines.push_back(LocatedMessage(reject.origin.file, reject.origin.line, reject.reason));
    }
    return lines;
  }
  void Plan(const std::string& profile = "github-emu") { Run(profile, 100); }
};

UserSpec Person(const std::string& external_id, const std::string& user_name) {
  return UserSpec{external_id, user_name, "Given", "Family", user_name};
}

TEST_F(ResolveTest, LaterDuplicateExternalIdIsRejectedAndTheFirstStands) {
  IdpUser(Person("e-1", "a@example.com"));
  IdpUser(Person("e-2", "b@example.com"));
  IdpUser(Person("e-1", "c@example.com"));
  Plan();
  EXPECT_THAT(Rejects(),
              ElementsAre(R"(users.ndjson:3: duplicate externalId "e-1" (first at line 1))"));
  EXPECT_EQ(desired_->users[desired_->FindUser("e-1")].user_name, "a@example.com");
  EXPECT_EQ(plan_.count(OperationKind::kUserCreate), 2u);
}

TEST_F(ResolveTest, DuplicateUserNameIgnoresCaseAndHoldsTheLaterUser) {
  IdpUser(Person("e-1", "Mona@Example.com"));
  IdpUser(Person("e-2", "mona@example.COM"));
  Plan();
  EXPECT_THAT(Rejects(), ElementsAre(R"(users.ndjson:2: duplicate userName "mona@example.COM" )"
                                     R"((first at line 1))"));
  EXPECT_EQ(plan_.count(OperationKind::kUserCreate), 1u);
}

TEST_F(ResolveTest, HeldUserIsNeverDeactivated) {
  TargetUser("t-2", Person("e-2", "b@example.com"));
  IdpUser(Person("e-1", "a@example.com"));
  UserSpec bad_role = Person("e-2", "b@example.com");
  bad_role.roles = {"superuser"};
  IdpUser(bad_role);
  Plan();
  EXPECT_THAT(Rejects(), ElementsAre(R"(users.ndjson:2: unknown role "superuser" for profile )"
                                     R"(github-emu)"));
  EXPECT_EQ(plan_.count(OperationKind::kUserDeactivate), 0u);
  EXPECT_EQ(plan_.count(OperationKind::kUserCreate), 1u);
}

TEST_F(ResolveTest, GenericProfileAcceptsAnyRole) {
  UserSpec custom = Person("e-1", "a@example.com");
  custom.roles = {"superuser"};
  IdpUser(custom);
  Plan("generic");
  EXPECT_TRUE(desired_->rejects.empty());
  EXPECT_EQ(plan_.count(OperationKind::kUserCreate), 1u);
}

TEST_F(ResolveTest, GithubRoleGuidsAreAccepted) {
  UserSpec guid = Person("e-1", "a@example.com");
  guid.roles = {"981df190-8801-4618-a08a-d91f6206c954"};
  IdpUser(guid);
  Plan();
  EXPECT_TRUE(desired_->rejects.empty());
}

TEST_F(ResolveTest, AssignmentsDecideWhoIsAssignedAndWithWhichRoles) {
  IdpUser(Person("e-1", "a@example.com"));
  IdpUser(Person("e-2", "b@example.com"));
  IdpAssignment("e-2", {"billing_manager"});
  IdpAssignment("e-9", {"user"});
  IdpAssignment("e-2", {"user"});
  IdpAssignment("e-1", {"owner"});
  Plan();
  EXPECT_THAT(Rejects(),
              ElementsAre(R"(assignments.ndjson:3: duplicate externalId "e-2" (first at line 1))",
                          R"(assignments.ndjson:4: unknown role "owner" for profile github-emu)"));
  EXPECT_EQ(desired_->assignments_without_user, 1u);
  const DesiredUser& assigned = desired_->users[desired_->FindUser("e-2")];
  ASSERT_NE(assigned.attributes, nullptr);
  ASSERT_EQ(assigned.attributes->roles.size(), 1u);
  EXPECT_EQ(assigned.attributes->roles[0].value, "billing_manager");
  // e-1's assignment was refused: held, so neither created nor counted as unassigned.
  EXPECT_EQ(desired_->users[desired_->FindUser("e-1")].state, DesiredUserState::kHeld);
  EXPECT_EQ(plan_.count(OperationKind::kUserCreate), 1u);
}

TEST_F(ResolveTest, UnknownGroupMemberIsRejectedAndTheGroupKept) {
  IdpUser(Person("e-1", "a@example.com"));
  IdpGroup("g-1", "Engineering", {"e-1", "e-404"});
  Plan();
  EXPECT_THAT(Rejects(),
              ElementsAre(R"(groups.ndjson:1: group member "e-404" is not a known user)"));
  ASSERT_EQ(desired_->groups.size(), 1u);
  EXPECT_EQ(desired_->groups[0].members.size(), 1u);
}

TEST_F(ResolveTest, DuplicateGroupRecordIsRejectedButEdgeRowsMerge) {
  IdpUser(Person("e-1", "a@example.com"));
  IdpUser(Person("e-2", "b@example.com"));
  IdpGroup("g-1", "Engineering", {"e-1"});
  IdpGroup("g-1", "Engineering again", {"e-2"});
  for (const char* member : {"e-2", "e-1", "e-2"}) {
    Group edge;
    edge.origin = Origin("groups.ndjson", groups_.groups.size() + 1);
    edge.external_id = groups_.arena.Copy("g-2");
    edge.display_name = groups_.arena.Copy("Design");
    const std::string_view view = groups_.arena.Copy(member);
    edge.member_external_ids =
        groups_.arena.CopyArray<std::string_view>(std::span<const std::string_view>(&view, 1));
    edge.from_edge_list = true;
    groups_.groups.push_back(edge);
  }
  Plan();
  EXPECT_THAT(Rejects(),
              ElementsAre(R"(groups.ndjson:2: duplicate externalId "g-1" (first at line 1))"));
  ASSERT_EQ(desired_->groups.size(), 2u);
  EXPECT_EQ(desired_->groups[0].members.size(), 1u);
  EXPECT_EQ(desired_->groups[1].external_id, "g-2");
  EXPECT_EQ(desired_->groups[1].line, 3u);
  EXPECT_EQ(desired_->groups[1].members.size(), 2u);
}

TEST_F(ResolveTest, FirstAtLineIsTheEarliestWhateverTheThreadCount) {
  // Enough records for many parallel blocks; each key appears three times.
  constexpr int kKeys = 30000;
  for (int copy = 0; copy < 3; ++copy) {
    for (int key = 0; key < kKeys; ++key) {
      const std::string suffix = std::to_string(key);
      IdpUser(Person("e-" + suffix, "u" + suffix + "-" + std::to_string(copy) + "@example.com"));
    }
  }
  std::vector<std::string> first_run;
  for (int threads : {1, 2, 4}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    Plan();
    std::vector<std::string> rejects = Rejects();
    ASSERT_EQ(rejects.size(), 2u * kKeys);
    EXPECT_EQ(rejects[0], R"(users.ndjson:30001: duplicate externalId "e-0" (first at line 1))");
    EXPECT_EQ(rejects.back(),
              R"(users.ndjson:90000: duplicate externalId "e-29999" (first at line 30000))");
    if (first_run.empty()) first_run = rejects;
    EXPECT_EQ(rejects, first_run);
  }
}

}  // namespace
}  // namespace scimflow::testing
