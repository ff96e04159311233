// Injected faults: seeded draws, and each kind seen by a real client (500, latency, a dropped
// connection, a lost answer after the write was applied).
#include "tools/sim/sim_faults.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/sim_fixture.h"

namespace scimflow {
namespace {

TEST(SimFaultsTest, DecisionsAreAFunctionOfSeedAndRequestNumber) {
  SimFaultOptions options;
  options.fail_500 = 0.3;
  options.drop = 0.1;
  const SimFaults first(options, 7);
  const SimFaults again(options, 7);
  const SimFaults other(options, 8);
  int failures = 0;
  int drops = 0;
  int differences = 0;
  for (uint64_t request = 0; request < 10000; ++request) {
    const FaultDecision decision = first.Decide(request);
    EXPECT_EQ(decision.fail_500, again.Decide(request).fail_500);
    EXPECT_EQ(decision.drop, again.Decide(request).drop);
    differences += decision.fail_500 != other.Decide(request).fail_500 ? 1 : 0;
    failures += decision.fail_500 ? 1 : 0;
    drops += decision.drop ? 1 : 0;
  }
  // The shares are what was asked (these bounds hold for this seed; the draws are fixed).
  EXPECT_GT(failures, 2800);
  EXPECT_LT(failures, 3200);
  EXPECT_GT(drops, 850);
  EXPECT_LT(drops, 1150);
  EXPECT_GT(differences, 3000);
}

TEST(SimFaultsTest, NoFaultsConfiguredMeansNone) {
  const SimFaults faults(SimFaultOptions{}, 1);
  EXPECT_FALSE(faults.any());
  for (uint64_t request = 0; request < 1000; ++request) {
    const FaultDecision decision = faults.Decide(request);
    EXPECT_FALSE(decision.drop || decision.fail_500 || decision.lose_answer);
  }
}

TEST(SimFaultsHttpTest, Fault500AnswersServerErrorAndChangesNothing) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--fault-500", "1"}).ok());
  HttpReply reply = sim.Client().Post("/Users", SimUserBody("e1", "mona"));
  EXPECT_EQ(reply.status, 500);
  EXPECT_EQ(reply.body,
            R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"500",)"
            R"("detail":"injected fault: internal server error"})");
  SimStats stats = sim.Stats();
  EXPECT_EQ(stats.Number("/users"), 0u);
  EXPECT_EQ(stats.Number("/faults/500"), 1u);
  EXPECT_EQ(stats.Number("/statuses/500"), 1u);
}

TEST(SimFaultsHttpTest, DropClosesTheConnectionWithoutAnswerOrChange) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--drop", "1"}).ok());
  SimClient client = sim.Client();
  HttpReply reply = client.Post("/Users", SimUserBody("e1", "mona"));
  EXPECT_EQ(reply.transport, CURLE_GOT_NOTHING) << curl_easy_strerror(reply.transport);
  EXPECT_EQ(reply.status, 0);
  HttpReply read = client.Get("/Users");
  EXPECT_EQ(read.transport, CURLE_GOT_NOTHING);
  SimStats stats = sim.Stats();
  EXPECT_EQ(stats.Number("/users"), 0u);
  EXPECT_EQ(stats.Number("/faults/drop"), 2u);
  EXPECT_EQ(stats.Number("/requests/total"), 2u);
}

TEST(SimFaultsHttpTest, LostAnswerAppliesTheWriteThenCloses) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--lost-answer", "1"}).ok());
  SimClient client = sim.Client();
  HttpReply reply = client.Post("/Users", SimUserBody("e1", "mona"));
  EXPECT_EQ(reply.transport, CURLE_GOT_NOTHING) << curl_easy_strerror(reply.transport);
  // The write happened: the lookup a careful client makes next finds the user.
  HttpReply lookup = client.Get("/Users?filter=externalId%20eq%20%22e1%22");
  EXPECT_EQ(lookup.status, 200);
  EXPECT_EQ(JsonNumber(lookup.body, "/totalResults"), 1);
  SimStats stats = sim.Stats();
  EXPECT_EQ(stats.Number("/users"), 1u);
  EXPECT_EQ(stats.Number("/faults/lost_answer"), 1u);
  // A blind re-send creates no second user (its 409 answer is lost as well).
  HttpReply resent = client.Post("/Users", SimUserBody("e1", "mona"));
  EXPECT_EQ(resent.transport, CURLE_GOT_NOTHING);
  EXPECT_EQ(sim.Stats().Number("/users"), 1u);
}

TEST(SimFaultsHttpTest, LatencyDelaysButStillAnswersEveryConnection) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--latency-ms", "30"}).ok());
  SimClient first = sim.Client();
  SimClient second = sim.Client();
  EXPECT_EQ(first.Post("/Users", SimUserBody("e1", "mona")).status, 201);
  EXPECT_EQ(second.Get("/Users").status, 200);
  EXPECT_EQ(sim.Stats().Number("/faults/latency"), 2u);
}

std::vector<long> StatusSequence(const std::vector<std::string>& args, int requests) {
  SimProcess sim;
  EXPECT_TRUE(sim.Start(args).ok());
  SimClient client = sim.Client();
  std::vector<long> statuses;
  for (int request = 0; request < requests; ++request) {
    statuses.push_back(client.Get("/Users").status);
  }
  return statuses;
}

TEST(SimFaultsHttpTest, SameSeedAndOrderGiveTheSameFaults) {
  const std::vector<long> first = StatusSequence({"--fault-500", "0.5", "--seed", "7"}, 30);
  const std::vector<long> again = StatusSequence({"--fault-500", "0.5", "--seed", "7"}, 30);
  const std::vector<long> other = StatusSequence({"--fault-500", "0.5", "--seed", "8"}, 30);
  EXPECT_EQ(first, again);
  EXPECT_NE(first, other);
  EXPECT_NE(std::count(first.begin(), first.end(), 500), 0);
  EXPECT_NE(std::count(first.begin(), first.end(), 200), 0);
}

TEST(SimFaultsHttpTest, ControlRoutesAreNeverFaulted) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--drop", "1", "--fault-500", "1"}).ok());
  SimStats stats = sim.Stats();
  EXPECT_EQ(stats.Number("/requests/total"), 0u);
  EXPECT_FALSE(stats.json.empty());
}

}  // namespace
}  // namespace scimflow
