// Parsing benchmarks over a generated 10^6-user SCIM NDJSON export ($SCIMFLOW_BENCH_USERS):
//
//   BM_Parse_CountOnly           simdjson iterate_many counting the documents, one thread, file in
//                                memory: the ceiling any NDJSON ingest is measured against.
//   BM_Parse_OnDemandWalk        the same iterate_many reading every value of every document with
//                                the cheapest On-Demand call for its type (a string's raw token,
//                                a number's raw token, a boolean) and keeping nothing: what
//                                merely visiting a user record's values costs, before any
//                                mapping, record building, line checks or I/O.
//   BM_Parse_NdjsonChunks        ParseNdjsonChunk over the same bytes cut into 1 MiB chunks at
//                                newlines, one thread: parsing and mapping alone.
//   BM_Ingest_Ndjson/threads:N   IngestFile end to end (io_uring reads, chunking, parallel parse,
//                                order restored), warm page cache.
//   BM_Ingest_NdjsonPread/...    the same through the pread fallback instead of io_uring: what
//                                the io_uring source is worth to ingest (with one parse thread
//                                its page-cache copy runs in the kernel's workers, beside the
//                                parse; with several, both sources read each chunk just in time).
//   BM_Ingest_NdjsonCold/...     the same with the file evicted from the page cache before each
//                                iteration, so reads come from the device.
//   BM_Ingest_OktaJson/...       IngestFile of the same users as an Okta JSON array.
//   BM_CountNewlines_Memchr      newlines of the same bytes counted 1 MiB at a time: with one
//   BM_CountNewlines_ByteLoop    memchr per line, with a plain loop summing each comparison into
//   BM_CountNewlines             one counter (the implementation before), and with
//                                internal::CountNewlines (how CSV and JSON-array chunks count their
//                                lines). The file is read from memory, so the first two are bound
//                                by their own work and the last by the memory's bandwidth.
//
// Each checks its result (document and record counts, no rejects, the fast path taken) before
// timing. bytes_per_second and items_per_second (records) are the figures to compare.
#include <simdjson.h>

#include <cstring>
#include <string>
#include <vector>

#include "bench/bench_common.h"
#include "engine/ingest.h"
#include "io/chunker.h"
#include "io/file_source.h"
#include "io/ndjson_parser.h"

namespace scimflow::bench {
namespace {

struct LoadedFile {
  std::string path;
  simdjson::padded_string bytes;
  uint64_t documents = 0;
};

// Runs iterate_many over `bytes` with stage 1 on this thread only, calling `visit(document)`
// for each document; returns the documents visited, or 0 when the stream or a visit fails.
template <typename Visit>
uint64_t ForEachDocument(simdjson::ondemand::parser& parser, const simdjson::padded_string& bytes,
                         Visit&& visit) {
  simdjson::ondemand::document_stream stream;
  if (parser.iterate_many(bytes.data(), bytes.size(), simdjson::dom::DEFAULT_BATCH_SIZE)
          .get(stream)) {
    return 0;
  }
  uint64_t documents = 0;
  for (auto document : stream) {
    if (!visit(document)) return 0;
    ++documents;
  }
  return documents;
}

// Counts documents the way the baseline does.
uint64_t CountDocuments(simdjson::ondemand::parser& parser, const simdjson::padded_string& bytes) {
  return ForEachDocument(parser, bytes, [](auto&) { return true; });
}

// Adds the raw length of every scalar under `value` to *bytes, visiting objects and arrays
// member by member. Returns false on a JSON error.
bool WalkValue(simdjson::ondemand::value value, uint64_t* bytes) {
  simdjson::ondemand::json_type type{};
  if (value.type().get(type)) return false;
  switch (type) {
    case simdjson::ondemand::json_type::object: {
      simdjson::ondemand::object object;
      if (value.get_object().get(object)) return false;
      for (auto field : object) {
        if (field.error()) return false;
        *bytes += field.value_unsafe().key().raw() != nullptr;
        if (!WalkValue(field.value_unsafe().value(), bytes)) return false;
      }
      return true;
    }
    case simdjson::ondemand::json_type::array: {
      simdjson::ondemand::array array;
      if (value.get_array().get(array)) return false;
      for (auto element : array) {
        if (element.error() || !WalkValue(element.value_unsafe(), bytes)) return false;
      }
      return true;
    }
    case simdjson::ondemand::json_type::boolean: {
      bool flag = false;
      if (value.get_bool().get(flag)) return false;
      *bytes += flag;
      return true;
    }
    default:
      *bytes += value.raw_json_token().size();
      return true;
  }
}

// Reads every value of every document (BM_Parse_OnDemandWalk); returns the documents walked.
uint64_t WalkDocuments(simdjson::ondemand::parser& parser, const simdjson::padded_string& bytes,
                       uint64_t* scalar_bytes) {
  return ForEachDocument(parser, bytes, [&](auto& document) {
    simdjson::ondemand::value root;
    return !document.get_value().get(root) && WalkValue(root, scalar_bytes);
  });
}

// The SCIM users file, loaded once per process.
const LoadedFile* ScimUsers(benchmark::State& state) {
  static LoadedFile* file = nullptr;
  if (file != nullptr) return file;
  const std::string dir = GeneratedExport(state, BenchUsers(), gen::UserFormat::kScim, "scim");
  if (dir.empty()) return nullptr;
  auto loaded = new LoadedFile;
  loaded->path = dir + "/users.ndjson";
  if (simdjson::padded_string::load(loaded->path).get(loaded->bytes)) {
    state.SkipWithError(("cannot load " + loaded->path).c_str());
    delete loaded;
    return nullptr;
  }
  simdjson::ondemand::parser parser;
  parser.threaded = false;
  loaded->documents = CountDocuments(parser, loaded->bytes);
  file = loaded;
  return file;
}

void BM_Parse_CountOnly(benchmark::State& state) {
  const LoadedFile* file = ScimUsers(state);
  if (file == nullptr) return;
  simdjson::ondemand::parser parser;
  parser.threaded = false;  // One core: the baseline must not borrow a second thread.
  if (!CheckOrSkip(state, file->documents == BenchUsers(),
                   "document count " + std::to_string(file->documents) + " != users")) {
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(CountDocuments(parser, file->bytes));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * file->bytes.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * file->documents));
}

void BM_Parse_OnDemandWalk(benchmark::State& state) {
  const LoadedFile* file = ScimUsers(state);
  if (file == nullptr) return;
  simdjson::ondemand::parser parser;
  parser.threaded = false;
  uint64_t scalar_bytes = 0;
  const uint64_t walked = WalkDocuments(parser, file->bytes, &scalar_bytes);
  if (!CheckOrSkip(state, walked == file->documents,
                   "walked " + std::to_string(walked) + " documents of " +
                       std::to_string(file->documents))) {
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(WalkDocuments(parser, file->bytes, &scalar_bytes));
  }
  benchmark::DoNotOptimize(scalar_bytes);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * file->bytes.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * file->documents));
}

