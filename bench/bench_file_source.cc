// File source benchmarks: the io_uring reader against the pread fallback on the same generated
// users file ($SCIMFLOW_BENCH_USERS users, SCIM NDJSON), both driven through ChunkReader exactly
// as ingest drives them (chunk_bytes reads, io_queue_depth in flight, cut at newlines):
//
//   BM_FileSource_Warm/uring, /pread   file in the page cache: the cost of the read path itself.
//   BM_FileSource_Cold/uring, /pread   file evicted before each iteration: device throughput.
//
// Each checks that the chunks add up to the file, byte for byte in length, before timing.
#include <string>

#include "bench/bench_common.h"
#include "io/chunker.h"
#include "io/file_source.h"

namespace scimflow::bench {
namespace {

// Reads the whole file through `choice`; returns the bytes handed out in chunks, or -1.
int64_t ReadThrough(const std::string& path, SourceChoice choice) {
  const EngineOptions options;
  Result<std::unique_ptr<FileSource>> source = OpenFileSource(path, options, choice);
  if (!source.ok()) return -1;
  LineCutter cutter;
  ChunkReader reader(source->get(), &cutter, options, 4);
  int64_t bytes = 0;
  ChunkText chunk;
  while (true) {
    Result<bool> next = reader.Next(&chunk);
    if (!next.ok()) return -1;
    if (!*next) break;
    bytes += static_cast<int64_t>(chunk.text.size());
    reader.Release(chunk);
  }
  return bytes;
}

void RunSource(benchmark::State& state, bool cold) {
  const SourceChoice choice = state.range(0) == 0 ? SourceChoice::kIoUring : SourceChoice::kPread;
  if (choice == SourceChoice::kIoUring && !IoUringAvailable()) {
    state.SkipWithError("io_uring is not available here");
    return;
  }
  const std::string dir = GeneratedExport(state, BenchUsers(), gen::UserFormat::kScim, "scim");
  if (dir.empty()) return;
  const std::string path = dir + "/users.ndjson";
  const int64_t size = static_cast<int64_t>(std::filesystem::file_size(path));
  if (!CheckOrSkip(state, ReadThrough(path, choice) == size, "chunks do not add up to the file")) {
    return;
  }
  state.SetLabel(choice == SourceChoice::kIoUring ? "io_uring" : "pread");
  for (auto _ : state) {
    if (cold) {
      state.PauseTiming();
      EvictFromPageCache(path);
      state.ResumeTiming();
    }
    benchmark::DoNotOptimize(ReadThrough(path, choice));
  }
  state.SetBytesProcessed(state.iterations() * size);
}

void BM_FileSource_Warm(benchmark::State& state) { RunSource(state, /*cold=*/false); }
void BM_FileSource_Cold(benchmark::State& state) { RunSource(state, /*cold=*/true); }

// Arg 0: io_uring, 1: pread.
BENCHMARK(BM_FileSource_Warm)
    ->ArgName("pread")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->ComputeStatistics("min", MinOf);
BENCHMARK(BM_FileSource_Cold)
    ->ArgName("pread")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->ComputeStatistics("min", MinOf)
    ->Iterations(3);

}  // namespace
}  // namespace scimflow::bench
