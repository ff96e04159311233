#include "io/json_array_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/ingest_testutil.h"

namespace scimflow {
namespace {

using testing::PaddedChunk;

class JsonArrayParserTest : public ::testing::Test {
 protected:
  ChunkParseStats Parse(std::string_view text, bool first = true, bool last = true) {
    PaddedChunk padded(text, first, last);
    return ParseJsonArrayChunk(padded.chunk(), JsonRecordType::kScimUser, "users.json", options_,
                               &parser_, &chunk_);
  }
  std::vector<std::string> Rejects() const {
    std::vector<std::string> lines;
    for (const Reject& reject : chunk_.rejects) {
      lines.push_back(std::to_string(reject.origin.line + 1) + ": " + std::string(reject.reason));
    }
    return lines;
  }

  EngineOptions options_;
  simdjson::ondemand::parser parser_;
  RecordChunk chunk_;
};

TEST_F(JsonArrayParserTest, ScannerFindsElementsAcrossStringsAndNesting) {
  const std::string_view text = R"([{"a":"}],{"},{"b":[{"c":1}]} , {"d":"\"]"}, 7])";
  const JsonArrayScan scan = ScanJsonArray(text, true);
  ASSERT_EQ(scan.elements.size(), 4u);
  EXPECT_EQ(text.substr(scan.elements[0].begin, scan.elements[0].end - scan.elements[0].begin),
            R"({"a":"}],{"})");
  EXPECT_EQ(text.substr(scan.elements[2].begin, scan.elements[2].end - scan.elements[2].begin),
            R"({"d":"\"]"})");
  EXPECT_TRUE(scan.opened);
  EXPECT_TRUE(scan.closed);
  EXPECT_EQ(scan.closed_at, text.size() - 1);
}

TEST_F(JsonArrayParserTest, ScannerStopsBeforeAnIncompleteElement) {
  const std::string_view text = "{\"a\":1},\n{\"b\":\"x";
  const JsonArrayScan scan = ScanJsonArray(text, false);
  ASSERT_EQ(scan.elements.size(), 1u);
  EXPECT_EQ(scan.complete_prefix, 7u);
  EXPECT_FALSE(scan.closed);
}

TEST_F(JsonArrayParserTest, PrettyPrintedElementsSpanLinesAndKeepTheirFirstLine) {
  const ChunkParseStats stats = Parse(
      "[\n  {\n    \"externalId\": \"e1\",\n    \"userName\": \"u1\"\n  },\n"
      "  {\"externalId\": \"e2\", \"userName\": \"u2\"}\n]\n");
  EXPECT_EQ(stats.newlines, 7u);
  ASSERT_EQ(chunk_.users.size(), 2u);
  EXPECT_EQ(chunk_.users[0].origin.line, 1u);
  EXPECT_EQ(chunk_.users[1].origin.line, 5u);
  EXPECT_TRUE(chunk_.rejects.empty());
}

TEST_F(JsonArrayParserTest, BadElementsAreRejectedAndOthersKept) {
  Parse(
      "[\n{\"externalId\":\"e1\",\"userName\":\"u1\"},\n{\"externalId\":\"e2\"},\n"
      "{\"externalId\":\"e3\",\"userName\":\"u3\",},\n\"text\",\n"
      "{\"externalId\":\"e5\",\"userName\":\"\xFF\"},\n"
      "{\"externalId\":\"e6\",\"userName\":\"u6\"}\n]");
  ASSERT_EQ(chunk_.users.size(), 2u);
  EXPECT_EQ(chunk_.users[1].external_id, "e6");
  EXPECT_EQ(Rejects(), (std::vector<std::string>{R"(3: missing required attribute "userName")",
                                                 "4: malformed JSON", "5: malformed JSON",
                                                 "6: invalid UTF-8"}));
}

TEST_F(JsonArrayParserTest, EndOfFileInsideTheArrayIsTruncated) {
  Parse("[\n{\"externalId\":\"e1\",\"userName\":\"u1\"},\n{\"externalId\":\"e2\",");
  ASSERT_EQ(chunk_.users.size(), 1u);
  EXPECT_EQ(Rejects(), (std::vector<std::string>{"3: truncated record"}));
}

TEST_F(JsonArrayParserTest, ContentAfterTheArrayIsMalformed) {
  Parse("[{\"externalId\":\"e1\",\"userName\":\"u1\"}]\n{\"externalId\":\"e2\"}\n");
  ASSERT_EQ(chunk_.users.size(), 1u);
  EXPECT_EQ(Rejects(), (std::vector<std::string>{"2: malformed JSON"}));
}

TEST_F(JsonArrayParserTest, TextThatIsNoArrayIsOneMalformedRecord) {
  Parse("  {\"externalId\":\"e1\",\"userName\":\"u1\"}\n");
  EXPECT_TRUE(chunk_.users.empty());
  EXPECT_EQ(Rejects(), (std::vector<std::string>{"1: malformed JSON"}));
}

TEST_F(JsonArrayParserTest, EmptyArrayHasNoRecordsAndNoRejects) {
  Parse("[ ]\n");
  EXPECT_TRUE(chunk_.users.empty());
  EXPECT_TRUE(chunk_.rejects.empty());
}

}  // namespace
}  // namespace scimflow
