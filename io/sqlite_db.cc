#include "io/sqlite_db.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

namespace scimflow {
namespace {

StatusCode CodeFor(int result) {
  switch (result & 0xff) {  // the primary code; extended codes refine it
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return StatusCode::kUnavailable;
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return StatusCode::kIoError;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return StatusCode::kDataLoss;
    case SQLITE_CONSTRAINT:
      return StatusCode::kFailedPrecondition;
    default:
      return StatusCode::kInternal;
  }
}

}  // namespace

Status SqliteDb::ErrorStatus(int code, std::string_view what) const {
  // sqlite3_errmsg describes the connection's last error, which is `code` when called at once.
  const char* message = handle_ != nullptr ? sqlite3_errmsg(handle_) : sqlite3_errstr(code);
  return Status(CodeFor(code), fmt::format("{}: {}: {}", path_, what, message));
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, OpenOptions options) {
  // Without memory statistics SQLite's allocator takes no global mutex on every malloc and free
  // (nothing here reads sqlite3_memory_used). Only possible before SQLite initialises, which the
  // first open does; a process that initialised it elsewhere keeps the statistics.
  static std::once_flag configure_once;
  std::call_once(configure_once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  if (options.create && !options.read_only) {
    // Created here, not by SQLite, so the mode is 0600 whatever the umask allows.
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return IoError(fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
    ::close(fd);
  }
  sqlite3* handle = nullptr;
  const int flags =
      (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
  const int opened = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
  std::unique_ptr<SqliteDb> db(new SqliteDb(path, handle));
  if (opened != SQLITE_OK) return db->ErrorStatus(opened, "open");
  sqlite3_extended_result_codes(handle, 1);
  sqlite3_busy_timeout(handle, static_cast<int>(options.busy_timeout.count()));
  if (options.read_only) {
    // Reads the schema now, so a file that is not a database fails here with kDataLoss.
    SCIMFLOW_RETURN_IF_ERROR(db->Exec("SELECT count(*) FROM sqlite_schema"));
    return db;
  }
  // The first read of the file: a file that is not a database fails here with kDataLoss.
  SCIMFLOW_ASSIGN_OR_RETURN(SqliteStatement mode, db->Prepare("PRAGMA journal_mode=WAL"));
  SCIMFLOW_ASSIGN_OR_RETURN(bool has_row, mode.Step());
  if (!has_row || mode.ColumnText(0) != "wal") {
    return IoError(fmt::format("{}: open: cannot switch to WAL mode", path));
  }
  mode.Reset();
  SCIMFLOW_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=FULL"));
  return db;
}

SqliteDb::~SqliteDb() {
  // Statements are owned by callers and must be gone; close_v2 defers if one is not.
  if (handle_ != nullptr) sqlite3_close_v2(handle_);
}

Status SqliteDb::Exec(std::string_view sql) {
  const std::string text(sql);
  const int result = sqlite3_exec(handle_, text.c_str(), nullptr, nullptr, nullptr);
  if (result != SQLITE_OK) return ErrorStatus(result, "exec");
  return Status::Ok();
}

Result<SqliteStatement> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* statement = nullptr;
  const int result =
      sqlite3_prepare_v2(handle_, sql.data(), static_cast<int>(sql.size()), &statement, nullptr);
  if (result != SQLITE_OK) return ErrorStatus(result, "prepare");
  return SqliteStatement(this, statement, std::string(sql));
}

Status SqliteDb::Begin() {
  const int result = sqlite3_exec(handle_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  if (result != SQLITE_OK) return ErrorStatus(result, "begin");
  return Status::Ok();
}

Status SqliteDb::Commit() {
  const int result = sqlite3_exec(handle_, "COMMIT", nullptr, nullptr, nullptr);
  if (result != SQLITE_OK) return ErrorStatus(result, "commit");
  return Status::Ok();
}

void SqliteDb::Rollback() {
  if (in_transaction()) sqlite3_exec(handle_, "ROLLBACK", nullptr, nullptr, nullptr);
}

bool SqliteDb::in_transaction() const { return sqlite3_get_autocommit(handle_) == 0; }

SqliteStatement::SqliteStatement(SqliteDb* db, sqlite3_stmt* statement, std::string sql)
    : db_(db), statement_(statement), sql_(std::move(sql)) {}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(other.db_),
      statement_(other.statement_),
      sql_(std::move(other.sql_)),
      bind_error_(other.bind_error_) {
  other.statement_ = nullptr;
}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    if (statement_ != nullptr) sqlite3_finalize(statement_);
    db_ = other.db_;
    statement_ = other.statement_;
    sql_ = std::move(other.sql_);
    bind_error_ = other.bind_error_;
    other.statement_ = nullptr;
  }
  return *this;
}

SqliteStatement::~SqliteStatement() {
  if (statement_ != nullptr) sqlite3_finalize(statement_);
}

void SqliteStatement::BindText(int index, std::string_view value) {
  const int result = sqlite3_bind_text64(statement_, index, value.data(), value.size(),
                                         SQLITE_TRANSIENT, SQLITE_UTF8);
  if (result != SQLITE_OK && bind_error_ == 0) bind_error_ = result;
}

void SqliteStatement::BindTextInPlace(int index, std::string_view value) {
  const int result = sqlite3_bind_text64(statement_, index, value.data(), value.size(),
                                         SQLITE_STATIC, SQLITE_UTF8);
  if (result != SQLITE_OK && bind_error_ == 0) bind_error_ = result;
}

void SqliteStatement::BindInt64(int index, int64_t value) {
  const int result = sqlite3_bind_int64(statement_, index, value);
  if (result != SQLITE_OK && bind_error_ == 0) bind_error_ = result;
}

void SqliteStatement::BindNull(int index) {
  const int result = sqlite3_bind_null(statement_, index);
  if (result != SQLITE_OK && bind_error_ == 0) bind_error_ = result;
}

Result<bool> SqliteStatement::Step() {
  if (bind_error_ != 0) return db_->ErrorStatus(bind_error_, "bind");
  const int result = sqlite3_step(statement_);
  if (result == SQLITE_ROW) return true;
  if (result == SQLITE_DONE) return false;
  return db_->ErrorStatus(result, "step");
}

Status SqliteStatement::Run() {
  while (true) {
    Result<bool> row = Step();
    if (!row.ok()) {
      Reset();
      return row.status();
    }
    if (!*row) break;
  }
  Reset();
  return Status::Ok();
}

void SqliteStatement::Reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
  bind_error_ = 0;
}

int64_t SqliteStatement::ColumnInt64(int column) const {
  return sqlite3_column_int64(statement_, column);
}

std::string_view SqliteStatement::ColumnText(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
  if (text == nullptr) return {};
  return std::string_view(text, static_cast<size_t>(sqlite3_column_bytes(statement_, column)));
}

bool SqliteStatement::ColumnIsNull(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

Result<SqliteTransaction> SqliteTransaction::Begin(SqliteDb& db) {
  SCIMFLOW_RETURN_IF_ERROR(db.Begin());
  return SqliteTransaction(&db);
}

SqliteTransaction::~SqliteTransaction() {
  if (db_ != nullptr) db_->Rollback();
}

Status SqliteTransaction::Commit() {
  if (db_ == nullptr) return Internal("transaction committed twice");
  Status status = db_->Commit();
  if (!status.ok()) db_->Rollback();
  db_ = nullptr;
  return status;
}

std::string ValuesPlaceholders(size_t rows, int columns) {
  std::string sql;
  for (size_t row = 0; row < rows; ++row) {
    sql += row == 0 ? "(" : ", (";
    for (int column = 1; column <= columns; ++column) {
      sql += column == 1 ? "?" : ", ?";
      sql += std::to_string(row * static_cast<size_t>(columns) + static_cast<size_t>(column));
    }
    sql += ")";
  }
  return sql;
}

}  // namespace scimflow
