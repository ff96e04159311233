// CSV parsing benchmarks (io/csv_parser.h).
//
//   BM_Parse_Csv            a 200 000-row users CSV (about 25 MB), cut into chunks of
//                           EngineOptions::chunk_bytes at row boundaries with
//                           CsvCompleteRowsPrefix and parsed one chunk at a time, single thread;
//                           one row in eight has quoted fields (commas, `""`, a line break).
//   BM_Parse_CsvUnquoted    the same rows without any quotes: the memchr-only fast path.
//
// Before timing, the output is checked against the generator: as many users as rows, no reject,
// and the first and last rows' attributes as generated; a mismatch skips the benchmark with an
// error. Bytes are input bytes, items are records.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "engine/chunk.h"
#include "engine/options.h"
#include "io/csv_parser.h"

namespace scimflow {
namespace {

constexpr size_t kRows = 200'000;
constexpr std::string_view kHeader =
    "externalId,userName,givenName,familyName,displayName,email,active,roles\n";

std::string DisplayName(size_t row, bool quoted) {
  std::string name = "Person " + std::to_string(row);
  return quoted && row % 8 == 0 ? "\"" + name + ", \"\"PM\"\"\nTeam\"" : name;
}

// Users CSV rows (no header) in a fixed pattern, so the check below knows every value.
std::string MakeRows(bool quoted) {
  std::string rows;
  for (size_t row = 0; row < kRows; ++row) {
    const std::string id = std::to_string(row);
    rows += "00u" + std::string(17 - id.size(), '0') + id + ",user" + id + "@example.com,Given" +
            id + ",Family" + id + "," + DisplayName(row, quoted) + ",user" + id + "@example.com," +
            (row % 10 == 0 ? "false" : "true") + ",user\n";
  }
  return rows;
}

// Parses `rows` the way the pipeline does, one chunk at a time; returns the records seen.
// `check`, when set, receives every chunk.
template <typename Check>
size_t ParseInChunks(const CsvHeader& header, std::string_view rows, const Check& check) {
  const EngineOptions options;
  size_t records = 0;
  size_t start = 0;
  uint64_t line = 2;
  while (start < rows.size()) {
    std::string_view window = rows.substr(start, options.chunk_bytes);
    size_t complete =
        start + window.size() == rows.size() ? window.size() : CsvCompleteRowsPrefix(window);
    if (complete == 0) complete = window.size();  // Rows are far shorter than a chunk.
    RecordChunk chunk;
    const std::string_view part = window.substr(0, complete);
    ParseCsvRows(header, part, "bench.csv", line, kHeader.size() + start, options, &chunk);
    records += chunk.users.size() + chunk.rejects.size();
    check(chunk);
    for (char byte : part) line += byte == '\n';
    start += complete;
  }
  return records;
}

// The reference check: counts, no rejects, first and last rows as generated.
std::string CheckOutput(const CsvHeader& header, std::string_view rows, bool quoted) {
  size_t users = 0;
  std::string problem;
  ParseInChunks(header, rows, [&](const RecordChunk& chunk) {
    if (!chunk.rejects.empty())
      problem = "unexpected reject: " + std::string(chunk.rejects[0].reason);
    for (const User& user : chunk.users) {
      const size_t row = users++;
      const std::string id = std::to_string(row);
      if ((row == 0 || row + 1 == kRows) &&
          (user.user_name != "user" + id + "@example.com" || user.active != (row % 10 != 0) ||
           user.display_name !=
               (quoted && row % 8 == 0 ? "Person " + id + ", \"PM\"\nTeam" : "Person " + id))) {
        problem = "row " + id + " parsed wrongly";
      }
    }
  });
  if (problem.empty() && users != kRows) problem = "expected " + std::to_string(kRows) + " users";
  return problem;
}

void ParseBenchmark(benchmark::State& state, bool quoted) {
  const std::string rows = MakeRows(quoted);
  Result<CsvHeader> header = ParseCsvHeader(kHeader, InputKind::kUsers, "bench.csv");
  if (!header.ok()) return state.SkipWithError(header.status().ToString().c_str());
  const std::string problem = CheckOutput(*header, rows, quoted);
  if (!problem.empty()) return state.SkipWithError(problem.c_str());
  for (auto _ : state) {
    benchmark::DoNotOptimize(ParseInChunks(*header, rows, [](const RecordChunk&) {}));
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(rows.size()));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kRows));
}

void BM_Parse_Csv(benchmark::State& state) { ParseBenchmark(state, /*quoted=*/true); }
void BM_Parse_CsvUnquoted(benchmark::State& state) { ParseBenchmark(state, /*quoted=*/false); }

BENCHMARK(BM_Parse_Csv)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Parse_CsvUnquoted)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace scimflow
