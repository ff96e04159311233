// Broken export: one damaged input file per failure kind of SPEC §2, plus the list of rejects
// each one must produce, so the ingest path can be checked end to end ("bad input never crashes
// the engine and never silently drops a record").
//
// WriteBrokenExport(dir) writes into `dir`:
//   users.malformed.ndjson          a line that is not JSON
//   users.invalid-utf8.ndjson       a userName with a byte that is not UTF-8
//   users.wrong-type.ndjson         "active":"yes" and "userName":42
//   users.missing-externalid.ndjson a user without externalId
//   users.missing-username.ndjson   a user without userName and one with an empty userName
//   users.duplicate-externalid.ndjson  an externalId used twice
//   users.duplicate-username.ndjson    a userName used twice, letter case differing
//   users.unknown-role.ndjson       a role github-emu does not know
//   users.long-line.ndjson          a line over the default --max-line-bytes (1 MiB)
//   users.empty.ndjson              no bytes at all
//   users.truncated.ndjson          the last record cut off mid-object, no final newline
//   users.for-groups.ndjson         valid users for the next file
//   groups.unknown-member.ndjson    a group naming a member who is no user
//   users.wrong-columns.csv         CSV rows with too few and too many fields
//   users.unbalanced-quote.csv      a CSV field whose quote is never closed (last row)
//   expected-rejects.json           {"profile":"github-emu","max_line_bytes":1048576,"files":[
//                                     {"file","kind","format","users"?,"valid_records",
//                                      "rejects":[{"file","line","reason"},…]},…]}
// Each damaged file also holds valid records around the damage; `valid_records` counts the
// records of the file that must be accepted, so a test sees that nothing else was dropped.
// Reasons are those of docs/input-formats.md, word for word, for the default options and the
// github-emu profile. `groups.unknown-member.ndjson` names its users file in "users".
//
// The output is byte-identical on every run. Thread-safety: none needed; writes only into `dir`.
#ifndef SCIMFLOW_TOOLS_GEN_BROKEN_FILES_H_
#define SCIMFLOW_TOOLS_GEN_BROKEN_FILES_H_

#include <filesystem>
#include <string_view>

#include "engine/status.h"

namespace scimflow {

// The file that lists the expected rejects, in the export directory.
inline constexpr std::string_view kExpectedRejectsFile = "expected-rejects.json";

// Creates `dir` if needed and writes the broken export into it, replacing files of the same
// names. Error: kIoError naming the path that could not be written.
Status WriteBrokenExport(const std::filesystem::path& dir);

}  // namespace scimflow

#endif  // SCIMFLOW_TOOLS_GEN_BROKEN_FILES_H_
