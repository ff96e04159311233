// BulkBatch: the limits a /ServiceProviderConfig advertises, packing within maxOperations and
// maxPayloadSize, and mapping a BulkResponse back onto the operations of its request.
#include "engine/bulk_batch.h"

#include <gtest/gtest.h>

#include <string>

namespace scimflow {
namespace {

BulkItem Create(uint32_t index, std::string user_name) {
  return BulkItem{index, "POST", "/Users", std::to_string(index),
                  R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":")" +
                      user_name + "\"}"};
}

BulkItem AddMembers(uint32_t index, std::string group_path, std::string member) {
  return BulkItem{
      index, "PATCH", std::move(group_path), "",
      R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":")" +
          member + R"("}]}]})"};
}

TEST(BulkBatchTest, LimitsComeFromTheServiceProviderConfig) {
  Result<std::optional<BulkLimits>> limits = ParseBulkLimits(
      R"({"bulk":{"supported":true,"maxOperations":1000,"maxPayloadSize":1048576}})");
  ASSERT_TRUE(limits.ok());
  ASSERT_TRUE(limits->has_value());
  EXPECT_EQ(**limits, (BulkLimits{1000, 1048576}));
  for (const char* refused :
       {R"({"bulk":{"supported":false,"maxOperations":10,"maxPayloadSize":9}})",
        R"({"bulk":{"supported":true,"maxOperations":0,"maxPayloadSize":9}})",
        R"({"bulk":{"supported":true,"maxOperations":10}})", R"({"patch":{"supported":true}})"}) {
    Result<std::optional<BulkLimits>> none = ParseBulkLimits(refused);
    ASSERT_TRUE(none.ok()) << refused;
    EXPECT_FALSE(none->has_value()) << refused;
  }
  EXPECT_EQ(ParseBulkLimits("<html>").status().message(),
            "/ServiceProviderConfig: the answer is not a JSON object");
}

TEST(BulkBatchTest, RendersOneBulkRequestWithoutFailOnErrors) {
  BulkBatch batch(BulkLimits{10, 1 << 20});
  ASSERT_TRUE(batch.TryAdd(Create(0, "mona")));
  ASSERT_TRUE(batch.TryAdd(AddMembers(1, "/Groups/bulkId:7", "bulkId:0")));
  EXPECT_EQ(
      batch.Render(),
      R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[)"
      R"({"method":"POST","bulkId":"0","path":"/Users","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"mona"}},)"
      R"({"method":"PATCH","path":"/Groups/bulkId:7","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"bulkId:0"}]}]}}]})");
  EXPECT_EQ(batch.Render().size(), batch.payload_bytes());
}

TEST(BulkBatchTest, MaxOperationsClosesTheBatch) {
  BulkBatch batch(BulkLimits{3, 1 << 20});
  for (uint32_t index = 0; index < 3; ++index) {
    EXPECT_TRUE(batch.TryAdd(Create(index, "u" + std::to_string(index))));
  }
  EXPECT_FALSE(batch.Fits(Create(3, "u3")));
  EXPECT_FALSE(batch.TryAdd(Create(3, "u3")));
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch.items()[2].index, 2u);
}

TEST(BulkBatchTest, PayloadLimitIsNeverExceeded) {
  // Room for exactly two of these creates: envelope + two entries + the comma between them.
  BulkBatch probe(BulkLimits{100, 1 << 20});
  ASSERT_TRUE(probe.TryAdd(Create(0, "aaaa")));
  ASSERT_TRUE(probe.TryAdd(Create(1, "bbbb")));
  const uint64_t two = probe.payload_bytes();
  BulkBatch batch(BulkLimits{100, two});
  EXPECT_TRUE(batch.TryAdd(Create(0, "aaaa")));
  EXPECT_TRUE(batch.TryAdd(Create(1, "bbbb")));
  EXPECT_FALSE(batch.TryAdd(Create(2, "cccc")));
  EXPECT_EQ(batch.Render().size(), two);
  // One byte less and the second no longer fits.
  BulkBatch tighter(BulkLimits{100, two - 1});
  EXPECT_TRUE(tighter.TryAdd(Create(0, "aaaa")));
  EXPECT_FALSE(tighter.TryAdd(Create(1, "bbbb")));
  EXPECT_LE(tighter.Render().size(), two - 1);
}

TEST(BulkBatchTest, AnOperationOverThePayloadLimitCanOnlyGoAlone) {
  BulkBatch batch(BulkLimits{100, 400});
  const BulkItem huge = Create(0, std::string(400, 'x'));
  EXPECT_TRUE(batch.TooLargeAlone(huge));
  EXPECT_FALSE(batch.TryAdd(huge));
  EXPECT_TRUE(batch.empty());
  EXPECT_FALSE(batch.TooLargeAlone(Create(1, "small")));
  EXPECT_TRUE(batch.TryAdd(Create(1, "small")));
}

TEST(BulkBatchTest, EachOperationGetsItsOwnResult) {
  const std::vector<BulkItem> items = {Create(0, "a"), Create(1, "b"), Create(2, "c"),
                                       AddMembers(3, "/Groups/g1", "bulkId:0")};
  Result<std::vector<std::optional<BulkResult>>> results = ParseBulkResponse(
      R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkResponse"],"Operations":[)"
      R"({"method":"POST","bulkId":"0","location":"http://h/scim/v2/Users/id-a","status":"201"},)"
      R"({"method":"POST","bulkId":"1","status":"409","response":{"status":"409","scimType":"uniqueness","detail":"taken"}},)"
      R"({"method":"POST","bulkId":"2","status":400,"response":{"status":"400","detail":"bad"}},)"
      R"({"method":"PATCH","status":"200"}]})",
      items);
  ASSERT_TRUE(results.ok()) << results.status().message();
  ASSERT_EQ(results->size(), 4u);
  ASSERT_TRUE((*results)[0].has_value());
  EXPECT_EQ((*results)[0]->status, 201);
  EXPECT_EQ((*results)[0]->id, "id-a");
  ASSERT_TRUE((*results)[1].has_value());
  EXPECT_EQ((*results)[1]->status, 409);
  EXPECT_EQ((*results)[1]->response,
            R"({"status":"409","scimType":"uniqueness","detail":"taken"})");
  ASSERT_TRUE((*results)[2].has_value());
  EXPECT_EQ((*results)[2]->status, 400);
  EXPECT_EQ((*results)[2]->response, R"({"status":"400","detail":"bad"})");
  ASSERT_TRUE((*results)[3].has_value());
  EXPECT_EQ((*results)[3]->status, 200);
  EXPECT_EQ((*results)[3]->id, "");
}

TEST(BulkBatchTest, ResultsThatStopEarlyOrDoNotMatchAreMissing) {
  const std::vector<BulkItem> items = {Create(0, "a"), Create(1, "b"), Create(2, "c")};
  Result<std::vector<std::optional<BulkResult>>> results = ParseBulkResponse(
      R"({"Operations":[{"method":"POST","bulkId":"0","status":"201","location":"/Users/x"},)"
      R"({"method":"POST","bulkId":"9","status":"201","location":"/Users/y"}]})",
      items);
  ASSERT_TRUE(results.ok());
  EXPECT_TRUE((*results)[0].has_value());
  EXPECT_FALSE((*results)[1].has_value());
  EXPECT_FALSE((*results)[2].has_value());
  EXPECT_EQ(ParseBulkResponse("{}", items).status().message(),
            "/Bulk: the answer is not a BulkResponse with an Operations array");
}

}  // namespace
}  // namespace scimflow
