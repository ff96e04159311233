// Input formats: their names on the command line, and detection from a file's first bytes
// (docs/input-formats.md): `[` → JSON array, `{` → NDJSON, anything else → CSV with a header row;
// a first object with a top-level `profile` member makes it Okta user objects. A UTF-8 byte-order
// mark is skipped.
//
// Thread-safety: pure functions.
#ifndef SCIMFLOW_IO_FORMAT_DETECT_H_
#define SCIMFLOW_IO_FORMAT_DETECT_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace scimflow {

enum class InputFormat : uint8_t {
  kAuto,           // Decide from the first bytes.
  kNdjson,         // One SCIM object (or group, or assignment) per line.
  kJsonArray,      // The same objects in one top-level array.
  kOktaNdjson,     // Okta user objects, one per line.
  kOktaJsonArray,  // Okta user objects in one top-level array.
  kCsv,            // CSV with a header row.
};

// `--format` spelling: auto, ndjson, json, okta-ndjson, okta-json, csv.
std::string_view InputFormatName(InputFormat format);
// The format named `name`, or nullopt.
std::optional<InputFormat> ParseInputFormat(std::string_view name);

// Bytes of a UTF-8 byte-order mark at the start of `text` (3), or 0.
size_t ByteOrderMarkLength(std::string_view text);

// Decides the format from the first bytes of a file (a prefix of any length; 64 KiB is plenty).
// Never returns kAuto. An empty or all-whitespace prefix is kNdjson (it then yields
// `empty file`). For JSON the first object is looked at for a top-level `profile` member; a
// first object cut off by the end of the prefix counts as SCIM unless `"profile"` appears in
// what there is at nesting depth one.
InputFormat DetectInputFormat(std::string_view prefix);

// True for the formats whose records are JSON objects in a top-level array.
inline bool IsJsonArray(InputFormat format) {
  return format == InputFormat::kJsonArray || format == InputFormat::kOktaJsonArray;
}
inline bool IsOkta(InputFormat format) {
  return format == InputFormat::kOktaNdjson || format == InputFormat::kOktaJsonArray;
}

}  // namespace scimflow

#endif  // SCIMFLOW_IO_FORMAT_DETECT_H_
