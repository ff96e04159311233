// Databases of state schema version 2, as engines before version 3 wrote them, for the tests of
// the migration (Journal::Open) and of reading a database not yet migrated (plan --state); and
// the version a database says it holds.
#ifndef SCIMFLOW_TESTS_STATE_SCHEMA_V2_H_
#define SCIMFLOW_TESTS_STATE_SCHEMA_V2_H_

#include <string>

#include "engine/status.h"
#include "io/sqlite_db.h"

namespace scimflow::testing {

// Rewrites the current-version database `db` into version 2, rows unchanged: rowid tables for
// journal, users and groups, the journal's (plan_digest, state) index, schema_version '2'.
Status RewriteAsSchemaVersion2(SqliteDb& db);

// The meta row `schema_version` of `db`, or "(none)".
std::string SchemaVersionOf(SqliteDb& db);

}  // namespace scimflow::testing

#endif  // SCIMFLOW_TESTS_STATE_SCHEMA_V2_H_
