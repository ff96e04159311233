// NDJSON parsing: one JSON object per line → records and rejects of a RecordChunk.
//
// Fast path: simdjson On-Demand `iterate_many` over the whole chunk, which indexes every document
// in one SIMD pass. It is used only while it is provably equivalent to parsing line by line: every
// document must start on its own line and be followed by nothing but whitespace up to the next
// document, every line must be within the length limit, and no document may be malformed. Records
// that are valid JSON but unusable (wrong type, missing attribute) are rejected without leaving
// the fast path.
// Slow path, taken for the whole chunk at the first doubt: the records found so far are dropped
// and the chunk is parsed line by line (memchr for the newline, one `iterate` per line), so a
// malformed line or invalid UTF-8 costs that line only and parsing re-synchronises on the next
// newline.
//
// Rejects use docs/input-formats.md reasons: `malformed JSON`, `invalid UTF-8`, the mapping
// reasons of io/scim_json.h and io/okta_mapping.h, `line longer than N bytes`, and for the last
// line of the file, when it ends inside a string or an open object or array,
// `truncated record`.
//
// Thread-safety: stateless; call with a distinct simdjson parser and RecordChunk per thread.
#ifndef SCIMFLOW_IO_NDJSON_PARSER_H_
#define SCIMFLOW_IO_NDJSON_PARSER_H_

#include <simdjson.h>

#include <string_view>

#include "engine/chunk.h"
#include "engine/options.h"
#include "io/chunk_text.h"
#include "io/json_record.h"

namespace scimflow {

// What a chunk parser reports besides its records.
struct ChunkParseStats {
  uint64_t newlines = 0;  // '\n' bytes in the chunk's text (or 1 for a skipped line ending in one).
  bool fast_path = false;  // The chunk went through iterate_many without falling back.
};

// Parses chunk.text as NDJSON records of `type`, appending records and rejects to `*out` with
// origins {file, relative line, absolute byte offset, length}. Blank lines are skipped.
// REQUIRES: chunk.capacity >= chunk.text.size() + simdjson::SIMDJSON_PADDING; `file` outlives
// `*out`. Never fails: every problem is a Reject.
ChunkParseStats ParseNdjsonChunk(const ChunkText& chunk, JsonRecordType type, std::string_view file,
                                 const EngineOptions& options, simdjson::ondemand::parser* parser,
                                 RecordChunk* out);

// The reason for an over-long line: `line longer than N bytes`.
std::string OverlongLineReason(uint64_t max_line_bytes);

// Adds the reject of a skipped over-long line (chunk.overlong) to `*out`; returns the newlines
// it covers (0 or 1).
uint64_t AddOverlongReject(const ChunkText& chunk, std::string_view file,
                           const EngineOptions& options, RecordChunk* out);

namespace internal {
// Number of '\n' in text.
uint64_t CountNewlines(std::string_view text);
// True if `text` ends inside a JSON string or with an object or array left open: the mark of a
// record cut off by the end of the file rather than a malformed one.
bool EndsInsideJsonValue(std::string_view text);
// Parses one line (or array element) with `iterate` and appends its record or reject.
void ParseOneJsonRecord(std::string_view record, size_t capacity, JsonRecordType type,
                        const RecordOrigin& origin, bool may_be_truncated,
                        simdjson::ondemand::parser* parser, RecordChunk* out);
}  // namespace internal

}  // namespace scimflow

#endif  // SCIMFLOW_IO_NDJSON_PARSER_H_
