// Fuzz target for the JSON ingest parsers: any bytes, parsed as NDJSON users, groups and
// assignments, and as a JSON array of users (first, middle and last chunk). The parsers must
// never crash, never read outside the chunk plus its padding, and account for every byte: each
// non-blank line becomes a record or a reject.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "engine/chunk.h"
#include "engine/options.h"
#include "io/format_detect.h"
#include "io/json_array_parser.h"
#include "io/ndjson_parser.h"

namespace {

using scimflow::ChunkText;
using scimflow::JsonRecordType;

void ParseAs(const simdjson::padded_string& bytes, JsonRecordType type, bool array, bool first,
             bool last, simdjson::ondemand::parser* parser) {
  scimflow::EngineOptions options;
  options.max_line_bytes = 4096;
  ChunkText chunk;
  chunk.text = std::string_view(bytes.data(), bytes.size());
  chunk.capacity = bytes.size() + simdjson::SIMDJSON_PADDING;
  chunk.first = first;
  chunk.last = last;
  scimflow::RecordChunk out;
  const scimflow::ChunkParseStats stats =
      array ? scimflow::ParseJsonArrayChunk(chunk, type, "fuzz.json", options, parser, &out)
            : scimflow::ParseNdjsonChunk(chunk, type, "fuzz.ndjson", options, parser, &out);
  if (stats.newlines != scimflow::internal::CountNewlines(chunk.text)) std::abort();
  for (const scimflow::Reject& reject : out.rejects) {
    if (reject.reason.empty() || reject.origin.line > stats.newlines) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static simdjson::ondemand::parser parser;
  const simdjson::padded_string bytes(reinterpret_cast<const char*>(data), size);
  (void)scimflow::DetectInputFormat(std::string_view(bytes.data(), bytes.size()));
  ParseAs(bytes, JsonRecordType::kScimUser, false, true, true, &parser);
  ParseAs(bytes, JsonRecordType::kOktaUser, false, true, true, &parser);
  ParseAs(bytes, JsonRecordType::kGroup, false, true, false, &parser);
  ParseAs(bytes, JsonRecordType::kAssignment, false, true, true, &parser);
  ParseAs(bytes, JsonRecordType::kScimUser, true, true, true, &parser);
  ParseAs(bytes, JsonRecordType::kScimUser, true, false, false, &parser);
  return 0;
}
