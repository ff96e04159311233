// The Emitter in this process (not through the binary), so the ThreadSanitizer job sees its
// threads together: the driver (HttpClient::Poll, scheduler, requests) and the JournalWriter's
// commit thread, which wakes the driver after each commit. "Pipeline" in the suite's name puts it
// in that job.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "engine/emitter.h"
#include "engine/rate_budget.h"
#include "engine/target_profile.h"
#include "io/plan_reader.h"
#include "tests/emit_testutil.h"

namespace scimflow {
namespace {

using testing_emit::PlanGroupCreateLine;
using testing_emit::PlanMemberAddLine;
using testing_emit::PlanUserCreateLine;
using testing_emit::TempDir;

constexpr char kTokenVariable[] = "SCIMFLOW_PIPELINE_TEST_TOKEN";

TEST(EmitterPipelineTest, MemberAddsLeaveOnlyAfterTheCreatesTheyNameCommitted) {
  constexpr int kUsers = 60;
  constexpr int kChunk = 10;
  std::string body;
  std::vector<std::string> chunk;
  int chunks = 0;
  for (int index = 0; index < kUsers; ++index)
    body += PlanUserCreateLine("p" + std::to_string(index));
  body += PlanGroupCreateLine("team");
  for (int index = 0; index < kUsers; ++index) {
    chunk.push_back("p" + std::to_string(index));
    if (chunk.size() == kChunk) {
      body += PlanMemberAddLine("team", chunk, ++chunks);
      chunk.clear();
    }
  }
  const int total = kUsers + 1 + chunks;
  const std::string text =
      R"({"format":"scimflow-plan","version":1,"profile":"github-emu","total":)" +
      std::to_string(total) + "}\n" + body;
  Result<ReadPlan> plan = ParsePlan(text, "pipeline.plan");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();

  SimProcess sim;
  ASSERT_TRUE(sim.Start().ok());
  ::setenv(kTokenVariable, std::string(SimProcess::kToken).c_str(), 1);
  HttpClientOptions client_options;
  client_options.max_in_flight = 8;
  client_options.max_host_connections = 8;
  client_options.token.env_var = kTokenVariable;
  Result<std::unique_ptr<HttpClient>> client = HttpClient::Create(client_options);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  TempDir dir("emitter_pipeline");
  // Groups of 4 with a long interval: most commits happen because the driver asks for them.
  JournalOptions journal_options;
  journal_options.group_size = 4;
  journal_options.group_interval = std::chrono::seconds(10);
  Result<std::unique_ptr<Journal>> journal =
      Journal::Open(dir / "state.db", sim.ScimUrl(), "github-emu", plan->digest, journal_options);
  ASSERT_TRUE(journal.ok()) << journal.status().ToString();
  RateBudget budget({}, RateBudget::Clock::now());
  EmitterOptions options;
  options.target_url = sim.ScimUrl();
  options.profile = FindProfile("github-emu");
  options.concurrency = 8;
  RunSummary summary;
  Emitter emitter(*plan, options, client->get(), journal->get(), &budget, nullptr, &summary);
  const Status run = emitter.Run();
  ASSERT_TRUE(run.ok()) << run.ToString();

  // One request per operation, each done; every member add found its users' ids.
  EXPECT_EQ(summary.requests_sent, static_cast<uint64_t>(total));
  EXPECT_TRUE(summary.failures.empty());
  EXPECT_EQ(summary.kinds[static_cast<size_t>(OperationKind::kUserCreate)].done, kUsers);
  EXPECT_EQ(summary.kinds[static_cast<size_t>(OperationKind::kGroupMembersAdd)].done, chunks);
  const SimStats stats = sim.Stats();
  EXPECT_EQ(stats.Number("/users"), static_cast<uint64_t>(kUsers));
  EXPECT_EQ(stats.Number("/groups"), 1u);
  EXPECT_EQ(stats.Number("/memberships"), static_cast<uint64_t>(kUsers));
  // Everything the run counted is in the journal and the state tables, committed.
  const ResumeSet resume = *(*journal)->LoadResume();
  EXPECT_EQ(resume.done.size(), static_cast<size_t>(total));
  EXPECT_TRUE(resume.in_flight.empty());
  EXPECT_EQ(*(*journal)->state().CountUsers(), kUsers);
  EXPECT_EQ((*journal)->state().GroupMembers("team")->size(), static_cast<size_t>(kUsers));
}

}  // namespace
}  // namespace scimflow
