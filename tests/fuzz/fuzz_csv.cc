// Fuzz target for the CSV parser (io/csv_parser.h).
//
// The first byte picks the input kind (users, groups, assignments); the rest is a CSV file: its
// first line is the header, everything after it the rows. Beyond "no crash, no sanitizer report",
// it checks the parser's promises and aborts when one is broken:
//   - every record and reject has a line within the input and a byte range within the file;
//   - records plus rejects equal the rows counted by a deliberately naive reference scan
//     (nothing is dropped silently, nothing is invented);
//   - parsing in chunks cut with CsvCompleteRowsPrefix gives the same lines as parsing at once.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "engine/chunk.h"
#include "engine/options.h"
#include "io/csv_parser.h"

namespace scimflow {
namespace {

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "fuzz_csv: invariant broken: %s\n", what);
  std::abort();
}

// Counts non-empty rows byte by byte with the documented rules, independently of the parser's
// memchr-based scan: a quote toggles quoting, a newline outside quotes ends a row, a quote never
// closed makes its first line one (rejected) row.
size_t ReferenceRowCount(std::string_view text) {
  size_t rows = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t cursor = pos;
    bool in_quotes = false;
    while (cursor < text.size() && (in_quotes || text[cursor] != '\n')) {
      if (text[cursor] == '"') in_quotes = !in_quotes;
      ++cursor;
    }
    if (in_quotes) {
      size_t newline = text.find('\n', pos);
      cursor = newline == std::string_view::npos ? text.size() : newline;
    }
    size_t length = cursor - pos;
    if (length > 0 && text[cursor - 1] == '\r') --length;
    if (length > 0 || in_quotes) ++rows;
    pos = cursor + 1;
  }
  return rows;
}

std::vector<RecordOrigin> Origins(const RecordChunk& chunk) {
  std::vector<RecordOrigin> origins;
  for (const User& user : chunk.users) origins.push_back(user.origin);
  for (const Group& group : chunk.groups) origins.push_back(group.origin);
  for (const Assignment& assignment : chunk.assignments) origins.push_back(assignment.origin);
  for (const Reject& reject : chunk.rejects) origins.push_back(reject.origin);
  std::sort(origins.begin(), origins.end(),
            [](const RecordOrigin& left, const RecordOrigin& right) {
              return left.byte_offset < right.byte_offset;
            });
  return origins;
}

// Parses `rows` in pieces no longer than `piece` bytes (plus the carried partial row).
RecordChunk ParseInPieces(const CsvHeader& header, std::string_view rows, size_t header_bytes,
                          size_t piece, const EngineOptions& options) {
  RecordChunk chunk;
  size_t start = 0;
  uint64_t line = 2;
  for (size_t cut = piece; start < rows.size(); cut += piece) {
    const bool last = cut >= rows.size();
    std::string_view window = rows.substr(start, std::min(cut, rows.size()) - start);
    std::string_view part = window.substr(0, last ? window.size() : CsvCompleteRowsPrefix(window));
    ParseCsvRows(header, part, "fuzz.csv", line, header_bytes + start, options, &chunk);
    line += static_cast<uint64_t>(std::count(part.begin(), part.end(), '\n'));
    start += part.size();
  }
  return chunk;
}

void FuzzOne(std::string_view input, InputKind kind) {
  const size_t header_end = std::min(input.find('\n'), input.size());
  const size_t header_bytes = std::min(header_end + 1, input.size());
  Result<CsvHeader> header = ParseCsvHeader(input.substr(0, header_bytes), kind, "fuzz.csv");
  if (!header.ok()) return;
  const std::string_view rows = input.substr(header_bytes);
  EngineOptions options;
  options.max_line_bytes = 64;  // Small, so the fuzzer reaches the over-long-line path.
  RecordChunk whole;
  ParseCsvRows(*header, rows, "fuzz.csv", 2, header_bytes, options, &whole);
  const std::vector<RecordOrigin> origins = Origins(whole);
  Check(origins.size() == ReferenceRowCount(rows), "records + rejects == non-empty rows");
  const uint64_t lines = 2 + static_cast<uint64_t>(std::count(rows.begin(), rows.end(), '\n'));
  for (const RecordOrigin& origin : origins) {
    Check(origin.line >= 2 && origin.line <= lines, "line within the input");
    Check(origin.byte_offset >= header_bytes, "offset after the header");
    Check(origin.byte_offset + origin.byte_length <= input.size(), "range within the input");
  }
  for (const Reject& reject : whole.rejects) {
    Check(!reject.reason.empty(), "a reject has a reason");
    Check(reject.excerpt.size() <= config::kRejectExcerptBytes, "excerpt within its limit");
  }
  // Small pieces cut many rows; the floor keeps big replayed files from rescanning quadratically.
  const size_t piece = std::max<size_t>(7, rows.size() / 256);
  const std::vector<RecordOrigin> pieces =
      Origins(ParseInPieces(*header, rows, header_bytes, piece, options));
  Check(pieces.size() == origins.size(), "chunked parse yields as many rows");
  for (size_t index = 0; index < origins.size(); ++index) {
    Check(pieces[index].line == origins[index].line, "chunked parse yields the same lines");
    Check(pieces[index].byte_offset == origins[index].byte_offset, "same offsets");
  }
}

}  // namespace
}  // namespace scimflow

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto kind = static_cast<scimflow::InputKind>(data[0] % 3);
  scimflow::FuzzOne(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), kind);
  return 0;
}