// The file cut into chunks as the reader would cut it.
std::vector<ChunkText> CutChunks(const LoadedFile& file, size_t chunk_bytes) {
  std::vector<ChunkText> chunks;
  const std::string_view text(file.bytes.data(), file.bytes.size());
  LineCutter cutter;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t window = std::min(chunk_bytes, text.size() - pos);
    size_t cut = cutter.CompletePrefix(text.substr(pos, window), pos == 0);
    if (cut == 0 || pos + window == text.size()) cut = window;
    ChunkText chunk;
    chunk.sequence = chunks.size();
    chunk.text = text.substr(pos, cut);
    chunk.capacity = text.size() + simdjson::SIMDJSON_PADDING - pos;
    chunk.byte_offset = pos;
    chunk.first = pos == 0;
    chunk.last = pos + cut == text.size();
    chunk.records_may_point_into_text = true;  // As ingest's streaming consumers parse: the
                                               // file stays loaded longer than any record.
    chunks.push_back(chunk);
    pos += cut;
  }
  return chunks;
}

struct ParseTotals {
  uint64_t users = 0;
  uint64_t rejects = 0;
  uint64_t fast_chunks = 0;
};

ParseTotals ParseAll(const std::vector<ChunkText>& chunks, simdjson::ondemand::parser* parser) {
  ParseTotals totals;
  const EngineOptions options;
  for (const ChunkText& text : chunks) {
    RecordChunk chunk;
    const ChunkParseStats stats =
        ParseNdjsonChunk(text, JsonRecordType::kScimUser, "users.ndjson", options, parser, &chunk);
    totals.users += chunk.users.size();
    totals.rejects += chunk.rejects.size();
    totals.fast_chunks += stats.fast_path ? 1 : 0;
  }
  return totals;
}

void BM_Parse_NdjsonChunks(benchmark::State& state) {
  const LoadedFile* file = ScimUsers(state);
  if (file == nullptr) return;
  const std::vector<ChunkText> chunks = CutChunks(*file, EngineOptions().chunk_bytes);
  simdjson::ondemand::parser parser;
  const ParseTotals check = ParseAll(chunks, &parser);
  if (!CheckOrSkip(state,
                   check.users == file->documents && check.rejects == 0 &&
                       check.fast_chunks == chunks.size(),
                   "parse check failed: " + std::to_string(check.users) + " users, " +
                       std::to_string(check.rejects) + " rejects")) {
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(ParseAll(chunks, &parser));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * file->bytes.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * file->documents));
}

// Ingests `path`, dropping each chunk as it arrives (memory stays bounded).
IngestStats IngestOnce(const std::string& path, uint32_t threads, SourceChoice source, bool* ok) {
  EngineOptions options;
  options.threads = threads;
  IngestStats stats;
  const Status status = IngestFileStreaming(
      path, InputKind::kUsers, InputFormat::kAuto, options,
      [](std::unique_ptr<RecordChunk> chunk) { return Status::Ok(); }, &stats,
      IngestIo{.source = source, .lifetime = ChunkLifetime::kDuringCall});
  *ok = status.ok();
  return stats;
}

