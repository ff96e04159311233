#include "io/plan_reader.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "tests/test_directory.h"

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
  ASSERT_EQ(add.body.holes.size(), 1u);
  EXPECT_EQ(add.body.holes[0].ref, 0u);
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

TEST(PlanReaderTest, DigestIsXxh3OfTheWholeText) {
  // The journal keys a plan's rows by it: it must stay XXH3-64 of the file's bytes, however the
  // file ends.
  const std::string plan = Header(3) + kCreate + kGroupCreate + kAdd;
  for (const std::string& text : {plan, plan + "\n", plan.substr(0, plan.size() - 1)}) {
    Result<ReadPlan> read = ParsePlan(text, "plan.ndjson");
    ASSERT_TRUE(read.ok()) << read.status().message();
    EXPECT_EQ(read->digest, fmt::format("{:016x}", XXH3_64bits(text.data(), text.size())));
  }
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

// A plan of `users` creates, then one member chunk that names every one of them, last first.
std::string ManyCreatesAndOneChunk(int users, const std::string& extra_line = "") {
  std::string text = Header(users + 1 + (extra_line.empty() ? 0 : 1));
  std::string deps;
  for (int user = 0; user < users; ++user) {
    const std::string id = "u:e-" + std::to_string(user) + ":create";
    text += R"({"op":")" + id +
            R"(","kind":"user.create","externalId":"e","method":"POST","path":"/Users","body":{}})"
            "\n";
    deps = "\"" + id + "\"" + (deps.empty() ? "" : ",") + deps;
  }
  text += extra_line;
  text += R"({"op":"g:g-1:add:1","kind":"group.members.add","externalId":"g-1","deps":[)" + deps +
          R"(],"method":"PATCH","path":"/Groups/{id}","id":"t","body":{}})"
          "\n";
  return text;
}

TEST(PlanReaderTest, EveryReferenceOfALargePlanFindsItsOperation) {
  constexpr int kUsers = 3000;
  Result<ReadPlan> plan = ParsePlan(ManyCreatesAndOneChunk(kUsers), "plan.ndjson");
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  const std::vector<uint32_t>& deps = plan->operations.back().deps;
  ASSERT_EQ(deps.size(), static_cast<size_t>(kUsers));
  for (int dep = 0; dep < kUsers; ++dep) ASSERT_EQ(deps[dep], kUsers - 1 - dep) << dep;
  EXPECT_EQ(
      ErrorOf(ManyCreatesAndOneChunk(
          kUsers,
          R"({"op":"u:e-1234:create","kind":"user.create","externalId":"e","method":"POST","path":"/Users","body":{}})"
          "\n")),
      "plan.ndjson:3002: duplicate op id \"u:e-1234:create\"");
}

TEST(PlanReaderTest, LineCutShortIsRefusedEvenWhenAnotherLineFollows) {
  // Lines are parsed in place in one buffer: the next line must not complete a cut one.
  const std::string cut = std::string(kGroupCreate).substr(0, 60) + "\n";
  EXPECT_EQ(ErrorOf(Header(3) + kCreate + cut + kAdd), "plan.ndjson:3: malformed JSON");
  EXPECT_EQ(ErrorOf(Header(2) + kCreate + R"({"op":"a","kind":)" + "\n" + R"("user.create"})"),
            "plan.ndjson:3: malformed JSON");
}

// Writes `text` to a file of its own and reads it back with ReadPlanFile.
class PlanReaderFileTest : public ::testing::Test {
 protected:
  void SetUp() override { directory_ = testing::FreshTestDirectory("plan_reader").string(); }
  void TearDown() override { std::filesystem::remove_all(directory_); }
  Result<ReadPlan> Read(const std::string& text) {
    path_ = directory_ + "/plan.ndjson";
    std::ofstream(path_, std::ios::binary | std::ios::trunc) << text;
    return ReadPlanFile(path_);
  }
  std::string directory_;
  std::string path_;
};

