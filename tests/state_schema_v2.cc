#include "tests/state_schema_v2.h"

#include <string_view>
#include <utility>

namespace scimflow::testing {
namespace {

// Version 2's definitions of the tables version 3 changed, as docs/state-format.md described
// them; `meta` and `memberships` are the same in both.
constexpr std::string_view kRewriteSql = R"sql(
BEGIN;
ALTER TABLE journal RENAME TO journal_v3;
ALTER TABLE users RENAME TO users_v3;
ALTER TABLE "groups" RENAME TO groups_v3;
CREATE TABLE journal(
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
CREATE INDEX journal_by_plan_state ON journal(plan_digest, state);
CREATE TABLE users(
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
CREATE TABLE "groups"(
  external_id  TEXT PRIMARY KEY,
  target_id    TEXT NOT NULL,
  display_name TEXT NOT NULL
);
INSERT INTO journal SELECT * FROM journal_v3;
INSERT INTO users SELECT * FROM users_v3;
INSERT INTO "groups" SELECT * FROM groups_v3;
DROP TABLE journal_v3;
DROP TABLE users_v3;
DROP TABLE groups_v3;
UPDATE meta SET value = '2' WHERE key = 'schema_version';
COMMIT;
)sql";

}  // namespace

Status RewriteAsSchemaVersion2(SqliteDb& db) { return db.Exec(kRewriteSql); }

std::string SchemaVersionOf(SqliteDb& db) {
  SqliteStatement select =
      std::move(db.Prepare("SELECT value FROM meta WHERE key = 'schema_version'")).value();
  return *select.Step() ? std::string(select.ColumnText(0)) : "(none)";
}

}  // namespace scimflow::testing
