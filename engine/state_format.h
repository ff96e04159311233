// The state database's format: schema version, table definitions and the fixed strings stored
// in it. docs/state-format.md describes it for operators; this header is the one place the code
// takes it from, so the two are kept side by side (like a wire format's constants header).
//
// Thread-safety: constants only.
#ifndef SCIMFLOW_ENGINE_STATE_FORMAT_H_
#define SCIMFLOW_ENGINE_STATE_FORMAT_H_

#include <string_view>

namespace scimflow::state_format {

// Bumped on any incompatible change; a database of another version is refused, not migrated
// silently.
inline constexpr int kSchemaVersion = 2;

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
);
CREATE INDEX IF NOT EXISTS journal_by_plan_state ON journal(plan_digest, state);
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
);
CREATE TABLE IF NOT EXISTS "groups"(
  external_id  TEXT PRIMARY KEY,
  target_id    TEXT NOT NULL,
  display_name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS memberships(
  group_external_id TEXT NOT NULL,
  user_external_id  TEXT NOT NULL,
  PRIMARY KEY (group_external_id, user_external_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS memberships_by_user ON memberships(user_external_id);
)sql";

}  // namespace scimflow::state_format

#endif  // SCIMFLOW_ENGINE_STATE_FORMAT_H_
