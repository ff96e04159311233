// What the emitter draws from the rate budgets, counted against what it sent: every request draws
// `requests` exactly once (an externalId lookup after a 409 or a lost answer included, and the
// create sent again after a lookup found nothing), every write draws `writes`, and a /Bulk batch
// draws each of its operations' budgets. The emitter runs in-process against `scimflow sim`.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <memory>
#include <string>

#include "engine/emitter.h"
#include "engine/journal.h"
#include "engine/rate_budget.h"
#include "engine/target_profile.h"
#include "io/http_client.h"
#include "io/plan_reader.h"
#include "tests/emit_testutil.h"

namespace scimflow::testing_emit {
namespace {

constexpr char kUserSchema[] = R"("schemas":["urn:ietf:params:scim:schemas:core:2.0:User"])";
constexpr uint64_t kBudget = 1000;  // Per day: no token comes back during a test.

std::string CreateLine(const std::string& external_id, const std::string& user_name) {
  return R"({"op":"u:)" + external_id + R"(:create","kind":"user.create","externalId":")" +
         external_id + R"(","method":"POST","path":"/Users","body":{)" + kUserSchema +
         R"(,"externalId":")" + external_id + R"(","userName":")" + user_name +
         R"(","active":true}})"
         "\n";
}

std::string Plan(const std::string& profile, const std::vector<std::string>& lines) {
  std::string text = R"({"format":"scimflow-plan","version":1,"profile":")" + profile +
                     R"(","total":)" + std::to_string(lines.size()) + "}\n";
  for (const std::string& line : lines) text += line;
  return text;
}

struct Drawn {
  uint64_t requests = 0;
  uint64_t writes = 0;
  uint64_t assignments = 0;
  RunSummary summary;
};

class BulkBudgetDrawsTest : public ::testing::Test {
 protected:
  void SetUp() override { setenv("SCIMFLOW_TOKEN", std::string(SimProcess::kToken).c_str(), 1); }

  // `in_flight`: op ids the journal holds as in flight from an earlier run; the run resumes.
  Drawn Run(const SimProcess& sim, const std::string& plan_text, const std::string& profile_name,
            bool bulk, const std::vector<std::string>& in_flight = {}) {
    Drawn drawn;
    Result<ReadPlan> plan = ParsePlan(plan_text, "plan.ndjson");
    EXPECT_TRUE(plan.ok()) << plan.status().message();
    if (!plan.ok()) return drawn;
    HttpClientOptions client_options;
    Result<std::unique_ptr<HttpClient>> client = HttpClient::Create(client_options);
    EXPECT_TRUE(client.ok()) << client.status().message();
    if (!client.ok()) return drawn;
    Result<std::unique_ptr<Journal>> journal =
        Journal::Open(dir_ / ("state" + std::to_string(runs_++) + ".db"), sim.ScimUrl(),
                      profile_name, plan->digest, JournalOptions{});
    EXPECT_TRUE(journal.ok()) << journal.status().message();
    if (!journal.ok()) return drawn;
    for (const std::string& op_id : in_flight) {
      (*journal)->MarkInFlight(op_id, "user.create", 1, Journal::Clock::now());
    }
    if (!in_flight.empty()) {
      Result<std::vector<std::string>> flushed = (*journal)->Flush();
      EXPECT_TRUE(flushed.ok()) << flushed.status().message();
    }
    const auto start = RateBudget::Clock::now();
    std::vector<BucketSpec> specs;
    for (std::string_view name : {budget::kRequests, budget::kWrites, budget::kUserAssignments}) {
      specs.push_back(BucketSpec{std::string(name), kBudget, std::chrono::hours(24), 0, false});
    }
    RateBudget budget(std::move(specs), start);
    EmitterOptions options;
    options.target_url = sim.ScimUrl();
    options.profile = FindProfile(profile_name);
    options.bulk = bulk;
    options.resume = !in_flight.empty();
    Emitter emitter(*plan, options, client->get(), journal->get(), &budget, nullptr,
                    &drawn.summary);
    const Status run = emitter.Run();
    EXPECT_TRUE(run.ok()) << run.message();
    const auto now = RateBudget::Clock::now();
    drawn.requests = kBudget - *budget.Available(budget::kRequests, "", now);
    drawn.writes = kBudget - *budget.Available(budget::kWrites, "", now);
    drawn.assignments = kBudget - *budget.Available(budget::kUserAssignments, "", now);
    return drawn;
  }

  TempDir dir_{"bulk_budget_draws"};
  int runs_ = 0;
};

