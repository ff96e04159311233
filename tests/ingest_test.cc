#include "engine/ingest.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/ingest_testutil.h"

namespace scimflow {
namespace {

using testing::TempFile;

std::string ScimUserLine(int index) {
  return R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"e)" +
         std::to_string(index) + R"(","userName":"user)" + std::to_string(index) +
         R"(@example.com","name":{"givenName":"G)" + std::to_string(index) +
         R"(","familyName":"F"},"emails":[{"value":"user)" + std::to_string(index) +
         R"(@example.com","type":"work","primary":true}],"active":)" +
         (index % 3 == 0 ? "false" : "true") + "}\n";
}

// Everything a test looks at after an ingest: users in order and reject messages.
struct Ingested {
  Status status;
  IngestStats stats;
  std::vector<std::string> user_ids;
  std::vector<uint64_t> user_lines;
  std::vector<std::string> rejects;
  std::vector<std::unique_ptr<RecordChunk>> chunks;
};

Ingested Ingest(const std::string& path, InputKind kind, InputFormat format,
                const EngineOptions& options, SourceChoice source = SourceChoice::kAuto) {
  Ingested out;
  Result<IngestResult> result = IngestFile(path, kind, format, options, IngestIo{source});
  out.status = result.status();
  if (!result.ok()) return out;
  out.stats = result->stats;
  for (auto& chunk : result->chunks) {
    for (const User& user : chunk->users) {
      out.user_ids.emplace_back(user.external_id);
      out.user_lines.push_back(user.origin.line);
    }
    for (const Reject& reject : chunk->rejects) out.rejects.push_back(RejectMessage(reject));
  }
  out.chunks = std::move(result->chunks);
  return out;
}

EngineOptions SmallChunks(uint32_t threads) {
  EngineOptions options;
  options.threads = threads;
  options.chunk_bytes = 1024;  // Many chunks, tails carried across almost every read.
  options.max_line_bytes = 4096;
  options.chunks_in_flight_per_thread = 2;
  return options;
}

class IngestTest : public ::testing::TestWithParam<SourceChoice> {
 protected:
  void SetUp() override {
    if (GetParam() == SourceChoice::kIoUring && !IoUringAvailable()) {
      GTEST_SKIP() << "io_uring is not available here";
    }
  }
};

TEST_P(IngestTest, ManyChunksComeBackInFileOrderWithAbsoluteLines) {
  std::string text;
  for (int index = 1; index <= 2000; ++index) text += ScimUserLine(index);
  TempFile file(text);
  for (uint32_t threads : {1u, 2u, 4u}) {
    Ingested got = Ingest(file.path(), InputKind::kUsers, InputFormat::kAuto, SmallChunks(threads),
                          GetParam());
    ASSERT_TRUE(got.status.ok()) << got.status.ToString();
    ASSERT_EQ(got.user_ids.size(), 2000u);
    for (int index = 1; index <= 2000; ++index) {
      ASSERT_EQ(got.user_ids[index - 1], "e" + std::to_string(index));
      ASSERT_EQ(got.user_lines[index - 1], static_cast<uint64_t>(index));
    }
    EXPECT_TRUE(got.rejects.empty());
    EXPECT_EQ(got.stats.records, 2000u);
    EXPECT_EQ(got.stats.lines, 2000u);
    EXPECT_EQ(got.stats.bytes, text.size());
    EXPECT_EQ(got.stats.format, InputFormat::kNdjson);
    EXPECT_GT(got.stats.chunks, 100u);
    EXPECT_EQ(got.stats.source_kind, GetParam() == SourceChoice::kPread ? "pread" : "io_uring");
    for (size_t seq = 0; seq < got.chunks.size(); ++seq) EXPECT_EQ(got.chunks[seq]->sequence, seq);
  }
}

TEST_P(IngestTest, BrokenRecordsGiveNinjaStyleRejectsAndTheRestIsKept) {
  std::string text = ScimUserLine(1);
  text += "{\"externalId\":\"e2\",\"userName\":\n";                                     // line 2
  text += ScimUserLine(3);                                                              // line 3
  text += "{\"externalId\":\"e4\",\"userName\":\"\xFF\"}\n";                            // line 4
  text += "{\"userName\":\"u5\"}\n";                                                    // line 5
  text += "{\"externalId\":\"e6\",\"userName\":\"u6\",\"active\":1}\n";                 // line 6
  text += "{\"externalId\":\"e7\",\"userName\":\"" + std::string(5000, 'x') + "\"}\n";  // line 7
  text += ScimUserLine(8);
  text += "{\"externalId\":\"e9\",\"userName\":\"u9\"";  // line 9, cut off
  TempFile file(text);
  Ingested got =
      Ingest(file.path(), InputKind::kUsers, InputFormat::kAuto, SmallChunks(2), GetParam());
  ASSERT_TRUE(got.status.ok()) << got.status.ToString();
  EXPECT_EQ(got.user_ids, (std::vector<std::string>{"e1", "e3", "e8"}));
  EXPECT_EQ(got.user_lines, (std::vector<uint64_t>{1, 3, 8}));
  const std::string& name = file.path();
  EXPECT_EQ(got.rejects, (std::vector<std::string>{
                             name + ":2: malformed JSON",
                             name + ":4: invalid UTF-8",
                             name + ":5: missing required attribute \"externalId\"",
                             name + ":6: wrong type for \"active\": expected boolean",
                             name + ":7: line longer than 4096 bytes",
                             name + ":9: truncated record",
                         }));
  EXPECT_EQ(got.stats.rejects, 6u);
  EXPECT_EQ(got.stats.records, 3u);
}

TEST_P(IngestTest, OverlongLineAtTheEndOfTheFileIsRejected) {
  TempFile file(ScimUserLine(1) + std::string(10000, 'y'));
  Ingested got =
      Ingest(file.path(), InputKind::kUsers, InputFormat::kNdjson, SmallChunks(1), GetParam());
  ASSERT_TRUE(got.status.ok());
  EXPECT_EQ(got.user_ids, (std::vector<std::string>{"e1"}));
  EXPECT_EQ(got.rejects,
            (std::vector<std::string>{file.path() + ":2: line longer than 4096 bytes"}));
}

TEST_P(IngestTest, EmptyAndBlankFilesGiveOneEmptyFileReject) {
  for (std::string_view contents :
       {std::string_view(""), std::string_view("\n \n\t\n"), std::string_view("\xEF\xBB\xBF")}) {
    TempFile file(contents);
    Ingested got =
        Ingest(file.path(), InputKind::kUsers, InputFormat::kAuto, SmallChunks(2), GetParam());
    ASSERT_TRUE(got.status.ok());
    EXPECT_TRUE(got.user_ids.empty());
    EXPECT_EQ(got.rejects, (std::vector<std::string>{file.path() + ":1: empty file"}));
  }
}

TEST_P(IngestTest, ByteOrderMarkIsSkippedAndOffsetsStayAbsolute) {
  const std::string line = ScimUserLine(1);
  TempFile file("\xEF\xBB\xBF" + line + ScimUserLine(2));
  Ingested got =
      Ingest(file.path(), InputKind::kUsers, InputFormat::kAuto, SmallChunks(1), GetParam());
  ASSERT_TRUE(got.status.ok());
  ASSERT_EQ(got.user_ids.size(), 2u);
  EXPECT_EQ(got.chunks[0]->users[0].origin.byte_offset, 3u);
  EXPECT_EQ(got.chunks[0]->users[0].origin.byte_length, line.size() - 1);
}

TEST_P(IngestTest, OktaJsonArrayIsDetectedAndStreamed) {
  std::string text = "[\n";
  for (int index = 1; index <= 300; ++index) {
    text += R"(  {"id":"00u)" + std::to_string(index) + R"(","status":")" +
            (index == 2 ? "SUSPENDED" : "ACTIVE") + R"(","profile":{"login":"l)" +
            std::to_string(index) +
            R"(@x","firstName":"F","lastName":"L","email":"m@x","displayName":"D"}})";
    text += index == 300 ? "\n" : ",\n";
  }
  text += "]\n";
  TempFile file(text, "okta.json");
  Ingested got =
      Ingest(file.path(), InputKind::kUsers, InputFormat::kAuto, SmallChunks(2), GetParam());
  ASSERT_TRUE(got.status.ok()) << got.status.ToString();
  EXPECT_EQ(got.stats.format, InputFormat::kOktaJsonArray);
  EXPECT_TRUE(got.rejects.empty()) << got.rejects.front();
  ASSERT_EQ(got.user_ids.size(), 300u);
  EXPECT_EQ(got.user_ids[299], "00u300");
  EXPECT_EQ(got.user_lines[0], 2u);
  EXPECT_EQ(got.user_lines[299], 301u);
  const User& second = got.chunks[0]->users[1];
  EXPECT_FALSE(second.active);
  EXPECT_EQ(second.user_name, "l2@x");
  ASSERT_EQ(second.emails.size(), 1u);
  EXPECT_EQ(second.emails[0].value, "m@x");
  EXPECT_EQ(second.emails[0].type, "work");
  EXPECT_TRUE(second.emails[0].primary);
}

