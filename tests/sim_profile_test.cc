// What differs between the simulator's profiles: github-emu (default), ghes and generic.
#include <gtest/gtest.h>

#include <string>

#include "tests/sim_fixture.h"

namespace scimflow {
namespace {

std::string CreateUser(SimClient* client, std::string_view external_id,
                       std::string_view user_name) {
  HttpReply reply = client->Post("/Users", SimUserBody(external_id, user_name));
  EXPECT_EQ(reply.status, 201) << reply.body;
  return JsonString(reply.body, "/id");
}

std::string Suspend(SimClient* client, const std::string& id) {
  HttpReply reply = client->Patch(
      "/Users/" + id, SimPatchBody(R"([{"op":"replace","path":"active","value":false}])"));
  EXPECT_EQ(reply.status, 200) << reply.body;
  return reply.body;
}

TEST(SimProfileTest, GitHubEmuServesUnderTheEnterprisePath) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start().ok());
  EXPECT_EQ(sim.ScimUrl(), sim.BaseUrl() + "/scim/v2/enterprises/sim");
  EXPECT_EQ(JsonString(sim.Stats().json, "/profile"), "github-emu");
}

TEST(SimProfileTest, GhesServesUnderApiV3AndNotElsewhere) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--profile", "ghes"}).ok());
  EXPECT_EQ(sim.ScimUrl(), sim.BaseUrl() + "/api/v3/scim/v2");
  SimClient client = sim.Client();
  CreateUser(&client, "e1", "mona");
  SimClient emu_path(sim.BaseUrl() + "/scim/v2/enterprises/sim", std::string(SimProcess::kToken));
  EXPECT_EQ(emu_path.Get("/Users").status, 404);
  // GHES shares GitHub's rules: User-Agent required, no /Bulk.
  SimClient no_agent(sim.ScimUrl(), std::string(SimProcess::kToken), "");
  EXPECT_EQ(no_agent.Get("/Users").status, 403);
  EXPECT_EQ(client.Post("/Bulk", "{}").status, 404);
}

TEST(SimProfileTest, BasePathCanBeConfigured) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--base-path", "/custom/scim"}).ok());
  EXPECT_EQ(sim.ScimUrl(), sim.BaseUrl() + "/custom/scim");
  SimClient client = sim.Client();
  CreateUser(&client, "e1", "mona");
  EXPECT_EQ(sim.Stats().Number("/users"), 1u);
}

TEST(SimProfileTest, GenericAdvertisesPatchFilterAndBulkButGitHubDoesNot) {
  SimProcess generic;
  ASSERT_TRUE(generic.Start({"--profile", "generic", "--bulk-max-operations", "50"}).ok());
  HttpReply config = generic.Client().Get("/ServiceProviderConfig");
  ASSERT_EQ(config.status, 200);
  EXPECT_EQ(config.body,
            R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],)"
            R"("patch":{"supported":true},"bulk":{"supported":true,"maxOperations":50,)"
            R"("maxPayloadSize":1048576},"filter":{"supported":true,"maxResults":1000},)"
            R"("changePassword":{"supported":false},"sort":{"supported":false},)"
            R"("etag":{"supported":false},"authenticationSchemes":[{"type":"oauthbearertoken",)"
            R"("name":"OAuth Bearer Token","description":"Authentication with a bearer token"}]})");
  SimProcess emu;
  ASSERT_TRUE(emu.Start().ok());
  EXPECT_EQ(emu.Client().Get("/ServiceProviderConfig").status, 404);
}

TEST(SimProfileTest, GitHubHidesSuspendedMembersAndGenericShowsThem) {
  for (const char* profile : {"github-emu", "generic"}) {
    SimProcess sim;
    ASSERT_TRUE(sim.Start({"--profile", profile}).ok());
    SimClient client = sim.Client();
    const std::string mona = CreateUser(&client, "e1", "mona");
    const std::string octo = CreateUser(&client, "e2", "octo");
    HttpReply group = client.Post("/Groups", SimGroupBody("g1", "G", {mona, octo}));
    const std::string group_path = "/Groups/" + JsonString(group.body, "/id");
    Suspend(&client, mona);
    const bool github = std::string_view(profile) == "github-emu";
    SimStats stats = sim.Stats();
    EXPECT_EQ(stats.Number("/memberships"), github ? 1u : 2u) << profile;
    EXPECT_EQ(stats.Number("/memberships_stored"), 2u) << profile;
    HttpReply members = client.Get(group_path);
    EXPECT_EQ(JsonString(members.body, "/members/0/value"), github ? octo : mona) << profile;
    // Reactivation shows the member again without any re-add.
    client.Patch("/Users/" + mona,
                 SimPatchBody(R"([{"op":"replace","path":"active","value":true}])"));
    EXPECT_EQ(sim.Stats().Number("/memberships"), 2u) << profile;
  }
}

