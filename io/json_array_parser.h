// JSON-array parsing: a top-level array of objects, streamed element by element, so a file of
// any size is parsed in chunks like NDJSON.
//
// ScanJsonArray finds where elements begin and end with a small quote- and depth-aware scanner.
// The reader uses it to cut chunks after a complete element (so a chunk never splits one), and
// the parser uses it again, in parallel, to find the elements of its chunk; each element is then
// parsed with simdjson On-Demand `iterate` in place and mapped like an NDJSON line. Elements may
// span lines; an element's line is the line of its first byte.
//
// Rejects: those of io/ndjson_parser.h for each element; an element cut off by the end of the
// file, or an array whose `]` never comes, gives `truncated record`; content after the closing
// `]` gives `malformed JSON`.
// Thread-safety: stateless; distinct parsers and chunks per thread.
#ifndef SCIMFLOW_IO_JSON_ARRAY_PARSER_H_
#define SCIMFLOW_IO_JSON_ARRAY_PARSER_H_

#include <simdjson.h>

#include <string_view>
#include <vector>

#include "engine/chunk.h"
#include "engine/options.h"
#include "io/chunk_text.h"
#include "io/json_record.h"
#include "io/ndjson_parser.h"

namespace scimflow {

// Where the elements of a piece of a JSON array are.
struct JsonArrayScan {
  struct Element {
    size_t begin = 0;  // Offset of the element's first byte in the scanned text.
    size_t end = 0;    // One past its last byte.
  };
  std::vector<Element> elements;  // Complete elements, in order.
  size_t complete_prefix = 0;     // Bytes up to the end of the last complete element.
  bool opened = false;            // Saw the opening `[` (only looked for at the file's start).
  bool closed = false;            // Saw the closing `]`.
  size_t closed_at = 0;           // Offset of that `]`.
  bool missing_open = false;      // At the file's start, something other than `[` came first.
};

// Scans `text`, which starts between elements (or, with `at_file_start`, at the file's first
// byte after a byte-order mark, where `[` is expected). Commas and whitespace between elements
// are skipped. Stops at the closing `]`.
JsonArrayScan ScanJsonArray(std::string_view text, bool at_file_start);

// Parses the elements of chunk.text as records of `type`. Same origin and line rules as
// ParseNdjsonChunk. REQUIRES: chunk.capacity >= chunk.text.size() + SIMDJSON_PADDING.
ChunkParseStats ParseJsonArrayChunk(const ChunkText& chunk, JsonRecordType type,
                                    std::string_view file, const EngineOptions& options,
                                    simdjson::ondemand::parser* parser, RecordChunk* out);

}  // namespace scimflow

#endif  // SCIMFLOW_IO_JSON_ARRAY_PARSER_H_