TEST_P(IngestTest, JsonArrayNeverClosedIsTruncated) {
  TempFile file("[\n" + ScimUserLine(1).substr(0, ScimUserLine(1).size() - 1) + ",\n" +
                    "{\"externalId\":\"e2\",\"userName\":\"u2\"}\n",
                "users.json");
  Ingested got =
      Ingest(file.path(), InputKind::kUsers, InputFormat::kAuto, SmallChunks(1), GetParam());
  ASSERT_TRUE(got.status.ok());
  EXPECT_EQ(got.user_ids, (std::vector<std::string>{"e1", "e2"}));
  EXPECT_EQ(got.rejects, (std::vector<std::string>{file.path() + ":4: truncated record"}));
}

TEST_P(IngestTest, MissingFileIsNotFoundWithItsPath) {
  Ingested got = Ingest("/nonexistent/users.ndjson", InputKind::kUsers, InputFormat::kAuto,
                        SmallChunks(1), GetParam());
  EXPECT_EQ(got.status.code(), StatusCode::kNotFound);
  EXPECT_EQ(got.status.message(),
            "/nonexistent/users.ndjson: cannot open: No such file or directory");
}

TEST_P(IngestTest, StreamingConsumerErrorStopsTheRun) {
  std::string text;
  for (int index = 1; index <= 2000; ++index) text += ScimUserLine(index);
  TempFile file(text);
  int calls = 0;
  IngestStats stats;
  Status status = IngestFileStreaming(
      file.path(), InputKind::kUsers, InputFormat::kAuto, SmallChunks(2),
      [&](std::unique_ptr<RecordChunk> chunk) {
        ++calls;
        return calls == 3 ? Status(StatusCode::kResourceExhausted, "too many rejects") : Status();
      },
      &stats, IngestIo{GetParam()});
  EXPECT_EQ(status.message(), "too many rejects");
  EXPECT_EQ(calls, 3);
}

