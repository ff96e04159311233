#include "io/ndjson_parser.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "io/scim_json.h"

namespace scimflow {
namespace {

namespace od = simdjson::ondemand;

namespace config {
// The smallest iterate_many batch: simdjson needs the batch to hold the largest document, and a
// parser keeps the capacity of the largest batch it saw, so small chunks share one size.
constexpr size_t kMinBatchBytes = 1 << 20;
// The fast path hands a chunk to iterate_many in windows of about this size, cut after a newline.
// Stage 1 indexes a whole window before its documents are read, so a window that fits in the
// core's L2 cache together with its structural index is read back from L2; a whole 1 MiB chunk
// is read back from L3 or memory, a miss on nearly every record's first bytes.
constexpr size_t kWindowBytes = 128 << 10;
// The most records reserved ahead for one chunk (ReserveRecordList).
constexpr size_t kMaxReservedRecords = 16384;
}  // namespace config

bool IsJsonSpace(char byte) { return byte == ' ' || byte == '\n' || byte == '\r' || byte == '\t'; }

bool IsBlank(std::string_view text) {
  for (char byte : text) {
    if (!IsJsonSpace(byte)) return false;
  }
  return true;
}

// How many records of each list a chunk held before a parse, so a failed fast path can drop
// exactly what it added. The arena keeps those bytes; they die with the chunk.
struct RecordMark {
  size_t users, groups, assignments, rejects;
};

RecordMark MarkRecords(const RecordChunk& chunk) {
  return {chunk.users.size(), chunk.groups.size(), chunk.assignments.size(), chunk.rejects.size()};
}

void DropRecordsAfter(const RecordMark& mark, RecordChunk* out) {
  out->users.resize(mark.users);
  out->groups.resize(mark.groups);
  out->assignments.resize(mark.assignments);
  out->rejects.resize(mark.rejects);
}

// The record list a parse of `type` appends to.
template <typename Visit>
void WithRecordList(JsonRecordType type, RecordChunk* out, Visit&& visit) {
  switch (type) {
    case JsonRecordType::kScimUser:
    case JsonRecordType::kOktaUser:
      return visit(out->users);
    case JsonRecordType::kGroup:
      return visit(out->groups);
    case JsonRecordType::kAssignment:
      return visit(out->assignments);
  }
}

// Removes the record appended last by MapJsonObject (used when content follows the object).
void DropLastRecord(JsonRecordType type, RecordChunk* out) {
  WithRecordList(type, out, [](auto& list) { list.pop_back(); });
}

// Reserves room for the records of a chunk of `chunk_bytes` whose first line is `line_bytes`
// long, so the list does not grow by doubling (every record copied again, fresh pages touched)
// in the middle of parsing. Capped, because a short first line may not be typical;
// TrimRecordList takes back a reservation that turned out too generous.
void ReserveRecordList(JsonRecordType type, size_t chunk_bytes, size_t line_bytes,
                       RecordChunk* out) {
  const size_t expected =
      std::min(chunk_bytes / (line_bytes + 1) + 16, config::kMaxReservedRecords);
  WithRecordList(type, out, [&](auto& list) { list.reserve(list.size() + expected); });
}

void TrimRecordList(JsonRecordType type, RecordChunk* out) {
  WithRecordList(type, out, [](auto& list) {
    if (list.capacity() > list.size() + list.size() / 2 + 64) list.shrink_to_fit();
  });
}

// Where the fast path's next window ends: after the last newline within kWindowBytes of `begin`,
// or after the first newline beyond (a line longer than the window), or at the end of `text`.
size_t WindowEnd(std::string_view text, size_t begin) {
  if (text.size() - begin <= config::kWindowBytes) return text.size();
  const size_t last = text.rfind('\n', begin + config::kWindowBytes - 1);
  if (last != std::string_view::npos && last >= begin) return last + 1;
  const size_t next = text.find('\n', begin + config::kWindowBytes);
  return next == std::string_view::npos ? text.size() : next + 1;
}

// iterate_many over the whole chunk, window by window. Returns false (leaving partial output for
// the caller to drop) as soon as the chunk is not plain one-object-per-line NDJSON.
bool ParseFast(const ChunkText& chunk, JsonRecordType type, std::string_view file,
               const EngineOptions& options, od::parser* parser, RecordChunk* out,
               uint64_t* newlines) {
  const std::string_view text = chunk.text;
  size_t expected_start = 0;  // First byte after the previous record's line.
  uint64_t line = 0;
  const StringStorage storage =
      chunk.records_may_point_into_text ? StringStorage::kDocument : StringStorage::kArena;
  for (size_t window_begin = 0; window_begin < text.size();) {
    const size_t window_end = WindowEnd(text, window_begin);
    // The first backslash at or after the current record (npos: none left in the window). One
    // search of the window, repeated only past a record that holds one, tells every record
    // whether its strings may hold escapes; a search per record cost a few percent of parsing.
    const auto find_backslash = [&](size_t from) {
      const void* found = std::memchr(text.data() + from, '\\', window_end - from);
      return found == nullptr ? std::string_view::npos
                              : static_cast<size_t>(static_cast<const char*>(found) - text.data());
    };
    size_t next_backslash = find_backslash(window_begin);
    // The bytes after a window are the rest of the chunk or its padding, so simdjson may read
    // past the window's end as it reads past any buffer's.
    const std::string_view window = text.substr(window_begin, window_end - window_begin);
    const size_t batch =
        window.size() < config::kMinBatchBytes ? config::kMinBatchBytes : window.size() + 1;
    od::document_stream stream;
    if (parser->iterate_many(window.data(), window.size(), batch).get(stream)) return false;
    for (auto it = stream.begin(); it != stream.end(); ++it) {
      const size_t start = window_begin + it.current_index();
      if (start < expected_start) return false;  // Two documents on one line.
      const std::string_view gap = text.substr(expected_start, start - expected_start);
      if (!IsBlank(gap)) return false;
      line += internal::CountNewlines(gap);
      const void* newline = std::memchr(text.data() + start, '\n', window_end - start);
      const size_t line_end =
          newline == nullptr ? window_end : static_cast<const char*>(newline) - text.data();
      if (line_end - start > options.max_line_bytes) return false;
      // Results used in place rather than moved into locals (see ForEachField in
      // io/scim_json.cc: such moves stall on store forwarding).
      auto document = *it;
      if (document.error()) return false;
      auto object = document.value_unsafe().get_object();
      if (object.error()) return false;
      const std::string_view record = text.substr(start, line_end - start);
      if (expected_start == 0) ReserveRecordList(type, text.size(), record.size(), out);
      const RecordOrigin origin{file, line, chunk.byte_offset + start,
                                static_cast<uint32_t>(record.size())};
      if (next_backslash < start) next_backslash = find_backslash(start);
      const StringEscapes escapes =
          next_backslash < line_end ? StringEscapes::kMaybe : StringEscapes::kNone;
      Status status = MapJsonObject(object.value_unsafe(), type, origin, out, escapes, storage);
      if (!status.ok()) {
        if (status.code() == StatusCode::kDataLoss) return false;
        AddReject(origin, status.message(), record, out);
      }
      expected_start = newline == nullptr ? window_end : line_end + 1;
      if (newline != nullptr) ++line;
    }
    if (stream.truncated_bytes() != 0) return false;
    window_begin = window_end;
  }
  const std::string_view rest = text.substr(expected_start);
  if (!IsBlank(rest)) return false;
  *newlines = line + internal::CountNewlines(rest);
  return true;
}

uint64_t ParseSlow(const ChunkText& chunk, JsonRecordType type, std::string_view file,
                   const EngineOptions& options, od::parser* parser, RecordChunk* out) {
  const std::string_view text = chunk.text;
  uint64_t line = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    const void* newline = std::memchr(text.data() + pos, '\n', text.size() - pos);
    const size_t line_end =
        newline == nullptr ? text.size() : static_cast<const char*>(newline) - text.data();
    const std::string_view record = text.substr(pos, line_end - pos);
    const RecordOrigin origin{file, line, chunk.byte_offset + pos,
                              static_cast<uint32_t>(record.size())};
    if (record.size() > options.max_line_bytes) {
      AddReject(origin, OverlongLineReason(options.max_line_bytes), record, out);
    } else if (!IsBlank(record)) {
      // Only the file's very last line can be a record the end of the file cut off.
      const bool may_be_truncated = chunk.last && newline == nullptr;
      internal::ParseOneJsonRecord(record, chunk.capacity - pos, type, origin, may_be_truncated,
                                   parser, out);
    }
    if (newline == nullptr) break;
    ++line;
    pos = line_end + 1;
  }
  return line;
}

}  // namespace

