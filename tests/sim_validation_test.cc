// How `scimflow sim` refuses bad requests: malformed bodies, wrong types, missing attributes,
// bad roles, duplicates, unknown ids and members, credentials, immutable userName, bad filters
// and PATCH operations. Each refusal is asserted whole (status, scimType, detail) and must leave
// the state as it was.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/sim_fixture.h"

namespace scimflow {
namespace {

constexpr std::string_view kErrorPrefix =
    R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],)";

// The SCIM error body the simulator sends for (status, scimType, detail).
std::string ErrorBody(int status, std::string_view scim_type, std::string_view detail_json) {
  std::string body(kErrorPrefix);
  body += R"("status":")" + std::to_string(status) + R"(",)";
  if (!scim_type.empty()) body += R"("scimType":")" + std::string(scim_type) + R"(",)";
  body += R"("detail":)" + std::string(detail_json) + "}";
  return body;
}

class SimValidationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(sim_.Start().ok());
    client_ = sim_.Client();
  }

  std::string CreateUser(std::string_view external_id, std::string_view user_name) {
    HttpReply reply = client_.Post("/Users", SimUserBody(external_id, user_name));
    EXPECT_EQ(reply.status, 201) << reply.body;
    return JsonString(reply.body, "/id");
  }

  // Removes `"key":value` (a member of the top-level or `name` object) from a user body.
  static std::string Without(std::string body, std::string_view member_json) {
    const size_t at = body.find(member_json);
    EXPECT_NE(at, std::string::npos) << member_json;
    body.erase(at, member_json.size());
    return body;
  }

  SimProcess sim_;
  SimClient client_{""};
};

TEST_F(SimValidationTest, MalformedJsonIs400InvalidSyntax) {
  for (std::string_view body : {std::string_view(R"({"schemas":[)"),       // truncated
                                std::string_view(R"({"userName":"a",})"),  // trailing comma
                                std::string_view("not json at all")}) {
    HttpReply reply = client_.Post("/Users", body);
    EXPECT_EQ(reply.status, 400) << body;
    EXPECT_EQ(JsonString(reply.body, "/scimType"), "invalidSyntax") << reply.body;
    EXPECT_TRUE(JsonString(reply.body, "/detail").starts_with("malformed JSON: ")) << reply.body;
  }
  EXPECT_EQ(sim_.Stats().Number("/users"), 0u);
}

TEST_F(SimValidationTest, InvalidUtf8Is400InvalidSyntax) {
  std::string body = SimUserBody("e1", "mona");
  body.replace(body.find("mona"), 4, "mo\xff\xfe");
  HttpReply reply = client_.Post("/Users", body);
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(JsonString(reply.body, "/scimType"), "invalidSyntax");
  EXPECT_NE(JsonString(reply.body, "/detail").find("UTF"), std::string::npos) << reply.body;
  EXPECT_EQ(sim_.Stats().Number("/users"), 0u);
}

TEST_F(SimValidationTest, BodyThatIsNotAnObjectIs400) {
  HttpReply reply = client_.Post("/Users", "[1,2]");
  EXPECT_EQ(reply.body, ErrorBody(400, "invalidSyntax", R"("request body must be a JSON object")"));
}

TEST_F(SimValidationTest, HugeBodyIs413AndNotApplied) {
  std::string body = SimUserBody("e1", "mona");
  body.insert(body.size() - 1, R"(,"padding":")" + std::string(2u << 20, 'x') + "\"");
  HttpReply reply = client_.Post("/Users", body);
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(reply.body, ErrorBody(413, "", R"("request body is over the limit of 1048576 bytes")"));
  EXPECT_EQ(sim_.Stats().Number("/users"), 0u);
  // The connection stays usable.
  EXPECT_EQ(client_.Post("/Users", SimUserBody("e1", "mona")).status, 201);
}