TEST_F(BulkBudgetDrawsTest, LookupAfterAConflictDrawsRequestsOnce) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--profile", "generic"}).ok());
  ASSERT_EQ(sim.Client().Post("/Users", SimUserBody("e-1", "e-1")).status, 201);
  const Drawn drawn = Run(
      sim, Plan("generic", {CreateLine("e-1", "e-1"), CreateLine("e-2", "e-2")}), "generic", false);
  // e-1: the create (409) and its lookup; e-2: the create.
  EXPECT_EQ(drawn.summary.requests_sent, 3u);
  EXPECT_EQ(drawn.summary.lookups, 1u);
  EXPECT_EQ(drawn.requests, 3u);
  EXPECT_EQ(drawn.writes, 2u);
  EXPECT_EQ(drawn.assignments, 2u);
}

TEST_F(BulkBudgetDrawsTest, LookupAfterALostAnswerDrawsRequestsOnce) {
  SimProcess sim;
  // Every write is applied and its answer lost; reads are answered.
  ASSERT_TRUE(sim.Start({"--profile", "generic", "--lost-answer", "1"}).ok());
  const Drawn drawn = Run(sim, Plan("generic", {CreateLine("e-1", "e-1")}), "generic", false);
  EXPECT_EQ(drawn.summary.requests_sent, 2u);
  EXPECT_EQ(drawn.summary.adopted, 1u);
  EXPECT_EQ(drawn.requests, 2u);
  EXPECT_EQ(drawn.writes, 1u);
  EXPECT_EQ(drawn.assignments, 1u);
  EXPECT_EQ(sim.Stats().Number("/users"), 1u);
}

TEST_F(BulkBudgetDrawsTest, ResumeLookupOfAnInFlightCreateDrawsOnlyRequests) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--profile", "generic"}).ok());
  // The earlier run's create of e-1 reached the target; e-2's did not.
  ASSERT_EQ(sim.Client().Post("/Users", SimUserBody("e-1", "e-1")).status, 201);
  const Drawn drawn =
      Run(sim, Plan("generic", {CreateLine("e-1", "e-1"), CreateLine("e-2", "e-2")}), "generic",
          false, {"u:e-1:create", "u:e-2:create"});
  // Two lookups (GET, `requests` only); e-1 adopted, e-2 created: one write, one assignment.
  EXPECT_EQ(drawn.summary.lookups, 2u);
  EXPECT_EQ(drawn.summary.adopted, 1u);
  EXPECT_EQ(drawn.summary.requests_sent, 3u);
  EXPECT_EQ(drawn.requests, 3u);
  EXPECT_EQ(drawn.writes, 1u);
  EXPECT_EQ(drawn.assignments, 1u);
  EXPECT_EQ(sim.Stats().Number("/users"), 2u);
  EXPECT_EQ(sim.Stats().Number("/duplicate_creates"), 0u);
}

TEST_F(BulkBudgetDrawsTest, ConflictOnAnotherUsersNameFailsAfterOneLookup) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--profile", "generic"}).ok());
  // userName "taken" belongs to another externalId: the lookup by e-1 finds nothing, and sending
  // the create again would only meet the same 409.
  ASSERT_EQ(sim.Client().Post("/Users", SimUserBody("e-0", "taken")).status, 201);
  const Drawn drawn = Run(sim, Plan("generic", {CreateLine("e-1", "taken")}), "generic", false);
  EXPECT_EQ(drawn.summary.requests_sent, 2u);
  ASSERT_EQ(drawn.summary.failures.size(), 1u);
  EXPECT_EQ(drawn.summary.failures[0].error,
            "HTTP 409 uniqueness: userName \"taken\" is already taken");
  EXPECT_EQ(drawn.requests, 2u);
  EXPECT_EQ(drawn.writes, 1u);
}

TEST_F(BulkBudgetDrawsTest, BatchDrawsEachOperationsBudgets) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--profile", "generic"}).ok());
  const Drawn drawn = Run(sim,
                          Plan("generic", {CreateLine("e-1", "e-1"), CreateLine("e-2", "e-2"),
                                           CreateLine("e-3", "e-3")}),
                          "generic", true);
  EXPECT_EQ(drawn.summary.bulk_requests, 1u);
  EXPECT_EQ(drawn.requests, 3u);
  EXPECT_EQ(drawn.writes, 3u);
  EXPECT_EQ(drawn.assignments, 3u);
  EXPECT_EQ(sim.Stats().Number("/users"), 3u);
}

}  // namespace
}  // namespace scimflow::testing_emit
