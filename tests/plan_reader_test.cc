#include "io/plan_reader.h"

#include <gtest/gtest.h>

#include <string>

namespace scimflow {
namespace {

std::string Header(int total) {
  return "{\"format\":\"scimflow-plan\",\"version\":1,\"profile\":\"github-emu\","
         "\"max_members_per_patch\":100,\"total\":" +
         std::to_string(total) +
         ",\"rejects\":2,\"conflicts\":{\"username-change\":1,\"group-role\":0,"
         "\"username-taken\":3}}\n";
}

const char kCreate[] =
    R"({"op":"u:e-1:create","kind":"user.create","externalId":"e-1","method":"POST","path":"/Users","body":{"userName":"a"}})"
    "\n";
const char kGroupCreate[] =
    R"({"op":"g:g-1:create","kind":"group.create","externalId":"g-1","method":"POST","path":"/Groups","body":{"displayName":"G"}})"
    "\n";
const char kAdd[] =
    R"({"op":"g:g-1:add:1","kind":"group.members.add","externalId":"g-1","deps":["g:g-1:create","u:e-1:create"],"members":2,"method":"PATCH","path":"/Groups/{id}","id":{"$ref":"g:g-1:create"},"body":{"Operations":[{"op":"add","path":"members","value":[{"value":{"$ref":"u:e-1:create"}},{"value":"t-7"}]}]}})"
    "\n";

TEST(PlanReaderTest, ReadsOperationsWithDepsRefsAndBodyTemplate) {
  const std::string text = Header(3) + kCreate + kGroupCreate + kAdd;
  Result<ReadPlan> plan = ParsePlan(text, "plan.ndjson");
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->info.profile, "github-emu");
  EXPECT_EQ(plan->info.rejects, 2u);
  EXPECT_EQ(plan->info.conflicts, 4u);
  EXPECT_EQ(plan->digest.size(), 16u);
  ASSERT_EQ(plan->operations.size(), 3u);
  const PlanOperation& add = plan->operations[2];
  EXPECT_EQ(add.op_id, "g:g-1:add:1");
  EXPECT_EQ(add.kind, OperationKind::kGroupMembersAdd);
  EXPECT_EQ(add.external_id, "g-1");
  EXPECT_EQ(add.deps, (std::vector<uint32_t>{1, 0}));
  EXPECT_EQ(add.members, 2u);
  EXPECT_EQ(add.id_ref, 1u);
  EXPECT_EQ(add.line, 4u);
  EXPECT_EQ(add.body.refs, (std::vector<uint32_t>{0}));
  const std::string body = RenderBody(
      add.body, [](uint32_t ref) -> std::string_view { return ref == 0 ? "id\"x" : ""; });
  EXPECT_EQ(
      body,
      R"({"Operations":[{"op":"add","path":"members","value":[{"value":"id\"x"},{"value":"t-7"}]}]})");
  EXPECT_EQ(RenderBody(plan->operations[0].body, {}), R"({"userName":"a"})");
  EXPECT_EQ(plan->operations[0].id_ref, PlanOperation::kNoRef);
}

TEST(PlanReaderTest, DeleteHasNoBody) {
  const std::string text =
      Header(1) +
      R"({"op":"g:g-2:delete","kind":"group.delete","externalId":"g-2","method":"DELETE","path":"/Groups/{id}","id":"t-2"})";
  Result<ReadPlan> plan = ParsePlan(text, "plan.ndjson");
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_TRUE(plan->operations[0].body.empty());
  EXPECT_EQ(plan->operations[0].target_id, "t-2");
}

std::string ErrorOf(const std::string& text) {
  Result<ReadPlan> plan = ParsePlan(text, "plan.ndjson");
  return plan.ok() ? "ok" : plan.status().message();
}

TEST(PlanReaderTest, EmptyFileIsRefused) { EXPECT_EQ(ErrorOf(""), "plan.ndjson: empty plan file"); }

