// Current state from the state store (`plan --state DB`, SPEC §3): the users, groups and
// memberships that the engine's own state database records as held by the target, loaded into
// a CurrentState without reading the target or any snapshot. This is the fast path for nightly
// runs: the database keeps each user's per-attribute hashes (engine/content_hash.h), so no user
// document is parsed or hashed again.
//
// The database is opened read-only (nothing is created, migrated or written, and a run that
// applies to it may go on meanwhile: WAL readers see the last committed state). Rows are
// streamed: users in storage order straight into CurrentState::AddUser, then groups in
// externalId order merged with their memberships, which are stored by user externalId and so are
// resolved through CurrentState's externalId index (no join with the users table in SQLite, no
// copy of a table beyond what CurrentState keeps).
//
// Issue lines: a user's "line" is its row number in the scan (1-based), a group's the number of
// users plus its own row number, as if users and groups were listed in one file.
//
// Thread-safety: reentrant; each call opens its own connection.
#ifndef SCIMFLOW_ENGINE_CURRENT_STATE_STORE_H_
#define SCIMFLOW_ENGINE_CURRENT_STATE_STORE_H_

#include <memory>
#include <string>

#include "engine/current_state.h"
#include "engine/status.h"

namespace scimflow {

// Loads the state database at `state_path` into a finalized CurrentState named after the path.
// Runs the final indexing in parallel under the caller's oneTBB arena.
// Errors:
//   kNotFound            `DB: no such state database` when the file does not exist;
//   kFailedPrecondition  `DB: not a scimflow state database (no meta table)` for an SQLite file
//                        without the schema, `DB: schema version 1, expected 2` for another
//                        version;
//   kDataLoss            the file is not an SQLite database, or a row is corrupt (a hash that is
//                        not 16 hex digits);
//   kIoError / kUnavailable  the database cannot be read or is locked.
Result<std::unique_ptr<CurrentState>> LoadCurrentStateFromStore(const std::string& state_path);

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_CURRENT_STATE_STORE_H_
