// /Bulk of the generic profile: bulkId references, failOnErrors, and the two limits.
#include <gtest/gtest.h>

#include <string>

#include "tests/sim_fixture.h"

namespace scimflow {
namespace {

std::string BulkBody(std::string_view operations, std::string_view extra = "") {
  return R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],)" +
         std::string(extra) + R"("Operations":)" + std::string(operations) + "}";
}

class SimBulkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(sim_.Start({"--profile", "generic", "--bulk-max-operations", "3",
                            "--bulk-max-payload", "4096"})
                    .ok());
    client_ = sim_.Client();
  }

  SimProcess sim_;
  SimClient client_{""};
};

TEST_F(SimBulkTest, GroupNamesAUserCreatedInTheSameBatchByBulkId) {
  const std::string operations =
      R"([{"method":"POST","path":"/Users","bulkId":"u1","data":)" + SimUserBody("e1", "mona") +
      R"(},{"method":"POST","path":"/Groups","bulkId":"g1","data":{"schemas":)"
      R"(["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G","members":)"
      R"([{"value":"bulkId:u1"}]}},{"method":"PATCH","path":"/Users/bulkId:u1","data":)" +
      SimPatchBody(R"([{"op":"replace","path":"displayName","value":"Mona"}])") + "}]";
  HttpReply reply = client_.Post("/Bulk", BulkBody(operations));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(JsonString(reply.body, "/schemas/0"),
            "urn:ietf:params:scim:api:messages:2.0:BulkResponse");
  EXPECT_EQ(JsonString(reply.body, "/Operations/0/status"), "201");
  EXPECT_EQ(JsonString(reply.body, "/Operations/0/bulkId"), "u1");
  EXPECT_EQ(JsonString(reply.body, "/Operations/1/status"), "201");
  EXPECT_EQ(JsonString(reply.body, "/Operations/2/status"), "200");
  const std::string user_location = JsonString(reply.body, "/Operations/0/location");
  const std::string user_id = user_location.substr(user_location.rfind('/') + 1);
  const std::string group_location = JsonString(reply.body, "/Operations/1/location");
  HttpReply group = client_.Get(group_location.substr(sim_.ScimUrl().size()));
  EXPECT_EQ(JsonString(group.body, "/members/0/value"), user_id);
  EXPECT_EQ(JsonString(client_.Get("/Users/" + user_id).body, "/displayName"), "Mona");
  EXPECT_EQ(sim_.Stats().Number("/memberships"), 1u);
}

TEST_F(SimBulkTest, FailedOperationsAreReportedAndOthersStillRun) {
  const std::string operations =
      R"([{"method":"POST","path":"/Users","bulkId":"a","data":)" + SimUserBody("e1", "mona") +
      R"(},{"method":"POST","path":"/Users","bulkId":"b","data":)" + SimUserBody("e2", "MONA") +
      R"(},{"method":"DELETE","path":"/Users/bulkId:missing"}])";
  HttpReply reply = client_.Post("/Bulk", BulkBody(operations));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(JsonString(reply.body, "/Operations/1/status"), "409");
  EXPECT_EQ(JsonString(reply.body, "/Operations/1/response/scimType"), "uniqueness");
  EXPECT_EQ(JsonString(reply.body, "/Operations/2/status"), "409");
  EXPECT_EQ(JsonString(reply.body, "/Operations/2/response/detail"),
            "unresolved reference \"bulkId:missing\"");
  EXPECT_EQ(sim_.Stats().Number("/users"), 1u);
}

TEST_F(SimBulkTest, FailOnErrorsStopsAfterThatManyErrors) {
  const std::string operations =
      R"([{"method":"DELETE","path":"/Users/nope"},{"method":"POST","path":"/Users",)"
      R"("bulkId":"a","data":)" +
      SimUserBody("e1", "mona") + "}]";
  HttpReply reply = client_.Post("/Bulk", BulkBody(operations, R"("failOnErrors":1,)"));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(JsonString(reply.body, "/Operations/0/status"), "404");
  EXPECT_EQ(JsonString(reply.body, "/Operations/1/status"), "");
  EXPECT_EQ(sim_.Stats().Number("/users"), 0u);
}

TEST_F(SimBulkTest, OverMaxOperationsIs413NamingTheLimit) {
  const std::string one = R"({"method":"DELETE","path":"/Users/x"})";
  HttpReply reply =
      client_.Post("/Bulk", BulkBody("[" + one + "," + one + "," + one + "," + one + "]"));
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(JsonString(reply.body, "/detail"),
            "4 operations are over the limit: maxOperations is 3");
}

TEST_F(SimBulkTest, OverMaxPayloadSizeIs413NamingTheLimit) {
  const std::string padding(5000, ' ');
  HttpReply reply = client_.Post("/Bulk", BulkBody("[]" + padding));
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(JsonString(reply.body, "/detail"),
            "payload of " + std::to_string(BulkBody("[]" + padding).size()) +
                " bytes is over the limit: maxPayloadSize is 4096 bytes");
}

TEST_F(SimBulkTest, MalformedBulkRequestsAre400) {
  EXPECT_EQ(JsonString(client_.Post("/Bulk", "{").body, "/scimType"), "invalidSyntax");
  EXPECT_EQ(JsonString(client_.Post("/Bulk", R"({"Operations":[]})").body, "/detail"),
            "schemas must include \"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"");
  EXPECT_EQ(
      JsonString(client_.Post("/Bulk", BulkBody(R"([{"method":"POST","path":"/Users"}])")).body,
                 "/detail"),
      "a POST operation needs a \"bulkId\"");
  EXPECT_EQ(
      JsonString(client_.Post("/Bulk", BulkBody("[]", R"("failOnErrors":"x",)")).body, "/detail"),
      "\"failOnErrors\" must be a positive integer");
}

}  // namespace
}  // namespace scimflow