TEST_F(PlanReaderFileTest, FileReadsLikeItsText) {
  // No newline after the last line: it ends at the end of the file.
  std::string text = Header(3) + kCreate + kGroupCreate + kAdd;
  text.pop_back();
  Result<ReadPlan> from_file = Read(text);
  ASSERT_TRUE(from_file.ok()) << from_file.status().message();
  Result<ReadPlan> from_text = ParsePlan(text, "plan.ndjson");
  ASSERT_TRUE(from_text.ok()) << from_text.status().message();
  EXPECT_EQ(from_file->digest, from_text->digest);
  ASSERT_EQ(from_file->operations.size(), 3u);
  for (size_t index = 0; index < 3; ++index) {
    const PlanOperation& read = from_file->operations[index];
    const PlanOperation& parsed = from_text->operations[index];
    EXPECT_EQ(read.op_id, parsed.op_id);
    EXPECT_EQ(read.deps, parsed.deps);
    EXPECT_EQ(read.body.json, parsed.body.json);
    EXPECT_EQ(read.body.holes, parsed.body.holes);
    EXPECT_EQ(read.line, index + 2);
  }
}

TEST_F(PlanReaderFileTest, BrokenFilesNameThePathAndLine) {
  Result<ReadPlan> truncated = Read(Header(3) + kCreate + kGroupCreate);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().message(),
            path_ + ": truncated: the header announces 3 operations, the file holds 2");
  const std::string cut = std::string(kGroupCreate).substr(0, 60) + "\n";
  Result<ReadPlan> malformed = Read(Header(3) + kCreate + cut + kAdd);
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.status().message(), path_ + ":3: malformed JSON");
  Result<ReadPlan> empty = Read("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().message(), path_ + ": empty plan file");
}

// Whether `view` points into the plan's own text (rather than its unescaped copies).
bool InText(const ReadPlan& plan, std::string_view view) {
  const std::string_view text = plan.text.text();
  return view.data() >= text.data() && view.data() + view.size() <= text.data() + text.size();
}

TEST_F(PlanReaderFileTest, FileOfWholePagesReadsToItsLastByte) {
  // simdjson reads past the end of the last line: with the file ending on a page boundary, those
  // bytes must still be readable, and zeros.
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  for (const size_t size : {page, 2 * page}) {
    for (const bool newline : {false, true}) {
      const std::string head = Header(1) +
                               R"({"op":"u:e-1:create","kind":"user.create","externalId":"e-1",)"
                               R"("method":"POST","path":"/Users","body":{"userName":"a)";
      const std::string tail = std::string("\"}}") + (newline ? "\n" : "");
      ASSERT_LT(head.size() + tail.size(), size);
      const std::string spaces(size - head.size() - tail.size(), ' ');
      const std::string text = head + spaces + tail;
      ASSERT_EQ(text.size(), size);
      Result<ReadPlan> plan = Read(text);
      ASSERT_TRUE(plan.ok()) << plan.status().message();
      // What simdjson may read after the last line: readable, and zeros.
      for (size_t offset = size; offset < size + simdjson::SIMDJSON_PADDING; ++offset) {
        ASSERT_EQ(plan->text.data()[offset], 0) << "at " << offset;
      }
      ASSERT_EQ(plan->operations.size(), 1u);
      EXPECT_EQ(RenderBody(plan->operations[0].body, {}),
                std::string(R"({"userName":"a)") + spaces + "\"}");
      EXPECT_EQ(plan->digest, ParsePlan(text, "plan.ndjson")->digest);
    }
  }
}

// A plan whose ids hold JSON escapes, so they cannot be views into its raw text.
std::string EscapedPlan() {
  return Header(2) +
         R"({"op":"u:e\"1:create","kind":"user.create","externalId":"\u00e9-1","method":"POST",)"
         R"("path":"/Users","body":{"userName":"\u00e9"}})"
         "\n"
         R"({"op":"g:g-1:add:1","kind":"group.members.add","externalId":"g-1",)"
         R"("deps":["u:e\"1:create"],"members":1,"method":"PATCH","path":"/Groups/{id}",)"
         R"("id":"t\/9","body":{"v":[{"value":{"$ref":"u:e\"1:create"}}]}})"
         "\n";
}

