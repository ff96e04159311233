// Shared helpers of the micro-benchmarks: generated datasets, the check-before-timing rule, and
// the loud warning when the numbers cannot mean anything.
//
// Every benchmark checks its output against a reference before it times anything, and skips
// with an error if it differs (simdjson's run_json_benchmark): a fast wrong answer is not a
// result. Datasets come from the project's own generator (`scimflow gen`, tools/gen), seeded, so
// anyone can repeat a figure; they are written once into $SCIMFLOW_BENCH_DATA (default
// `bench/data`, git-ignored) and reused by later runs.
//
// Thread-safety: call from the benchmark's main thread (Google Benchmark runs setup there).
#ifndef SCIMFLOW_BENCH_BENCH_COMMON_H_
#define SCIMFLOW_BENCH_BENCH_COMMON_H_

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tools/gen/generator.h"

namespace scimflow::bench {

// True when this binary was built without optimisation, with assertions, or with a sanitizer.
inline bool BuildIsUnfitForTiming() {
  bool unfit = false;
#ifndef NDEBUG
  unfit = true;
#endif
#ifndef __OPTIMIZE__
  unfit = true;
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  unfit = true;
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(undefined_behavior_sanitizer)
  unfit = true;
#endif
#endif
  return unfit;
}

// Prints the warning once per process (leveldb db_bench's PrintWarnings; bench_build_warning.cc
// calls it at start-up, so no benchmark needs to) and records the build
// mode in the benchmark context, so a pasted result says how it was built.
inline void WarnAboutBuildOnce() {
  static const bool warned = [] {
    const bool unfit = BuildIsUnfitForTiming();
    benchmark::AddCustomContext("scimflow_build", unfit ? "UNFIT (debug or sanitizer)" : "release");
    if (unfit) {
      std::fprintf(stderr,
                   "WARNING: built without optimisation, with assertions or with sanitizers;\n"
                   "WARNING: these timings mean nothing. Use -DCMAKE_BUILD_TYPE=Release and no\n"
                   "WARNING: SCIMFLOW_SANITIZE.\n");
    }
    return true;
  }();
  (void)warned;
}

// Users in the benchmark datasets: $SCIMFLOW_BENCH_USERS, default 10^6 (about 0.5 GB as SCIM).
inline uint32_t BenchUsers() {
  const char* value = std::getenv("SCIMFLOW_BENCH_USERS");
  return value != nullptr ? static_cast<uint32_t>(std::strtoul(value, nullptr, 10)) : 1'000'000;
}

// The directory of a generated export of `users` users in `format` ("scim" or "okta"), written on
// first use (seed 1). Returns an empty string and skips `state` if generation fails.
inline std::string GeneratedExport(benchmark::State& state, uint32_t users, gen::UserFormat format,
                                   std::string_view format_name) {
  const char* root = std::getenv("SCIMFLOW_BENCH_DATA");
  const std::string dir = std::string(root != nullptr ? root : "bench/data") + "/users-" +
                          std::to_string(users) + "-" + std::string(format_name);
  if (std::filesystem::exists(dir + "/manifest.json")) return dir;
  gen::GenRequest request;
  request.params.users = users;
  request.params.groups = users / 100 == 0 ? 1 : users / 100;
  request.params.seed = 1;
  request.out_dir = dir;
  request.user_format = format;
  Result<gen::GenSummary> summary = gen::RunGenerator(request);
  if (!summary.ok()) {
    state.SkipWithError(("generating " + dir + ": " + summary.status().ToString()).c_str());
    return "";
  }
  return dir;
}

// Evicts `path` from the page cache (clean pages only, no root needed), so the next read comes
// from the device: the per-file equivalent of `echo 3 > /proc/sys/vm/drop_caches`.
inline bool EvictFromPageCache(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ::fdatasync(fd);
  const bool ok = ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0;
  ::close(fd);
  return ok;
}

// The fastest repetition: on a shared machine the minimum is the figure least disturbed by other
// load (use with --benchmark_repetitions=N).
inline double MinOf(const std::vector<double>& values) {
  double best = values.empty() ? 0 : values.front();
  for (double value : values) best = value < best ? value : best;
  return best;
}

// Skips the benchmark with `message` unless `condition` holds; returns `condition`.
inline bool CheckOrSkip(benchmark::State& state, bool condition, const std::string& message) {
  if (!condition) state.SkipWithError(message.c_str());
  return condition;
}

}  // namespace scimflow::bench

#endif  // SCIMFLOW_BENCH_BENCH_COMMON_H_