TEST_F(SimValidationTest, WrongTypesAre400InvalidValueNamingTheAttribute) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"("active":true)", R"("active":"yes")"},
      {R"("userName":"mona")", R"("userName":7)"},
      {R"("emails":[{"value":"mona@example.com","type":"work","primary":true}])",
       R"("emails":{"value":"mona@example.com"})"},
      {R"("givenName":"Given")", R"("givenName":["Given"])"},
      {R"("primary":true}],"name")", R"("primary":"sometimes"}],"name")"},
      {R"("roles":[{"value":"user","primary":true}])", R"("roles":["user"])"},
  };
  const std::vector<std::string> details = {
      R"("attribute \"active\" must be a boolean")",
      R"("attribute \"userName\" must be a string")",
      R"("attribute \"emails\" must be an array of objects")",
      R"("attribute \"name.givenName\" must be a string")",
      R"("attribute \"emails.primary\" must be a boolean")",
      R"("attribute \"roles\" must be an array of objects")",
  };
  for (size_t index = 0; index < cases.size(); ++index) {
    std::string body = SimUserBody("e1", "mona");
    const size_t at = body.find(cases[index].first);
    ASSERT_NE(at, std::string::npos) << cases[index].first;
    body.replace(at, cases[index].first.size(), cases[index].second);
    HttpReply reply = client_.Post("/Users", body);
    EXPECT_EQ(reply.body, ErrorBody(400, "invalidValue", details[index])) << body;
  }
  EXPECT_EQ(sim_.Stats().Number("/users"), 0u);
}

TEST_F(SimValidationTest, EachGitHubRequiredAttributeIsEnforced) {
  const std::string full = SimUserBody("e1", "mona");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"("schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],)", "schemas"},
      {R"("externalId":"e1",)", "externalId"},
      {R"("userName":"mona",)", "userName"},
      {R"("active":true,)", "active"},
      {R"("displayName":"mona Display",)", "displayName"},
      {R"("emails":[{"value":"mona@example.com","type":"work","primary":true}],)", "emails"},
      {R"("givenName":"Given",)", "name.givenName"},
      {R"(,"familyName":"Family")", "name.familyName"},
  };
  for (const auto& [member, attribute] : cases) {
    HttpReply reply = client_.Post("/Users", Without(full, member));
    EXPECT_EQ(reply.body, ErrorBody(400, "invalidValue",
                                    R"("missing required attribute \")" + attribute + R"(\"")"))
        << attribute;
  }
  EXPECT_EQ(sim_.Stats().Number("/users"), 0u);
}

