// Snapshot files: written lines read back to the same state; every broken line is a reject with
// the exact `file:line: reason`, and its neighbours are still read.
#include "io/snapshot_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

namespace scimflow {
namespace {

using ::testing::ElementsAre;

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::vector<std::string> Issues(const CurrentState& state) {
  std::vector<std::string> lines;
  for (const SourceIssue& issue : state.issues()) {
    lines.push_back(LocatedMessage(state.source_name(), issue.line, issue.reason));
  }
  return lines;
}

constexpr char kUserLine[] =
    R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"t-1","externalId":"e-1",)"
    R"("userName":"mona","name":{"givenName":"Mona","familyName":"Lisa"},)"
    R"("emails":[{"value":"m@example.com","type":"work","primary":true}],)"
    R"("roles":[{"value":"user","primary":true}],"active":true,"meta":{"resourceType":"User"}})";

TEST(SnapshotFileTest, WrittenLinesReadBackToTheSameState) {
  User user;
  user.external_id = "e-1";
  user.user_name = "mona";
  user.name.given_name = "Mona";
  user.display_name = "Mona Lisa";
  const Email email{"m@example.com", "work", true};
  user.emails = std::span<const Email>(&email, 1);
  user.active = false;
  std::string text;
  AppendSnapshotUser(&text, "t-1", user);
  const std::string_view members[] = {"t-1", "t-404"};
  AppendSnapshotGroup(&text, "tg-1", "g-1", "Engineering", members);
  EXPECT_EQ(text, R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"t-1",)"
                  R"("externalId":"e-1","userName":"mona","name":{"givenName":"Mona"},)"
                  R"("displayName":"Mona Lisa","emails":[{"value":"m@example.com","type":"work",)"
                  R"("primary":true}],"active":false})"
                  "\n"
                  R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"tg-1",)"
                  R"("externalId":"g-1","displayName":"Engineering","members":[{"value":"t-1"},)"
                  R"({"value":"t-404"}]})"
                  "\n");
  auto state = LoadSnapshot(WriteTemp("roundtrip.ndjson", text), EngineOptions{});
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  const CurrentState& current = **state;
  ASSERT_EQ(current.users().size(), 1u);
  EXPECT_EQ(current.users()[0].id, "t-1");
  EXPECT_FALSE(current.users()[0].active);
  EXPECT_EQ(current.users()[0].hashes, HashUserAttributes(user, user.roles));
  EXPECT_EQ(current.active_users(), 0u);
  ASSERT_EQ(current.groups().size(), 1u);
  EXPECT_THAT(current.groups()[0].members, ElementsAre(0u));
  EXPECT_THAT(Issues(current), ElementsAre(current.source_name() +
                                           R"(:2: group member id "t-404" is not a user of the )"
                                           R"(snapshot)"));
}

TEST(SnapshotFileTest, BrokenLinesAreRejectedAndTheirNeighboursRead) {
  const std::string text =
      std::string(kUserLine) + "\n" +
      R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"t-2","externalId":)" +
      "\n" +  // truncated
      R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"e-3","userName":"x"})" +
      "\n" +
      R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"t-4","externalId":"e-4","userName":")" +
      "\xff\xfe" + R"("})" + "\n" + R"({"id":"t-5","externalId":"e-5"})" + "\n" +
      R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"t-6","externalId":"e-6","userName":"y","active":"yes"})" +
      "\n\n" +
      R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"t-1","externalId":"e-1","userName":"dup"})" +
      "\n" +
      R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"t-9","externalId":"e-9","userName":"z"} x)";
  auto state = LoadSnapshot(WriteTemp("broken.ndjson", text), EngineOptions{});
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  const std::string file = (*state)->source_name();
  EXPECT_THAT(
      Issues(**state),
      ElementsAre(file + ":2: malformed JSON", file + R"(:3: missing required attribute "id")",
                  file + ":4: invalid UTF-8", file + R"(:5: missing required attribute "schemas")",
                  file + R"(:6: wrong type for "active": expected boolean)",
                  file + R"(:8: duplicate externalId "e-1" (first at line 1))",
                  file + ":9: malformed JSON"));
  EXPECT_EQ((*state)->FindUser("e-1"), 0u);
}

TEST(SnapshotFileTest, OverlongLineIsRejectedWithoutBufferingIt) {
  EngineOptions options;
  options.max_line_bytes = 1000;
  const std::string huge = R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":")" +
                           std::string(10u << 20, 'x') + "\"}";
  const std::string text = std::string(kUserLine) + "\n" + huge + "\n" + kUserLine + "\n";
  auto state = LoadSnapshot(WriteTemp("huge.ndjson", text), options);
  ASSERT_TRUE(state.ok());
  const std::string file = (*state)->source_name();
  EXPECT_THAT(Issues(**state),
              ElementsAre(file + ":2: line longer than 1000 bytes",
                          file + R"(:3: duplicate externalId "e-1" (first at line 1))"));
}

TEST(SnapshotFileTest, ManyBlocksKeepLineNumbers) {
  // More than one 4 MiB block, with a broken line near the end.
  std::string text;
  constexpr int kUsers = 30000;
  for (int user = 0; user < kUsers; ++user) {
    std::string line = kUserLine;
    const std::string suffix = std::to_string(user);
    line.replace(line.find("\"t-1\""), 5, "\"t-" + suffix + "\"");
    line.replace(line.find("\"e-1\""), 5, "\"e-" + suffix + "\"");
    line.replace(line.find("\"mona\""), 6, "\"mona" + suffix + "\"");
    text += line + std::string(100, ' ') + "\n";
  }
  text += "{oops\n";
  auto state = LoadSnapshot(WriteTemp("many.ndjson", text), EngineOptions{});
  ASSERT_TRUE(state.ok());
  EXPECT_EQ((*state)->users().size(), static_cast<size_t>(kUsers));
  EXPECT_EQ((*state)->users().back().line, static_cast<uint64_t>(kUsers));
  EXPECT_THAT(Issues(**state), ElementsAre((*state)->source_name() + ":30001: malformed JSON"));
}

TEST(SnapshotFileTest, MissingFileIsNotFoundAndEmptyFileIsAnEmptyTarget) {
  auto missing = LoadSnapshot(::testing::TempDir() + "/no-such-snapshot.ndjson", EngineOptions{});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  auto empty = LoadSnapshot(WriteTemp("empty.ndjson", ""), EngineOptions{});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE((*empty)->users().empty());
  EXPECT_TRUE((*empty)->issues().empty());
}

}  // namespace
}  // namespace scimflow
