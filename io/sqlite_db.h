// SqliteDb: one open SQLite database (RAII), its prepared statements and transactions, with every
// SQLite error turned into a Status that names the file and the step:
// `state.db: commit: database or disk is full`.
//
// Databases are opened in WAL mode with synchronous=FULL. WAL lets an operator read the state
// with the `sqlite3` shell while a run writes, and makes a commit one sequential append. FULL
// makes that append durable before Commit() returns (the WAL is fsynced at every commit): with
// NORMAL, a power loss may roll back the last commits, and the journal's contract is that an
// outcome counts as done only once it survives anything. The journal groups outcomes into one
// transaction per few dozen, so the fsync is paid per group, not per operation.
//
// A new database file is created with mode 0600 (SQLite creates its -wal and -shm files with
// the same mode): the state names every user of the enterprise.
//
// Error codes: SQLITE_BUSY/LOCKED → kUnavailable (another process holds the database);
// SQLITE_FULL, IOERR, CANTOPEN, READONLY, PERM → kIoError; SQLITE_CORRUPT/NOTADB → kDataLoss;
// SQLITE_CONSTRAINT → kFailedPrecondition; anything else (SQL errors, misuse) → kInternal.
//
// Ownership: a SqliteStatement borrows its SqliteDb, which must outlive it.
// Thread-safety: one connection per thread; a SqliteDb and its statements are used by one thread
// at a time. Never carry an open database across fork() (SQLite forbids it).
#ifndef SCIMFLOW_IO_SQLITE_DB_H_
#define SCIMFLOW_IO_SQLITE_DB_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace scimflow {

class SqliteDb;

class SqliteStatement {
 public:
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement();

  // Binds parameter `index` (1-based). Text is copied. A binding error is reported by the next
  // Step() or Run().
  void BindText(int index, std::string_view value);
  // Binds text without copying it: SQLite reads `value` in place.
  // REQUIRES: the bytes stay valid and unchanged until the next Run() or Reset() (which clear the
  // binding). For the hot writes of the journal, where the copy costs a malloc per value.
  void BindTextInPlace(int index, std::string_view value);
  void BindInt64(int index, int64_t value);
  void BindNull(int index);

  // Advances: true when a row is available, false when done.
  // Errors: see the file comment; the statement must be Reset() before it is used again.
  Result<bool> Step();
  // Steps to completion, then resets the statement and clears its bindings.
  Status Run();
  // Makes the statement ready to run again and clears its bindings.
  void Reset();

  // Column values of the current row (0-based). ColumnText's view stays valid until the next
  // Step(), Reset() or destruction.
  int64_t ColumnInt64(int column) const;
  std::string_view ColumnText(int column) const;
  bool ColumnIsNull(int column) const;

 private:
  friend class SqliteDb;
  SqliteStatement(SqliteDb* db, sqlite3_stmt* statement, std::string sql);

  SqliteDb* db_;
  sqlite3_stmt* statement_;
  std::string sql_;  // for error messages
  int bind_error_ = 0;
};

class SqliteDb {
 public:
  struct OpenOptions {
    bool create = true;  // create the file if missing (mode 0600)
    // How long to wait for another connection's lock before failing with kUnavailable.
    std::chrono::milliseconds busy_timeout{5'000};
    // Open for reading only (`plan --state`): nothing is created or written, the journal mode is
    // left as it is, and a write fails with kIoError. Implies !create.
    bool read_only = false;
  };

  // Opens (or creates) `path` in WAL mode with synchronous=FULL.
  // Errors: kIoError when the file cannot be created or opened; kDataLoss when it is not a
  // SQLite database or is corrupt; kUnavailable when it is locked.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path, OpenOptions options);
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path) {
    return Open(path, OpenOptions());
  }

  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more statements that return no rows (schema, pragmas).
  Status Exec(std::string_view sql);
  // Compiles one statement. Errors: kInternal for invalid SQL.
  Result<SqliteStatement> Prepare(std::string_view sql);

  // BEGIN IMMEDIATE: takes the write lock now, so a busy database fails here, not at commit.
  Status Begin();
  Status Commit();
  // Never fails in a way the caller can act on; a failed rollback leaves SQLite's own recovery
  // to the next open.
  void Rollback();
  bool in_transaction() const;

  // The Status for SQLite result `code`, with `what` naming the step.
  Status ErrorStatus(int code, std::string_view what) const;

  const std::string& path() const { return path_; }
  sqlite3* handle() const { return handle_; }

 private:
  SqliteDb(std::string path, sqlite3* handle) : path_(std::move(path)), handle_(handle) {}

  std::string path_;
  sqlite3* handle_;
};

// Rolls back on destruction unless committed. Usage:
//   SCIMFLOW_ASSIGN_OR_RETURN(SqliteTransaction tx, SqliteTransaction::Begin(db));
//   ... SCIMFLOW_RETURN_IF_ERROR(tx.Commit());
class SqliteTransaction {
 public:
  static Result<SqliteTransaction> Begin(SqliteDb& db);
  SqliteTransaction(SqliteTransaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  SqliteTransaction& operator=(SqliteTransaction&&) = delete;
  ~SqliteTransaction();
  Status Commit();

 private:
  explicit SqliteTransaction(SqliteDb* db) : db_(db) {}
  SqliteDb* db_;  // nullptr once committed or rolled back
};

// Multi-row writes: the start and end of a statement (cursors, the statement savepoint) cost
// about as much as a row, so hot writers bind many rows to one `INSERT … VALUES (…), (…), …`.
//
// The VALUES list of `rows` rows of `columns` parameters each: `(?1, ?2), (?3, ?4)` for 2 × 2.
std::string ValuesPlaceholders(size_t rows, int columns);

// Writes `count` rows: with `many` (a statement of `rows_per_statement` rows of `columns`
// parameters) while whole statements fill, then one at a time with `one`. `bind(statement, base,
// row)` binds row `row` (0 … count-1) to parameters base+1 … base+columns; with `many`, base is
// the row's position in the statement times `columns`. Stops at the first failed Run().
template <typename Bind>
Status RunRows(SqliteStatement& many, SqliteStatement& one, size_t rows_per_statement, int columns,
               size_t count, Bind&& bind) {
  size_t row = 0;
  for (; count - row >= rows_per_statement; row += rows_per_statement) {
    for (size_t slot = 0; slot < rows_per_statement; ++slot) {
      bind(many, static_cast<int>(slot) * columns, row + slot);
    }
    SCIMFLOW_RETURN_IF_ERROR(many.Run());
  }
  for (; row < count; ++row) {
    bind(one, 0, row);
    SCIMFLOW_RETURN_IF_ERROR(one.Run());
  }
  return Status::Ok();
}

}  // namespace scimflow

#endif  // SCIMFLOW_IO_SQLITE_DB_H_