namespace internal {

uint64_t CountNewlines(std::string_view text) {
  // Plain loops the compiler vectorises. Comparison results are summed in 32 byte-wide lanes
  // for up to 255 rounds before they are added up: summed straight into one 64-bit counter,
  // every byte was widened three times, and counting a window took nine times as long.
  constexpr size_t kLanes = 32;
  constexpr size_t kRounds = 255;  // A lane counts at most one newline per round.
  const char* bytes = text.data();
  const size_t size = text.size();
  uint64_t count = 0;
  size_t pos = 0;
  while (pos < size) {
    const size_t rounds = std::min(kRounds, (size - pos) / kLanes);
    if (rounds == 0) break;
    uint8_t lanes[kLanes] = {};
    for (size_t round = 0; round < rounds; ++round) {
      for (size_t lane = 0; lane < kLanes; ++lane) {
        lanes[lane] += bytes[pos + round * kLanes + lane] == '\n';
      }
    }
    for (uint8_t lane : lanes) count += lane;
    pos += rounds * kLanes;
  }
  for (; pos < size; ++pos) count += bytes[pos] == '\n';
  return count;
}

bool EndsInsideJsonValue(std::string_view text) {
  int64_t depth = 0;
  bool in_string = false;
  for (size_t pos = 0; pos < text.size(); ++pos) {
    const char byte = text[pos];
    if (in_string) {
      if (byte == '\\') {
        ++pos;
      } else if (byte == '"') {
        in_string = false;
      }
    } else if (byte == '"') {
      in_string = true;
    } else if (byte == '{' || byte == '[') {
      ++depth;
    } else if (byte == '}' || byte == ']') {
      --depth;
    }
  }
  return in_string || depth > 0;
}

void ParseOneJsonRecord(std::string_view record, size_t capacity, JsonRecordType type,
                        const RecordOrigin& origin, bool may_be_truncated, od::parser* parser,
                        RecordChunk* out) {
  od::document document;
  od::object object;
  Status status;
  auto error = parser->iterate(record.data(), record.size(), capacity).get(document);
  if (error == simdjson::SUCCESS) error = document.get_object().get(object);
  if (error != simdjson::SUCCESS) {
    status = JsonErrorStatus(error);
  } else {
    status = MapJsonObject(object, type, origin, out);
    if (status.ok()) {
      status = FinishDocument(document);
      if (!status.ok()) DropLastRecord(type, out);
    }
  }
  if (status.ok()) return;
  if (status.code() == StatusCode::kDataLoss && status.message() != "invalid UTF-8" &&
      may_be_truncated && EndsInsideJsonValue(record)) {
    status = Status(StatusCode::kDataLoss, "truncated record");
  }
  AddReject(origin, status.message(), record, out);
}

}  // namespace internal

