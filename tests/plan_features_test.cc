// One test per Okta provisioning feature (Push New Users, Push Profile Update, Push Groups, Push
// User Deactivation, Reactivate Users) and per other change the planner makes or refuses: role
// change, group rename, member add and remove, group removal, userName-change and group-role
// conflicts. Each builds a small export and snapshot and compares the exact plan lines.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/plan_fixture.h"

namespace scimflow::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class PlanFeaturesTest : public PlanFixture {};

const UserSpec kMona{"e-1", "mona@example.com", "Mona", "Lisa", "mona@example.com"};
const UserSpec kHubot{"e-2", "hubot@example.com", "Hu", "Bot", "hubot@example.com"};

TEST_F(PlanFeaturesTest, PushNewUsersCreatesAssignedActiveUsersOnly) {
  IdpUser(kMona);
  UserSpec inactive = kHubot;
  inactive.active = false;
  IdpUser(inactive);
  EXPECT_THAT(
      PlanLines(),
      ElementsAre(
          R"({"op":"u:e-1:create","kind":"user.create","externalId":"e-1","method":"POST","path":"/Users","body":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"e-1","userName":"mona@example.com","name":{"givenName":"Mona","familyName":"Lisa"},"emails":[{"value":"mona@example.com","type":"work","primary":true}],"roles":[{"value":"user","primary":true}],"active":true}})"));
}

TEST_F(PlanFeaturesTest, PushProfileUpdateReplacesOnlyTheChangedWholeAttributes) {
  TargetUser("t-1", kMona);
  UserSpec renamed = kMona;
  renamed.family_name = "Octocat";
  renamed.display_name = "Mona Octocat";
  IdpUser(renamed);
  EXPECT_THAT(
      PlanLines(),
      ElementsAre(
          R"({"op":"u:e-1:update","kind":"user.update","externalId":"e-1","method":"PATCH","path":"/Users/{id}","id":"t-1","body":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"name","value":{"givenName":"Mona","familyName":"Octocat"}},{"op":"replace","path":"displayName","value":"Mona Octocat"}]}})"));
}

TEST_F(PlanFeaturesTest, UnchangedUsersAndGroupsPlanNothing) {
  TargetUser("t-1", kMona);
  TargetUser("t-2", kHubot);
  TargetGroup("tg-1", "g-1", "Engineering", {"t-1", "t-2"});
  IdpUser(kMona);
  IdpUser(kHubot);
  IdpGroup("g-1", "Engineering", {"e-2", "e-1"});
  EXPECT_THAT(PlanLines(), IsEmpty());
}

TEST_F(PlanFeaturesTest, PushGroupsCreatesTheGroupThenAddsItsMembers) {
  TargetUser("t-1", kMona);
  IdpUser(kMona);
  IdpUser(kHubot);
  IdpGroup("g-1", "Engineering", {"e-2", "e-1"});
  EXPECT_THAT(
      PlanLines(),
      ElementsAre(
          R"({"op":"u:e-2:create","kind":"user.create","externalId":"e-2","method":"POST","path":"/Users","body":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"e-2","userName":"hubot@example.com","name":{"givenName":"Hu","familyName":"Bot"},"emails":[{"value":"hubot@example.com","type":"work","primary":true}],"roles":[{"value":"user","primary":true}],"active":true}})",
          R"({"op":"g:g-1:create","kind":"group.create","externalId":"g-1","method":"POST","path":"/Groups","body":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"externalId":"g-1","displayName":"Engineering"}})",
          R"({"op":"g:g-1:add:1","kind":"group.members.add","externalId":"g-1","deps":["g:g-1:create","u:e-2:create"],"members":2,"method":"PATCH","path":"/Groups/{id}","id":{"$ref":"g:g-1:create"},"body":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"t-1"},{"value":{"$ref":"u:e-2:create"}}]}]}})"));
}

TEST_F(PlanFeaturesTest, PushUserDeactivationSuspendsUnassignedInactiveAndVanishedUsers) {
  const UserSpec kOcto{"e-3", "octo@example.com", "Octo", "Cat", "octo@example.com"};
  TargetUser("t-1", kMona);
  TargetUser("t-2", kHubot);
  TargetUser("t-3", kOcto);
  TargetGroup("tg-1", "g-1", "Engineering", {"t-1", "t-2"});
  // e-1 is no longer assigned, e-2 is inactive in the IdP, e-3 is gone from the export.
  IdpUser(kMona);
  UserSpec inactive = kHubot;
  inactive.active = false;
  IdpUser(inactive);
  IdpAssignment("e-2", {"user"});
  IdpGroup("g-1", "Engineering", {"e-1", "e-2"});
  // github-emu hides suspended members itself: no member removals.
  EXPECT_THAT(
      PlanLines(),
      ElementsAre(
          R"({"op":"u:e-1:deactivate","kind":"user.deactivate","externalId":"e-1","method":"PATCH","path":"/Users/{id}","id":"t-1","body":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}})",
          R"({"op":"u:e-2:deactivate","kind":"user.deactivate","externalId":"e-2","method":"PATCH","path":"/Users/{id}","id":"t-2","body":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}})",
          R"({"op":"u:e-3:deactivate","kind":"user.deactivate","externalId":"e-3","method":"PATCH","path":"/Users/{id}","id":"t-3","body":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}})"));
}

