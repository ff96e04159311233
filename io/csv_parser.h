// CSV parser: RFC 4180 rows with a header row → Users, Groups (edge rows) or Assignments.
//
// The chunker (io/chunker.h) reads the header line once, then hands this parser runs of complete
// rows; CsvCompleteRowsPrefix tells it where the last complete row of a buffer ends, so a chunk is
// never cut inside a quoted field. Parsing borrows the text: every string of a record is copied
// into the arena of the output chunk, so the text may be released as soon as ParseCsvRows returns.
//
// Dialect (docs/input-formats.md): fields are separated by `,`, rows end with `\n` or `\r\n`; a
// field may be quoted with `"`, and inside quotes `""` stands for one `"` and `,`, `\r` and `\n`
// are data. A quote anywhere in a field switches quoting on or off (so `a"b,c"d` is the single
// field `ab,cd`); the row-boundary scan uses the same rule, so chunk cuts and parsing agree.
// Empty lines are skipped. Unknown columns are ignored; columns are matched by name, in any order.
//
// Bad rows become Rejects in the chunk with the reasons of docs/input-formats.md, word for word;
// nothing is dropped silently: every non-empty row yields exactly one record or one reject.
//
// Thread-safety: all functions are pure apart from writing into `*out`; distinct chunks may be
// parsed on any number of threads at once, and one CsvHeader may be shared read-only by them.
#ifndef SCIMFLOW_IO_CSV_PARSER_H_
#define SCIMFLOW_IO_CSV_PARSER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/chunk.h"
#include "engine/model.h"
#include "engine/options.h"
#include "engine/status.h"

namespace scimflow {

// The columns scimflow understands, across the three input kinds.
enum class CsvColumn : uint8_t {
  // Users.
  kExternalId,  // Also assignments.
  kUserName,
  kGivenName,
  kFamilyName,
  kMiddleName,
  kFormatted,
  kDisplayName,
  kEmail,
  kActive,
  kRoles,  // Also assignments.
  // Group edges.
  kGroupExternalId,
  kGroupDisplayName,
  kUserExternalId,
  kCount,  // Not a column: the number of columns above.
};

// The column name as it appears in a header row, e.g. "externalId".
std::string_view CsvColumnName(CsvColumn column);

// Where each known column sits in the rows of one file.
struct CsvHeader {
  static constexpr int32_t kAbsent = -1;

  InputKind kind = InputKind::kUsers;
  // Fields in the header row, known or not; every data row must have exactly this many.
  uint32_t column_count = 0;
  // Index of each CsvColumn in a row, or kAbsent. Indexed by static_cast<size_t>(CsvColumn).
  std::array<int32_t, static_cast<size_t>(CsvColumn::kCount)> index{};

  int32_t IndexOf(CsvColumn column) const { return index[static_cast<size_t>(column)]; }
};

// Parses the header row of a CSV file of `kind`.
//   `header_line`: the first row of the file, with or without its line terminator; a leading
//   UTF-8 byte-order mark is skipped. Column names may be quoted; surrounding spaces are ignored.
//   `file`: the name used in messages (as given on the command line).
// Required columns: users `externalId`, `userName`; groups `groupExternalId`,
// `groupDisplayName`, `userExternalId`; assignments `externalId`, `roles`.
// Errors (code kInvalidArgument), all located at line 1:
//   `FILE:1: missing required column "X"` (the first missing one, in the order above),
//   `FILE:1: duplicate column "X"` (a known column named twice: which one to use is ambiguous),
//   `FILE:1: invalid UTF-8`, `FILE:1: unbalanced quote`.
Result<CsvHeader> ParseCsvHeader(std::string_view header_line, InputKind kind,
                                 std::string_view file);

// Returns the length of the longest prefix of `text` that consists of complete rows, each ended
// by a `\n` outside quotes. 0 when not even the first row is complete. A row whose quote is never
// closed is never complete: the caller keeps it as the tail and, at end of file, passes it to
// ParseCsvRows, which rejects it as `unbalanced quote`.
// REQUIRES: `text` starts at a row boundary.
size_t CsvCompleteRowsPrefix(std::string_view text);

// Parses the rows of `text` (no header) and appends to `*out`:
//   users file:  one User per row;
//   groups file: one Group per row with `from_edge_list = true` and one member, or no member
//                when `userExternalId` is empty (a row that only declares the group);
//   assignments: one Assignment per row (an empty `roles` field gives no roles);
// and one Reject per bad row, with the first applicable reason of:
//   `unbalanced quote` (a quote opened and never closed before the end of `text`; the reject
//   covers the row's first line and parsing resumes at the line after it),
//   `line longer than N bytes` (row text, without terminator, above options.max_line_bytes),
//   `invalid UTF-8`, `expected N columns, got M`,
//   `missing required attribute "X"` (X a column name; users externalId then userName,
//   groups groupExternalId, assignments externalId),
//   `wrong type for "active": expected boolean` (users; accepted: true/false in any letter case,
//   empty means true).
// `roles` holds values separated by `;`; spaces around values and empty values are dropped; the
// first role is primary. `email` becomes the single primary email of type "work".
// Every record and reject carries its origin: `file`, the 1-based line of its first byte
// (`first_line` is the line of text[0]), its byte offset (`first_byte_offset` is the offset of
// text[0] in the file) and its length without the line terminator. A reject's excerpt holds the
// first config::kRejectExcerptBytes bytes of the row, raw (the reject writer sanitises it).
// Lifetimes: `file` must outlive `*out` (records keep a view of it); every other string is copied
// into `out->arena`. `text` may be released on return.
// REQUIRES: `header` came from ParseCsvHeader for this file; `text` starts at a row boundary.
void ParseCsvRows(const CsvHeader& header, std::string_view text, std::string_view file,
                  uint64_t first_line, uint64_t first_byte_offset, const EngineOptions& options,
                  RecordChunk* out);

}  // namespace scimflow

#endif  // SCIMFLOW_IO_CSV_PARSER_H_
