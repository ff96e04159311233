// JSON records: which mapping a JSON input uses (SCIM user, Okta user, group, assignment), and
// the step shared by the NDJSON and JSON-array parsers that turns one parsed object into a record
// or a Reject of a RecordChunk.
//
// Lifetime: records and rejects appended to a chunk point into the chunk's arena, and with
// StringStorage::kDocument also into the parsed text.
// Thread-safety: stateless; distinct chunks may be filled from distinct threads.
#ifndef SCIMFLOW_IO_JSON_RECORD_H_
#define SCIMFLOW_IO_JSON_RECORD_H_

#include <simdjson.h>

#include <string_view>

#include "engine/chunk.h"
#include "engine/model.h"
#include "engine/status.h"
#include "io/format_detect.h"
#include "io/scim_json.h"

namespace scimflow {

enum class JsonRecordType : uint8_t {
  kScimUser,    // users file, SCIM User objects
  kOktaUser,    // users file, Okta user objects
  kGroup,       // groups file
  kAssignment,  // assignments file
};

// The mapping for a file of `kind` in `format` (okta formats only matter for users).
JsonRecordType JsonRecordTypeFor(InputKind kind, InputFormat format);

// Maps `object` and appends the record, with `origin`, to `out`.
// On failure nothing is appended and the Status is that of io/scim_json.h: kDataLoss when the
// text is not JSON (the caller decides how to re-synchronise), kInvalidArgument when the record
// is valid JSON but unusable (the caller rejects it). `escapes`, `storage`: see io/scim_json.h
// (used for SCIM users, the bulk of every export; other records always copy their strings).
Status MapJsonObject(simdjson::ondemand::object object, JsonRecordType type,
                     const RecordOrigin& origin, RecordChunk* out,
                     StringEscapes escapes = StringEscapes::kMaybe,
                     StringStorage storage = StringStorage::kArena);

// Appends a Reject for `record_text` at `origin` with `reason` (copied) and an excerpt of at most
// config::kRejectExcerptBytes (cut before a partial UTF-8 sequence).
void AddReject(const RecordOrigin& origin, std::string_view reason, std::string_view record_text,
               RecordChunk* out);

// The excerpt AddReject keeps of `record_text`.
std::string_view RejectExcerpt(std::string_view record_text);

}  // namespace scimflow

#endif  // SCIMFLOW_IO_JSON_RECORD_H_
