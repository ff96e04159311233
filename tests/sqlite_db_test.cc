#include "io/sqlite_db.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace scimflow {
namespace {

class SqliteDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/scimflow-sqlite-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    path_ = dir_ + "/state.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
  std::string path_;
};

mode_t ModeOf(const std::string& path) {
  struct stat info {};
  ::stat(path.c_str(), &info);
  return info.st_mode & 0777;
}

TEST_F(SqliteDbTest, NewDatabaseIsPrivateAndInWalModeWithFullSync) {
  Result<std::unique_ptr<SqliteDb>> db = SqliteDb::Open(path_);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(x INTEGER); INSERT INTO t VALUES(1);").ok());
  EXPECT_EQ(ModeOf(path_), 0600u);
  EXPECT_EQ(ModeOf(path_ + "-wal"), 0600u);
  Result<SqliteStatement> mode = (*db)->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  ASSERT_TRUE(*mode->Step());
  EXPECT_EQ(mode->ColumnText(0), "wal");
  Result<SqliteStatement> sync = (*db)->Prepare("PRAGMA synchronous");
  ASSERT_TRUE(*sync->Step());
  EXPECT_EQ(sync->ColumnInt64(0), 2);  // FULL
}

TEST_F(SqliteDbTest, PreparedStatementsBindStepAndReset) {
  auto db = std::move(SqliteDb::Open(path_)).value();
  ASSERT_TRUE(db->Exec("CREATE TABLE t(k TEXT PRIMARY KEY, v INTEGER)").ok());
  SqliteStatement insert = std::move(db->Prepare("INSERT INTO t VALUES(?1, ?2)")).value();
  for (int64_t value = 0; value < 3; ++value) {
    insert.BindText(1, "key" + std::to_string(value));
    insert.BindInt64(2, value * 10);
    ASSERT_TRUE(insert.Run().ok());
  }
  insert.BindText(1, std::string_view("nul\0byte", 8));
  insert.BindNull(2);
  ASSERT_TRUE(insert.Run().ok());
  SqliteStatement select = std::move(db->Prepare("SELECT k, v FROM t ORDER BY k")).value();
  std::vector<std::string> keys;
  while (*select.Step()) {
    keys.emplace_back(select.ColumnText(0));
    if (keys.back().size() == 8) {
      EXPECT_TRUE(select.ColumnIsNull(1));
    }
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"key0", "key1", "key2", std::string("nul\0byte", 8)}));
}

TEST_F(SqliteDbTest, TextBoundInPlaceIsStoredWholeAndTheBindingIsClearedByRun) {
  auto db = std::move(SqliteDb::Open(path_)).value();
  ASSERT_TRUE(db->Exec("CREATE TABLE t(k TEXT PRIMARY KEY, v TEXT)").ok());
  SqliteStatement insert = std::move(db->Prepare("INSERT INTO t VALUES(?1, ?2)")).value();
  std::string key = "first";
  const std::string value(std::string_view("in\0place", 8));
  insert.BindTextInPlace(1, key);
  insert.BindTextInPlace(2, value);
  ASSERT_TRUE(insert.Run().ok());
  key = "changed after the run";  // the row keeps what was bound when it ran
  insert.BindTextInPlace(1, "second");
  ASSERT_TRUE(insert.Run().ok());  // ?2 was cleared: NULL
  SqliteStatement select =
      std::move(db->Prepare("SELECT k, v, v IS NULL FROM t ORDER BY k")).value();
  ASSERT_TRUE(*select.Step());
  EXPECT_EQ(select.ColumnText(0), "first");
  EXPECT_EQ(select.ColumnText(1), value);
  ASSERT_TRUE(*select.Step());
  EXPECT_EQ(select.ColumnText(0), "second");
  EXPECT_EQ(select.ColumnInt64(2), 1);
  EXPECT_FALSE(*select.Step());
}

TEST_F(SqliteDbTest, ConstraintViolationNamesFileAndStep) {
  auto db = std::move(SqliteDb::Open(path_)).value();
  ASSERT_TRUE(db->Exec("CREATE TABLE t(k TEXT PRIMARY KEY)").ok());
  SqliteStatement insert = std::move(db->Prepare("INSERT INTO t VALUES(?1)")).value();
  insert.BindText(1, "a");
  ASSERT_TRUE(insert.Run().ok());
  insert.BindText(1, "a");
  EXPECT_EQ(insert.Run(), Status(StatusCode::kFailedPrecondition,
                                 path_ + ": step: UNIQUE constraint failed: t.k"));
}

