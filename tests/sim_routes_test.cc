// Every SCIM route of `scimflow sim` (profile github-emu), over real HTTP on loopback.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/sim_fixture.h"

namespace scimflow {
namespace {

class SimRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(sim_.Start().ok());
    client_ = sim_.Client();
  }

  // Creates a user and returns its id.
  std::string CreateUser(std::string_view external_id, std::string_view user_name,
                         bool active = true) {
    HttpReply reply = client_.Post("/Users", SimUserBody(external_id, user_name, active));
    EXPECT_EQ(reply.status, 201) << reply.body;
    return JsonString(reply.body, "/id");
  }

  std::string CreateGroup(std::string_view external_id, const std::vector<std::string>& members) {
    HttpReply reply = client_.Post(
        "/Groups", SimGroupBody(external_id, "Group " + std::string(external_id), members));
    EXPECT_EQ(reply.status, 201) << reply.body;
    return JsonString(reply.body, "/id");
  }

  SimProcess sim_;
  SimClient client_{""};
};

TEST_F(SimRoutesTest, PostUserAnswers201WithLocationAndTheStoredUser) {
  HttpReply reply = client_.Post("/Users", SimUserBody("e1", "mona"));
  ASSERT_EQ(reply.status, 201) << reply.body;
  const std::string id = JsonString(reply.body, "/id");
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(reply.Header("location"), sim_.ScimUrl() + "/Users/" + id);
  EXPECT_EQ(reply.Header("content-type"), "application/scim+json");
  EXPECT_EQ(JsonString(reply.body, "/userName"), "mona");
  EXPECT_EQ(JsonString(reply.body, "/externalId"), "e1");
  EXPECT_EQ(JsonString(reply.body, "/name/familyName"), "Family");
  EXPECT_EQ(JsonString(reply.body, "/emails/0/value"), "mona@example.com");
  EXPECT_EQ(JsonString(reply.body, "/roles/0/value"), "user");
  EXPECT_EQ(JsonString(reply.body, "/meta/resourceType"), "User");
  EXPECT_EQ(sim_.Stats().Number("/users"), 1u);
}

TEST_F(SimRoutesTest, GetUserAnswersTheUserAndUnknownIdIs404) {
  const std::string id = CreateUser("e1", "mona");
  HttpReply reply = client_.Get("/Users/" + id);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(JsonString(reply.body, "/id"), id);
  HttpReply missing = client_.Get("/Users/no-such-id");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body,
            R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404",)"
            R"("detail":"user \"no-such-id\" not found"})");
}

TEST_F(SimRoutesTest, ListUsersPagesInCreationOrderWithStartIndexAndCount) {
  std::vector<std::string> ids;
  for (int number = 0; number < 5; ++number) {
    ids.push_back(CreateUser("e" + std::to_string(number), "user" + std::to_string(number)));
  }
  HttpReply page = client_.Get("/Users?startIndex=2&count=2");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(JsonNumber(page.body, "/totalResults"), 5);
  EXPECT_EQ(JsonNumber(page.body, "/itemsPerPage"), 2);
  EXPECT_EQ(JsonNumber(page.body, "/startIndex"), 2);
  EXPECT_EQ(JsonString(page.body, "/Resources/0/id"), ids[1]);
  EXPECT_EQ(JsonString(page.body, "/Resources/1/id"), ids[2]);
  // RFC 7644 §3.4.2.4: startIndex below 1 means 1; count 0 returns only the total.
  HttpReply first = client_.Get("/Users?startIndex=0&count=1");
  EXPECT_EQ(JsonString(first.body, "/Resources/0/id"), ids[0]);
  HttpReply none = client_.Get("/Users?count=0");
  EXPECT_EQ(JsonNumber(none.body, "/totalResults"), 5);
  EXPECT_EQ(JsonNumber(none.body, "/itemsPerPage"), 0);
  HttpReply past_end = client_.Get("/Users?startIndex=9");
  EXPECT_EQ(JsonNumber(past_end.body, "/itemsPerPage"), 0);
}