TEST(SimProfileTest, GenericAllowsRenamesAndGitHubRefusesThem) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--profile", "generic"}).ok());
  SimClient client = sim.Client();
  const std::string id = CreateUser(&client, "e1", "mona");
  HttpReply reply = client.Patch(
      "/Users/" + id, SimPatchBody(R"([{"op":"replace","path":"userName","value":"lisa"}])"));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(JsonString(reply.body, "/userName"), "lisa");
  // The old name is free, the new one taken.
  EXPECT_EQ(client.Post("/Users", SimUserBody("e2", "MONA")).status, 201);
  EXPECT_EQ(client.Post("/Users", SimUserBody("e3", "Lisa")).status, 409);
}

TEST(SimProfileTest, GenericRequiresOnlyUserNameAndAcceptsAnyRole) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--profile", "generic"}).ok());
  SimClient client = sim.Client();
  const std::string minimal =
      R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen",)"
      R"("roles":[{"value":"admin"}]})";
  EXPECT_EQ(client.Post("/Users", minimal).status, 201);
  HttpReply missing =
      client.Post("/Users", R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]})");
  EXPECT_EQ(JsonString(missing.body, "/detail"), "missing required attribute \"userName\"");
  SimProcess emu;
  ASSERT_TRUE(emu.Start().ok());
  EXPECT_EQ(JsonString(emu.Client().Post("/Users", minimal).body, "/detail"),
            "missing required attribute \"externalId\"");
}

TEST(SimProfileTest, GenericAcceptsRfcFilterOperatorsThatGitHubRefuses) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--profile", "generic"}).ok());
  SimClient client = sim.Client();
  CreateUser(&client, "e1", "mona");
  CreateUser(&client, "e2", "monique");
  CreateUser(&client, "e3", "octo");
  EXPECT_EQ(JsonNumber(client.Get("/Users?filter=userName%20sw%20%22MON%22").body, "/totalResults"),
            2);
  EXPECT_EQ(JsonNumber(client.Get("/Users?filter=userName%20co%20%22ct%22").body, "/totalResults"),
            1);
  EXPECT_EQ(
      JsonNumber(client.Get("/Users?filter=externalId%20ne%20%22e1%22").body, "/totalResults"), 2);
  EXPECT_EQ(JsonNumber(client.Get("/Users?filter=externalId%20pr").body, "/totalResults"), 3);
}

TEST(SimProfileTest, GenericWithoutTokenNeedsNoCredentialsButGitHubAlwaysDoes) {
  SimProcess generic;
  ASSERT_TRUE(generic.Start({"--profile", "generic"}, /*with_token=*/false).ok());
  SimClient anonymous(generic.ScimUrl(), "", "");
  EXPECT_EQ(anonymous.Get("/Users").status, 200);
  SimProcess emu;
  ASSERT_TRUE(emu.Start({}, /*with_token=*/false).ok());
  // Without --token any credential is accepted, but one is required.
  EXPECT_EQ(SimClient(emu.ScimUrl(), "", "ua").Get("/Users").status, 401);
  EXPECT_EQ(SimClient(emu.ScimUrl(), "whatever", "ua").Get("/Users").status, 200);
}

TEST(SimProfileTest, TokenCanComeFromTheEnvironment) {
  ASSERT_EQ(setenv("SCIMFLOW_SIM_TOKEN", "from-env", 1), 0);
  SimProcess sim;
  const Status started = sim.Start({}, /*with_token=*/false);
  unsetenv("SCIMFLOW_SIM_TOKEN");
  ASSERT_TRUE(started.ok());
  EXPECT_EQ(SimClient(sim.ScimUrl(), "from-env").Get("/Users").status, 200);
  EXPECT_EQ(SimClient(sim.ScimUrl(), "other").Get("/Users").status, 401);
}

}  // namespace
}  // namespace scimflow
