#include "io/ndjson_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/ingest_testutil.h"

namespace scimflow {
namespace {

using testing::PaddedChunk;

// Parses `text` as one whole file's chunk and renders rejects as `line: reason` (1-based).
class NdjsonParserTest : public ::testing::Test {
 protected:
  ChunkParseStats Parse(std::string_view text, JsonRecordType type = JsonRecordType::kScimUser,
                        bool last = true) {
    PaddedChunk padded(text, true, last, 1000);
    return ParseNdjsonChunk(padded.chunk(), type, "users.ndjson", options_, &parser_, &chunk_);
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

constexpr std::string_view kThreeUsers =
    R"({"externalId":"e1","userName":"u1","name":{"givenName":"A","familyName":"B"},"active":true})"
    "\n"
    R"({"externalId":"e2","userName":"u2","emails":[{"value":"u2@x","type":"work","primary":true}]})"
    "\n"
    R"({"externalId":"e3","userName":"u3","active":false,"roles":[{"value":"user"}]})"
    "\n";

TEST_F(NdjsonParserTest, CleanChunkTakesTheFastPathAndKeepsEveryField) {
  const ChunkParseStats stats = Parse(kThreeUsers);
  EXPECT_TRUE(stats.fast_path);
  EXPECT_EQ(stats.newlines, 3u);
  ASSERT_EQ(chunk_.users.size(), 3u);
  EXPECT_TRUE(chunk_.rejects.empty());
  const User& first = chunk_.users[0];
  EXPECT_EQ(first.external_id, "e1");
  EXPECT_EQ(first.user_name, "u1");
  EXPECT_EQ(first.name.given_name, "A");
  EXPECT_EQ(first.name.family_name, "B");
  EXPECT_TRUE(first.active);
  EXPECT_EQ(first.origin.file, "users.ndjson");
  EXPECT_EQ(first.origin.line, 0u);
  EXPECT_EQ(first.origin.byte_offset, 1000u);
  EXPECT_EQ(first.origin.byte_length, kThreeUsers.find('\n'));
  const User& second = chunk_.users[1];
  EXPECT_EQ(second.origin.line, 1u);
  EXPECT_EQ(second.origin.byte_offset, 1000u + kThreeUsers.find('\n') + 1);
  ASSERT_EQ(second.emails.size(), 1u);
  EXPECT_EQ(second.emails[0].value, "u2@x");
  EXPECT_FALSE(chunk_.users[2].active);
  ASSERT_EQ(chunk_.users[2].roles.size(), 1u);
  EXPECT_EQ(chunk_.users[2].roles[0].value, "user");
}

TEST_F(NdjsonParserTest, RecordsCanBeReReadAtTheirByteOffset) {
  Parse(kThreeUsers);
  for (const User& user : chunk_.users) {
    const std::string_view text =
        kThreeUsers.substr(user.origin.byte_offset - 1000, user.origin.byte_length);
    EXPECT_TRUE(text.starts_with("{\"externalId\":\"" + std::string(user.external_id)));
    EXPECT_TRUE(text.ends_with("}"));
  }
}

TEST_F(NdjsonParserTest, BlankLinesAndCrlfAreSkippedButCounted) {
  const ChunkParseStats stats = Parse(
      "\n{\"externalId\":\"e1\",\"userName\":\"u1\"}\r\n  \n\n"
      "{\"externalId\":\"e2\",\"userName\":\"u2\"}\n");
  EXPECT_EQ(stats.newlines, 5u);
  ASSERT_EQ(chunk_.users.size(), 2u);
  EXPECT_EQ(chunk_.users[0].origin.line, 1u);
  EXPECT_EQ(chunk_.users[1].origin.line, 4u);
}

TEST_F(NdjsonParserTest, UnusableRecordsAreRejectedOnTheFastPath) {
  const ChunkParseStats stats = Parse(
      "{\"externalId\":\"e1\",\"userName\":\"u1\"}\n"
      "{\"userName\":\"u2\"}\n"
      "{\"externalId\":\"e3\",\"userName\":3}\n"
      "{\"externalId\":\"e4\",\"userName\":\"u4\",\"active\":\"yes\"}\n"
      "{\"externalId\":\"e5\",\"userName\":\"u5\"}\n");
  EXPECT_TRUE(stats.fast_path);
  ASSERT_EQ(chunk_.users.size(), 2u);
  EXPECT_EQ(chunk_.users[1].external_id, "e5");
  EXPECT_EQ(Rejects(), (std::vector<std::string>{
                           R"(2: missing required attribute "externalId")",
                           R"(3: wrong type for "userName": expected string)",
                           R"(4: wrong type for "active": expected boolean)",
                       }));
  EXPECT_EQ(chunk_.rejects[0].excerpt, "{\"userName\":\"u2\"}");
}

// The fast path reads a chunk in windows of about 128 KiB: records on both sides of every window
// boundary, blank lines, a reject, and one line longer than a window must come out exactly as a
// single pass would give them.
TEST_F(NdjsonParserTest, ChunkLargerThanTheFastPathWindowKeepsEveryLineAndOffset) {
  std::string text;
  std::vector<size_t> offsets;  // Of each record's line, by record number.
  std::vector<uint64_t> lines;
  uint64_t line = 0;
  for (int record = 0; record < 6000; ++record) {
    if (record % 1000 == 7) {
      text += "\n";  // A blank line: counted, not a record.
      ++line;
    }
    offsets.push_back(text.size());
    lines.push_back(line);
    std::string display;
    if (record == 3000) display = std::string(200 << 10, 'x');  // Longer than a window.
    text += "{\"externalId\":\"e" + std::to_string(record) + "\",\"userName\":\"u" +
            std::to_string(record) + "\",\"displayName\":\"" + display + "\"" +
            (record == 4500 ? ",\"active\":1" : "") + "}\n";
    ++line;
  }
  ASSERT_GT(text.size(), size_t{3} * (128 << 10));  // Several windows.
  const ChunkParseStats stats = Parse(text);
  EXPECT_TRUE(stats.fast_path);
  EXPECT_EQ(stats.newlines, line);
  ASSERT_EQ(chunk_.users.size(), 5999u);
  EXPECT_EQ(Rejects(),
            (std::vector<std::string>{std::to_string(lines[4500] + 1) +
                                      R"(: wrong type for "active": expected boolean)"}));
  for (size_t index = 0; index < chunk_.users.size(); ++index) {
    const size_t record = index < 4500 ? index : index + 1;
    const User& user = chunk_.users[index];
    ASSERT_EQ(user.external_id, "e" + std::to_string(record));
    EXPECT_EQ(user.origin.line, lines[record]);
    EXPECT_EQ(user.origin.byte_offset, 1000 + offsets[record]);
    EXPECT_EQ(text.substr(offsets[record] + user.origin.byte_length, 1), "\n");
  }
  EXPECT_EQ(chunk_.users[3000].display_name.size(), size_t{200} << 10);
}

TEST_F(NdjsonParserTest, MalformedLineIsRejectedAndTheRestOfTheChunkSurvives) {
  const ChunkParseStats stats = Parse(
      "{\"externalId\":\"e1\",\"userName\":\"u1\"}\n"
      "{\"externalId\":\"e2\",\"userName\":\n"
      "{\"externalId\":\"e3\",\"userName\":\"u3\"}\n"
      "not json at all\n"
      "{\"externalId\":\"e5\",\"userName\":\"u5\"}}\n"
      "[1,2]\n"
      "{\"externalId\":\"e7\",\"userName\":\"u7\"} {\"externalId\":\"e8\",\"userName\":\"u8\"}\n"
      "{\"externalId\":\"e9\",\"userName\":\"u9\"}\n");
  EXPECT_FALSE(stats.fast_path);
  EXPECT_EQ(stats.newlines, 8u);
  ASSERT_EQ(chunk_.users.size(), 3u);
  EXPECT_EQ(chunk_.users[0].external_id, "e1");
  EXPECT_EQ(chunk_.users[1].external_id, "e3");
  EXPECT_EQ(chunk_.users[1].origin.line, 2u);
  EXPECT_EQ(chunk_.users[2].external_id, "e9");
  EXPECT_EQ(Rejects(),
            (std::vector<std::string>{"2: malformed JSON", "4: malformed JSON", "5: malformed JSON",
                                      "6: malformed JSON", "7: malformed JSON"}));
}

TEST_F(NdjsonParserTest, InvalidUtf8CostsOnlyItsLine) {
  const ChunkParseStats stats = Parse(
      "{\"externalId\":\"e1\",\"userName\":\"u1\"}\n"
      "{\"externalId\":\"e2\",\"userName\":\"bad \xC3\x28 byte\"}\n"
      "{\"externalId\":\"e3\",\"userName\":\"\xED\xA0\x80\"}\n"
      "{\"externalId\":\"e4\",\"userName\":\"caf\xC3\xA9\"}\n");
  EXPECT_FALSE(stats.fast_path);
  ASSERT_EQ(chunk_.users.size(), 2u);
  EXPECT_EQ(chunk_.users[1].user_name, "caf\xC3\xA9");
  EXPECT_EQ(Rejects(), (std::vector<std::string>{"2: invalid UTF-8", "3: invalid UTF-8"}));
}

TEST_F(NdjsonParserTest, LineLongerThanTheLimitIsRejectedWithTheLimit) {
  options_.max_line_bytes = 64;
  const std::string long_line =
      "{\"externalId\":\"e2\",\"userName\":\"" + std::string(100, 'x') + "\"}";
  Parse("{\"externalId\":\"e1\",\"userName\":\"u1\"}\n" + long_line +
        "\n{\"externalId\":\"e3\",\"userName\":\"u3\"}\n");
  ASSERT_EQ(chunk_.users.size(), 2u);
  EXPECT_EQ(Rejects(), (std::vector<std::string>{"2: line longer than 64 bytes"}));
  EXPECT_EQ(chunk_.rejects[0].excerpt.size(), long_line.size() < 120 ? long_line.size() : 120u);
}

TEST_F(NdjsonParserTest, LastLineCutOffByTheEndOfTheFileIsTruncated) {
  Parse("{\"externalId\":\"e1\",\"userName\":\"u1\"}\n{\"externalId\":\"e2\",\"userNa");
  ASSERT_EQ(chunk_.users.size(), 1u);
  EXPECT_EQ(Rejects(), (std::vector<std::string>{"2: truncated record"}));
  chunk_ = RecordChunk();
  Parse("{\"externalId\":\"e1\",\"userName\":\"u1\",\"name\":{\"givenName\":\"A\"");
  EXPECT_EQ(Rejects(), (std::vector<std::string>{"1: truncated record"}));
}

TEST_F(NdjsonParserTest, CutOffLineInTheMiddleOfTheFileIsMalformed) {
  Parse("{\"externalId\":\"e1\",\"userNa\n{\"externalId\":\"e2\",\"userName\":\"u2\"}");
  ASSERT_EQ(chunk_.users.size(), 1u);
  EXPECT_EQ(Rejects(), (std::vector<std::string>{"1: malformed JSON"}));
}

TEST_F(NdjsonParserTest, LastLineWithoutNewlineIsARecord) {
  const ChunkParseStats stats = Parse("{\"externalId\":\"e1\",\"userName\":\"u1\"}");
  EXPECT_TRUE(stats.fast_path);
  EXPECT_EQ(stats.newlines, 0u);
  ASSERT_EQ(chunk_.users.size(), 1u);
}

TEST_F(NdjsonParserTest, GroupsAndAssignmentsUseTheirMappings) {
  Parse(
      "{\"externalId\":\"g1\",\"displayName\":\"Eng\",\"members\":[\"e1\",\"e2\"]}\n"
      "{\"externalId\":\"g2\"}\n",
      JsonRecordType::kGroup);
  ASSERT_EQ(chunk_.groups.size(), 1u);
  EXPECT_EQ(chunk_.groups[0].member_external_ids.size(), 2u);
  EXPECT_EQ(Rejects(),
            (std::vector<std::string>{R"(2: missing required attribute "displayName")"}));
  chunk_ = RecordChunk();
  Parse("{\"externalId\":\"e1\",\"roles\":[\"user\"]}\n", JsonRecordType::kAssignment);
  ASSERT_EQ(chunk_.assignments.size(), 1u);
  EXPECT_EQ(chunk_.assignments[0].roles[0].value, "user");
}

TEST_F(NdjsonParserTest, EmptyAndBlankChunksYieldNothing) {
  EXPECT_EQ(Parse("").newlines, 0u);
  EXPECT_EQ(Parse("\n\n  \n").newlines, 3u);
  EXPECT_TRUE(chunk_.users.empty());
  EXPECT_TRUE(chunk_.rejects.empty());
}

TEST_F(NdjsonParserTest, TruncationDetectorSeesOpenStringsAndContainers) {
  EXPECT_TRUE(internal::EndsInsideJsonValue(R"({"a":"b)"));
  EXPECT_TRUE(internal::EndsInsideJsonValue(R"({"a":[1,2)"));
  EXPECT_TRUE(internal::EndsInsideJsonValue(R"({"a":"\"}")"));
  EXPECT_FALSE(internal::EndsInsideJsonValue(R"({"a":"}"})"));
  EXPECT_FALSE(internal::EndsInsideJsonValue(R"(nonsense)"));
}

}  // namespace
}  // namespace scimflow
