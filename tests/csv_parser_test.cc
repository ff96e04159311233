#include "io/csv_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace scimflow {
namespace {

constexpr std::string_view kUsersHeader =
    "externalId,userName,givenName,familyName,email,active,roles\n";

CsvHeader Header(std::string_view line, InputKind kind) {
  Result<CsvHeader> header = ParseCsvHeader(line, kind, "in.csv");
  EXPECT_TRUE(header.ok()) << header.status().ToString();
  return header.ok() ? *header : CsvHeader{};
}

// Parses `rows` as the rows after `header_line` (line 2, offset after the header).
RecordChunk Parse(std::string_view header_line, std::string_view rows, InputKind kind,
                  EngineOptions options = {}) {
  RecordChunk chunk;
  ParseCsvRows(Header(header_line, kind), rows, "in.csv", 2, header_line.size(), options, &chunk);
  return chunk;
}

// `file:line: reason` of every reject, in order.
std::vector<std::string> Rejects(const RecordChunk& chunk) {
  std::vector<std::string> lines;
  for (const Reject& reject : chunk.rejects) {
    lines.push_back(LocatedMessage(reject.origin.file, reject.origin.line, reject.reason));
  }
  return lines;
}

TEST(CsvParserTest, HeaderMapsColumnsByNameInAnyOrderAndIgnoresUnknownOnes) {
  CsvHeader header =
      Header("\xEF\xBB\xBFnote, userName ,\"externalId\",active\r\n", InputKind::kUsers);
  EXPECT_EQ(header.column_count, 4u);
  EXPECT_EQ(header.IndexOf(CsvColumn::kUserName), 1);
  EXPECT_EQ(header.IndexOf(CsvColumn::kExternalId), 2);
  EXPECT_EQ(header.IndexOf(CsvColumn::kActive), 3);
  EXPECT_EQ(header.IndexOf(CsvColumn::kEmail), CsvHeader::kAbsent);
}

TEST(CsvParserTest, HeaderErrorsNameTheFileLineAndColumn) {
  auto message = [](std::string_view line, InputKind kind) {
    return ParseCsvHeader(line, kind, "users.csv").status().ToString();
  };
  EXPECT_EQ(message("externalId,email\n", InputKind::kUsers),
            "users.csv:1: missing required column \"userName\"");
  EXPECT_EQ(message("groupExternalId,userExternalId\n", InputKind::kGroups),
            "users.csv:1: missing required column \"groupDisplayName\"");
  EXPECT_EQ(message("externalId\n", InputKind::kAssignments),
            "users.csv:1: missing required column \"roles\"");
  EXPECT_EQ(message("", InputKind::kUsers), "users.csv:1: missing required column \"externalId\"");
  EXPECT_EQ(message("externalId,userName,externalId\n", InputKind::kUsers),
            "users.csv:1: duplicate column \"externalId\"");
  EXPECT_EQ(message("externalId,\"userName\n", InputKind::kUsers), "users.csv:1: unbalanced quote");
  EXPECT_EQ(message("externalId,userName,n\xFF\n", InputKind::kUsers),
            "users.csv:1: invalid UTF-8");
}

TEST(CsvParserTest, UsersRowsBecomeUsersWithEveryAttribute) {
  RecordChunk chunk = Parse(kUsersHeader,
                            "u1,ada@example.com,Ada,Lovelace,ada@example.com,true,user\n"
                            "u2,bob,Bob,,,FALSE, enterprise_owner ;;user\n",
                            InputKind::kUsers);
  ASSERT_EQ(chunk.users.size(), 2u);
  EXPECT_TRUE(chunk.rejects.empty());
  const User& ada = chunk.users[0];
  EXPECT_EQ(ada.external_id, "u1");
  EXPECT_EQ(ada.user_name, "ada@example.com");
  EXPECT_EQ(ada.name.given_name, "Ada");
  EXPECT_EQ(ada.name.family_name, "Lovelace");
  ASSERT_EQ(ada.emails.size(), 1u);
  EXPECT_EQ(ada.emails[0].value, "ada@example.com");
  EXPECT_EQ(ada.emails[0].type, "work");
  EXPECT_TRUE(ada.emails[0].primary);
  EXPECT_TRUE(ada.active);
  ASSERT_EQ(ada.roles.size(), 1u);
  EXPECT_EQ(ada.roles[0].value, "user");
  const User& bob = chunk.users[1];
  EXPECT_FALSE(bob.active);
  EXPECT_TRUE(bob.emails.empty());
  EXPECT_EQ(bob.name.family_name, "");
  ASSERT_EQ(bob.roles.size(), 2u);
  EXPECT_EQ(bob.roles[0].value, "enterprise_owner");
  EXPECT_TRUE(bob.roles[0].primary);
  EXPECT_EQ(bob.roles[1].value, "user");
  EXPECT_FALSE(bob.roles[1].primary);
}

TEST(CsvParserTest, QuotedFieldsKeepCommasEscapedQuotesAndNewlines) {
  RecordChunk chunk = Parse("externalId,userName,displayName\r\n",
                            "u1,ada,\"Lovelace, \"\"Ada\"\"\"\r\n"
                            "u2,bob,\"two\r\nlines\"\r\n"
                            "\"u3\",\"\",x\r\n"
                            "u4,dan,\"\"\r\n",
                            InputKind::kUsers);
  EXPECT_EQ(Rejects(chunk),
            std::vector<std::string>{"in.csv:5: missing required attribute \"userName\""});
  ASSERT_EQ(chunk.users.size(), 3u);
  EXPECT_EQ(chunk.users[0].display_name, "Lovelace, \"Ada\"");
  EXPECT_EQ(chunk.users[1].display_name, "two\r\nlines");
  EXPECT_EQ(chunk.users[2].external_id, "u4");
  EXPECT_EQ(chunk.users[2].display_name, "");
  // u2's record spans lines 3 and 4, so u3 is on line 5 and u4 on line 6.
  EXPECT_EQ(chunk.users[2].origin.line, 6u);
}

TEST(CsvParserTest, OriginsGiveLineOffsetAndLengthOfEachRow) {
  std::string header = "externalId,userName\n";
  std::string rows = "a,b\r\n\n\"c\nd\",e\nf,g";
  RecordChunk chunk;
  ParseCsvRows(Header(header, InputKind::kUsers), rows, "in.csv", 10, 1000, EngineOptions{},
               &chunk);
  ASSERT_EQ(chunk.users.size(), 3u);
  EXPECT_EQ(chunk.users[0].origin.line, 10u);
  EXPECT_EQ(chunk.users[0].origin.byte_offset, 1000u);
  EXPECT_EQ(chunk.users[0].origin.byte_length, 3u);
  EXPECT_EQ(chunk.users[1].origin.line, 12u);  // After an empty line, which holds no record.
  EXPECT_EQ(chunk.users[1].origin.byte_offset, 1006u);
  EXPECT_EQ(chunk.users[1].origin.byte_length, 7u);
  EXPECT_EQ(chunk.users[1].external_id, "c\nd");
  EXPECT_EQ(chunk.users[2].origin.line, 14u);  // The last row needs no terminator.
  EXPECT_EQ(chunk.users[2].user_name, "g");
  EXPECT_EQ(chunk.users[2].origin.file, "in.csv");
}

TEST(CsvParserTest, BadRowsAreRejectedWithTheDocumentedReasonsAndTheRestIsKept) {
  EngineOptions options;
  options.max_line_bytes = 40;
  RecordChunk chunk = Parse(kUsersHeader,
                            "u1,ada,,,,true,user\n"
                            "u2,bob,,,,true\n"
                            "u3,cy,,,,true,user,extra\n"
                            ",dan,,,,true,user\n"
                            "u5,,,,,true,user\n"
                            "u6,eve,,,,yes,user\n"
                            "u7,f\xC3\x28,,,,true,user\n"
                            "u8,gil,,,,true," +
                                std::string(40, 'r') +
                                "\n"
                                "u9,hal,,,,true,user\n",
                            InputKind::kUsers, options);
  EXPECT_EQ(Rejects(chunk), (std::vector<std::string>{
                                "in.csv:3: expected 7 columns, got 6",
                                "in.csv:4: expected 7 columns, got 8",
                                "in.csv:5: missing required attribute \"externalId\"",
                                "in.csv:6: missing required attribute \"userName\"",
                                "in.csv:7: wrong type for \"active\": expected boolean",
                                "in.csv:8: invalid UTF-8",
                                "in.csv:9: line longer than 40 bytes",
                            }));
  ASSERT_EQ(chunk.users.size(), 2u);
  EXPECT_EQ(chunk.users[0].external_id, "u1");
  EXPECT_EQ(chunk.users[1].external_id, "u9");
  EXPECT_EQ(chunk.rejects[0].excerpt, "u2,bob,,,,true");
  EXPECT_EQ(chunk.rejects[6].excerpt.size(), 55u);
}

TEST(CsvParserTest, UnbalancedQuoteRejectsItsLineAndKeepsTheRowsAfterIt) {
  RecordChunk chunk = Parse("externalId,userName\n",
                            "u1,ada\n"
                            "u2,\"bob\n"
                            "u3,cy\n"
                            "u4,dan\n",
                            InputKind::kUsers);
  EXPECT_EQ(Rejects(chunk), std::vector<std::string>{"in.csv:3: unbalanced quote"});
  EXPECT_EQ(chunk.rejects[0].excerpt, "u2,\"bob");
  ASSERT_EQ(chunk.users.size(), 3u);
  EXPECT_EQ(chunk.users[1].external_id, "u3");
  EXPECT_EQ(chunk.users[1].origin.line, 4u);
  EXPECT_EQ(chunk.users[2].origin.line, 5u);
}

TEST(CsvParserTest, ExcerptIsCutAtTheExcerptLimit) {
  std::string row = "u1," + std::string(500, 'x');
  RecordChunk chunk = Parse("externalId,userName,roles\n", row + "\n", InputKind::kUsers);
  ASSERT_EQ(chunk.rejects.size(), 1u);
  EXPECT_EQ(chunk.rejects[0].excerpt, row.substr(0, config::kRejectExcerptBytes));
}

TEST(CsvParserTest, EdgeRowsBecomeSingleMemberGroups) {
  RecordChunk chunk = Parse("userExternalId,groupDisplayName,groupExternalId\n",
                            "u1,Engineering,g1\n"
                            ",Empty team,g2\n"
                            "u2,,\n",
                            InputKind::kGroups);
  EXPECT_EQ(Rejects(chunk),
            std::vector<std::string>{"in.csv:4: missing required attribute \"groupExternalId\""});
  ASSERT_EQ(chunk.groups.size(), 2u);
  EXPECT_EQ(chunk.groups[0].external_id, "g1");
  EXPECT_EQ(chunk.groups[0].display_name, "Engineering");
  EXPECT_TRUE(chunk.groups[0].from_edge_list);
  ASSERT_EQ(chunk.groups[0].member_external_ids.size(), 1u);
  EXPECT_EQ(chunk.groups[0].member_external_ids[0], "u1");
  EXPECT_EQ(chunk.groups[1].external_id, "g2");
  EXPECT_TRUE(chunk.groups[1].member_external_ids.empty());
}

TEST(CsvParserTest, AssignmentRowsCarryTheirRoles) {
  RecordChunk chunk = Parse("roles,externalId\n",
                            "user;billing_manager,u1\n"
                            ",u2\n"
                            "user,\n",
                            InputKind::kAssignments);
  EXPECT_EQ(Rejects(chunk),
            std::vector<std::string>{"in.csv:4: missing required attribute \"externalId\""});
  ASSERT_EQ(chunk.assignments.size(), 2u);
  EXPECT_EQ(chunk.assignments[0].external_id, "u1");
  ASSERT_EQ(chunk.assignments[0].roles.size(), 2u);
  EXPECT_EQ(chunk.assignments[0].roles[1].value, "billing_manager");
  EXPECT_TRUE(chunk.assignments[1].roles.empty());
  EXPECT_EQ(chunk.assignments[1].origin.line, 3u);
}

TEST(CsvParserTest, StringsLiveInTheChunkArenaNotInTheInputText) {
  RecordChunk chunk;
  {
    std::string rows = "u1,ada\n";
    ParseCsvRows(Header("externalId,userName\n", InputKind::kUsers), rows, "in.csv", 2, 0,
                 EngineOptions{}, &chunk);
    rows.assign(rows.size(), '#');
  }
  ASSERT_EQ(chunk.users.size(), 1u);
  EXPECT_EQ(chunk.users[0].external_id, "u1");
  EXPECT_EQ(chunk.users[0].user_name, "ada");
}

TEST(CsvParserTest, CompleteRowsPrefixStopsBeforeAPartialOrOpenRow) {
  EXPECT_EQ(CsvCompleteRowsPrefix(""), 0u);
  EXPECT_EQ(CsvCompleteRowsPrefix("a,b"), 0u);
  EXPECT_EQ(CsvCompleteRowsPrefix("a,b\nc,d"), 4u);
  EXPECT_EQ(CsvCompleteRowsPrefix("a,b\r\nc,d\r\n"), 10u);
  // A newline inside quotes does not end the row.
  EXPECT_EQ(CsvCompleteRowsPrefix("a,\"b\nc\"\nd,\"e\nf"), 8u);
  EXPECT_EQ(CsvCompleteRowsPrefix("a,\"b\"\"\n\"\"\"\n"), 11u);
  EXPECT_EQ(CsvCompleteRowsPrefix("a,\"b\n\nc"), 0u);
}

TEST(CsvParserTest, ChunkedParsingMatchesParsingInOneGo) {
  std::string rows;
  for (int row = 0; row < 200; ++row) {
    rows += "u" + std::to_string(row) + ",\"name\n" + std::to_string(row) + "\",x\n";
    if (row % 17 == 0) rows += "bad,row\n";
  }
  CsvHeader header = Header("externalId,userName,note\n", InputKind::kUsers);
  RecordChunk whole;
  ParseCsvRows(header, rows, "in.csv", 2, 0, EngineOptions{}, &whole);
  // Cut at arbitrary sizes, the way a chunker does, carrying the partial tail.
  RecordChunk pieces;
  size_t start = 0;
  uint64_t line = 2;
  for (size_t cut = 97; start < rows.size(); cut += 97) {
    std::string_view window =
        std::string_view(rows).substr(start, std::min(cut, rows.size()) - start);
    size_t complete = cut >= rows.size() ? window.size() : CsvCompleteRowsPrefix(window);
    std::string_view part = window.substr(0, complete);
    ParseCsvRows(header, part, "in.csv", line, start, EngineOptions{}, &pieces);
    line += static_cast<uint64_t>(std::count(part.begin(), part.end(), '\n'));
    start += complete;
  }
  ASSERT_EQ(pieces.users.size(), whole.users.size());
  ASSERT_EQ(pieces.rejects.size(), whole.rejects.size());
  EXPECT_EQ(whole.users.size(), 200u);
  EXPECT_EQ(whole.rejects.size(), 12u);
  for (size_t index = 0; index < whole.users.size(); ++index) {
    EXPECT_EQ(pieces.users[index].user_name, whole.users[index].user_name);
    EXPECT_EQ(pieces.users[index].origin.line, whole.users[index].origin.line);
    EXPECT_EQ(pieces.users[index].origin.byte_offset, whole.users[index].origin.byte_offset);
  }
  EXPECT_EQ(Rejects(pieces), Rejects(whole));
}

TEST(CsvParserTest, HugeLineIsRejectedWithoutBeingSplit) {
  std::string rows = "u1," + std::string(3u << 20, 'z') + "\nu2,ok\n";
  RecordChunk chunk = Parse("externalId,userName\n", rows, InputKind::kUsers);
  EXPECT_EQ(Rejects(chunk), std::vector<std::string>{"in.csv:2: line longer than 1048576 bytes"});
  ASSERT_EQ(chunk.users.size(), 1u);
  EXPECT_EQ(chunk.users[0].origin.line, 3u);
}

}  // namespace
}  // namespace scimflow
