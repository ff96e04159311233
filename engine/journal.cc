#include "engine/journal.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <string_view>
#include <unordered_set>

#include "engine/state_format.h"

namespace scimflow {
namespace {

namespace format = state_format;

// The upsert of a journal row. A 'done' row is final: the WHERE keeps a later in-flight mark or
// failure from overwriting it. `updated_at` (?9) is the group's commit time, formatted once per
// group (GroupTimestamp) rather than by SQLite's strftime for every row.
// Rows of the multi-row form: a statement's start and end (the cursor on the table, the
// statement savepoint) cost about as much as a row, so a group writes its rows this
// many per statement. 288 parameters, well under SQLite's limit of 32766.
constexpr size_t kRowsPerStatement = 32;
constexpr int kColumnCount = 9;

// The upsert of `rows` journal rows, with parameters ?1..?9, ?10..?18, ... SQLite resolves the
// conflict of each row before it inserts the next, so a multi-row statement writes what the same
// rows one statement each would.
std::string UpsertSql(size_t rows) {
  std::string sql =
      "INSERT INTO journal(op_id, plan_digest, kind, state, target_id, http_status, error, "
      "attempts, updated_at) VALUES ";
  sql += ValuesPlaceholders(rows, kColumnCount);
  sql +=
      " ON CONFLICT(op_id) DO UPDATE SET plan_digest = excluded.plan_digest, kind = excluded.kind, "
      "state = excluded.state, target_id = coalesce(excluded.target_id, journal.target_id), "
      "http_status = excluded.http_status, error = excluded.error, attempts = excluded.attempts, "
      "updated_at = excluded.updated_at WHERE journal.state <> 'done' OR excluded.state = 'done'";
  return sql;
}

// The current UTC time as `YYYY-MM-DDTHH:MM:SS.sssZ`, the format of `updated_at`
// (docs/state-format.md; the same text SQLite's strftime('%Y-%m-%dT%H:%M:%fZ') gives).
std::string GroupTimestamp() {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  const auto now = std::chrono::system_clock::now();
  const auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
}

Result<std::optional<std::string>> ReadMeta(SqliteDb& db, std::string_view key) {
  SCIMFLOW_ASSIGN_OR_RETURN(SqliteStatement select,
                            db.Prepare("SELECT value FROM meta WHERE key = ?1"));
  select.BindText(1, key);
  SCIMFLOW_ASSIGN_OR_RETURN(bool has_row, select.Step());
  if (!has_row) return std::optional<std::string>();
  return std::optional<std::string>(std::string(select.ColumnText(0)));
}

Status WriteMeta(SqliteDb& db, std::string_view key, std::string_view value) {
  SCIMFLOW_ASSIGN_OR_RETURN(SqliteStatement insert,
                            db.Prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)"));
  insert.BindText(1, key);
  insert.BindText(2, value);
  return insert.Run();
}

// Moves the database from kOldestMigratedSchemaVersion to kSchemaVersion, inside the caller's
// transaction: a crash or an error leaves it at the old version, whole.
Status MigrateSchema(SqliteDb& db) {
  Status status = db.Exec(format::kMigrateRenameSql);
  if (status.ok()) status = db.Exec(format::kSchemaSql);
  if (status.ok()) status = db.Exec(format::kMigrateCopySql);
  if (status.ok()) {
    status = WriteMeta(db, format::kMetaSchemaVersion, std::to_string(format::kSchemaVersion));
  }
  if (status.ok()) return status;
  return Status(status.code(),
                fmt::format("{} (migrating schema version {} to {})", status.message(),
                            format::kOldestMigratedSchemaVersion, format::kSchemaVersion));
}

}  // namespace

Result<std::unique_ptr<Journal>> Journal::Open(const std::string& path, std::string_view target_url,
                                               std::string_view profile, std::string plan_digest,
                                               JournalOptions options) {
  std::unique_ptr<Journal> journal(new Journal());
  SqliteDb::OpenOptions open_options;
  open_options.busy_timeout = options.busy_timeout;
  SCIMFLOW_ASSIGN_OR_RETURN(journal->db_, SqliteDb::Open(path, open_options));
  SqliteDb& db = *journal->db_;
  {
    SCIMFLOW_ASSIGN_OR_RETURN(SqliteTransaction transaction, SqliteTransaction::Begin(db));
    SCIMFLOW_RETURN_IF_ERROR(db.Exec(format::kSchemaSql));
    SCIMFLOW_RETURN_IF_ERROR(journal->CheckOrWriteMeta(target_url, profile));
    SCIMFLOW_RETURN_IF_ERROR(transaction.Commit());
  }
  SCIMFLOW_ASSIGN_OR_RETURN(journal->state_, StateStore::Create(&db));
  SCIMFLOW_ASSIGN_OR_RETURN(SqliteStatement upsert, db.Prepare(UpsertSql(1)));
  journal->upsert_.emplace(std::move(upsert));
  SCIMFLOW_ASSIGN_OR_RETURN(SqliteStatement upsert_many, db.Prepare(UpsertSql(kRowsPerStatement)));
  journal->upsert_many_.emplace(std::move(upsert_many));
  SCIMFLOW_ASSIGN_OR_RETURN(
      SqliteStatement by_state,
      db.Prepare("SELECT op_id, state FROM journal WHERE plan_digest = ?1 ORDER BY op_id"));
  journal->by_state_.emplace(std::move(by_state));
  journal->plan_digest_ = std::move(plan_digest);
  journal->options_ = options;
  return journal;
}

Status Journal::CheckOrWriteMeta(std::string_view target_url, std::string_view profile) {
  SqliteDb& db = *db_;
  SCIMFLOW_ASSIGN_OR_RETURN(std::optional<std::string> version,
                            ReadMeta(db, format::kMetaSchemaVersion));
  if (!version) {
    SCIMFLOW_RETURN_IF_ERROR(
        WriteMeta(db, format::kMetaSchemaVersion, std::to_string(format::kSchemaVersion)));
    SCIMFLOW_RETURN_IF_ERROR(WriteMeta(db, format::kMetaTargetUrl, target_url));
    return WriteMeta(db, format::kMetaProfile, profile);
  }
  if (*version == std::to_string(format::kOldestMigratedSchemaVersion)) {
    SCIMFLOW_RETURN_IF_ERROR(MigrateSchema(db));
  } else if (*version != std::to_string(format::kSchemaVersion)) {
    return Status(StatusCode::kFailedPrecondition,
                  fmt::format("{}: schema version {}, expected {}", db.path(), *version,
                              format::kSchemaVersion));
  }
  SCIMFLOW_ASSIGN_OR_RETURN(std::optional<std::string> url, ReadMeta(db, format::kMetaTargetUrl));
  if (url && *url != target_url) {
    return Status(StatusCode::kFailedPrecondition,
                  fmt::format("{}: belongs to target {}, not {}", db.path(), *url, target_url));
  }
  return Status::Ok();
}

void Journal::MarkInFlight(std::string op_id, std::string kind, uint32_t attempts,
                           Clock::time_point now) {
  Entry entry;
  entry.in_flight = true;
  entry.outcome.op_id = std::move(op_id);
  entry.outcome.kind = std::move(kind);
  entry.outcome.attempts = attempts;
  if (queued_.empty()) oldest_queued_ = now;
  queued_.push_back(std::move(entry));
}

void Journal::Record(OperationOutcome outcome, Clock::time_point now) {
  if (queued_.empty()) oldest_queued_ = now;
  queued_.push_back(Entry{false, std::move(outcome)});
}

bool Journal::FlushDue(Clock::time_point now) const {
  if (queued_.empty()) return false;
  return queued_.size() >= options_.group_size || now - oldest_queued_ >= options_.group_interval;
}

void Journal::BindRow(SqliteStatement& upsert, int base, const Entry& entry,
                      std::string_view updated_at) const {
  const OperationOutcome& outcome = entry.outcome;
  // Every text bound here outlives the statement's Run(): in place, without SQLite's copy.
  upsert.BindTextInPlace(base + 1, outcome.op_id);
  upsert.BindTextInPlace(base + 2, plan_digest_);
  upsert.BindTextInPlace(base + 3, outcome.kind);
  const std::string_view state = entry.in_flight                        ? format::kInFlight
                                 : outcome.state == OutcomeState::kDone ? format::kDone
                                                                        : format::kFailed;
  upsert.BindTextInPlace(base + 4, state);
  if (outcome.target_id.empty()) {
    upsert.BindNull(base + 5);
  } else {
    upsert.BindTextInPlace(base + 5, outcome.target_id);
  }
  if (outcome.http_status) {
    upsert.BindInt64(base + 6, *outcome.http_status);
  } else {
    upsert.BindNull(base + 6);
  }
  if (outcome.error.empty()) {
    upsert.BindNull(base + 7);
  } else {
    upsert.BindTextInPlace(base + 7, outcome.error);
  }
  upsert.BindInt64(base + 8, outcome.attempts);
  upsert.BindTextInPlace(base + 9, updated_at);
}

Status Journal::WriteRows(std::span<const Entry* const> rows, std::string_view updated_at) {
  SCIMFLOW_RETURN_IF_ERROR(RunRows(*upsert_many_, *upsert_, kRowsPerStatement, kColumnCount,
                                   rows.size(), [&](SqliteStatement& upsert, int base, size_t row) {
                                     BindRow(upsert, base, *rows[row], updated_at);
                                   }));
  // The state changes after the journal rows: other tables, the same transaction, their own
  // order kept.
  std::vector<const StateChange*> changes;
  for (const Entry* row : rows) {
    for (const StateChange& change : row->outcome.changes) changes.push_back(&change);
  }
  return state_->ApplyAll(changes);
}

Result<std::vector<std::string>> Journal::Flush() {
  std::vector<std::string> committed;
  if (queued_.empty()) return committed;
  {
    // An in-flight mark whose outcome follows in the same group would be overwritten within the
    // transaction: it is skipped (the outcome alone gives the same row, one write less).
    std::vector<bool> superseded(queued_.size(), false);
    std::unordered_set<std::string_view> outcome_later;
    for (size_t position = queued_.size(); position-- > 0;) {
      const Entry& entry = queued_[position];
      if (!entry.in_flight) {
        outcome_later.insert(entry.outcome.op_id);
      } else if (outcome_later.contains(entry.outcome.op_id)) {
        superseded[position] = true;
      }
    }
    std::vector<const Entry*> rows;
    rows.reserve(queued_.size());
    for (size_t position = 0; position < queued_.size(); ++position) {
      if (!superseded[position]) rows.push_back(&queued_[position]);
    }
    const std::string updated_at = GroupTimestamp();
    SCIMFLOW_ASSIGN_OR_RETURN(SqliteTransaction transaction, SqliteTransaction::Begin(*db_));
    SCIMFLOW_RETURN_IF_ERROR(WriteRows(rows, updated_at));
    // The transaction rolls back on any early return above: the group is all or nothing.
    SCIMFLOW_RETURN_IF_ERROR(transaction.Commit());
  }
  for (Entry& entry : queued_) {
    if (!entry.in_flight) committed.push_back(std::move(entry.outcome.op_id));
  }
  queued_.clear();
  return committed;
}

Result<StateStore*> Journal::Reader() {
  if (reader_ == nullptr) {
    SqliteDb::OpenOptions open_options;
    open_options.create = false;
    open_options.busy_timeout = options_.busy_timeout;
    SCIMFLOW_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db,
                              SqliteDb::Open(db_->path(), open_options));
    SCIMFLOW_ASSIGN_OR_RETURN(std::unique_ptr<StateStore> store, StateStore::Create(db.get()));
    reader_db_ = std::move(db);
    reader_ = std::move(store);
  }
  return reader_.get();
}

Result<ResumeSet> Journal::LoadResume() {
  SqliteStatement& select = *by_state_;
  select.BindText(1, plan_digest_);
  ResumeSet resume;
  while (true) {
    Result<bool> row = select.Step();
    if (!row.ok()) {
      select.Reset();
      return row.status();
    }
    if (!*row) break;
    const std::string_view state = select.ColumnText(1);
    std::vector<std::string>& list = state == format::kDone       ? resume.done
                                     : state == format::kInFlight ? resume.in_flight
                                                                  : resume.failed;
    list.emplace_back(select.ColumnText(0));
  }
  select.Reset();
  return resume;
}

}  // namespace scimflow
