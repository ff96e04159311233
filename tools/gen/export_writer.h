// Export writers: one ExportModel day → the files of an IdP export and of a target snapshot, in
// the shapes of docs/input-formats.md and docs/snapshot-format.md. Every JSON value goes through
// io/json_writer.h; CSV fields are quoted per RFC 4180 when they hold a comma, a quote or a line
// break.
//
// What each file holds:
//   users.*        every user still in the IdP (active or not), ascending serial;
//   assignments.*  every user in the IdP who is assigned, with roles (≈1% are not listed, so
//                  deactivation by unassignment occurs);
//   groups.*       every pushed group with its members' externalIds;
//   snapshot.ndjson  the target after a full push of the day: every user the target holds (also
//                  those who left the IdP, as active:false) with its target id, then every group
//                  with its members' target ids.
// The Okta user formats carry no `formatted` or `middleName` (docs/input-formats.md maps only
// first and last name), so the snapshot of an Okta export leaves them out too: a day planned
// against its own snapshot must give no operation.
//
// Thread-safety: the writers only read the model and may run while other threads read it; each
// call renders in parallel on the caller's task arena (see block_writer.h).
#ifndef SCIMFLOW_TOOLS_GEN_EXPORT_WRITER_H_
#define SCIMFLOW_TOOLS_GEN_EXPORT_WRITER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/status.h"
#include "tools/gen/export_model.h"
#include "tools/gen/identifiers.h"

namespace scimflow::gen {

enum class UserFormat : uint8_t { kScim, kScimArray, kOkta, kOktaNdjson, kCsv };
enum class GroupFormat : uint8_t { kNdjson, kCsv };
enum class AssignmentFormat : uint8_t { kNdjson, kCsv };

// Flag spellings (`scim`, `scim-array`, `okta`, `okta-ndjson`, `csv`; `ndjson`, `csv`) and the
// file each format is written to.
std::string_view FormatName(UserFormat format);
std::string_view FormatName(GroupFormat format);
std::string_view FormatName(AssignmentFormat format);
std::optional<UserFormat> ParseUserFormat(std::string_view name);
std::optional<GroupFormat> ParseGroupFormat(std::string_view name);
std::optional<AssignmentFormat> ParseAssignmentFormat(std::string_view name);
std::string_view FileName(UserFormat format);
std::string_view FileName(GroupFormat format);
std::string_view FileName(AssignmentFormat format);
inline constexpr std::string_view kSnapshotFileName = "snapshot.ndjson";

// False for the Okta formats, which carry only first and last name.
bool CarriesFullName(UserFormat format);

// How much one writer wrote.
struct WriteStats {
  uint64_t records = 0;  // users, groups, assignments or snapshot lines
  uint64_t bytes = 0;
};

// Each writes one file at `path` (replacing it); errors are kIoError naming the path.
Result<WriteStats> WriteUsers(const ExportModel& model, const IdScheme& ids, UserFormat format,
                              const std::string& path);
Result<WriteStats> WriteGroups(const ExportModel& model, const IdScheme& ids, GroupFormat format,
                               const std::string& path);
Result<WriteStats> WriteAssignments(const ExportModel& model, const IdScheme& ids,
                                    AssignmentFormat format, const std::string& path);
// `full_name`: CarriesFullName() of the day's user format.
Result<WriteStats> WriteSnapshot(const ExportModel& model, const IdScheme& ids, bool full_name,
                                 const std::string& path);

// Appends `field` to `*out` as one RFC 4180 field: verbatim, or quoted with inner quotes doubled
// when it contains a comma, a double quote, CR or LF.
void AppendCsvField(std::string* out, std::string_view field);

}  // namespace scimflow::gen

#endif  // SCIMFLOW_TOOLS_GEN_EXPORT_WRITER_H_
