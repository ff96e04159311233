// Journal: the durable record of every operation's outcome, in the state database of one target
// (`--state FILE`, one SQLite file per target; docs/state-format.md). An outcome counts as done
// only after the transaction holding it has committed; that is what makes `kill -9` followed by
// `apply --resume` safe.
//
// Grouped commits: Record() and MarkInFlight() only queue. Flush() writes everything queued in
// one synchronous transaction (synchronous=FULL, so one fsync per group) and returns the op ids
// of the outcomes it committed; only now may the caller count them as done, report them, or send
// operations that depend on them. FlushDue() says when a group is full (`group_size` entries)
// or old enough (`group_interval` since its first entry), so a caller flushes on whichever comes
// first. The state changes of an outcome (StateStore) are applied in the same transaction as its
// journal row: both are there, or neither.
//
// A row in state 'done' is final: a later in-flight mark or failure for the same op id does not
// overwrite it. Resume: LoadResume() lists this plan's done, in-flight and failed op ids; a
// resumed run skips the done ones and re-checks the in-flight ones (a create in flight may have
// happened: look it up by externalId before sending again). An op whose in-flight mark had not
// been committed at a crash looks never started; that is safe because creates are protected by
// the 409 → look-up rule and every other operation is idempotent on the target.
//
// Ownership: owns the SqliteDb and the StateStore on it.
// Thread-safety: none; one thread (the pipeline's serial journal node, or a JournalWriter's thread)
// owns a Journal's write side; Reader() gives another thread a connection of its own.
#ifndef SCIMFLOW_ENGINE_JOURNAL_H_
#define SCIMFLOW_ENGINE_JOURNAL_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/state_store.h"
#include "engine/status.h"
#include "io/sqlite_db.h"

namespace scimflow {

struct JournalOptions {
  // Entries per grouped commit. Default 1024: a commit costs an fsync and rewrites the B-tree
  // pages it touched, so the larger the group the less each outcome pays; and an in-flight mark
  // whose outcome lands in the same group is not written at all (Flush()). At 20,000 requests/s a
  // group fills in about 25 ms, so `group_interval` still bounds how long an outcome waits. A
  // crash loses at most the groups not yet committed, whose operations `--resume` re-checks.
  size_t group_size = 1024;
  // Longest an outcome waits for its group to commit. Default 50 ms: at EMU's pace (one create
  // every 3.6 s) groups would never fill, and a done operation should not wait long to count.
  std::chrono::milliseconds group_interval{50};
  std::chrono::milliseconds busy_timeout{5'000};
};

enum class OutcomeState : uint8_t { kDone, kFailed };

struct OperationOutcome {
  std::string op_id;
  std::string kind;  // operation kind, e.g. "user.create" (docs/operations.md)
  OutcomeState state = OutcomeState::kDone;
  std::string target_id;           // the resource's id on the target, when known
  std::optional<int> http_status;  // of the last attempt; none when no answer came
  std::string error;               // the failure's message (never a token); empty when done
  uint32_t attempts = 1;
  std::vector<StateChange> changes;  // applied to the state tables with the journal row
};

// The op ids of one plan in the journal, each list in byte order.
struct ResumeSet {
  std::vector<std::string> done;
  std::vector<std::string> in_flight;
  std::vector<std::string> failed;
};

class Journal {
 public:
  using Clock = std::chrono::steady_clock;

  // Opens or creates the state database at `path` for `target_url` and journals under
  // `plan_digest`. A new database gets the schema and its meta rows (schema version, target URL,
  // profile). Errors: the database's (sqlite_db.h); kFailedPrecondition when the database
  // belongs to another target (`state.db: belongs to target URL, not URL`) or has another
  // schema version (`state.db: schema version 2, expected 1`).
  static Result<std::unique_ptr<Journal>> Open(const std::string& path, std::string_view target_url,
                                               std::string_view profile, std::string plan_digest,
                                               JournalOptions options);

  // Queues an in-flight mark for `op_id`, written with the next group.
  void MarkInFlight(std::string op_id, std::string kind, uint32_t attempts, Clock::time_point now);
  // Queues an outcome, written with the next group.
  void Record(OperationOutcome outcome, Clock::time_point now);

  // Entries queued and not yet committed.
  size_t queued() const { return queued_.size(); }
  // True when the queue is full or its oldest entry has waited group_interval.
  bool FlushDue(Clock::time_point now) const;

  // Commits everything queued in one transaction; returns the op ids of the outcomes (not the
  // in-flight marks) now durable, in the order they were recorded. On error nothing of the group
  // is written and the queue is kept, so Flush() may be tried again.
  // Errors: the database's, e.g. kIoError `state.db: commit: database or disk is full`.
  Result<std::vector<std::string>> Flush();

  // This plan's op ids by state, as committed.
  Result<ResumeSet> LoadResume();

  StateStore& state() { return *state_; }
  SqliteDb& db() { return *db_; }

  // A StateStore on a second connection to the same database, for reads on another thread than
  // the one committing (a JournalWriter's): WAL lets it read what has committed while a group is
  // being written. Opened on the first call; owned by the journal. The reader and the write side
  // may each be used by one thread at a time, and the two threads may differ.
  // Errors: the database's, as for Open().
  Result<StateStore*> Reader();
  const std::string& plan_digest() const { return plan_digest_; }
  const JournalOptions& options() const { return options_; }

 private:
  struct Entry {
    bool in_flight = false;
    OperationOutcome outcome;
  };

  Journal() = default;
  Status CheckOrWriteMeta(std::string_view target_url, std::string_view profile);
  // Binds `entry` as the row starting at parameter `base` + 1 of `upsert`; `updated_at` is the
  // group's timestamp. REQUIRES: `entry` and `updated_at` outlive the statement's Run().
  void BindRow(SqliteStatement& upsert, int base, const Entry& entry,
               std::string_view updated_at) const;
  // Writes the rows of a group, in order, then their state changes, in order.
  Status WriteRows(std::span<const Entry* const> rows, std::string_view updated_at);

  std::unique_ptr<SqliteDb> db_;
  std::unique_ptr<StateStore> state_;
  std::unique_ptr<SqliteDb> reader_db_;
  std::unique_ptr<StateStore> reader_;
  std::optional<SqliteStatement> upsert_;       // one row
  std::optional<SqliteStatement> upsert_many_;  // kRowsPerStatement rows (journal.cc)
  std::optional<SqliteStatement> by_state_;
  std::string plan_digest_;
  JournalOptions options_;
  std::vector<Entry> queued_;
  Clock::time_point oldest_queued_;
};

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_JOURNAL_H_