std::string OverlongLineReason(uint64_t max_line_bytes) {
  return "line longer than " + std::to_string(max_line_bytes) + " bytes";
}

uint64_t AddOverlongReject(const ChunkText& chunk, std::string_view file,
                           const EngineOptions& options, RecordChunk* out) {
  const RecordOrigin origin{
      file, 0, chunk.byte_offset,
      static_cast<uint32_t>(chunk.overlong_length > UINT32_MAX ? UINT32_MAX
                                                               : chunk.overlong_length)};
  AddReject(origin, OverlongLineReason(options.max_line_bytes), chunk.overlong_excerpt, out);
  return chunk.overlong_ends_with_newline ? 1 : 0;
}

ChunkParseStats ParseNdjsonChunk(const ChunkText& chunk, JsonRecordType type, std::string_view file,
                                 const EngineOptions& options, od::parser* parser,
                                 RecordChunk* out) {
  ChunkParseStats stats;
  if (chunk.overlong) {
    stats.newlines = AddOverlongReject(chunk, file, options, out);
    return stats;
  }
  const RecordMark mark = MarkRecords(*out);
  if (ParseFast(chunk, type, file, options, parser, out, &stats.newlines)) {
    stats.fast_path = true;
    TrimRecordList(type, out);
    return stats;
  }
  DropRecordsAfter(mark, out);
  stats.newlines = ParseSlow(chunk, type, file, options, parser, out);
  return stats;
}

}  // namespace scimflow