// Every string a test compares of a user, copied out of the chunk.
std::string DescribeUser(const User& user) {
  std::string text(user.external_id);
  text.append("|").append(user.user_name).append("|").append(user.name.given_name);
  text.append("|").append(user.name.family_name).append("|").append(user.display_name);
  for (const Email& email : user.emails) text.append("|").append(email.value).append(email.type);
  for (const Role& role : user.roles) text.append("|").append(role.value);
  text.append(user.active ? "|active" : "|inactive");
  return text;
}

TEST_P(IngestTest, ChunksUsedDuringTheCallSeeTheSameRecordsAsOwnedOnes) {
  std::string text;
  for (int index = 1; index <= 2000; ++index) {
    // Every seventh user has escaped strings, which are unescaped into the arena, not borrowed.
    text += index % 7 == 0 ? "{\"externalId\":\"e" + std::to_string(index) +
                                 R"(","userName":"u\u00e9)" + std::to_string(index) +
                                 R"(","displayName":"Say \"hi\"","roles":["admin"]})" + "\n"
                           : ScimUserLine(index);
  }
  TempFile file(text);
  for (uint32_t threads : {1u, 2u, 4u}) {
    Ingested owned = Ingest(file.path(), InputKind::kUsers, InputFormat::kAuto,
                            SmallChunks(threads), GetParam());
    ASSERT_TRUE(owned.status.ok()) << owned.status.ToString();
    std::vector<std::string> expected;
    for (const auto& chunk : owned.chunks) {
      for (const User& user : chunk->users) expected.push_back(DescribeUser(user));
    }
    std::vector<std::string> seen;
    IngestStats stats;
    // The consumer copies what it keeps and lets the chunk go, as plan's resolver does. With
    // chunks of 1 KiB and few buffers, a buffer handed back too early would be refilled by a
    // later read before the consumer copied from it.
    const Status status = IngestFileStreaming(
        file.path(), InputKind::kUsers, InputFormat::kAuto, SmallChunks(threads),
        [&](std::unique_ptr<RecordChunk> chunk) {
          for (const User& user : chunk->users) seen.push_back(DescribeUser(user));
          return Status::Ok();
        },
        &stats, IngestIo{.source = GetParam(), .lifetime = ChunkLifetime::kDuringCall});
    ASSERT_TRUE(status.ok()) << status.ToString();
    ASSERT_EQ(expected.size(), 2000u);
    EXPECT_EQ(seen, expected) << threads << " threads";
    EXPECT_EQ(expected[6], "e7|u\u00e97|||Say \"hi\"|admin|active");
    EXPECT_EQ(stats.rejects, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Sources, IngestTest,
                         ::testing::Values(SourceChoice::kIoUring, SourceChoice::kPread),
                         [](const ::testing::TestParamInfo<SourceChoice>& info) {
                           return info.param == SourceChoice::kPread ? "Pread" : "IoUring";
                         });

TEST(IngestKindsTest, GroupsAndAssignmentsFilesParseToTheirRecords) {
  TempFile groups(
      "{\"externalId\":\"g1\",\"displayName\":\"Eng\",\"members\":[\"e1\",\"e2\"]}\n"
      "{\"externalId\":\"g2\",\"displayName\":\"Ops\",\"members\":[]}\n",
      "groups.ndjson");
  Result<IngestResult> got =
      IngestFile(groups.path(), InputKind::kGroups, InputFormat::kAuto, SmallChunks(1));
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->chunks.size(), 2u);  // The records, then the (empty) end-of-file chunk.
  ASSERT_EQ(got->chunks[0]->groups.size(), 2u);
  EXPECT_EQ(got->chunks[0]->groups[0].member_external_ids[1], "e2");
  EXPECT_EQ(got->chunks[0]->groups[1].origin.line, 2u);

  TempFile assignments("{\"externalId\":\"e1\",\"roles\":[\"user\"]}\n", "assignments.ndjson");
  got = IngestFile(assignments.path(), InputKind::kAssignments, InputFormat::kAuto, SmallChunks(1));
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->chunks[0]->assignments.size(), 1u);
  EXPECT_EQ(got->chunks[0]->assignments[0].roles[0].value, "user");
}

}  // namespace
}  // namespace scimflow

