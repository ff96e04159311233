// Snapshot files (docs/snapshot-format.md): the target's users and groups as SCIM NDJSON, one
// resource per line with its target `id`. The writer renders lines (for `scimflow snapshot`,
// `gen --snapshot` and `sim --dump`); the reader turns a file into CurrentState for `plan
// --current`.
//
// Reading streams the file in blocks cut at line boundaries: one serial stage reads and counts
// lines, blocks are parsed in parallel (simdjson On-Demand, one document per line, so a broken
// line never takes its neighbours with it), and a serial stage hands the parsed chunks to the sink
// in file order. At most a few blocks are in flight, so memory follows the block size, not the
// file size.
//
// Thread-safety: the functions are reentrant; the sink of ReadSnapshotFile is called by one
// thread at a time, in file order.
#ifndef SCIMFLOW_IO_SNAPSHOT_FILE_H_
#define SCIMFLOW_IO_SNAPSHOT_FILE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/arena.h"
#include "engine/chunk.h"
#include "engine/content_hash.h"
#include "engine/current_state.h"
#include "engine/model.h"
#include "engine/options.h"
#include "engine/status.h"

namespace scimflow {

// Schema URNs that decide a line's kind.
inline constexpr std::string_view kScimUserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
inline constexpr std::string_view kScimGroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group";

// Bytes that must be readable after the text handed to ParseSnapshotLines (simdjson's padding).
inline constexpr size_t kSnapshotPadding = 64;

struct SnapshotUser {
  std::string_view id;
  User user;  // `origin` locates the line; strings live in the chunk's arena.
  // HashUserAttributes(user, user.roles), computed by the parsing thread so the in-order sink
  // (which builds the CurrentState one user at a time) only copies keys. A producer may leave it
  // zero (value-initialised); AddSnapshotChunk then computes it.
  AttributeHashes hashes{};
};

struct SnapshotGroup {
  RecordOrigin origin;
  std::string_view id;
  std::string_view external_id;
  std::string_view display_name;
  std::span<const std::string_view> member_ids;  // members[].value: target user ids.
};

// The parsed lines of one block. Everything views into `arena`, so the chunk owns its records.
struct SnapshotChunk {
  uint64_t sequence = 0;
  Arena arena;
  std::vector<SnapshotUser> users;
  std::vector<SnapshotGroup> groups;
  std::vector<Reject> rejects;  // Reasons of docs/input-formats.md.
};

// Parses complete lines. `first_line` and `first_offset` locate text[0] in the file.
// REQUIRES: text.data() is readable for text.size() + kSnapshotPadding bytes.
// Refused lines become rejects: `malformed JSON`, `invalid UTF-8`, `wrong type for "ATTR":
// expected TYPE`, `missing required attribute "ATTR"` (id, externalId, userName, displayName,
// schemas), `line longer than N bytes`. Blank lines are skipped.
void ParseSnapshotLines(std::string_view text, std::string_view file, uint64_t first_line,
                        uint64_t first_offset, uint32_t max_line_bytes, SnapshotChunk* out);

// Reads `path`, parsing blocks in parallel under the caller's oneTBB arena, and calls `sink` with
// every chunk in file order, one call at a time. Errors: kNotFound / kIoError when the file cannot
// be opened or read; an empty file is no error (an empty target). Bad lines are rejects, not
// errors.
Status ReadSnapshotFile(const std::string& path, const EngineOptions& options,
                        const std::function<void(SnapshotChunk&)>& sink);

// Reads `path` into a finalized CurrentState; bad lines and unknown member ids become its issues.
// Feeds one parsed chunk to `state`: rejects as issues, then users, then groups. Every source
// that yields snapshot chunks (a file, a live target) builds its CurrentState through this.
void AddSnapshotChunk(const SnapshotChunk& chunk, CurrentState* state);

Result<std::unique_ptr<CurrentState>> LoadSnapshot(const std::string& path,
                                                   const EngineOptions& options);

// Appends one snapshot line (with the trailing newline) for a user / a group.
void AppendSnapshotUser(std::string* out, std::string_view id, const User& user);
void AppendSnapshotGroup(std::string* out, std::string_view id, std::string_view external_id,
                         std::string_view display_name,
                         std::span<const std::string_view> member_ids);

}  // namespace scimflow

#endif  // SCIMFLOW_IO_SNAPSHOT_FILE_H_