TEST_F(SimRoutesTest, ListUsersFiltersByExternalIdAndCaseInsensitiveUserName) {
  const std::string id = CreateUser("Ext-1", "Mona.Lisa");
  CreateUser("Ext-2", "octocat");
  HttpReply by_external = client_.Get("/Users?filter=externalId%20eq%20%22Ext-1%22");
  EXPECT_EQ(JsonNumber(by_external.body, "/totalResults"), 1);
  EXPECT_EQ(JsonString(by_external.body, "/Resources/0/id"), id);
  // externalId is case-exact.
  HttpReply wrong_case = client_.Get("/Users?filter=externalId%20eq%20%22ext-1%22");
  EXPECT_EQ(JsonNumber(wrong_case.body, "/totalResults"), 0);
  HttpReply by_name = client_.Get("/Users?filter=userName%20eq%20%22mona.lisa%22");
  EXPECT_EQ(JsonString(by_name.body, "/Resources/0/id"), id);
  HttpReply by_id = client_.Get("/Users?filter=id%20eq%20%22" + id + "%22");
  EXPECT_EQ(JsonNumber(by_id.body, "/totalResults"), 1);
  HttpReply by_display = client_.Get("/Users?filter=displayName%20eq%20%22octocat%20display%22");
  EXPECT_EQ(JsonString(by_display.body, "/Resources/0/userName"), "octocat");
}

TEST_F(SimRoutesTest, PutUserReplacesEveryAttribute) {
  const std::string id = CreateUser("e1", "mona");
  std::string body = SimUserBody("e1", "mona");
  body.replace(body.find("mona Display"), 12, "Mona Renamed");
  body.replace(body.find(R"(,"roles")"), body.size() - 1 - body.find(R"(,"roles")"), "");
  HttpReply reply = client_.Put("/Users/" + id, body);
  ASSERT_EQ(reply.status, 200) << reply.body;
  HttpReply stored = client_.Get("/Users/" + id);
  EXPECT_EQ(JsonString(stored.body, "/displayName"), "Mona Renamed");
  // Attributes a PUT leaves out are removed (reference §3.3).
  EXPECT_EQ(JsonString(stored.body, "/roles/0/value"), "");
  EXPECT_EQ(client_.Put("/Users/nope", body).status, 404);
}

TEST_F(SimRoutesTest, PatchActiveFalseSuspendsTheUser) {
  const std::string id = CreateUser("e1", "mona");
  HttpReply reply = client_.Patch(
      "/Users/" + id, SimPatchBody(R"([{"op":"replace","path":"active","value":false}])"));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_NE(reply.body.find(R"("active":false)"), std::string::npos);
  SimStats stats = sim_.Stats();
  EXPECT_EQ(stats.Number("/users"), 1u);
  EXPECT_EQ(stats.Number("/active_users"), 0u);
}

TEST_F(SimRoutesTest, PatchNoPathFormAndEntraStyleStringsApply) {
  const std::string id = CreateUser("e1", "mona");
  // Okta's deactivation: no path, a value object.
  ASSERT_EQ(
      client_.Patch("/Users/" + id, SimPatchBody(R"([{"op":"replace","value":{"active":false}}])"))
          .status,
      200);
  EXPECT_EQ(sim_.Stats().Number("/active_users"), 0u);
  // Entra ID's capitalised op and string boolean.
  ASSERT_EQ(client_
                .Patch("/Users/" + id,
                       SimPatchBody(R"([{"op":"Replace","path":"active","value":"True"}])"))
                .status,
            200);
  EXPECT_EQ(sim_.Stats().Number("/active_users"), 1u);
}

