// TargetReader: a live target read into CurrentState. Against the simulator loaded with a
// generated snapshot, the read (pages fetched concurrently, 500s injected, pages capped by the
// server) holds exactly what the snapshot holds. Against a scripted server (one request at a
// time, so the answers meet the requests in order), each broken page stops the read with the
// exact message, an unusable resource is an issue, short pages are completed and 5xx retried.
#include "io/target_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "engine/options.h"
#include "io/snapshot_file.h"
#include "tests/http_test_server.h"
#include "tests/sim_fixture.h"
#include "tests/test_directory.h"

namespace scimflow {
namespace {

namespace fs = std::filesystem;
using testing::HttpTestServer;
using testing::ScriptedAnswer;

constexpr char kTokenVariable[] = "SCIMFLOW_TARGET_READER_TEST_TOKEN";

HttpClientOptions ClientOptions() {
  ::setenv(kTokenVariable, std::string(SimProcess::kToken).c_str(), 1);
  HttpClientOptions options;
  options.token.env_var = kTokenVariable;
  return options;
}

TargetReaderOptions FastRetries(uint32_t page_size, uint32_t in_flight) {
  TargetReaderOptions options;
  options.page_size = page_size;
  options.max_in_flight = in_flight;
  options.retry.initial_backoff = std::chrono::milliseconds(5);
  options.retry.max_backoff = std::chrono::milliseconds(50);
  options.retry.max_attempts = 30;
  options.retry.seed = 3;
  return options;
}

// A user as a target lists it.
std::string UserJson(int serial, bool valid = true) {
  const std::string n = std::to_string(serial);
  return R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"t)" + n + "\"," +
         (valid ? R"("externalId":"e)" + n + "\"," : "") + R"("userName":"u)" + n +
         R"(@example.com","active":true})";
}

std::string Page(int total, const std::vector<std::string>& resources) {
  std::string page = R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],)"
                     R"("totalResults":)" +
                     std::to_string(total) + R"(,"Resources":[)";
  for (size_t index = 0; index < resources.size(); ++index) {
    page += (index ? "," : "") + resources[index];
  }
  return page + "]}";
}

ScriptedAnswer Ok(std::string body) { return ScriptedAnswer{200, {}, std::move(body)}; }

// One user's fields as CurrentState holds them, for comparing two states.
using UserFields = std::tuple<std::string, std::string, bool, AttributeHashes>;

std::map<std::string, UserFields> UsersOf(const CurrentState& state) {
  std::map<std::string, UserFields> users;
  for (const CurrentUser& user : state.users()) {
    users[std::string(user.external_id)] =
        UserFields{std::string(user.id), std::string(user.user_name), user.active, user.hashes};
  }
  return users;
}

// Group externalId → (id, displayName, sorted member externalIds).
std::map<std::string, std::tuple<std::string, std::string, std::vector<std::string>>> GroupsOf(
    const CurrentState& state) {
  std::map<std::string, std::tuple<std::string, std::string, std::vector<std::string>>> groups;
  for (const CurrentGroup& group : state.groups()) {
    std::vector<std::string> members;
    for (uint32_t user : group.members) {
      members.emplace_back(state.users()[user].external_id);
    }
    std::sort(members.begin(), members.end());
    groups[std::string(group.external_id)] = {std::string(group.id),
                                              std::string(group.display_name), members};
  }
  return groups;
}

class TargetReaderSimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = testing::FreshTestDirectory("target_reader");
    const std::string command = std::string(SCIMFLOW_BINARY) +
                                " gen --users 1500 --groups 40 --seed 5 --snapshot --out " +
                                root_.string() + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0);
    auto loaded = LoadSnapshot((root_ / "snapshot.ndjson").string(), Options());
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    expected_ = std::move(loaded).value();
  }
  void TearDown() override { fs::remove_all(root_); }

  static EngineOptions Options() {
    EngineOptions options;
    options.max_line_bytes = 16u << 20;
    return options;
  }

  std::unique_ptr<CurrentState> ReadLive(const std::vector<std::string>& sim_args,
                                         TargetReaderOptions options, TargetReadStats* stats) {
    std::vector<std::string> args = {"--load", (root_ / "snapshot.ndjson").string()};
    args.insert(args.end(), sim_args.begin(), sim_args.end());
    EXPECT_TRUE(sim_.Start(args).ok());
    auto client = HttpClient::Create(ClientOptions());
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    TargetReader reader(client->get(), sim_.ScimUrl(), options, nullptr);
    auto state = LoadCurrentStateFromTarget(reader);
    EXPECT_TRUE(state.ok()) << state.status().ToString();
    *stats = reader.stats();
    return state.ok() ? std::move(state).value() : nullptr;
  }

  fs::path root_;
  SimProcess sim_;
  std::unique_ptr<CurrentState> expected_;
};

TEST_F(TargetReaderSimTest, ManyPagesInFlightWithInjectedFaultsHoldExactlyTheLoadedState) {
  TargetReadStats stats;
  auto live = ReadLive({"--profile", "generic", "--fault-500", "0.05", "--seed", "9"},
                       FastRetries(100, 4), &stats);
  ASSERT_NE(live, nullptr);
  EXPECT_EQ(UsersOf(*live), UsersOf(*expected_));
  EXPECT_EQ(GroupsOf(*live), GroupsOf(*expected_));
  EXPECT_EQ(live->users().size(), 1500u);
  EXPECT_EQ(live->groups().size(), 40u);
  EXPECT_TRUE(live->issues().empty());
  // Users in the target's listing order: the same order as the loaded file.
  for (size_t user = 0; user < live->users().size(); ++user) {
    ASSERT_EQ(live->users()[user].external_id, expected_->users()[user].external_id);
  }
  EXPECT_EQ(stats.users, 1500u);
  EXPECT_EQ(stats.groups, 40u);
  EXPECT_EQ(stats.member_requests, 40u);
  EXPECT_GT(stats.retries, 0u);
  // Every request the target answered with 500 was sent again.
  const SimStats sim = sim_.Stats();
  EXPECT_EQ(sim.Number("/statuses/500"), stats.retries);
  EXPECT_EQ(sim.Number("/requests/GET"), stats.requests);
  // 15 user pages, 1 group page, 40 groups, and the retries.
  EXPECT_EQ(stats.requests, 15u + 1u + 40u + stats.retries);
}

TEST_F(TargetReaderSimTest, PagesCappedByTheTargetAreFollowed) {
  TargetReadStats stats;
  auto live =
      ReadLive({"--profile", "generic", "--max-page-size", "70"}, FastRetries(1000, 8), &stats);
  ASSERT_NE(live, nullptr);
  EXPECT_EQ(UsersOf(*live), UsersOf(*expected_));
  EXPECT_EQ(GroupsOf(*live), GroupsOf(*expected_));
  EXPECT_EQ(stats.requests, 22u + 1u + 40u);  // ceil(1500 / 70) user pages
}

TEST_F(TargetReaderSimTest, GitHubHidesSuspendedMembersFromTheirGroups) {
  TargetReadStats stats;
  auto live = ReadLive({}, FastRetries(100, 4), &stats);
  ASSERT_NE(live, nullptr);
  EXPECT_EQ(UsersOf(*live), UsersOf(*expected_));
  auto expected_groups = GroupsOf(*expected_);
  size_t hidden = 0;
  for (auto& [external_id, group] : expected_groups) {
    std::vector<std::string>& members = std::get<2>(group);
    const size_t before = members.size();
    std::erase_if(members, [&](const std::string& member) {
      return !expected_->users()[expected_->FindUser(member)].active;
    });
    hidden += before - members.size();
  }
  EXPECT_GT(hidden, 0u);
  EXPECT_EQ(GroupsOf(*live), expected_groups);
}

