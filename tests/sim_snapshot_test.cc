// Snapshots: a dump followed by a load gives the same resources and the same state in /_stats;
// broken snapshot files are refused with file:line.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/sim_fixture.h"
#include "tests/test_directory.h"

namespace scimflow {
namespace {

namespace fs = std::filesystem;

class SimSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override { directory_ = testing::FreshTestDirectory("sim_snapshot"); }
  void TearDown() override { fs::remove_all(directory_); }

  std::string PathOf(std::string_view name) const { return (directory_ / name).string(); }

  static std::string ReadFile(const std::string& path) {
    std::ifstream input(path, std::ios::binary);
    std::stringstream text;
    text << input.rdbuf();
    return text.str();
  }

  static void WriteFile(const std::string& path, std::string_view text) {
    std::ofstream(path, std::ios::binary) << text;
  }

  // Runs `scimflow sim ARGS` expecting it to fail at start; returns its stderr and exit code.
  static std::pair<std::string, int> RunFailing(const std::string& args) {
    const std::string command =
        std::string(SCIMFLOW_BINARY) + " sim --listen 127.0.0.1:0 " + args + " 2>&1 >/dev/null";
    std::FILE* pipe = popen(command.c_str(), "r");
    std::string output;
    char buffer[256];
    while (std::fgets(buffer, sizeof(buffer), pipe) != nullptr) output += buffer;
    const int status = pclose(pipe);
    return {output, WEXITSTATUS(status)};
  }

  // The state fields of /_stats, which a snapshot must preserve.
  static std::vector<uint64_t> State(const SimStats& stats) {
    return {stats.Number("/users"), stats.Number("/active_users"), stats.Number("/groups"),
            stats.Number("/memberships"), stats.Number("/memberships_stored")};
  }

  fs::path directory_;
};

// Builds some state: users (one suspended), groups with members.
void Populate(SimClient* client) {
  std::vector<std::string> ids;
  for (int number = 0; number < 6; ++number) {
    HttpReply reply = client->Post(
        "/Users", SimUserBody("e" + std::to_string(number), "user" + std::to_string(number)));
    ids.push_back(JsonString(reply.body, "/id"));
  }
  client->Patch("/Users/" + ids[2],
                SimPatchBody(R"([{"op":"replace","path":"active","value":false},)"
                             R"({"op":"replace","path":"name.formatted","value":"U Two"}])"));
  client->Post("/Groups", SimGroupBody("g1", "Engineering", {ids[0], ids[1], ids[2]}));
  client->Post("/Groups", SimGroupBody("g2", "Empty"));
  client->Post("/Groups", SimGroupBody("g3", "Ops", {ids[5]}));
}

TEST_F(SimSnapshotTest, DumpThenLoadGivesTheSameResourcesAndState) {
  const std::string first_dump = PathOf("first.ndjson");
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--dump", first_dump}).ok());
  SimClient client = sim.Client();
  Populate(&client);
  const std::vector<uint64_t> state = State(sim.Stats());
  EXPECT_EQ(state, (std::vector<uint64_t>{6, 5, 3, 3, 4}));
  const std::string users = client.Get("/Users?count=100").body;
  const std::string groups = client.Get("/Groups?count=100").body;
  const std::string base = sim.ScimUrl();
  EXPECT_EQ(sim.Stop(), 0);

  const std::string second_dump = PathOf("second.ndjson");
  SimProcess loaded;
  ASSERT_TRUE(loaded.Start({"--load", first_dump, "--dump", second_dump}).ok());
  EXPECT_EQ(State(loaded.Stats()), state);
  SimClient reloaded = loaded.Client();
  // Same resources with the same ids; only the host:port in meta.location differs.
  auto rebase = [&](std::string text) {
    for (size_t at = text.find(loaded.ScimUrl()); at != std::string::npos;
         at = text.find(loaded.ScimUrl(), at + base.size())) {
      text.replace(at, loaded.ScimUrl().size(), base);
    }
    return text;
  };
  EXPECT_EQ(rebase(reloaded.Get("/Users?count=100").body), users);
  EXPECT_EQ(rebase(reloaded.Get("/Groups?count=100").body), groups);
  EXPECT_EQ(loaded.Stop(), 0);
  EXPECT_EQ(ReadFile(second_dump), ReadFile(first_dump));
}

TEST_F(SimSnapshotTest, DumpFollowsTheSnapshotFormat) {
  const std::string dump = PathOf("dump.ndjson");
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--dump", dump, "--seed", "3"}).ok());
  SimClient client = sim.Client();
  const std::string id = JsonString(client.Post("/Users", SimUserBody("e1", "mona")).body, "/id");
  const std::string group =
      JsonString(client.Post("/Groups", SimGroupBody("g1", "G", {id})).body, "/id");
  // POST /_dump writes the file while running.
  SimClient control(sim.BaseUrl());
  HttpReply dumped = control.Post("/_dump", "");
  EXPECT_EQ(dumped.status, 200);
  EXPECT_EQ(ReadFile(dump),
            R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":")" + id +
                R"(","externalId":"e1","userName":"mona","name":{"givenName":"Given",)"
                R"("familyName":"Family"},"displayName":"mona Display","emails":[{"value":)"
                R"("mona@example.com","type":"work","primary":true}],"roles":[{"value":"user",)"
                R"("primary":true}],"active":true})"
                "\n"
                R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":")" +
                group + R"(","externalId":"g1","displayName":"G","members":[{"value":")" + id +
                R"("}]})"
                "\n");
  EXPECT_FALSE(fs::exists(dump + ".tmp"));
}