TEST_F(SimValidationTest, SchemasWithoutTheUserUrnIs400) {
  std::string body = SimUserBody("e1", "mona");
  body.replace(body.find("core:2.0:User"), 13, "core:2.0:Group");
  HttpReply reply = client_.Post("/Users", body);
  EXPECT_EQ(reply.body,
            ErrorBody(400, "invalidValue",
                      R"("schemas must include \"urn:ietf:params:scim:schemas:core:2.0:User\"")"));
}

TEST_F(SimValidationTest, UnknownRoleValueIs400) {
  std::string body = SimUserBody("e1", "mona");
  body.replace(body.find(R"("value":"user")"), 14, R"("value":"admin")");
  HttpReply reply = client_.Post("/Users", body);
  EXPECT_EQ(reply.body, ErrorBody(400, "invalidValue", R"("unknown role \"admin\"")"));
  // GitHub's values are accepted in any case, GUID forms included.
  body = SimUserBody("e1", "mona");
  body.replace(body.find(R"("value":"user")"), 14, R"("value":"Enterprise_Owner")");
  EXPECT_EQ(client_.Post("/Users", body).status, 201);
}

TEST_F(SimValidationTest, DuplicateUserNameIgnoringCaseIs409Uniqueness) {
  CreateUser("e1", "Mona");
  HttpReply reply = client_.Post("/Users", SimUserBody("e2", "mONA"));
  EXPECT_EQ(reply.status, 409);
  EXPECT_EQ(reply.body, ErrorBody(409, "uniqueness", R"("userName \"mONA\" is already taken")"));
  EXPECT_EQ(sim_.Stats().Number("/users"), 1u);
}

TEST_F(SimValidationTest, DuplicateExternalIdIs409Uniqueness) {
  CreateUser("e1", "mona");
  HttpReply reply = client_.Post("/Users", SimUserBody("e1", "octo"));
  EXPECT_EQ(reply.body, ErrorBody(409, "uniqueness", R"("externalId \"e1\" is already taken")"));
  ASSERT_EQ(client_.Post("/Groups", SimGroupBody("g1", "G")).status, 201);
  HttpReply group = client_.Post("/Groups", SimGroupBody("g1", "Other"));
  EXPECT_EQ(group.body, ErrorBody(409, "uniqueness", R"("externalId \"g1\" is already taken")"));
  EXPECT_EQ(sim_.Stats().Number("/users"), 1u);
  EXPECT_EQ(sim_.Stats().Number("/groups"), 1u);
}

TEST_F(SimValidationTest, UnknownIdsAre404ForEveryMethod) {
  const std::string patch = SimPatchBody(R"([{"op":"replace","path":"active","value":false}])");
  EXPECT_EQ(client_.Get("/Users/x").status, 404);
  EXPECT_EQ(client_.Put("/Users/x", SimUserBody("e1", "mona")).status, 404);
  EXPECT_EQ(client_.Patch("/Users/x", patch).status, 404);
  EXPECT_EQ(client_.Delete("/Users/x").status, 404);
  EXPECT_EQ(client_.Get("/Groups/x").status, 404);
  EXPECT_EQ(client_.Put("/Groups/x", SimGroupBody("g", "G")).status, 404);
  HttpReply reply = client_.Patch("/Groups/x", patch);
  EXPECT_EQ(reply.body, ErrorBody(404, "", R"("group \"x\" not found")"));
  EXPECT_EQ(client_.Delete("/Groups/x").status, 404);
}

TEST_F(SimValidationTest, MemberThatIsNotAUserIs400AndNothingChanges) {
  const std::string mona = CreateUser("e1", "mona");
  HttpReply created = client_.Post("/Groups", SimGroupBody("g1", "G", {mona, "ghost"}));
  EXPECT_EQ(created.body, ErrorBody(400, "invalidValue", R"("member \"ghost\" is not a user")"));
  HttpReply group = client_.Post("/Groups", SimGroupBody("g1", "G"));
  const std::string id = JsonString(group.body, "/id");
  HttpReply patched = client_.Patch(
      "/Groups/" + id, SimPatchBody(R"([{"op":"add","path":"members","value":[{"value":")" + mona +
                                    R"("},{"value":"ghost"}]}])"));
  EXPECT_EQ(patched.body, ErrorBody(400, "invalidValue", R"("member \"ghost\" is not a user")"));
  // A PATCH is atomic: the valid member of the refused request was not added either.
  EXPECT_EQ(sim_.Stats().Number("/memberships"), 0u);
  EXPECT_EQ(sim_.Stats().Number("/groups"), 1u);
}

TEST_F(SimValidationTest, MissingOrWrongTokenIs401) {
  SimClient anonymous(sim_.ScimUrl(), "");
  HttpReply missing = anonymous.Get("/Users");
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.body, ErrorBody(401, "", R"("requires authentication")"));
  EXPECT_EQ(missing.Header("www-authenticate"), "Bearer realm=\"scimflow-sim\"");
  SimClient wrong(sim_.ScimUrl(), "not-the-token");
  EXPECT_EQ(wrong.Post("/Users", SimUserBody("e1", "mona")).body,
            ErrorBody(401, "", R"("bad credentials")"));
  EXPECT_EQ(sim_.Stats().Number("/users"), 0u);
  EXPECT_EQ(sim_.Stats().Number("/statuses/401"), 2u);
}

TEST_F(SimValidationTest, GitHubTokenSchemeIsAcceptedLikeBearer) {
  SimClient client(sim_.ScimUrl());
  client.set_authorization("token " + std::string(SimProcess::kToken));
  EXPECT_EQ(client.Get("/Users").status, 200);
  client.set_authorization("Basic " + std::string(SimProcess::kToken));
  EXPECT_EQ(client.Get("/Users").status, 401);
}

TEST_F(SimValidationTest, MissingUserAgentIs403OnGitHub) {
  SimClient no_agent(sim_.ScimUrl(), std::string(SimProcess::kToken), "");
  HttpReply reply = no_agent.Get("/Users");
  EXPECT_EQ(reply.body,
            ErrorBody(403, "", R"("request forbidden: a User-Agent header is required")"));
}

TEST_F(SimValidationTest, UserNameIsImmutableOnGitHub) {
  const std::string id = CreateUser("e1", "mona");
  HttpReply patched = client_.Patch(
      "/Users/" + id, SimPatchBody(R"([{"op":"replace","path":"userName","value":"lisa"}])"));
  const std::string expected =
      ErrorBody(400, "mutability", R"("attribute \"userName\" is immutable")");
  EXPECT_EQ(patched.body, expected);
  EXPECT_EQ(client_.Put("/Users/" + id, SimUserBody("e1", "lisa")).body, expected);
  EXPECT_EQ(JsonString(client_.Get("/Users/" + id).body, "/userName"), "mona");
}

TEST_F(SimValidationTest, BadPatchRequestsAre400WithTheirReason) {
  const std::string id = CreateUser("e1", "mona");
  const std::string path = "/Users/" + id;
  struct Case {
    std::string body;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {R"({"Operations":[]})",
       ErrorBody(400, "invalidSyntax",
                 R"("schemas must include \"urn:ietf:params:scim:api:messages:2.0:PatchOp\"")")},
      {SimPatchBody("[]"),
       ErrorBody(400, "invalidSyntax", R"("\"Operations\" must be a non-empty array")")},
      {SimPatchBody(R"([{"op":"move","path":"active","value":false}])"),
       ErrorBody(400, "invalidValue", R"("unknown op \"move\"")")},
      {SimPatchBody(R"([{"op":"remove"}])"),
       ErrorBody(400, "noTarget", R"("remove needs a path")")},
      {SimPatchBody(R"([{"op":"replace","path":"emails[type eq \"work\"].value","value":"x"}])"),
       ErrorBody(400, "invalidPath", R"("unsupported path \"emails[type eq \"work\"].value\"")")},
      {SimPatchBody(R"([{"op":"replace","path":"active","value":3}])"),
       ErrorBody(400, "invalidValue", R"("attribute \"active\" must be a boolean")")},
      {SimPatchBody(R"([{"op":"remove","path":"displayName"}])"),
       ErrorBody(400, "invalidValue", R"("missing required attribute \"displayName\"")")},
      {SimPatchBody(R"([{"op":"remove","path":"active"}])"),
       ErrorBody(400, "invalidValue", R"("attribute \"active\" cannot be removed")")},
      {SimPatchBody(R"([{"op":"replace","path":"displayName"}])"),
       ErrorBody(400, "invalidValue", R"("operation on \"displayName\" needs a value")")},
  };
  for (const Case& test_case : cases) {
    EXPECT_EQ(client_.Patch(path, test_case.body).body, test_case.expected) << test_case.body;
  }
  // A failing operation after a valid one leaves the user untouched (atomic PATCH).
  client_.Patch(path, SimPatchBody(R"([{"op":"replace","path":"displayName","value":"New"},)"
                                   R"({"op":"replace","path":"bogus","value":1}])"));
  EXPECT_EQ(JsonString(client_.Get(path).body, "/displayName"), "mona Display");
}

TEST_F(SimValidationTest, UnsupportedFiltersAre400InvalidFilterOnGitHub) {
  struct Case {
    std::string query;
    std::string detail;
  };
  const std::vector<Case> cases = {
      {"userName%20sw%20%22m%22",
       R"("invalid filter 'userName sw \"m\"': unsupported operator \"sw\"")"},
      {"userName%20eq%20%22a%22%20and%20active%20eq%20true",
       R"("invalid filter 'userName eq \"a\" and active eq true': multiple filters are not supported")"},
      {"emails%20eq%20%22a%22",
       R"("invalid filter 'emails eq \"a\"': unsupported attribute \"emails\"")"},
      {"userName%20eq%20mona",
       R"("invalid filter 'userName eq mona': expected a quoted string value")"},
  };
  for (const Case& test_case : cases) {
    HttpReply reply = client_.Get("/Users?filter=" + test_case.query);
    EXPECT_EQ(reply.body, ErrorBody(400, "invalidFilter", test_case.detail)) << test_case.query;
  }
  HttpReply start = client_.Get("/Users?startIndex=abc");
  EXPECT_EQ(start.body, ErrorBody(400, "invalidValue", R"("\"startIndex\" must be an integer")"));
}

TEST_F(SimValidationTest, FilterValuesWithEscapedQuotesMatch) {
  CreateUser("e\"1", "mona");
  HttpReply reply = client_.Get("/Users?filter=externalId%20eq%20%22e%5C%221%22");
  EXPECT_EQ(JsonNumber(reply.body, "/totalResults"), 1) << reply.body;
}

}  // namespace
}  // namespace scimflow