// What the operations of EscapedPlan() must read as, wherever their plan has moved.
void ExpectEscapedPlanReads(const ReadPlan& plan) {
  ASSERT_EQ(plan.operations.size(), 2u);
  const PlanOperation& create = plan.operations[0];
  const PlanOperation& add = plan.operations[1];
  EXPECT_EQ(create.op_id, "u:e\"1:create");
  EXPECT_EQ(create.external_id, "\xc3\xa9-1");
  EXPECT_EQ(add.op_id, "g:g-1:add:1");
  EXPECT_EQ(add.external_id, "g-1");
  EXPECT_EQ(add.method, "PATCH");
  EXPECT_EQ(add.path, "/Groups/{id}");
  EXPECT_EQ(add.target_id, "t/9");
  EXPECT_EQ(add.deps, (std::vector<uint32_t>{0}));
  // Bodies are raw JSON, escapes and all.
  EXPECT_EQ(RenderBody(create.body, {}), R"({"userName":"\u00e9"})");
  EXPECT_EQ(
      RenderBody(add.body, [](uint32_t ref) -> std::string_view { return ref == 0 ? "t-1" : ""; }),
      R"({"v":[{"value":"t-1"}]})");
}

TEST(PlanReaderTest, EscapedIdsAreUnescapedBesideTheText) {
  Result<ReadPlan> plan = ParsePlan(EscapedPlan(), "plan.ndjson");
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ExpectEscapedPlanReads(*plan);
  EXPECT_FALSE(InText(*plan, plan->operations[0].op_id));
  EXPECT_FALSE(InText(*plan, plan->operations[0].external_id));
  EXPECT_FALSE(InText(*plan, plan->operations[1].target_id));
  EXPECT_TRUE(InText(*plan, plan->operations[1].op_id));
  EXPECT_TRUE(InText(*plan, plan->operations[1].external_id));
  EXPECT_TRUE(InText(*plan, plan->operations[0].body.json));
}

TEST_F(PlanReaderFileTest, MovedPlanStaysReadable) {
  // Under AddressSanitizer a view left pointing into the moved-from plan is a use after free.
  std::optional<ReadPlan> from_file;
  {
    Result<ReadPlan> read = Read(EscapedPlan());
    ASSERT_TRUE(read.ok()) << read.status().message();
    from_file.emplace(std::move(*read));
  }
  ExpectEscapedPlanReads(*from_file);

  std::optional<ReadPlan> copied;
  {
    Result<ReadPlan> parsed = ParsePlan(EscapedPlan(), "plan.ndjson");
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    copied.emplace(std::move(*parsed));
  }
  ExpectEscapedPlanReads(*copied);

  // Assigned over a plan of its own, which is released.
  Result<ReadPlan> other = ParsePlan(Header(1) + kCreate, "plan.ndjson");
  ASSERT_TRUE(other.ok()) << other.status().message();
  *other = std::move(*from_file);
  from_file.reset();
  ExpectEscapedPlanReads(*other);
}

TEST_F(PlanReaderFileTest, PlanFromAPipeReadsLikeItsText) {
  const std::string fifo = directory_ + "/plan.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Longer than a pipe's buffer, so the reader must read it in several goes.
  std::string text = Header(300);
  for (int user = 0; user < 300; ++user) {
    text += R"({"op":"u:e-)" + std::to_string(user) +
            R"(:create","kind":"user.create","externalId":"e","method":"POST","path":"/Users",)"
            R"("body":{"userName":")" +
            std::string(200, 'a') + "\"}}\n";
  }
  ASSERT_GT(text.size(), 65536u);
  std::thread writer([&] { std::ofstream(fifo, std::ios::binary) << text; });
  Result<ReadPlan> plan = ReadPlanFile(fifo);
  writer.join();
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_EQ(plan->operations.size(), 300u);
  EXPECT_EQ(plan->operations[299].op_id, "u:e-299:create");
  EXPECT_EQ(plan->digest, ParsePlan(text, "plan.ndjson")->digest);
}

TEST_F(PlanReaderFileTest, EmptyFileIsRefused) {
  Result<ReadPlan> empty = Read("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(empty.status().message(), path_ + ": empty plan file");
}

TEST(PlanReaderTest, MissingFileIsNotFound) {
  Result<ReadPlan> plan = ReadPlanFile("/nonexistent/plan.ndjson");
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(plan.status().message(), "/nonexistent/plan.ndjson: cannot open the plan file");
}

}  // namespace
}  // namespace scimflow
