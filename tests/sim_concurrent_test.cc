// Many clients at once against one simulator: counts must be exact, uniqueness must hold, and
// no write may be lost. Named SimConcurrent… so the ThreadSanitizer job runs it.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tests/sim_fixture.h"

namespace scimflow {
namespace {

constexpr int kClients = 8;
constexpr int kUsersPerClient = 40;

TEST(SimConcurrentTest, ParallelClientsCreatingDistinctUsersAreAllStored) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--threads", "4"}).ok());
  HttpReply group = sim.Client().Post("/Groups", SimGroupBody("g1", "Everyone"));
  const std::string group_path = "/Groups/" + JsonString(group.body, "/id");
  std::atomic<int> created{0};
  std::atomic<int> added{0};
  std::vector<std::thread> clients;
  for (int client_number = 0; client_number < kClients; ++client_number) {
    clients.emplace_back([&, client_number] {
      SimClient client = sim.Client();
      for (int user = 0; user < kUsersPerClient; ++user) {
        const std::string key = std::to_string(client_number) + "-" + std::to_string(user);
        HttpReply reply = client.Post("/Users", SimUserBody("e" + key, "user" + key));
        if (reply.status != 201) continue;
        created.fetch_add(1);
        const std::string member = R"({"value":")" + JsonString(reply.body, "/id") + "\"}";
        HttpReply patched = client.Patch(
            group_path,
            SimPatchBody(R"([{"op":"add","path":"members","value":[)" + member + "]}]"));
        if (patched.status == 200) added.fetch_add(1);
      }
    });
  }
  for (std::thread& client : clients) client.join();
  constexpr uint64_t kTotal = kClients * kUsersPerClient;
  EXPECT_EQ(created.load(), static_cast<int>(kTotal));
  EXPECT_EQ(added.load(), static_cast<int>(kTotal));
  SimStats stats = sim.Stats();
  EXPECT_EQ(stats.Number("/users"), kTotal);
  EXPECT_EQ(stats.Number("/active_users"), kTotal);
  EXPECT_EQ(stats.Number("/memberships"), kTotal);
  EXPECT_EQ(stats.Number("/requests/total"), 2 * kTotal + 1);
  EXPECT_EQ(stats.Number("/duplicate_creates"), 0u);
  HttpReply listed = sim.Client().Get("/Users?count=1000");
  EXPECT_EQ(JsonNumber(listed.body, "/totalResults"), static_cast<int64_t>(kTotal));
}

TEST(SimConcurrentTest, RacingCreatesOfTheSameUsersCreateEachExactlyOnce) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--threads", "4"}).ok());
  constexpr int kUsers = 25;
  std::atomic<int> created{0};
  std::atomic<int> conflicts{0};
  std::vector<std::thread> clients;
  for (int client_number = 0; client_number < kClients; ++client_number) {
    clients.emplace_back([&] {
      SimClient client = sim.Client();
      for (int user = 0; user < kUsers; ++user) {
        const std::string key = std::to_string(user);
        const long status = client.Post("/Users", SimUserBody("e" + key, "user" + key)).status;
        if (status == 201) created.fetch_add(1);
        if (status == 409) conflicts.fetch_add(1);
      }
    });
  }
  for (std::thread& client : clients) client.join();
  EXPECT_EQ(created.load(), kUsers);
  EXPECT_EQ(conflicts.load(), kUsers * (kClients - 1));
  EXPECT_EQ(sim.Stats().Number("/users"), static_cast<uint64_t>(kUsers));
  EXPECT_EQ(sim.Stats().Number("/statuses/409"), static_cast<uint64_t>(kUsers * (kClients - 1)));
}

TEST(SimConcurrentTest, BudgetIsNeverOverdrawnUnderConcurrency) {
  SimProcess sim;
  ASSERT_TRUE(sim.Start({"--threads", "4", "--budget", "user-assignments=30/h"}).ok());
  std::atomic<int> created{0};
  std::atomic<int> throttled{0};
  std::vector<std::thread> clients;
  for (int client_number = 0; client_number < kClients; ++client_number) {
    clients.emplace_back([&, client_number] {
      SimClient client = sim.Client();
      for (int user = 0; user < 10; ++user) {
        const std::string key = std::to_string(client_number) + "-" + std::to_string(user);
        const long status = client.Post("/Users", SimUserBody("e" + key, "user" + key)).status;
        if (status == 201) created.fetch_add(1);
        if (status == 429) throttled.fetch_add(1);
      }
    });
  }
  for (std::thread& client : clients) client.join();
  EXPECT_EQ(created.load(), 30);
  EXPECT_EQ(throttled.load(), kClients * 10 - 30);
  EXPECT_EQ(sim.Stats().Number("/users"), 30u);
}

}  // namespace
}  // namespace scimflow
