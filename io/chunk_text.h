// ChunkText: a run of complete records of one input file as the reader hands it to a parser.
//
// The text is borrowed from one of the reader's buffers and is valid until the buffer is returned.
// Engine/ingest returns it as soon as the chunk is parsed, and records keep no pointer into it
// (their strings are copied into the RecordChunk's arena) — unless the consumer only uses each
// chunk during its call: then the buffer is returned after that call, and
// `records_may_point_into_text` lets parsers point records' plain strings into the text instead of
// copying them. At least simdjson::SIMDJSON_PADDING readable bytes follow the text (`capacity`), so
// simdjson can parse it in place.
//
// Line numbers are relative: parsers give every record the 0-based number of its line counted
// from the chunk's first byte and report how many newlines the chunk holds; the serial stage that
// restores file order adds the absolute line of the chunk's start (engine/ingest), because only
// it knows how many newlines all earlier chunks held. This keeps the newline count out of the
// serial reader stage.
// Thread-safety: a plain value; one parser reads it at a time.
#ifndef SCIMFLOW_IO_CHUNK_TEXT_H_
#define SCIMFLOW_IO_CHUNK_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace scimflow {

struct ChunkText {
  uint64_t sequence = 0;     // 0, 1, 2 … in file order.
  std::string_view text;     // Complete records (the last chunk: whatever the file ends with).
  size_t capacity = 0;       // Readable bytes from text.data(); >= text.size() + padding.
  uint64_t byte_offset = 0;  // File offset of text[0].
  bool first = false;        // Starts at the start of the file (after a byte-order mark).
  bool last = false;         // Ends at the end of the file.
  // A line longer than the limit that the reader skipped instead of buffering: the chunk then
  // holds no text, and the parser rejects the line with this excerpt at relative line 0.
  bool overlong = false;
  bool overlong_ends_with_newline = false;
  uint64_t overlong_length = 0;
  std::string overlong_excerpt;
  uint32_t buffer_index = 0;  // The reader buffer `text` lives in; returned after parsing.
  // The text stays valid and unchanged as long as the chunk's records (see above).
  bool records_may_point_into_text = false;
};

}  // namespace scimflow

#endif  // SCIMFLOW_IO_CHUNK_TEXT_H_