namespace scimflow {
namespace {

TEST(IngestCsvTest, CsvUsersAreReadAfterTheHeaderWithFileLines) {
  std::string text =
      "\xEF\xBB\xBF"
      "externalId,userName,givenName,active\n";
  for (int index = 1; index <= 500; ++index) {
    text += "e" + std::to_string(index) + ",u" + std::to_string(index) + ",\"G, " +
            std::to_string(index) + "\",true\n";
  }
  text += "e501,u501,x\n";
  TempFile file(text, "users.csv");
  Result<IngestResult> got =
      IngestFile(file.path(), InputKind::kUsers, InputFormat::kAuto, SmallChunks(2));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->stats.format, InputFormat::kCsv);
  std::vector<const User*> users;
  std::vector<std::string> rejects;
  for (const auto& chunk : got->chunks) {
    for (const User& user : chunk->users) users.push_back(&user);
    for (const Reject& reject : chunk->rejects) rejects.push_back(RejectMessage(reject));
  }
  ASSERT_EQ(users.size(), 500u);
  EXPECT_EQ(users[0]->external_id, "e1");
  EXPECT_EQ(users[0]->name.given_name, "G, 1");
  EXPECT_EQ(users[0]->origin.line, 2u);
  EXPECT_EQ(users[499]->origin.line, 501u);
  EXPECT_EQ(rejects, (std::vector<std::string>{file.path() + ":502: expected 4 columns, got 3"}));
}

TEST(IngestCsvTest, CsvWithoutRequiredColumnIsRefusedAsAWhole) {
  TempFile file("externalId,givenName\ne1,A\n", "users.csv");
  Result<IngestResult> got =
      IngestFile(file.path(), InputKind::kUsers, InputFormat::kAuto, SmallChunks(1));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), file.path() + ":1: missing required column \"userName\"");
}

}  // namespace
}  // namespace scimflow

