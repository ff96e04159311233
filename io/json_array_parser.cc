#include "io/json_array_parser.h"

namespace scimflow {
namespace {

bool IsJsonSpace(char byte) { return byte == ' ' || byte == '\n' || byte == '\r' || byte == '\t'; }

// Returns the end of the element starting at text[begin] (an object, an array, a string or a
// scalar), or npos if the text ends first.
size_t ElementEnd(std::string_view text, size_t begin) {
  const char first = text[begin];
  if (first != '{' && first != '[' && first != '"') {
    // A scalar (or garbage) runs to the next separator; the parser rejects it.
    size_t pos = begin;
    while (pos < text.size() && text[pos] != ',' && text[pos] != ']' && text[pos] != '\n') ++pos;
    return pos == text.size() ? std::string_view::npos : pos;
  }
  int64_t depth = 0;
  bool in_string = false;
  for (size_t pos = begin; pos < text.size(); ++pos) {
    const char byte = text[pos];
    if (in_string) {
      if (byte == '\\') {
        ++pos;
      } else if (byte == '"') {
        in_string = false;
        if (depth == 0) return pos + 1;
      }
    } else if (byte == '"') {
      in_string = true;
    } else if (byte == '{' || byte == '[') {
      ++depth;
    } else if ((byte == '}' || byte == ']') && --depth == 0) {
      return pos + 1;
    }
  }
  return std::string_view::npos;
}

}  // namespace

JsonArrayScan ScanJsonArray(std::string_view text, bool at_file_start) {
  JsonArrayScan scan;
  size_t pos = 0;
  if (at_file_start) {
    while (pos < text.size() && IsJsonSpace(text[pos])) ++pos;
    if (pos == text.size()) return scan;
    if (text[pos] != '[') {
      scan.missing_open = true;
      return scan;
    }
    scan.opened = true;
    ++pos;
    scan.complete_prefix = pos;
  }
  while (pos < text.size()) {
    const char byte = text[pos];
    if (IsJsonSpace(byte) || byte == ',') {
      ++pos;
      continue;
    }
    if (byte == ']') {
      scan.closed = true;
      scan.closed_at = pos;
      return scan;
    }
    const size_t end = ElementEnd(text, pos);
    if (end == std::string_view::npos) return scan;
    scan.elements.push_back({pos, end});
    scan.complete_prefix = end;
    pos = end;
  }
  return scan;
}

ChunkParseStats ParseJsonArrayChunk(const ChunkText& chunk, JsonRecordType type,
                                    std::string_view file, const EngineOptions& options,
                                    simdjson::ondemand::parser* parser, RecordChunk* out) {
  ChunkParseStats stats;
  if (chunk.overlong) {
    stats.newlines = AddOverlongReject(chunk, file, options, out);
    return stats;
  }
  const std::string_view text = chunk.text;
  const JsonArrayScan scan = ScanJsonArray(text, chunk.first);
  uint64_t line = 0;
  size_t counted_to = 0;  // Newlines are counted up to here.
  auto origin_at = [&](size_t begin, size_t end) {
    line += internal::CountNewlines(text.substr(counted_to, begin - counted_to));
    counted_to = begin;
    return RecordOrigin{file, line, chunk.byte_offset + begin, static_cast<uint32_t>(end - begin)};
  };
  for (const JsonArrayScan::Element& element : scan.elements) {
    const RecordOrigin origin = origin_at(element.begin, element.end);
    const std::string_view record = text.substr(element.begin, element.end - element.begin);
    if (record.size() > options.max_line_bytes) {
      AddReject(origin, OverlongLineReason(options.max_line_bytes), record, out);
      continue;
    }
    internal::ParseOneJsonRecord(record, chunk.capacity - element.begin, type, origin,
                                 /*may_be_truncated=*/false, parser, out);
  }
  if (scan.missing_open) {
    const size_t begin = text.find_first_not_of(" \t\r\n");
    const size_t end = text.find('\n', begin);
    const RecordOrigin origin = origin_at(begin, end == std::string_view::npos ? text.size() : end);
    AddReject(origin, "malformed JSON", text.substr(begin), out);
  } else if (chunk.last) {
    // What follows the last complete element: the closing bracket and blanks, or the sign of a
    // cut-off file.
    const size_t tail = scan.closed ? scan.closed_at + 1 : scan.complete_prefix;
    const size_t extra = text.find_first_not_of(" \t\r\n,", tail);
    if (!scan.closed && (scan.opened || !chunk.first || extra != std::string_view::npos)) {
      const size_t begin = extra == std::string_view::npos ? text.size() : extra;
      const RecordOrigin origin = origin_at(begin, text.size());
      AddReject(origin, "truncated record", text.substr(begin), out);
    } else if (scan.closed && extra != std::string_view::npos) {
      const RecordOrigin origin = origin_at(extra, text.size());
      AddReject(origin, "malformed JSON", text.substr(extra), out);
    }
  }
  stats.newlines = line + internal::CountNewlines(text.substr(counted_to));
  return stats;
}

}  // namespace scimflow