// ---- Scripted answers ----

class TargetReaderScriptedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = HttpTestServer::Start();
    ASSERT_NE(server_, nullptr);
    auto client = HttpClient::Create(ClientOptions());
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(client).value();
  }

  // Reads users only, two per page, one request at a time.
  Result<std::unique_ptr<CurrentState>> Read(TargetReaderOptions options = FastRetries(2, 1)) {
    options.read_groups = read_groups_;
    reader_ =
        std::make_unique<TargetReader>(client_.get(), server_->Url("/scim"), options, nullptr);
    return LoadCurrentStateFromTarget(*reader_);
  }

  std::string UsersUrl(int start, int count) const {
    return server_->Url("/scim/Users?startIndex=" + std::to_string(start) +
                        "&count=" + std::to_string(count));
  }

  std::unique_ptr<HttpTestServer> server_;
  std::unique_ptr<HttpClient> client_;
  std::unique_ptr<TargetReader> reader_;
  bool read_groups_ = false;
};

TEST_F(TargetReaderScriptedTest, MalformedFirstPageNamesUrlAndStartIndex) {
  server_->Enqueue(Ok(R"({"totalResults":5,"Resources":[{"id":)"));
  const Status status = Read().status();
  EXPECT_EQ(status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(status.message(), "GET " + UsersUrl(1, 2) + ": startIndex 1: malformed JSON");
  // Truncated inside the page's object: the same.
  server_->Enqueue(Ok(Page(5, {UserJson(1), UserJson(2)}).substr(0, 150)));
  EXPECT_EQ(Read().status().message(), "GET " + UsersUrl(1, 2) + ": startIndex 1: malformed JSON");
}

TEST_F(TargetReaderScriptedTest, TotalResultsChangingMidReadStopsTheRead) {
  server_->Enqueue(Ok(Page(5, {UserJson(1), UserJson(2)})));
  server_->Enqueue(Ok(Page(6, {UserJson(3), UserJson(4)})));
  EXPECT_EQ(Read().status(),
            Status(StatusCode::kDataLoss,
                   "GET " + UsersUrl(3, 2) +
                       ": startIndex 3: totalResults changed from 5 to 6 during the read"));
}

TEST_F(TargetReaderScriptedTest, WrongTypesAreBrokenPages) {
  server_->Enqueue(Ok(R"({"totalResults":"5","Resources":[]})"));
  EXPECT_EQ(Read().status().message(),
            "GET " + UsersUrl(1, 2) +
                ": startIndex 1: wrong type for \"totalResults\": expected non-negative integer");
  server_->Enqueue(Ok(R"({"totalResults":5,"Resources":{}})"));
  EXPECT_EQ(Read().status().message(), "GET " + UsersUrl(1, 2) +
                                           ": startIndex 1: wrong type for \"Resources\": "
                                           "expected array");
  server_->Enqueue(Ok(R"({"Resources":[]})"));
  EXPECT_EQ(
      Read().status().message(),
      "GET " + UsersUrl(1, 2) + ": startIndex 1: missing required attribute \"totalResults\"");
  server_->Enqueue(Ok(Page(5, {UserJson(1), "3"})));
  EXPECT_EQ(Read().status().message(),
            "GET " + UsersUrl(1, 2) +
                ": startIndex 1: wrong type for an element of \"Resources\": expected object");
}

TEST_F(TargetReaderScriptedTest, EmptyPageBeforeTheEndAndOverfullPagesAreBroken) {
  server_->Enqueue(Ok(Page(5, {UserJson(1), UserJson(2)})));
  server_->Enqueue(Ok(Page(5, {})));
  EXPECT_EQ(Read().status().message(),
            "GET " + UsersUrl(3, 2) + ": startIndex 3: no resources, expected 2");
  server_->Enqueue(Ok(Page(5, {UserJson(1), UserJson(2), UserJson(3)})));
  EXPECT_EQ(Read().status().message(),
            "GET " + UsersUrl(1, 2) + ": startIndex 1: 3 resources, more than the 2 asked for");
}

TEST_F(TargetReaderScriptedTest, UnusableResourceIsAnIssueAndTheReadGoesOn) {
  server_->Enqueue(Ok(Page(3, {UserJson(1), UserJson(2, /*valid=*/false)})));
  server_->Enqueue(Ok(Page(3, {UserJson(3)})));
  auto state = Read();
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  ASSERT_EQ((*state)->users().size(), 2u);
  EXPECT_EQ((*state)->users()[1].external_id, "e3");
  ASSERT_EQ((*state)->issues().size(), 1u);
  EXPECT_EQ((*state)->issues()[0].line, 2u);
  EXPECT_EQ((*state)->issues()[0].reason, "missing required attribute \"externalId\"");
}

TEST_F(TargetReaderScriptedTest, ShortPageIsCompletedFromWhereItStopped) {
  server_->Enqueue(Ok(Page(5, {UserJson(1), UserJson(2)})));
  server_->Enqueue(Ok(Page(5, {UserJson(3)})));  // asked for 3 and 4
  server_->Enqueue(Ok(Page(5, {UserJson(4)})));  // the continuation: 4
  server_->Enqueue(Ok(Page(5, {UserJson(5)})));
  auto state = Read();
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  std::vector<std::string> order;
  for (const CurrentUser& user : (*state)->users()) order.emplace_back(user.external_id);
  EXPECT_THAT(order, ::testing::ElementsAre("e1", "e2", "e3", "e4", "e5"));
  EXPECT_EQ(reader_->stats().requests, 4u);
}

TEST_F(TargetReaderScriptedTest, ServerErrorsAreRetriedAndUnauthorizedStops) {
  server_->Enqueue(ScriptedAnswer{503, {{"Retry-After", "0"}}, "busy"});
  server_->Enqueue(Ok(Page(1, {UserJson(1)})));
  auto state = Read();
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ((*state)->users().size(), 1u);
  EXPECT_EQ(reader_->stats().retries, 1u);
  EXPECT_EQ(reader_->stats().requests, 2u);

  server_->Enqueue(
      ScriptedAnswer{401,
                     {},
                     R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401",)"
                     R"("detail":"bad credentials"})"});
  EXPECT_EQ(Read().status(), Status(StatusCode::kUnauthenticated,
                                    "GET " + UsersUrl(1, 2) + ": HTTP 401: bad credentials"));

  TargetReaderOptions once = FastRetries(2, 1);
  once.retry.max_attempts = 2;
  server_->Enqueue(ScriptedAnswer{500, {}, ""});
  server_->Enqueue(ScriptedAnswer{500, {}, ""});
  EXPECT_EQ(Read(once).status(), Status(StatusCode::kUnavailable,
                                        "GET " + UsersUrl(1, 2) + ": HTTP 500 (after 2 attempts)"));
}

TEST_F(TargetReaderScriptedTest, GroupsListedWithMembersNeedNoMemberRequests) {
  read_groups_ = true;
  server_->Enqueue(Ok(Page(2, {UserJson(1), UserJson(2)})));
  server_->Enqueue(Ok(Page(
      1, {R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"tg1",)"
          R"("externalId":"g1","displayName":"One","members":[{"value":"t2"},{"value":"t1"}]})"})));
  auto state = Read();
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  ASSERT_EQ((*state)->groups().size(), 1u);
  EXPECT_EQ((*state)->groups()[0].members.size(), 2u);
  EXPECT_EQ((*state)->groups()[0].line, 3u);  // after the two users
  EXPECT_EQ(reader_->stats().member_requests, 0u);
  EXPECT_EQ(reader_->stats().requests, 2u);
  EXPECT_EQ(server_->requests().back().path, "/scim/Groups");
}

}  // namespace
}  // namespace scimflow