TEST_F(PlanFeaturesTest, GenericTargetsRemoveDeactivatedMembersExplicitly) {
  TargetUser("t-1", kMona);
  TargetUser("t-2", kHubot);
  TargetGroup("tg-1", "g-1", "Engineering", {"t-1", "t-2"});
  IdpUser(kMona);
  UserSpec inactive = kHubot;
  inactive.active = false;
  IdpUser(inactive);
  IdpGroup("g-1", "Engineering", {"e-1", "e-2"});
  EXPECT_THAT(
      PlanLines("generic"),
      ElementsAre(
          R"({"op":"u:e-2:deactivate","kind":"user.deactivate","externalId":"e-2","method":"PATCH","path":"/Users/{id}","id":"t-2","body":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}})",
          R"({"op":"g:g-1:remove:1","kind":"group.members.remove","externalId":"g-1","members":1,"method":"PATCH","path":"/Groups/{id}","id":"tg-1","body":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"t-2\"]"}]}})"));
}

TEST_F(PlanFeaturesTest, ReactivateUsersSendsActiveTrueWithTheProfileChangeInOneRequest) {
  UserSpec suspended = kMona;
  suspended.active = false;
  TargetUser("t-1", suspended);
  UserSpec suspended_hubot = kHubot;
  suspended_hubot.active = false;
  TargetUser("t-2", suspended_hubot);
  UserSpec back = kMona;
  back.email = "mona@octo.example";
  IdpUser(back);
  IdpUser(kHubot);
  EXPECT_THAT(
      PlanLines(),
      ElementsAre(
          R"({"op":"u:e-1:reactivate","kind":"user.reactivate","externalId":"e-1","method":"PATCH","path":"/Users/{id}","id":"t-1","body":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":true},{"op":"replace","path":"emails","value":[{"value":"mona@octo.example","type":"work","primary":true}]}]}})",
          R"({"op":"u:e-2:reactivate","kind":"user.reactivate","externalId":"e-2","method":"PATCH","path":"/Users/{id}","id":"t-2","body":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":true}]}})"));
}

TEST_F(PlanFeaturesTest, RoleChangeAloneIsAUserRolesOperation) {
  TargetUser("t-1", kMona);
  IdpUser(kMona);
  IdpAssignment("e-1", {"enterprise_owner", "user"});
  EXPECT_THAT(
      PlanLines(),
      ElementsAre(
          R"({"op":"u:e-1:roles","kind":"user.roles","externalId":"e-1","method":"PATCH","path":"/Users/{id}","id":"t-1","body":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"roles","value":[{"value":"enterprise_owner","primary":true},{"value":"user","primary":false}]}]}})"));
}

TEST_F(PlanFeaturesTest, RoleOrderAndPrimaryFlagAreNoChange) {
  UserSpec two_roles = kMona;
  two_roles.roles = {"billing_manager", "user"};
  TargetUser("t-1", two_roles);
  two_roles.roles = {"user", "billing_manager"};
  IdpUser(two_roles);
  EXPECT_THAT(PlanLines(), IsEmpty());
}

TEST_F(PlanFeaturesTest, GroupRenameReplacesTheDisplayName) {
  TargetUser("t-1", kMona);
  TargetGroup("tg-1", "g-1", "Engineering", {"t-1"});
  IdpUser(kMona);
  IdpGroup("g-1", "Platform Engineering", {"e-1"});
  EXPECT_THAT(
      PlanLines(),
      ElementsAre(
          R"({"op":"g:g-1:rename","kind":"group.rename","externalId":"g-1","method":"PATCH","path":"/Groups/{id}","id":"tg-1","body":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Platform Engineering"}]}})"));
}

TEST_F(PlanFeaturesTest, MemberAddsAndRemovesAreChunkedInExternalIdOrder) {
  const UserSpec kOcto{"e-3", "octo@example.com", "Octo", "Cat", "octo@example.com"};
  TargetUser("t-1", kMona);
  TargetUser("t-2", kHubot);
  TargetUser("t-3", kOcto);
  TargetGroup("tg-1", "g-1", "Engineering", {"t-1"});
  IdpUser(kMona);
  IdpUser(kHubot);
  IdpUser(kOcto);
  IdpGroup("g-1", "Engineering", {"e-3", "e-2"});
  EXPECT_THAT(
      PlanLines("github-emu", 1),
      ElementsAre(
          R"({"op":"g:g-1:remove:1","kind":"group.members.remove","externalId":"g-1","members":1,"method":"PATCH","path":"/Groups/{id}","id":"tg-1","body":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"t-1\"]"}]}})",
          R"({"op":"g:g-1:add:1","kind":"group.members.add","externalId":"g-1","members":1,"method":"PATCH","path":"/Groups/{id}","id":"tg-1","body":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"t-2"}]}]}})",
          R"({"op":"g:g-1:add:2","kind":"group.members.add","externalId":"g-1","members":1,"method":"PATCH","path":"/Groups/{id}","id":"tg-1","body":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"t-3"}]}]}})"));
}