TEST_F(SimRoutesTest, PatchSubAttributePathsAndMultiValuedAdd) {
  const std::string id = CreateUser("e1", "mona");
  HttpReply reply = client_.Patch(
      "/Users/" + id,
      SimPatchBody(R"([{"op":"replace","path":"name.familyName","value":"Octocat"},)"
                   R"({"op":"add","path":"roles","value":[{"value":"billing_manager"}]},)"
                   R"({"op":"replace","path":"displayName","value":"Mona O"},)"
                   R"({"op":"remove","path":"name.middleName"}])"));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(JsonString(reply.body, "/name/familyName"), "Octocat");
  EXPECT_EQ(JsonString(reply.body, "/name/givenName"), "Given");
  EXPECT_EQ(JsonString(reply.body, "/roles/0/value"), "user");
  EXPECT_EQ(JsonString(reply.body, "/roles/1/value"), "billing_manager");
  EXPECT_EQ(JsonString(reply.body, "/displayName"), "Mona O");
}

TEST_F(SimRoutesTest, DeleteUserAnswers204AndRemovesItsMemberships) {
  const std::string id = CreateUser("e1", "mona");
  const std::string group = CreateGroup("g1", {id});
  EXPECT_EQ(sim_.Stats().Number("/memberships"), 1u);
  HttpReply reply = client_.Delete("/Users/" + id);
  EXPECT_EQ(reply.status, 204);
  EXPECT_EQ(reply.body, "");
  EXPECT_EQ(client_.Get("/Users/" + id).status, 404);
  EXPECT_EQ(client_.Delete("/Users/" + id).status, 404);
  EXPECT_EQ(sim_.Stats().Number("/memberships"), 0u);
  EXPECT_EQ(JsonString(client_.Get("/Groups/" + group).body, "/members/0/value"), "");
}

TEST_F(SimRoutesTest, PostGroupWithMembersAndGetShowsThemWithDisplay) {
  const std::string mona = CreateUser("e1", "mona");
  const std::string octo = CreateUser("e2", "octo");
  HttpReply reply = client_.Post("/Groups", SimGroupBody("g1", "Engineering", {mona, octo}));
  ASSERT_EQ(reply.status, 201) << reply.body;
  const std::string id = JsonString(reply.body, "/id");
  EXPECT_EQ(reply.Header("location"), sim_.ScimUrl() + "/Groups/" + id);
  HttpReply group = client_.Get("/Groups/" + id);
  EXPECT_EQ(JsonString(group.body, "/displayName"), "Engineering");
  EXPECT_EQ(JsonString(group.body, "/members/0/value"), mona);
  EXPECT_EQ(JsonString(group.body, "/members/0/display"), "mona");
  EXPECT_EQ(JsonString(group.body, "/members/1/value"), octo);
  HttpReply without = client_.Get("/Groups/" + id + "?excludedAttributes=members");
  EXPECT_EQ(without.body.find("\"members\""), std::string::npos);
  EXPECT_EQ(sim_.Stats().Number("/memberships"), 2u);
}

TEST_F(SimRoutesTest, ListGroupsWithFilterAndExcludedMembers) {
  const std::string mona = CreateUser("e1", "mona");
  const std::string first = CreateGroup("g1", {mona});
  CreateGroup("g2", {});
  HttpReply all = client_.Get("/Groups?excludedAttributes=members");
  EXPECT_EQ(JsonNumber(all.body, "/totalResults"), 2);
  EXPECT_EQ(all.body.find("\"members\""), std::string::npos);
  HttpReply filtered = client_.Get("/Groups?filter=externalId%20eq%20%22g1%22");
  EXPECT_EQ(JsonNumber(filtered.body, "/totalResults"), 1);
  EXPECT_EQ(JsonString(filtered.body, "/Resources/0/id"), first);
  EXPECT_EQ(JsonString(filtered.body, "/Resources/0/members/0/value"), mona);
  HttpReply by_name = client_.Get("/Groups?filter=displayName%20eq%20%22group%20g2%22");
  EXPECT_EQ(JsonString(by_name.body, "/Resources/0/externalId"), "g2");
}

