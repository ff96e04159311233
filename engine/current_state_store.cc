#include "engine/current_state_store.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "engine/state_format.h"
#include "engine/state_store.h"
#include "io/sqlite_db.h"

namespace scimflow {
namespace {

// Most of the database SQLite may map for reading: the users and memberships of 10^6 users fit.
constexpr uint64_t kMmapBytes = uint64_t{4} << 30;

// Checks that `db` holds a version of the schema this reader knows before any table is touched,
// so a database of another version (or another program) is refused with a message an operator
// can act on. A database not yet migrated is read as it is: its tables have the same columns.
Status CheckSchema(SqliteDb& db) {
  SCIMFLOW_ASSIGN_OR_RETURN(
      SqliteStatement has_meta,
      db.Prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'meta'"));
  SCIMFLOW_ASSIGN_OR_RETURN(const bool row, has_meta.Step());
  if (!row || has_meta.ColumnInt64(0) == 0) {
    return Status(StatusCode::kFailedPrecondition,
                  fmt::format("{}: not a scimflow state database (no meta table)", db.path()));
  }
  has_meta.Reset();
  SCIMFLOW_ASSIGN_OR_RETURN(SqliteStatement version,
                            db.Prepare("SELECT value FROM meta WHERE key = ?1"));
  version.BindText(1, state_format::kMetaSchemaVersion);
  SCIMFLOW_ASSIGN_OR_RETURN(const bool has_version, version.Step());
  const std::string found = has_version ? std::string(version.ColumnText(0)) : "(none)";
  if (found != std::to_string(state_format::kSchemaVersion) &&
      found != std::to_string(state_format::kOldestMigratedSchemaVersion)) {
    return Status(StatusCode::kFailedPrecondition,
                  fmt::format("{}: schema version {}, expected {}", db.path(), found,
                              state_format::kSchemaVersion));
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<CurrentState>> LoadCurrentStateFromStore(const std::string& state_path) {
  struct stat info;
  if (::stat(state_path.c_str(), &info) != 0) {
    const int error = errno;
    if (error == ENOENT) return NotFound(fmt::format("{}: no such state database", state_path));
    return IoError(fmt::format("{}: cannot open: {}", state_path, std::strerror(error)));
  }
  SqliteDb::OpenOptions open_options;
  open_options.read_only = true;
  SCIMFLOW_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::Open(state_path, open_options));
  SCIMFLOW_RETURN_IF_ERROR(CheckSchema(*db));
  // Whole-table scans: mapping the file saves a pread per page (10^6 users are about 750 MB).
  SCIMFLOW_RETURN_IF_ERROR(db->Exec(fmt::format("PRAGMA mmap_size={}", kMmapBytes)));
  SCIMFLOW_ASSIGN_OR_RETURN(std::unique_ptr<StateStore> store, StateStore::Create(db.get()));

  auto state = std::make_unique<CurrentState>(state_path);
  uint64_t line = 0;
  SCIMFLOW_RETURN_IF_ERROR(store->ForEachUserRow([&](const UserRowView& row) {
    state->AddUser(row.target_id, row.external_id, row.user_name, row.hashes, row.active, ++line);
    return Status::Ok();
  }));
  SCIMFLOW_RETURN_IF_ERROR(store->ForEachGroupWithMembers(
      [&](const GroupState& group, std::span<const std::string_view> members) {
        state->AddGroupByMemberExternalIds(group.target_id, group.external_id, group.display_name,
                                           members, ++line);
        return Status::Ok();
      }));
  // The store's statements borrow the database: gone before it closes.
  store.reset();
  state->Finalize();
  return state;
}

}  // namespace scimflow