void RunIngest(benchmark::State& state, const std::string& path, uint64_t expected, bool cold,
               SourceChoice source = SourceChoice::kAuto) {
  const uint32_t threads = static_cast<uint32_t>(state.range(0));
  bool ok = false;
  const IngestStats check = IngestOnce(path, threads, source, &ok);
  if (!CheckOrSkip(state, ok && check.records == expected && check.rejects == 0,
                   "ingest check failed: " + std::to_string(check.records) + " records, " +
                       std::to_string(check.rejects) + " rejects")) {
    return;
  }
  state.SetLabel(std::string(check.source_kind));
  for (auto _ : state) {
    if (cold) {
      state.PauseTiming();
      EvictFromPageCache(path);
      state.ResumeTiming();
    }
    benchmark::DoNotOptimize(IngestOnce(path, threads, source, &ok));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * check.bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * check.records));
}

void BM_Ingest_Ndjson(benchmark::State& state) {
  const LoadedFile* file = ScimUsers(state);
  if (file != nullptr) RunIngest(state, file->path, file->documents, /*cold=*/false);
}

void BM_Ingest_NdjsonPread(benchmark::State& state) {
  const LoadedFile* file = ScimUsers(state);
  if (file != nullptr) {
    RunIngest(state, file->path, file->documents, /*cold=*/false, SourceChoice::kPread);
  }
}

void BM_Ingest_NdjsonCold(benchmark::State& state) {
  const LoadedFile* file = ScimUsers(state);
  if (file != nullptr) RunIngest(state, file->path, file->documents, /*cold=*/true);
}

void BM_Ingest_OktaJson(benchmark::State& state) {
  const std::string dir = GeneratedExport(state, BenchUsers(), gen::UserFormat::kOkta, "okta");
  if (!dir.empty()) RunIngest(state, dir + "/users.okta.json", BenchUsers(), /*cold=*/false);
}

// Wall time in milliseconds, with the fastest repetition among the statistics.
void WallMilliseconds(benchmark::internal::Benchmark* bench) {
  bench->Unit(benchmark::kMillisecond)->UseRealTime()->ComputeStatistics("min", MinOf);
}

// WallMilliseconds on 1 and 2 ingest threads.
void OneAndTwoThreads(benchmark::internal::Benchmark* bench) {
  bench->ArgName("threads")->Arg(1)->Arg(2);
  WallMilliseconds(bench);
}

BENCHMARK(BM_Parse_CountOnly)->Apply(WallMilliseconds);
BENCHMARK(BM_Parse_OnDemandWalk)->Apply(WallMilliseconds);
BENCHMARK(BM_Parse_NdjsonChunks)->Apply(WallMilliseconds);
BENCHMARK(BM_Ingest_Ndjson)->Apply(OneAndTwoThreads);
BENCHMARK(BM_Ingest_NdjsonPread)->Apply(OneAndTwoThreads);
BENCHMARK(BM_Ingest_NdjsonCold)->Apply(OneAndTwoThreads)->Iterations(3);
BENCHMARK(BM_Ingest_OktaJson)->Apply(OneAndTwoThreads);

// Counts the file's newlines 1 MiB at a time with `count`, checking the total.
template <typename Count>
void RunCountNewlines(benchmark::State& state, Count&& count) {
  const LoadedFile* file = ScimUsers(state);
  if (file == nullptr) return;
  const std::string_view text(file->bytes.data(), file->bytes.size());
  const auto count_all = [&] {
    uint64_t total = 0;
    for (size_t pos = 0; pos < text.size(); pos += EngineOptions().chunk_bytes) {
      total += count(text.substr(pos, EngineOptions().chunk_bytes));
    }
    return total;
  };
  if (!CheckOrSkip(state, count_all() == file->documents, "newline count != users")) return;
  for (auto _ : state) benchmark::DoNotOptimize(count_all());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void BM_CountNewlines_Memchr(benchmark::State& state) {
  RunCountNewlines(state, [](std::string_view chunk) {
    uint64_t lines = 0;
    for (const char *at = chunk.data(), *end = chunk.data() + chunk.size();
         (at = static_cast<const char*>(std::memchr(at, '\n', end - at))) != nullptr; ++at) {
      ++lines;
    }
    return lines;
  });
}

void BM_CountNewlines_ByteLoop(benchmark::State& state) {
  RunCountNewlines(state, [](std::string_view chunk) {
    uint64_t lines = 0;
    for (char byte : chunk) lines += byte == '\n';
    return lines;
  });
}

void BM_CountNewlines(benchmark::State& state) {
  RunCountNewlines(state, [](std::string_view chunk) { return internal::CountNewlines(chunk); });
}

BENCHMARK(BM_CountNewlines_Memchr)->Unit(benchmark::kMillisecond)->ComputeStatistics("min", MinOf);
BENCHMARK(BM_CountNewlines_ByteLoop)
    ->Unit(benchmark::kMillisecond)
    ->ComputeStatistics("min", MinOf);
BENCHMARK(BM_CountNewlines)->Unit(benchmark::kMillisecond)->ComputeStatistics("min", MinOf);

}  // namespace
}  // namespace scimflow::bench
