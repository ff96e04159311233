// The state database's format: schema version, table definitions and the fixed strings stored
// in it. docs/state-format.md describes it for operators; this header is the one place the code
// takes it from, so the two are kept side by side (like a wire format's constants header).
//
// Thread-safety: constants only.
#ifndef SCIMFLOW_ENGINE_STATE_FORMAT_H_
#define SCIMFLOW_ENGINE_STATE_FORMAT_H_

#include <string_view>

namespace scimflow::state_format {

// Bumped on any change of the tables. The engine writes this version. Opening a database of
// kOldestMigratedSchemaVersion for writing moves it to this version (kMigrateRenameSql below), in
// one transaction; readers accept both versions, whose tables have the same columns. Any other
// version is refused.
//
// Version 3 stores `journal`, `users` and `groups` WITHOUT ROWID, keyed by their primary key
// alone, and drops the journal's (plan_digest, state) index: a journal row is one B-tree insert,
// not three, and a user row one, not two. Resume reads a plan's rows by a scan, once per run.
inline constexpr int kSchemaVersion = 3;
inline constexpr int kOldestMigratedSchemaVersion = 2;

// meta keys.
inline constexpr std::string_view kMetaSchemaVersion = "schema_version";
inline constexpr std::string_view kMetaTargetUrl = "target_url";
inline constexpr std::string_view kMetaProfile = "profile";

// journal.state values.
inline constexpr std::string_view kInFlight = "in_flight";
inline constexpr std::string_view kDone = "done";
inline constexpr std::string_view kFailed = "failed";

// `groups` is quoted everywhere: GROUPS is an SQL keyword (window frames).
inline constexpr std::string_view kSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS meta(
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS journal(
  op_id       TEXT PRIMARY KEY,
  plan_digest TEXT NOT NULL,
  kind        TEXT NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('in_flight', 'done', 'failed')),
  target_id   TEXT,
  http_status INTEGER,
  error       TEXT,
  attempts    INTEGER NOT NULL DEFAULT 0,
  updated_at  TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS users(
  external_id  TEXT PRIMARY KEY,
  target_id    TEXT NOT NULL,
  user_name    TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  name_hash    TEXT NOT NULL,
  display_name_hash TEXT NOT NULL,
  emails_hash  TEXT NOT NULL,
  roles_hash   TEXT NOT NULL,
  active       INTEGER NOT NULL CHECK (active IN (0, 1)),
  roles        TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS "groups"(
  external_id  TEXT PRIMARY KEY,
  target_id    TEXT NOT NULL,
  display_name TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS memberships(
  group_external_id TEXT NOT NULL,
  user_external_id  TEXT NOT NULL,
  PRIMARY KEY (group_external_id, user_external_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS memberships_by_user ON memberships(user_external_id);
)sql";

// Moving a database of kOldestMigratedSchemaVersion to kSchemaVersion runs kMigrateRenameSql,
// kSchemaSql and kMigrateCopySql, in this order and in one transaction: the old tables are
// renamed (their indexes go with them), kSchemaSql creates the new ones, and the rows are copied
// over before the old tables are dropped. Versions 2 and 3 have the same columns in the same
// order.
inline constexpr std::string_view kMigrateRenameSql = R"sql(
ALTER TABLE journal RENAME TO journal_v2;
ALTER TABLE users RENAME TO users_v2;
ALTER TABLE "groups" RENAME TO groups_v2;
)sql";
inline constexpr std::string_view kMigrateCopySql = R"sql(
INSERT INTO journal SELECT * FROM journal_v2;
INSERT INTO users SELECT * FROM users_v2;
INSERT INTO "groups" SELECT * FROM groups_v2;
DROP TABLE journal_v2;
DROP TABLE users_v2;
DROP TABLE groups_v2;
)sql";

}  // namespace scimflow::state_format

#endif  // SCIMFLOW_ENGINE_STATE_FORMAT_H_