TEST_F(SimRoutesTest, PatchGroupAddsAndRemovesMembersInEveryForm) {
  std::vector<std::string> users;
  for (int number = 0; number < 4; ++number) {
    users.push_back(CreateUser("e" + std::to_string(number), "u" + std::to_string(number)));
  }
  const std::string group = CreateGroup("g1", {});
  const std::string path = "/Groups/" + group;
  auto member = [&](int index) { return R"({"value":")" + users[index] + R"("})"; };
  ASSERT_EQ(client_
                .Patch(path, SimPatchBody(R"([{"op":"add","path":"members","value":[)" + member(0) +
                                          "," + member(1) + "," + member(2) + "]}]"))
                .status,
            200);
  EXPECT_EQ(sim_.Stats().Number("/memberships"), 3u);
  // Adding a member twice is a no-op (RFC 7644 §3.5.2.1).
  client_.Patch(path,
                SimPatchBody(R"([{"op":"add","path":"members","value":[)" + member(0) + "]}]"));
  EXPECT_EQ(sim_.Stats().Number("/memberships"), 3u);
  // Okta's value-filter removal and Entra ID's value-array removal.
  ASSERT_EQ(client_
                .Patch(path, SimPatchBody(R"([{"op":"remove","path":"members[value eq \")" +
                                          users[0] + R"(\"]"}])"))
                .status,
            200);
  ASSERT_EQ(client_
                .Patch(path, SimPatchBody(R"([{"op":"remove","path":"members","value":[)" +
                                          member(1) + "]}]"))
                .status,
            200);
  HttpReply after = client_.Get(path);
  EXPECT_EQ(JsonString(after.body, "/members/0/value"), users[2]);
  EXPECT_EQ(JsonString(after.body, "/members/1/value"), "");
  // Replace sets the member list; remove without value empties it.
  client_.Patch(path,
                SimPatchBody(R"([{"op":"replace","path":"members","value":[)" + member(3) + "]}]"));
  EXPECT_EQ(JsonString(client_.Get(path).body, "/members/0/value"), users[3]);
  client_.Patch(path, SimPatchBody(R"([{"op":"remove","path":"members"}])"));
  EXPECT_EQ(sim_.Stats().Number("/memberships"), 0u);
}

TEST_F(SimRoutesTest, PatchGroupRenamesAndAcceptsTheNoPathForm) {
  const std::string group = CreateGroup("g1", {});
  const std::string path = "/Groups/" + group;
  HttpReply renamed = client_.Patch(
      path, SimPatchBody(R"([{"op":"replace","path":"displayName","value":"Employees"}])"));
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(JsonString(renamed.body, "/displayName"), "Employees");
  // Okta's rename: replace with a value object of id and displayName.
  HttpReply okta = client_.Patch(path, SimPatchBody(R"([{"op":"replace","value":{"id":")" + group +
                                                    R"(","displayName":"Staff"}}])"));
  ASSERT_EQ(okta.status, 200) << okta.body;
  EXPECT_EQ(JsonString(client_.Get(path).body, "/displayName"), "Staff");
}

TEST_F(SimRoutesTest, PatchAndPutOfAGroupAnswerWithoutMembersWhenAskedTo) {
  const std::string mona = CreateUser("e1", "mona");
  const std::string group = CreateGroup("g1", {});
  const std::string path = "/Groups/" + group;
  const std::string add_mona =
      SimPatchBody(R"([{"op":"add","path":"members","value":[{"value":")" + mona + R"("}]}])");
  HttpReply patched = client_.Patch(path + "?excludedAttributes=members", add_mona);
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(JsonString(patched.body, "/id"), group);
  EXPECT_EQ(JsonString(patched.body, "/displayName"), "Group g1");
  EXPECT_EQ(patched.body.find("\"members\""), std::string::npos) << patched.body;
  EXPECT_EQ(sim_.Stats().Number("/memberships"), 1u);
  // Without the parameter the answer lists them (also for an attribute list naming others).
  HttpReply listed = client_.Patch(path + "?excludedAttributes=meta", add_mona);
  EXPECT_EQ(JsonString(listed.body, "/members/0/value"), mona);
  HttpReply replaced =
      client_.Put(path + "?excludedAttributes=Members", SimGroupBody("g1", "Group g1", {mona}));
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(replaced.body.find("\"members\""), std::string::npos) << replaced.body;
  EXPECT_EQ(JsonString(client_.Get(path).body, "/members/0/value"), mona);
}