TEST_F(PlanFeaturesTest, GroupRemovalDeletesAGroupNoLongerPushed) {
  TargetUser("t-1", kMona);
  TargetGroup("tg-1", "g-1", "Engineering", {"t-1"});
  IdpUser(kMona);
  IdpGroupsFile();
  EXPECT_THAT(
      PlanLines(),
      ElementsAre(
          R"({"op":"g:g-1:delete","kind":"group.delete","externalId":"g-1","method":"DELETE","path":"/Groups/{id}","id":"tg-1"})"));
}

TEST_F(PlanFeaturesTest, WithoutAGroupsFileTheTargetsGroupsAreLeftAlone) {
  TargetUser("t-1", kMona);
  TargetGroup("tg-1", "g-1", "Engineering", {"t-1"});
  IdpUser(kMona);
  EXPECT_THAT(PlanLines(), IsEmpty());
}

TEST_F(PlanFeaturesTest, UserNameChangeIsAConflictNotAnUpdate) {
  TargetUser("t-1", kMona);
  UserSpec renamed = kMona;
  renamed.user_name = "mona.lisa@example.com";
  IdpUser(renamed);
  EXPECT_THAT(PlanLines(), IsEmpty());
  ASSERT_EQ(plan_.conflicts.size(), 1u);
  EXPECT_EQ(ConflictKindName(plan_.conflicts[0].kind), "username-change");
  EXPECT_EQ(plan_.conflicts[0].external_id, "e-1");
  EXPECT_EQ(plan_.conflicts[0].line, 1u);
  EXPECT_EQ(plan_.conflicts[0].detail,
            R"(userName "mona@example.com" on the target, "mona.lisa@example.com" in the IdP)");
}

TEST_F(PlanFeaturesTest, UserNameCaseChangeIsNoChange) {
  TargetUser("t-1", kMona);
  UserSpec upper = kMona;
  upper.user_name = "Mona@Example.com";
  IdpUser(upper);
  EXPECT_THAT(PlanLines(), IsEmpty());
  EXPECT_THAT(plan_.conflicts, IsEmpty());
}

TEST_F(PlanFeaturesTest, GroupRolesAreAConflictAndTheGroupIsStillPushed) {
  IdpUser(kMona);
  TargetUser("t-1", kMona);
  IdpGroup("g-1", "Admins", {"e-1"}, /*has_roles=*/true);
  EXPECT_THAT(
      PlanLines(),
      ElementsAre(
          R"({"op":"g:g-1:create","kind":"group.create","externalId":"g-1","method":"POST","path":"/Groups","body":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"externalId":"g-1","displayName":"Admins"}})",
          R"({"op":"g:g-1:add:1","kind":"group.members.add","externalId":"g-1","deps":["g:g-1:create"],"members":1,"method":"PATCH","path":"/Groups/{id}","id":{"$ref":"g:g-1:create"},"body":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"t-1"}]}]}})"));
  ASSERT_EQ(plan_.conflicts.size(), 1u);
  EXPECT_EQ(ConflictKindName(plan_.conflicts[0].kind), "group-role");
  EXPECT_EQ(plan_.conflicts[0].external_id, "g-1");
  EXPECT_EQ(plan_.conflicts[0].line, 1u);
}

TEST_F(PlanFeaturesTest, CreateWithAUserNameHeldByAnotherExternalIdIsAConflict) {
  // A suspended account of an earlier employee still holds the userName on the target.
  UserSpec former = kMona;
  former.external_id = "e-9";
  former.user_name = "MONA@example.com";
  former.active = false;
  TargetUser("t-9", former);
  TargetGroup("tg-1", "g-1", "Engineering", {});
  IdpUser(kMona);
  IdpGroup("g-1", "Engineering", {"e-1"});
  EXPECT_THAT(PlanLines(), IsEmpty());
  ASSERT_EQ(plan_.conflicts.size(), 1u);
  EXPECT_EQ(ConflictKindName(plan_.conflicts[0].kind), "username-taken");
  EXPECT_EQ(plan_.conflicts[0].detail,
            R"(userName "mona@example.com" is held by externalId "e-9" on the target)");
  // The user will not exist, so the group does not get it: left out, not added.
  EXPECT_EQ(plan_.members_left_out, 1u);
}

}  // namespace
}  // namespace scimflow::testing