TEST_F(SimSnapshotTest, SameSeedGivesTheSameIds) {
  std::vector<std::string> runs;
  for (int run = 0; run < 2; ++run) {
    SimProcess sim;
    ASSERT_TRUE(sim.Start({"--seed", "42"}).ok());
    SimClient client = sim.Client();
    runs.push_back(JsonString(client.Post("/Users", SimUserBody("e1", "a")).body, "/id") +
                   JsonString(client.Post("/Groups", SimGroupBody("g1", "G")).body, "/id"));
  }
  EXPECT_EQ(runs[0], runs[1]);
}

TEST_F(SimSnapshotTest, LoadedIdsAreNeverIssuedAgain) {
  const std::string dump = PathOf("dump.ndjson");
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--dump", dump}).ok());
  const std::string first =
      JsonString(sim.Client().Post("/Users", SimUserBody("e1", "a")).body, "/id");
  sim.Stop();
  // Same seed, so the first id the new process would issue is the loaded one.
  SimProcess loaded;
  ASSERT_TRUE(loaded.Start({"--load", dump}).ok());
  HttpReply reply = loaded.Client().Post("/Users", SimUserBody("e2", "b"));
  ASSERT_EQ(reply.status, 201);
  EXPECT_NE(JsonString(reply.body, "/id"), first);
  EXPECT_EQ(loaded.Stats().Number("/users"), 2u);
}

TEST_F(SimSnapshotTest, BrokenSnapshotsAreRefusedWithFileAndLine) {
  const std::string user =
      R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","externalId":"e1","userName":"a","active":true})";
  struct Case {
    std::string text;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {user + "\n{\"schemas\":[", ":2: malformed JSON: "},
      {user + "\n\n" + R"({"schemas":["x"],"id":"z"})",
       ":3: unknown resource type (schemas has neither User nor Group)"},
      {R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"e1","userName":"a"})",
       ":1: missing required attribute \"id\""},
      {user + "\n" + user, ":2: id \"u1\" is already taken"},
      {user + "\n" +
           R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u2","externalId":"e1","userName":"b"})",
       ":2: externalId \"e1\" is already taken"},
      {R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","externalId":"e1","userName":"a","active":"maybe"})",
       ":1: attribute \"active\" must be a boolean"},
  };
  for (const Case& test_case : cases) {
    const std::string path = PathOf("broken.ndjson");
    WriteFile(path, test_case.text);
    const auto [output, exit_code] = RunFailing("--load " + path);
    EXPECT_EQ(exit_code, 1) << output;
    EXPECT_TRUE(output.starts_with("scimflow sim: " + path + test_case.reason)) << output;
  }
  const auto [output, exit_code] = RunFailing("--load " + PathOf("missing.ndjson"));
  EXPECT_EQ(exit_code, 1);
  EXPECT_NE(output.find("missing.ndjson: cannot open"), std::string::npos) << output;
}

TEST_F(SimSnapshotTest, UnknownMembersAreDroppedOnLoad) {
  const std::string path = PathOf("members.ndjson");
  WriteFile(
      path,
      R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","externalId":"e1","userName":"a","active":true})"
      "\n"
      R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"g1","externalId":"x","displayName":"G","members":[{"value":"u1"},{"value":"ghost"}]})"
      "\n");
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--load", path}).ok());
  SimStats stats = sim.Stats();
  EXPECT_EQ(stats.Number("/users"), 1u);
  EXPECT_EQ(stats.Number("/groups"), 1u);
  EXPECT_EQ(stats.Number("/memberships"), 1u);
  EXPECT_EQ(JsonString(sim.Client().Get("/Groups/g1").body, "/members/0/value"), "u1");
}

TEST_F(SimSnapshotTest, DumpWithoutAFileIsRefused) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start().ok());
  HttpReply reply = SimClient(sim.BaseUrl()).Post("/_dump", "");
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(JsonString(reply.body, "/detail"), "no snapshot file: start the simulator with --dump");
}

}  // namespace
}  // namespace scimflow