TEST_F(SimRoutesTest, PutGroupReplacesMembersAndName) {
  const std::string mona = CreateUser("e1", "mona");
  const std::string octo = CreateUser("e2", "octo");
  const std::string group = CreateGroup("g1", {mona});
  HttpReply reply = client_.Put("/Groups/" + group, SimGroupBody("g1", "Renamed", {octo}));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(JsonString(reply.body, "/displayName"), "Renamed");
  EXPECT_EQ(JsonString(reply.body, "/members/0/value"), octo);
  EXPECT_EQ(JsonString(reply.body, "/members/1/value"), "");
  EXPECT_EQ(client_.Put("/Groups/nope", SimGroupBody("g1", "x")).status, 404);
}

TEST_F(SimRoutesTest, DeleteGroupAnswers204ThenGetIs404) {
  const std::string group = CreateGroup("g1", {});
  EXPECT_EQ(client_.Delete("/Groups/" + group).status, 204);
  EXPECT_EQ(client_.Get("/Groups/" + group).status, 404);
  EXPECT_EQ(client_.Delete("/Groups/" + group).status, 404);
  EXPECT_EQ(sim_.Stats().Number("/groups"), 0u);
  // The externalId is free again.
  EXPECT_EQ(client_.Post("/Groups", SimGroupBody("g1", "again")).status, 201);
}

TEST_F(SimRoutesTest, UnknownRoutesAre404AndWrongMethodsAre405) {
  EXPECT_EQ(client_.Get("/Nope").status, 404);
  EXPECT_EQ(client_.Get("/Bulk").status, 404);
  EXPECT_EQ(client_.Get("/ServiceProviderConfig").status, 404);
  SimClient outside(sim_.BaseUrl(), std::string(SimProcess::kToken));
  EXPECT_EQ(outside.Get("/scim/v2/Users").status, 404);
  HttpReply wrong = client_.Send("PATCH", "/Users", SimPatchBody("[]"));
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(JsonString(wrong.body, "/detail"), "method PATCH not allowed on \"/Users\"");
}

TEST_F(SimRoutesTest, StatsCountRequestsByMethodAndStatus) {
  const std::string id = CreateUser("e1", "mona");
  client_.Get("/Users/" + id);
  client_.Get("/Users/missing");
  client_.Delete("/Users/" + id);
  SimStats stats = sim_.Stats();
  EXPECT_EQ(stats.Number("/requests/total"), 4u);
  EXPECT_EQ(stats.Number("/requests/GET"), 2u);
  EXPECT_EQ(stats.Number("/requests/POST"), 1u);
  EXPECT_EQ(stats.Number("/requests/DELETE"), 1u);
  EXPECT_EQ(stats.Number("/statuses/201"), 1u);
  EXPECT_EQ(stats.Number("/statuses/200"), 1u);
  EXPECT_EQ(stats.Number("/statuses/404"), 1u);
  EXPECT_EQ(stats.Number("/statuses/204"), 1u);
  EXPECT_EQ(stats.Number("/creates"), 1u);
}

TEST_F(SimRoutesTest, RecreateAfterDeleteShowsAsDuplicateCreate) {
  const std::string id = CreateUser("e1", "mona");
  client_.Delete("/Users/" + id);
  CreateUser("e1", "mona");
  CreateUser("e2", "octo");
  SimStats stats = sim_.Stats();
  EXPECT_EQ(stats.Number("/creates"), 3u);
  EXPECT_EQ(stats.Number("/duplicate_creates"), 1u);
  EXPECT_EQ(JsonString(stats.json, "/duplicate_external_ids/0"), "e1");
}

}  // namespace
}  // namespace scimflow
