// Resolver::AddGroupsChunk: a groups file resolved chunk by chunk, each chunk released right
// after its call, gives the same groups, members and rejects as the whole file at once; "first at
// line N" and unknown members are settled across chunk boundaries.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/resolve.h"
#include "engine/status.h"
#include "engine/target_profile.h"

namespace scimflow {
namespace {

using ::testing::ElementsAre;

std::unique_ptr<RecordChunk> Users(std::initializer_list<std::string> external_ids) {
  auto chunk = std::make_unique<RecordChunk>();
  uint64_t line = 0;
  for (const std::string& external_id : external_ids) {
    User user;
    user.origin = RecordOrigin{"users.ndjson", ++line, 0, 0};
    user.external_id = chunk->arena.Copy(external_id);
    user.user_name = chunk->arena.Copy(external_id + "@example.com");
    chunk->users.push_back(user);
  }
  return chunk;
}

void AddGroup(RecordChunk* chunk, uint64_t line, const std::string& external_id,
              std::initializer_list<std::string> members, bool edge = false) {
  Group group;
  group.origin = RecordOrigin{"groups.ndjson", line, 0, 0};
  group.external_id = chunk->arena.Copy(external_id);
  group.display_name = chunk->arena.Copy("Team " + external_id);
  std::vector<std::string_view> views;
  for (const std::string& member : members) views.push_back(chunk->arena.Copy(member));
  group.member_external_ids = chunk->arena.CopyArray<std::string_view>(views);
  group.from_edge_list = edge;
  chunk->groups.push_back(group);
}

std::vector<std::string> Rejects(const DesiredState& desired) {
  std::vector<std::string> messages;
  for (const ResolveReject& reject : desired.rejects) {
    messages.push_back(LocatedMessage(reject.origin.file, reject.origin.line, reject.reason));
  }
  return messages;
}

// The groups of the test, as chunks: a record, then a duplicate of it and edge rows.
std::vector<std::unique_ptr<RecordChunk>> GroupChunks() {
  std::vector<std::unique_ptr<RecordChunk>> chunks;
  chunks.push_back(std::make_unique<RecordChunk>());
  AddGroup(chunks.back().get(), 1, "g-1", {"e-2", "ghost", "e-1"});
  AddGroup(chunks.back().get(), 2, "g-2", {"e-1"}, /*edge=*/true);
  chunks.push_back(std::make_unique<RecordChunk>());
  AddGroup(chunks.back().get(), 3, "g-1", {"e-3"});
  AddGroup(chunks.back().get(), 4, "g-2", {"e-3"}, /*edge=*/true);
  AddGroup(chunks.back().get(), 5, "g-2", {"nobody"}, /*edge=*/true);
  return chunks;
}

DesiredState ResolveStreamed() {
  Resolver resolver(*FindProfile("github-emu"), nullptr);
  resolver.AddUsers(*Users({"e-1", "e-2", "e-3"}));
  resolver.FinishUsers();
  for (std::unique_ptr<RecordChunk>& chunk : GroupChunks()) {
    resolver.AddGroupsChunk(*chunk);
    chunk.reset();  // Released before the next chunk, as the plan command does.
  }
  resolver.FinishGroups();
  return resolver.Finish();
}

TEST(ResolveGroupsStreamTest, ChunkBoundariesDoNotChangeDuplicatesMembersOrRejects) {
  const DesiredState desired = ResolveStreamed();
  EXPECT_THAT(Rejects(desired),
              ElementsAre(R"(groups.ndjson:1: group member "ghost" is not a known user)",
                          R"(groups.ndjson:3: duplicate externalId "g-1" (first at line 1))",
                          R"(groups.ndjson:5: group member "nobody" is not a known user)"));
  ASSERT_EQ(desired.groups.size(), 2u);
  EXPECT_TRUE(desired.has_groups);
  EXPECT_EQ(desired.groups[0].external_id, "g-1");
  EXPECT_EQ(desired.groups[0].display_name, "Team g-1");
  EXPECT_EQ(desired.groups[0].line, 1u);
  EXPECT_THAT(desired.groups[0].members, ElementsAre(0u, 1u));  // e-1, e-2; not the duplicate's.
  EXPECT_EQ(desired.groups[1].external_id, "g-2");
  EXPECT_THAT(desired.groups[1].members, ElementsAre(0u, 2u));  // Edge rows merge across chunks.
  EXPECT_EQ(desired.group_by_external_id.Find("g-2"), 1u);
}

TEST(ResolveGroupsStreamTest, StreamedEqualsTheWholeFileAtOnce) {
  std::vector<std::unique_ptr<RecordChunk>> users;
  users.push_back(Users({"e-1", "e-2", "e-3"}));
  const std::vector<std::unique_ptr<RecordChunk>> groups = GroupChunks();
  const std::vector<const RecordChunk*> user_views = {users[0].get()};
  const std::vector<const RecordChunk*> group_views = {groups[0].get(), groups[1].get()};
  const DesiredState whole =
      Resolve(ResolveInput{"users.ndjson", user_views}, ResolveInput{"groups.ndjson", group_views},
              ResolveInput{}, *FindProfile("github-emu"), nullptr);
  const DesiredState streamed = ResolveStreamed();
  EXPECT_EQ(Rejects(streamed), Rejects(whole));
  ASSERT_EQ(streamed.groups.size(), whole.groups.size());
  for (size_t group = 0; group < whole.groups.size(); ++group) {
    EXPECT_EQ(streamed.groups[group].external_id, whole.groups[group].external_id);
    EXPECT_EQ(std::vector<uint32_t>(streamed.groups[group].members.begin(),
                                    streamed.groups[group].members.end()),
              std::vector<uint32_t>(whole.groups[group].members.begin(),
                                    whole.groups[group].members.end()));
  }
}

TEST(ResolveGroupsStreamTest, GroupsFileWithoutChunksStillMarksGroupsGiven) {
  Resolver resolver(*FindProfile("github-emu"), nullptr);
  resolver.FinishUsers();
  resolver.FinishGroups();
  const DesiredState desired = resolver.Finish();
  EXPECT_TRUE(desired.has_groups);
  EXPECT_TRUE(desired.groups.empty());
}

}  // namespace
}  // namespace scimflow
