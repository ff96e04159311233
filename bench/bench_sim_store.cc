// Micro-benchmarks of the simulator's store, in-process (no HTTP), so a slow simulator can be
// told apart from a slow server library:
//   BM_SimStore_CreateUser  creates distinct valid users (the work behind POST /Users)
//   BM_SimStore_GetUser     renders one stored user (the work behind GET /Users/{id})
//   BM_SimStore_ListPage    renders a page of 100 users out of 10,000 (a snapshot read's page)
// Each checks its output against the expected result before timing and fails the run if it
// differs; items are requests, bytes are JSON written.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "tools/sim/sim_store.h"

namespace scimflow {
namespace {

// Loud warning when the figures cannot be trusted (db_bench's PrintWarnings).
void WarnIfNotOptimised() {
#if !defined(NDEBUG) || defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  std::fprintf(stderr,
               "WARNING: built without optimisation or with sanitizers; "
               "benchmark figures are not representative\n");
#endif
}

SimUser MakeUser(uint64_t number) {
  SimUser user;
  user.external_id = "ext-" + std::to_string(number);
  user.user_name = "user" + std::to_string(number);
  user.display_name = "User " + std::to_string(number);
  user.given_name = "Given";
  user.family_name = "Family";
  user.emails.push_back({user.user_name + "@example.com", "work", true});
  user.roles.push_back({"user", true});
  return user;
}

const ChargeFn kFree = [](const WriteCharge&) -> ScimStatus { return std::nullopt; };
constexpr std::string_view kBase = "http://127.0.0.1:1/scim/v2";

void BM_SimStore_CreateUser(benchmark::State& state) {
  WarnIfNotOptimised();
  SimStore store(SimProfile::kGitHubEmu, 1);
  ScimResult<std::string> first = store.CreateUser(MakeUser(0), kFree, kBase);
  if (!first.ok() || first.value().find(R"("userName":"user0")") == std::string::npos) {
    state.SkipWithError("create did not answer the stored user");
    return;
  }
  uint64_t number = 1;
  size_t bytes = 0;
  for (auto _ : state) {
    ScimResult<std::string> created = store.CreateUser(MakeUser(number++), kFree, kBase);
    bytes += created.ok() ? created.value().size() : 0;
  }
  if (store.Counts().users != number) state.SkipWithError("a create was lost");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_SimStore_CreateUser);

void BM_SimStore_GetUser(benchmark::State& state) {
  WarnIfNotOptimised();
  SimStore store(SimProfile::kGitHubEmu, 1);
  ScimResult<std::string> created = store.CreateUser(MakeUser(7), kFree, kBase);
  const std::string id =
      created.ok() ? created.value().substr(created.value().find("\"id\":\"") + 6, 36) : "";
  ScimResult<std::string> reference = store.GetUser(id, kBase);
  if (!reference.ok() || reference.value() != created.value()) {
    state.SkipWithError("GET differs from the created user");
    return;
  }
  size_t bytes = 0;
  for (auto _ : state) {
    ScimResult<std::string> user = store.GetUser(id, kBase);
    bytes += user.value().size();
    benchmark::DoNotOptimize(user);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_SimStore_GetUser);

void BM_SimStore_ListPage(benchmark::State& state) {
  WarnIfNotOptimised();
  constexpr uint64_t kUsers = 10000;
  SimStore store(SimProfile::kGitHubEmu, 1);
  for (uint64_t number = 0; number < kUsers; ++number) {
    if (!store.CreateUser(MakeUser(number), kFree, kBase).ok()) {
      state.SkipWithError("setup create failed");
      return;
    }
  }
  ListQuery query;
  query.start_index = 5001;
  query.count = 100;
  const std::string page = store.ListUsers(query, kBase);
  if (page.find(R"("totalResults":10000,"itemsPerPage":100,"startIndex":5001)") ==
          std::string::npos ||
      page.find(R"("userName":"user5000")") == std::string::npos) {
    state.SkipWithError("page differs from the expected one");
    return;
  }
  size_t bytes = 0;
  for (auto _ : state) {
    const std::string listed = store.ListUsers(query, kBase);
    bytes += listed.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_SimStore_ListPage);

}  // namespace
}  // namespace scimflow
