// Benchmarks of `scimflow gen` (tools/gen):
//   BM_Gen_BuildInitialDay   day 0 in memory: users, group sizes and members (items: users)
//   BM_Gen_WriteUsersNdjson  SCIM NDJSON users file (bytes and users per second)
//   BM_Gen_WriteUsersCsv     CSV users file
//   BM_Gen_WriteGroupsCsv    CSV group edges (items: memberships)
//   BM_Gen_WriteSnapshot     snapshot.ndjson (items: lines)
//   BM_Gen_ApplyChurn        one day of 1% churn with its expected counts (items: users)
// Each checks its output against a reference before timing (the model against a one-thread
// build, files against their expected record count) and skips with an error when it differs.
// The end-to-end figure (10^6 users, 10^4 groups) is `time scimflow gen`, see README.md.
#include <benchmark/benchmark.h>
#include <tbb/task_arena.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "tools/gen/churn.h"
#include "tools/gen/export_model.h"
#include "tools/gen/export_writer.h"

namespace scimflow::gen {
namespace {

constexpr uint32_t kUsers = 100'000;

// Printed once: numbers from an unoptimised or sanitized build mean nothing.
[[maybe_unused]] const bool kWarned = [] {
#if !defined(__OPTIMIZE__)
  std::fprintf(stderr,
               "WARNING: bench_gen built without optimisation; timings are not meaningful\n");
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  std::fprintf(stderr, "WARNING: bench_gen built with a sanitizer; timings are not meaningful\n");
#endif
  return true;
}();

GenParams Params() {
  GenParams params;
  params.seed = 3;
  params.users = kUsers;
  params.groups = kUsers / 100;
  return params;
}

const ExportModel& Model() {
  static const ExportModel model = BuildInitialDay(Params());
  return model;
}

uint64_t Memberships(const ExportModel& model) {
  uint64_t total = 0;
  for (const GenGroup& group : model.groups) total += group.members.size();
  return total;
}

std::string OutPath(const char* name) {
  return (std::filesystem::temp_directory_path() / (std::string("scimflow_bench_") + name))
      .string();
}

uint64_t CountLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  uint64_t lines = 0;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    for (std::streamsize index = 0; index < in.gcount(); ++index) lines += buffer[index] == '\n';
  }
  return lines;
}

void BM_Gen_BuildInitialDay(benchmark::State& state) {
  ExportModel reference;
  tbb::task_arena(1).execute([&] { reference = BuildInitialDay(Params()); });
  const ExportModel& model = Model();
  if (reference.users != model.users || Memberships(reference) != Memberships(model)) {
    state.SkipWithError("parallel build differs from the one-thread reference");
    return;
  }
  for (auto _ : state) {
    ExportModel built = BuildInitialDay(Params());
    benchmark::DoNotOptimize(built.users.data());
  }
  state.SetItemsProcessed(state.iterations() * kUsers);
}
BENCHMARK(BM_Gen_BuildInitialDay)->Unit(benchmark::kMillisecond)->UseRealTime();

// Times `write`, checking first that the file has `expected_lines` lines.
template <typename Write>
void TimeWriter(benchmark::State& state, const char* name, uint64_t expected_lines, uint64_t items,
                Write write) {
  const std::string path = OutPath(name);
  Result<WriteStats> first = write(path);
  if (!first.ok() || CountLines(path) != expected_lines) {
    state.SkipWithError("output differs from the expected record count");
    return;
  }
  for (auto _ : state) {
    Result<WriteStats> stats = write(path);
    if (!stats.ok()) state.SkipWithError(stats.status().message().c_str());
  }
  state.SetBytesProcessed(state.iterations() * first->bytes);
  state.SetItemsProcessed(state.iterations() * items);
  std::filesystem::remove(path);
}

uint64_t IdpUsers(const ExportModel& model) {
  uint64_t count = 0;
  for (const GenUser& user : model.users) count += user.InIdp();
  return count;
}

void BM_Gen_WriteUsersNdjson(benchmark::State& state) {
  const ExportModel& model = Model();
  const IdScheme ids(3);
  TimeWriter(state, "users.ndjson", IdpUsers(model), IdpUsers(model), [&](const std::string& path) {
    return WriteUsers(model, ids, UserFormat::kScim, path);
  });
}
BENCHMARK(BM_Gen_WriteUsersNdjson)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Gen_WriteUsersCsv(benchmark::State& state) {
  const ExportModel& model = Model();
  const IdScheme ids(3);
  TimeWriter(
      state, "users.csv", IdpUsers(model) + 1, IdpUsers(model),
      [&](const std::string& path) { return WriteUsers(model, ids, UserFormat::kCsv, path); });
}
BENCHMARK(BM_Gen_WriteUsersCsv)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Gen_WriteGroupsCsv(benchmark::State& state) {
  const ExportModel& model = Model();
  const IdScheme ids(3);
  const uint64_t edges = Memberships(model);
  TimeWriter(state, "groups.csv", edges + 1, edges, [&](const std::string& path) {
    return WriteGroups(model, ids, GroupFormat::kCsv, path);
  });
}
BENCHMARK(BM_Gen_WriteGroupsCsv)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Gen_WriteSnapshot(benchmark::State& state) {
  const ExportModel& model = Model();
  const IdScheme ids(3);
  const uint64_t lines = model.users.size() + model.groups.size();
  TimeWriter(state, "snapshot.ndjson", lines, lines, [&](const std::string& path) {
    return WriteSnapshot(model, ids, /*full_name=*/true, path);
  });
}
BENCHMARK(BM_Gen_WriteSnapshot)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Gen_ApplyChurn(benchmark::State& state) {
  const Result<ChurnSpec> spec = ParseChurnSpec("1%");
  ExportModel check = Model();
  const ChurnResult result = ApplyChurn(&check, *spec, 100);
  // 1% of 10^5 users: 300 joiners, 200 leavers (reference counts of the documented weights).
  if (result.expected.user_create != 300 || result.expected.user_deactivate != 200) {
    state.SkipWithError("churn counts differ from the spec");
    return;
  }
  for (auto _ : state) {
    state.PauseTiming();
    ExportModel model = Model();
    state.ResumeTiming();
    benchmark::DoNotOptimize(ApplyChurn(&model, *spec, 100));
  }
  state.SetItemsProcessed(state.iterations() * kUsers);
}
BENCHMARK(BM_Gen_ApplyChurn)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace scimflow::gen