TEST(PlanReaderTest, TruncatedPlanIsRefused) {
  EXPECT_EQ(ErrorOf(Header(3) + kCreate + kGroupCreate),
            "plan.ndjson: truncated: the header announces 3 operations, the file holds 2");
  const std::string cut = std::string(kAdd).substr(0, 40);
  EXPECT_EQ(ErrorOf(Header(3) + kCreate + kGroupCreate + cut), "plan.ndjson:4: malformed JSON");
}

TEST(PlanReaderTest, MalformedJsonNamesTheLine) {
  EXPECT_EQ(ErrorOf(Header(2) + kCreate + "{\"op\":\n"), "plan.ndjson:3: malformed JSON");
  EXPECT_EQ(ErrorOf("not json\n"), "plan.ndjson:1: malformed JSON");
}

TEST(PlanReaderTest, WrongHeaderIsRefused) {
  EXPECT_EQ(ErrorOf("{\"format\":\"scimflow-plan\",\"version\":2,\"total\":0}\n"),
            "plan.ndjson:1: not a scimflow-plan version 1 header");
}

TEST(PlanReaderTest, WrongTypesAreRefused) {
  EXPECT_EQ(ErrorOf(Header(1) + R"({"op":7,"kind":"user.create"})"),
            "plan.ndjson:2: wrong type for \"op\": expected string");
  EXPECT_EQ(
      ErrorOf(
          Header(1) +
          R"({"op":"a","kind":"user.create","externalId":"e","method":"POST","path":"/Users","body":[1]})"),
      "plan.ndjson:2: wrong type for \"body\": expected object");
  EXPECT_EQ(ErrorOf(Header(1) + R"({"op":"a","kind":"user.create","deps":"x"})"),
            "plan.ndjson:2: wrong type for \"deps\": expected array");
}

TEST(PlanReaderTest, UnknownKindIsRefused) {
  EXPECT_EQ(ErrorOf(Header(1) + R"({"op":"a","kind":"user.frobnicate"})"),
            "plan.ndjson:2: unknown kind \"user.frobnicate\"");
}

TEST(PlanReaderTest, MissingMembersAreRefused) {
  EXPECT_EQ(ErrorOf(Header(1) + R"({"op":"a","kind":"user.create","method":"POST"})"),
            "plan.ndjson:2: missing required attribute \"externalId\"");
  EXPECT_EQ(
      ErrorOf(
          Header(1) +
          R"({"op":"a","kind":"user.update","externalId":"e","method":"PATCH","path":"/Users/{id}","body":{}})"),
      "plan.ndjson:2: path names {id} but the operation has no \"id\"");
}

TEST(PlanReaderTest, UnknownRefIsRefused) {
  EXPECT_EQ(
      ErrorOf(
          Header(2) + kGroupCreate +
          R"({"op":"g:g-1:add:1","kind":"group.members.add","externalId":"g-1","deps":["g:g-1:create"],"method":"PATCH","path":"/Groups/{id}","id":{"$ref":"g:g-1:create"},"body":{"v":{"$ref":"u:e-9:create"}}})"),
      "plan.ndjson:3: unknown $ref \"u:e-9:create\"");
  EXPECT_EQ(
      ErrorOf(
          Header(1) +
          R"({"op":"x","kind":"group.members.add","externalId":"g-1","deps":["nope"],"method":"PATCH","path":"/Groups/{id}","id":"t","body":{}})"),
      "plan.ndjson:2: unknown $ref \"nope\"");
}

TEST(PlanReaderTest, DuplicateOpIdIsRefused) {
  EXPECT_EQ(ErrorOf(Header(2) + kCreate + kCreate),
            "plan.ndjson:3: duplicate op id \"u:e-1:create\"");
}

TEST(PlanReaderTest, MissingFileIsNotFound) {
  Result<ReadPlan> plan = ReadPlanFile("/nonexistent/plan.ndjson");
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(plan.status().message(), "/nonexistent/plan.ndjson: cannot open the plan file");
}

}  // namespace
}  // namespace scimflow