namespace scimflow {
namespace {

std::string Fixture(std::string_view name) {
  return std::string(SCIMFLOW_SOURCE_DIR) + "/datasets/" + std::string(name);
}

// Ingests a fixture with default options; returns users and reject messages (file names relative).
struct FixtureResult {
  std::vector<User> users;
  std::vector<std::string> rejects;
  std::vector<std::unique_ptr<RecordChunk>> chunks;
};

FixtureResult IngestFixture(const std::string& path) {
  FixtureResult out;
  Result<IngestResult> got = IngestFile(path, InputKind::kUsers, InputFormat::kAuto, {});
  EXPECT_TRUE(got.ok()) << got.status().ToString();
  if (!got.ok()) return out;
  for (auto& chunk : got->chunks) {
    for (const User& user : chunk->users) out.users.push_back(user);
    for (const Reject& reject : chunk->rejects) {
      std::string message = RejectMessage(reject);
      out.rejects.push_back(message.substr(message.rfind('/') + 1));
    }
  }
  out.chunks = std::move(got->chunks);
  return out;
}

TEST(IngestFixturesTest, ScimUsersFixtureParsesFieldByField) {
  const FixtureResult got = IngestFixture(Fixture("small/ingest-users.ndjson"));
  ASSERT_EQ(got.users.size(), 2u);
  EXPECT_TRUE(got.rejects.empty());
  const User& ada = got.users[0];
  EXPECT_EQ(ada.external_id, "e1");
  EXPECT_EQ(ada.user_name, "ada@example.com");
  EXPECT_EQ(ada.name.given_name, "Ada");
  EXPECT_EQ(ada.name.family_name, "Lovelace");
  EXPECT_EQ(ada.name.formatted, "Ada Lovelace");
  EXPECT_EQ(ada.display_name, "Ada Lovelace");
  ASSERT_EQ(ada.emails.size(), 1u);
  EXPECT_EQ(ada.emails[0].value, "ada@example.com");
  EXPECT_EQ(ada.emails[0].type, "work");
  EXPECT_TRUE(ada.emails[0].primary);
  ASSERT_EQ(ada.roles.size(), 1u);
  EXPECT_EQ(ada.roles[0].value, "user");
  EXPECT_TRUE(ada.roles[0].primary);
  EXPECT_TRUE(ada.active);
  const User& alan = got.users[1];
  EXPECT_EQ(alan.origin.line, 2u);
  EXPECT_TRUE(alan.name.formatted.empty());
  ASSERT_EQ(alan.roles.size(), 2u);
  EXPECT_EQ(alan.roles[1].value, "billing_manager");
  EXPECT_FALSE(alan.active);
}

TEST(IngestFixturesTest, OktaFixtureParsesFieldByField) {
  const FixtureResult got = IngestFixture(Fixture("small/ingest-users.okta.json"));
  ASSERT_EQ(got.users.size(), 2u);
  EXPECT_TRUE(got.rejects.empty());
  EXPECT_EQ(got.users[0].external_id, "00u1");
  EXPECT_EQ(got.users[0].user_name, "ada@example.com");
  EXPECT_EQ(got.users[0].name.given_name, "Ada");
  EXPECT_EQ(got.users[0].name.family_name, "Lovelace");
  EXPECT_EQ(got.users[0].display_name, "Ada Lovelace");
  EXPECT_EQ(got.users[0].emails[0].value, "ada@example.com");
  EXPECT_TRUE(got.users[0].active);
  EXPECT_EQ(got.users[1].origin.line, 3u);
  EXPECT_FALSE(got.users[1].active);
}

TEST(IngestFixturesTest, BrokenFixturesGiveTheirRejects) {
  EXPECT_EQ(IngestFixture(Fixture("broken/ingest-truncated.ndjson")).rejects,
            (std::vector<std::string>{"ingest-truncated.ndjson:2: truncated record"}));
  EXPECT_EQ(IngestFixture(Fixture("broken/ingest-invalid-utf8.ndjson")).rejects,
            (std::vector<std::string>{"ingest-invalid-utf8.ndjson:2: invalid UTF-8"}));
  EXPECT_EQ(
      IngestFixture(Fixture("broken/ingest-huge-line.ndjson")).rejects,
      (std::vector<std::string>{"ingest-huge-line.ndjson:2: line longer than 1048576 bytes"}));
  EXPECT_EQ(IngestFixture(Fixture("broken/ingest-array-unclosed.json")).rejects,
            (std::vector<std::string>{"ingest-array-unclosed.json:4: truncated record"}));
  EXPECT_EQ(IngestFixture(Fixture("broken/ingest-malformed.ndjson")).rejects,
            (std::vector<std::string>{
                "ingest-malformed.ndjson:2: malformed JSON",
                "ingest-malformed.ndjson:3: missing required attribute \"externalId\"",
                "ingest-malformed.ndjson:4: wrong type for \"active\": expected boolean"}));
}

}  // namespace
}  // namespace scimflow
