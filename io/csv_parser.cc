#include "io/csv_parser.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "engine/ascii.h"

namespace scimflow {

namespace {

constexpr std::array<std::string_view, static_cast<size_t>(CsvColumn::kCount)> kColumnNames = {
    "externalId",      "userName",         "givenName",      "familyName", "middleName",
    "formatted",       "displayName",      "email",          "active",     "roles",
    "groupExternalId", "groupDisplayName", "userExternalId",
};

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
constexpr std::string_view kUnbalancedQuote = "unbalanced quote";
constexpr std::string_view kInvalidUtf8 = "invalid UTF-8";
constexpr std::string_view kWrongActive = "wrong type for \"active\": expected boolean";

// One row of the input: [begin, end) is its text without the terminator, `next` where the
// following row starts. Offsets are into the text handed to the scan.
struct RowSpan {
  size_t begin = 0;
  size_t end = 0;
  size_t next = 0;
  uint64_t newlines = 0;  // `\n` bytes consumed, terminator included: lines to advance.
  bool has_quote = false;
  bool unbalanced = false;
};

// One field of a row; offsets are into the row.
struct FieldSpan {
  size_t begin = 0;
  size_t end = 0;
  bool has_quote = false;
};

const char* FindByte(std::string_view text, size_t from, char byte) {
  return static_cast<const char*>(std::memchr(text.data() + from, byte, text.size() - from));
}

size_t CountNewlines(std::string_view text, size_t from, size_t to) {
  return static_cast<size_t>(std::count(text.data() + from, text.data() + to, '\n'));
}

// Finds the row starting at `pos`. A row without quotes (the common case) costs two memchr
// calls; a row with quotes is scanned quote by quote, skipping quoted newlines.
RowSpan ScanRow(std::string_view text, size_t pos) {
  RowSpan row;
  row.begin = pos;
  const char* newline = FindByte(text, pos, '\n');
  size_t line_end = newline ? static_cast<size_t>(newline - text.data()) : text.size();
  const char* quote = static_cast<const char*>(std::memchr(text.data() + pos, '"', line_end - pos));
  size_t cursor = pos;
  while (quote != nullptr) {
    row.has_quote = true;
    // Inside quotes: the next quote closes (a `""` pair closes and reopens, same parity).
    const char* closing = FindByte(text, static_cast<size_t>(quote - text.data()) + 1, '"');
    if (closing == nullptr) {
      // Never closed: the row is the rest of the text. Report it at its first line and resume
      // on the next one, so the rows after a stray quote are not lost.
      // The record's text is taken to be its first line.
      row.unbalanced = true;
      const char* first_newline = FindByte(text, pos, '\n');
      row.end = first_newline ? static_cast<size_t>(first_newline - text.data()) : text.size();
      row.next = first_newline ? row.end + 1 : row.end;
      row.newlines = first_newline ? 1 : 0;
      if (row.end > row.begin && text[row.end - 1] == '\r') --row.end;
      return row;
    }
    cursor = static_cast<size_t>(closing - text.data()) + 1;
    newline = FindByte(text, cursor, '\n');
    line_end = newline ? static_cast<size_t>(newline - text.data()) : text.size();
    quote = static_cast<const char*>(std::memchr(text.data() + cursor, '"', line_end - cursor));
  }
  row.end = line_end;
  row.next = newline ? line_end + 1 : line_end;
  row.newlines = (row.has_quote ? CountNewlines(text, pos, line_end) : 0) + (newline ? 1 : 0);
  if (row.end > row.begin && text[row.end - 1] == '\r') --row.end;
  return row;
}

// Splits `row` at commas outside quotes into `*fields` (cleared first).
void SplitFields(std::string_view row, bool has_quote, std::vector<FieldSpan>* fields) {
  fields->clear();
  size_t start = 0;
  if (!has_quote) {
    while (true) {
      const char* comma = FindByte(row, start, ',');
      size_t end = comma ? static_cast<size_t>(comma - row.data()) : row.size();
      fields->push_back({start, end, false});
      if (comma == nullptr) return;
      start = end + 1;
    }
  }
  bool in_quotes = false;
  bool field_quoted = false;
  for (size_t pos = 0; pos < row.size(); ++pos) {
    const char byte = row[pos];
    if (byte == '"') {
      in_quotes = !in_quotes;
      field_quoted = true;
    } else if (byte == ',' && !in_quotes) {
      fields->push_back({start, pos, field_quoted});
      start = pos + 1;
      field_quoted = false;
    }
  }
  fields->push_back({start, row.size(), field_quoted});
}

// The value of a field, copied into `arena`: quotes removed and `""` inside quotes turned into `"`.
std::string_view DecodeField(std::string_view row, const FieldSpan& field, Arena* arena) {
  std::string_view raw = row.substr(field.begin, field.end - field.begin);
  if (!field.has_quote) return arena->Copy(raw);
  // Decoding only shrinks, so one allocation of the raw size is enough.
  char* out = static_cast<char*>(arena->Allocate(raw.size() + 1, 1));
  size_t length = 0;
  bool in_quotes = false;
  for (size_t pos = 0; pos < raw.size(); ++pos) {
    if (raw[pos] != '"') {
      out[length++] = raw[pos];
    } else if (in_quotes && pos + 1 < raw.size() && raw[pos + 1] == '"') {
      out[length++] = '"';
      ++pos;
    } else {
      in_quotes = !in_quotes;
    }
  }
  return std::string_view(out, length);
}

bool IsAscii(std::string_view text) {
  // Eight bytes at a time: most exports are plain ASCII, so this avoids the full validator.
  size_t pos = 0;
  uint64_t high_bits = 0;
  for (; pos + 8 <= text.size(); pos += 8) {
    uint64_t word;
    std::memcpy(&word, text.data() + pos, sizeof(word));
    high_bits |= word;
  }
  for (; pos < text.size(); ++pos) high_bits |= static_cast<unsigned char>(text[pos]);
  return (high_bits & 0x8080808080808080ull) == 0;
}

bool IsValidUtf8(std::string_view text) {
  return IsAscii(text) || simdjson::validate_utf8(text.data(), text.size());
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::span<const CsvColumn> RequiredColumns(InputKind kind) {
  static constexpr CsvColumn kUsers[] = {CsvColumn::kExternalId, CsvColumn::kUserName};
  static constexpr CsvColumn kGroups[] = {CsvColumn::kGroupExternalId, CsvColumn::kGroupDisplayName,
                                          CsvColumn::kUserExternalId};
  static constexpr CsvColumn kAssignments[] = {CsvColumn::kExternalId, CsvColumn::kRoles};
  switch (kind) {
    case InputKind::kUsers:
      return kUsers;
    case InputKind::kGroups:
      return kGroups;
    case InputKind::kAssignments:
      return kAssignments;
  }
  return {};
}

// Everything one ParseCsvRows call shares between rows; the field vector is reused so a row
// costs no heap allocation once it has grown to the header's width.
struct RowContext {
  const CsvHeader& header;
  RecordChunk* out;
  std::vector<FieldSpan> fields;
  std::string_view row;
};

void AddReject(RowContext* context, const RecordOrigin& origin, std::string_view reason) {
  Reject reject;
  reject.origin = origin;
  reject.reason = reason;
  std::string_view excerpt = context->row.substr(0, config::kRejectExcerptBytes);
  reject.excerpt = context->out->arena.Copy(excerpt);
  context->out->rejects.push_back(reject);
}

// Formats a reason into the chunk's arena (reasons with numbers in them).
template <typename... Args>
std::string_view ArenaFormat(Arena* arena, fmt::format_string<Args...> format, Args&&... args) {
  char buffer[128];
  auto result = fmt::format_to_n(buffer, sizeof(buffer), format, std::forward<Args>(args)...);
  return arena->Copy(std::string_view(buffer, std::min(result.size, sizeof(buffer))));
}

// The decoded value of `column` in the current row; empty when the file has no such column.
std::string_view Field(RowContext* context, CsvColumn column) {
  const int32_t index = context->header.IndexOf(column);
  if (index == CsvHeader::kAbsent) return {};
  return DecodeField(context->row, context->fields[static_cast<size_t>(index)],
                     &context->out->arena);
}

std::span<const Role> ParseRoles(std::string_view list, Arena* arena) {
  size_t count = 0;
  for (size_t start = 0; start <= list.size();) {
    size_t end = std::min(list.find(';', start), list.size());
    if (!Trim(list.substr(start, end - start)).empty()) ++count;
    start = end + 1;
  }
  std::span<Role> roles = arena->AllocateArray<Role>(count);
  size_t filled = 0;
  for (size_t start = 0; start <= list.size();) {
    size_t end = std::min(list.find(';', start), list.size());
    std::string_view value = Trim(list.substr(start, end - start));
    if (value.empty()) {
      start = end + 1;
      continue;
    }
    roles[filled] = Role{value, /*primary=*/filled == 0};
    ++filled;
    start = end + 1;
  }
  return roles;
}

std::string_view MissingAttribute(RowContext* context, CsvColumn column) {
  return ArenaFormat(&context->out->arena, "missing required attribute \"{}\"",
                     CsvColumnName(column));
}

void BuildUser(RowContext* context, const RecordOrigin& origin) {
  User user;
  user.origin = origin;
  user.external_id = Field(context, CsvColumn::kExternalId);
  if (user.external_id.empty()) {
    return AddReject(context, origin, MissingAttribute(context, CsvColumn::kExternalId));
  }
  user.user_name = Field(context, CsvColumn::kUserName);
  if (user.user_name.empty()) {
    return AddReject(context, origin, MissingAttribute(context, CsvColumn::kUserName));
  }
  std::string_view active = Trim(Field(context, CsvColumn::kActive));
  if (EqualsIgnoringAsciiCase(active, "false")) {
    user.active = false;
  } else if (!active.empty() && !EqualsIgnoringAsciiCase(active, "true")) {
    return AddReject(context, origin, kWrongActive);
  }
  Arena* arena = &context->out->arena;
  user.display_name = Field(context, CsvColumn::kDisplayName);
  user.name.given_name = Field(context, CsvColumn::kGivenName);
  user.name.family_name = Field(context, CsvColumn::kFamilyName);
  user.name.middle_name = Field(context, CsvColumn::kMiddleName);
  user.name.formatted = Field(context, CsvColumn::kFormatted);
  std::string_view email = Field(context, CsvColumn::kEmail);
  if (!email.empty()) {
    std::span<Email> emails = arena->AllocateArray<Email>(1);
    emails[0] = Email{email, "work", true};
    user.emails = emails;
  }
  user.roles = ParseRoles(Field(context, CsvColumn::kRoles), arena);
  context->out->users.push_back(user);
}

void BuildGroup(RowContext* context, const RecordOrigin& origin) {
  Group group;
  group.origin = origin;
  group.from_edge_list = true;
  group.external_id = Field(context, CsvColumn::kGroupExternalId);
  if (group.external_id.empty()) {
    return AddReject(context, origin, MissingAttribute(context, CsvColumn::kGroupExternalId));
  }
  group.display_name = Field(context, CsvColumn::kGroupDisplayName);
  std::string_view member = Field(context, CsvColumn::kUserExternalId);
  if (!member.empty()) {
    std::span<std::string_view> members = context->out->arena.AllocateArray<std::string_view>(1);
    members[0] = member;
    group.member_external_ids = members;
  }
  context->out->groups.push_back(group);
}

void BuildAssignment(RowContext* context, const RecordOrigin& origin) {
  Assignment assignment;
  assignment.origin = origin;
  assignment.external_id = Field(context, CsvColumn::kExternalId);
  if (assignment.external_id.empty()) {
    return AddReject(context, origin, MissingAttribute(context, CsvColumn::kExternalId));
  }
  assignment.roles = ParseRoles(Field(context, CsvColumn::kRoles), &context->out->arena);
  context->out->assignments.push_back(assignment);
}

// Turns one non-empty, balanced row into a record or a reject.
void ParseRow(RowContext* context, const RecordOrigin& origin, bool has_quote) {
  if (!IsValidUtf8(context->row)) return AddReject(context, origin, kInvalidUtf8);
  SplitFields(context->row, has_quote, &context->fields);
  if (context->fields.size() != context->header.column_count) {
    return AddReject(context, origin,
                     ArenaFormat(&context->out->arena, "expected {} columns, got {}",
                                 context->header.column_count, context->fields.size()));
  }
  switch (context->header.kind) {
    case InputKind::kUsers:
      return BuildUser(context, origin);
    case InputKind::kGroups:
      return BuildGroup(context, origin);
    case InputKind::kAssignments:
      return BuildAssignment(context, origin);
  }
}

// Maps the names of a header row onto CsvHeader::index.
Status MapColumns(std::string_view row, const std::vector<FieldSpan>& fields, InputKind kind,
                  std::string_view file, CsvHeader* header) {
  Arena scratch(1024);
  header->index.fill(CsvHeader::kAbsent);
  for (size_t position = 0; position < fields.size(); ++position) {
    std::string_view name = Trim(DecodeField(row, fields[position], &scratch));
    for (size_t column = 0; column < kColumnNames.size(); ++column) {
      if (kColumnNames[column] != name) continue;
      if (header->index[column] != CsvHeader::kAbsent) {
        return InvalidInputAt(file, 1, fmt::format("duplicate column \"{}\"", name));
      }
      header->index[column] = static_cast<int32_t>(position);
    }
  }
  for (CsvColumn column : RequiredColumns(kind)) {
    if (header->IndexOf(column) == CsvHeader::kAbsent) {
      return InvalidInputAt(file, 1,
                            fmt::format("missing required column \"{}\"", CsvColumnName(column)));
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view CsvColumnName(CsvColumn column) {
  const auto index = static_cast<size_t>(column);
  return index < kColumnNames.size() ? kColumnNames[index] : std::string_view();
}

Result<CsvHeader> ParseCsvHeader(std::string_view header_line, InputKind kind,
                                 std::string_view file) {
  if (header_line.starts_with(kByteOrderMark)) header_line.remove_prefix(kByteOrderMark.size());
  RowSpan span = ScanRow(header_line, 0);
  if (span.unbalanced) return InvalidInputAt(file, 1, kUnbalancedQuote);
  std::string_view row = header_line.substr(span.begin, span.end - span.begin);
  if (!IsValidUtf8(row)) return InvalidInputAt(file, 1, kInvalidUtf8);
  std::vector<FieldSpan> fields;
  SplitFields(row, span.has_quote, &fields);
  CsvHeader header;
  header.kind = kind;
  header.column_count = static_cast<uint32_t>(fields.size());
  SCIMFLOW_RETURN_IF_ERROR(MapColumns(row, fields, kind, file, &header));
  return header;
}

size_t CsvCompleteRowsPrefix(std::string_view text) {
  size_t complete = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    RowSpan row = ScanRow(text, pos);
    // Only a row ended by a newline is complete; an unbalanced one may still be closed by bytes
    // the caller has not read yet.
    if (row.unbalanced || text[row.next - 1] != '\n') break;
    complete = row.next;
    pos = row.next;
  }
  return complete;
}

void ParseCsvRows(const CsvHeader& header, std::string_view text, std::string_view file,
                  uint64_t first_line, uint64_t first_byte_offset, const EngineOptions& options,
                  RecordChunk* out) {
  RowContext context{header, out, {}, {}};
  context.fields.reserve(header.column_count + 1);
  uint64_t line = first_line;
  size_t pos = 0;
  while (pos < text.size()) {
    const RowSpan span = ScanRow(text, pos);
    context.row = text.substr(span.begin, span.end - span.begin);
    RecordOrigin origin;
    origin.file = file;
    origin.line = line;
    origin.byte_offset = first_byte_offset + span.begin;
    origin.byte_length = static_cast<uint32_t>(
        std::min<size_t>(context.row.size(), std::numeric_limits<uint32_t>::max()));
    line += span.newlines;
    pos = span.next;
    if (context.row.empty()) continue;  // An empty line holds no record.
    if (span.unbalanced) {
      AddReject(&context, origin, kUnbalancedQuote);
    } else if (context.row.size() > options.max_line_bytes) {
      AddReject(&context, origin,
                ArenaFormat(&out->arena, "line longer than {} bytes", options.max_line_bytes));
    } else {
      ParseRow(&context, origin, span.has_quote);
    }
  }
}

}  // namespace scimflow