TEST_F(SqliteDbTest, InvalidSqlIsAnInternalError) {
  auto db = std::move(SqliteDb::Open(path_)).value();
  EXPECT_EQ(db->Prepare("SELEKT 1").status(),
            Status(StatusCode::kInternal, path_ + ": prepare: near \"SELEKT\": syntax error"));
}

TEST_F(SqliteDbTest, FileThatIsNotADatabaseIsDataLoss) {
  std::ofstream(path_) << std::string(8192, 'x');
  const Status status = SqliteDb::Open(path_).status();
  EXPECT_EQ(status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(status.message(), path_ + ": prepare: file is not a database");
}

TEST_F(SqliteDbTest, MissingDirectoryIsAnIoError) {
  SqliteDb::OpenOptions options;
  EXPECT_EQ(SqliteDb::Open(dir_ + "/no/such/state.db", options).status(),
            IoError(dir_ + "/no/such/state.db: cannot create: No such file or directory"));
  options.create = false;
  EXPECT_EQ(SqliteDb::Open(path_, options).status().code(), StatusCode::kIoError);
}

TEST_F(SqliteDbTest, DatabaseLockedByAnotherConnectionIsUnavailable) {
  auto first = std::move(SqliteDb::Open(path_)).value();
  ASSERT_TRUE(first->Exec("CREATE TABLE t(x)").ok());
  SqliteDb::OpenOptions options;
  options.busy_timeout = std::chrono::milliseconds(0);
  auto second = std::move(SqliteDb::Open(path_, options)).value();
  ASSERT_TRUE(first->Begin().ok());
  EXPECT_EQ(second->Begin(),
            Status(StatusCode::kUnavailable, path_ + ": begin: database is locked"));
  first->Rollback();
  EXPECT_TRUE(second->Begin().ok());
  second->Rollback();
}

TEST_F(SqliteDbTest, DiskFullIsAnIoErrorAndTheTransactionRollsBack) {
  auto db = std::move(SqliteDb::Open(path_)).value();
  ASSERT_TRUE(db->Exec("CREATE TABLE t(x TEXT)").ok());
  // A page limit makes SQLite behave exactly as on a full disk.
  ASSERT_TRUE(db->Exec("PRAGMA max_page_count = 3").ok());
  SqliteStatement insert = std::move(db->Prepare("INSERT INTO t VALUES(?1)")).value();
  Status status;
  {
    Result<SqliteTransaction> transaction = SqliteTransaction::Begin(*db);
    ASSERT_TRUE(transaction.ok());
    for (int row = 0; row < 100 && status.ok(); ++row) {
      insert.BindText(1, std::string(1000, 'x'));
      status = insert.Run();
    }
  }
  EXPECT_EQ(status, IoError(path_ + ": step: database or disk is full"));
  EXPECT_FALSE(db->in_transaction());
  SqliteStatement count = std::move(db->Prepare("SELECT count(*) FROM t")).value();
  ASSERT_TRUE(*count.Step());
  EXPECT_EQ(count.ColumnInt64(0), 0);
}

TEST_F(SqliteDbTest, CommittedTransactionIsVisibleToAnotherConnection) {
  auto writer = std::move(SqliteDb::Open(path_)).value();
  ASSERT_TRUE(writer->Exec("CREATE TABLE t(x)").ok());
  {
    SqliteTransaction transaction = std::move(SqliteTransaction::Begin(*writer)).value();
    ASSERT_TRUE(writer->Exec("INSERT INTO t VALUES(1)").ok());
    ASSERT_TRUE(transaction.Commit().ok());
    EXPECT_EQ(transaction.Commit().code(), StatusCode::kInternal);
  }
  auto reader = std::move(SqliteDb::Open(path_)).value();
  SqliteStatement count = std::move(reader->Prepare("SELECT count(*) FROM t")).value();
  ASSERT_TRUE(*count.Step());
  EXPECT_EQ(count.ColumnInt64(0), 1);
}

TEST(SqliteMultiRowTest, ValuesPlaceholdersNumberEveryRowsParameters) {
  EXPECT_EQ(ValuesPlaceholders(1, 3), "(?1, ?2, ?3)");
  EXPECT_EQ(ValuesPlaceholders(3, 2), "(?1, ?2), (?3, ?4), (?5, ?6)");
}

}  // namespace
}  // namespace scimflow
