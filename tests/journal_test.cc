#include "engine/journal.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>
#include <string>

#include "tests/state_schema_v2.h"

namespace scimflow {
namespace {

using std::chrono::milliseconds;
using Clock = Journal::Clock;

constexpr char kTarget[] = "https://127.0.0.1:8443/scim/v2";
const Clock::time_point kNow{std::chrono::hours(1)};

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/scimflow-journal-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    path_ = dir_ + "/state.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Journal> Open(std::string plan = "plan-1", JournalOptions options = {}) {
    Result<std::unique_ptr<Journal>> journal =
        Journal::Open(path_, kTarget, "github-emu", std::move(plan), options);
    EXPECT_TRUE(journal.ok()) << journal.status().ToString();
    return journal.ok() ? std::move(journal).value() : nullptr;
  }

  std::string dir_;
  std::string path_;
};

OperationOutcome CreateOutcome(int index) {
  const std::string id = "u" + std::to_string(index);
  OperationOutcome outcome;
  outcome.op_id = "op-" + std::to_string(index);
  outcome.kind = "user.create";
  outcome.target_id = "scim-" + id;
  outcome.http_status = 201;
  outcome.changes.push_back(UpsertUser{
      UserState{id, "scim-" + id, id, {.content = static_cast<uint64_t>(index)}, true, {"user"}}});
  outcome.changes.push_back(AddMembers{"G1", {id}});
  return outcome;
}

// The failure of update op-INDEX, which the target refused with a 400.
OperationOutcome RefusedUpdateOutcome(int index) {
  OperationOutcome outcome;
  outcome.op_id = "op-" + std::to_string(index);
  outcome.kind = "user.update";
  outcome.state = OutcomeState::kFailed;
  outcome.http_status = 400;
  outcome.error = "HTTP 400 invalidValue: emails is required";
  return outcome;
}

TEST_F(JournalTest, OutcomeCountsOnlyAfterItsGroupCommitted) {
  auto journal = Open();
  journal->Record(CreateOutcome(1), kNow);
  journal->Record(CreateOutcome(2), kNow);
  // Another connection (an operator's sqlite3 shell, a resumed run) sees nothing yet.
  auto observer = Open();
  EXPECT_TRUE(observer->LoadResume()->done.empty());
  EXPECT_FALSE(observer->state().FindUser("u1")->has_value());

  Result<std::vector<std::string>> committed = journal->Flush();
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  EXPECT_EQ(*committed, (std::vector<std::string>{"op-1", "op-2"}));
  EXPECT_EQ(journal->queued(), 0u);
  EXPECT_EQ(observer->LoadResume()->done, (std::vector<std::string>{"op-1", "op-2"}));
  EXPECT_EQ(observer->state().FindUser("u2")->value().target_id, "scim-u2");
  EXPECT_EQ(*observer->state().GroupMembers("G1"), (std::vector<std::string>{"u1", "u2"}));
}

TEST_F(JournalTest, FlushIsDueWhenTheGroupIsFullOrOldEnough) {
  JournalOptions options;
  options.group_size = 3;
  options.group_interval = milliseconds(50);
  auto journal = Open("plan-1", options);
  EXPECT_FALSE(journal->FlushDue(kNow));
  journal->Record(CreateOutcome(1), kNow);
  EXPECT_FALSE(journal->FlushDue(kNow + milliseconds(49)));
  EXPECT_TRUE(journal->FlushDue(kNow + milliseconds(50)));
  journal->MarkInFlight("op-2", "user.create", 1, kNow + milliseconds(10));
  journal->Record(CreateOutcome(3), kNow + milliseconds(20));
  EXPECT_TRUE(journal->FlushDue(kNow + milliseconds(20)));
  // In-flight marks are written but are not outcomes: Flush does not return them.
  EXPECT_EQ(*journal->Flush(), (std::vector<std::string>{"op-1", "op-3"}));
  EXPECT_FALSE(journal->FlushDue(kNow + milliseconds(1000)));
}

TEST_F(JournalTest, ResumeListsDoneInFlightAndFailedOfThisPlanOnly) {
  auto journal = Open();
  journal->MarkInFlight("op-3", "user.create", 1, kNow);
  journal->MarkInFlight("op-1", "user.create", 1, kNow);
  journal->Record(CreateOutcome(1), kNow);
  journal->Record(RefusedUpdateOutcome(2), kNow);
  ASSERT_TRUE(journal->Flush().ok());
  const ResumeSet resume = *journal->LoadResume();
  EXPECT_EQ(resume.done, (std::vector<std::string>{"op-1"}));
  EXPECT_EQ(resume.in_flight, (std::vector<std::string>{"op-3"}));
  EXPECT_EQ(resume.failed, (std::vector<std::string>{"op-2"}));
  SqliteStatement row =
      std::move(journal->db().Prepare("SELECT kind, http_status, error, attempts, updated_at "
                                      "FROM journal WHERE op_id = 'op-2'"))
          .value();
  ASSERT_TRUE(*row.Step());
  EXPECT_EQ(row.ColumnText(0), "user.update");
  EXPECT_EQ(row.ColumnInt64(1), 400);
  EXPECT_EQ(row.ColumnText(2), "HTTP 400 invalidValue: emails is required");
  EXPECT_EQ(row.ColumnInt64(3), 1);
  EXPECT_EQ(row.ColumnText(4).size(), std::string_view("2026-11-28T13:00:00.000Z").size());
  row.Reset();
  journal.reset();
  EXPECT_TRUE(Open("plan-2")->LoadResume()->done.empty());
}

TEST_F(JournalTest, UpdatedAtIsTheGroupsUtcTimeInTheDocumentedFormat) {
  auto journal = Open();
  const auto now_text = [&] {
    SqliteStatement now =
        std::move(journal->db().Prepare("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')")).value();
    EXPECT_TRUE(*now.Step());
    return std::string(now.ColumnText(0));
  };
  const std::string before = now_text();
  journal->MarkInFlight("op-9", "user.create", 1, kNow);
  journal->Record(CreateOutcome(1), kNow);
  ASSERT_TRUE(journal->Flush().ok());
  const std::string after = now_text();
  // SQLite reads the text back as the same instant (the format of docs/state-format.md), and it
  // lies between the clock readings around the commit; both rows of the group carry it.
  SqliteStatement rows =
      std::move(journal->db().Prepare(
                    "SELECT count(*), count(DISTINCT updated_at), min(updated_at), "
                    "sum(updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', updated_at)) FROM journal"))
          .value();
  ASSERT_TRUE(*rows.Step());
  EXPECT_EQ(rows.ColumnInt64(0), 2);
  EXPECT_EQ(rows.ColumnInt64(1), 1);
  EXPECT_EQ(rows.ColumnInt64(3), 2);
  const std::string updated_at(rows.ColumnText(2));
  EXPECT_LE(before, updated_at);
  EXPECT_LE(updated_at, after);
  EXPECT_EQ(updated_at.size(), std::string_view("2026-11-28T13:00:00.000Z").size());
}

TEST_F(JournalTest, DoneIsFinal) {
  auto journal = Open();
  journal->Record(CreateOutcome(1), kNow);
  ASSERT_TRUE(journal->Flush().ok());
  journal->MarkInFlight("op-1", "user.create", 2, kNow);
  OperationOutcome failed = CreateOutcome(1);
  failed.state = OutcomeState::kFailed;
  journal->Record(failed, kNow);
  ASSERT_TRUE(journal->Flush().ok());
  EXPECT_EQ(journal->LoadResume()->done, (std::vector<std::string>{"op-1"}));
}

TEST_F(JournalTest, LargeGroupWritesWhatOneStatementPerRowWould) {
  // More rows than one multi-row statement holds, with what must keep its order: a later failure
  // of a done op (done stays), a deactivation after the create of its user (the user ends
  // inactive), a membership between user upserts, an in-flight mark without an outcome.
  auto journal = Open();
  journal->MarkInFlight("op-200", "user.create", 1, kNow);
  for (int index = 0; index < 70; ++index) {
    OperationOutcome outcome = CreateOutcome(index);
    if (index != 7) outcome.changes.pop_back();  // Creates upsert the user only.
    journal->Record(std::move(outcome), kNow);
    if (index == 40) {
      OperationOutcome deactivate;
      deactivate.op_id = "op-deactivate-3";
      deactivate.kind = "user.deactivate";
      deactivate.http_status = 200;
      deactivate.changes.push_back(SetUserActive{"u3", false});
      journal->Record(std::move(deactivate), kNow);
    }
    if (index == 50) {
      OperationOutcome failed = CreateOutcome(5);
      failed.state = OutcomeState::kFailed;
      failed.error = "HTTP 500";
      failed.changes.clear();  // A failure changes no state.
      journal->Record(std::move(failed), kNow);
    }
  }
  Result<std::vector<std::string>> committed = journal->Flush();
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  EXPECT_EQ(committed->size(), 72u);
  const ResumeSet resume = *journal->LoadResume();
  EXPECT_EQ(resume.done.size(), 71u);
  EXPECT_TRUE(std::binary_search(resume.done.begin(), resume.done.end(), "op-5"));
  EXPECT_TRUE(std::binary_search(resume.done.begin(), resume.done.end(), "op-deactivate-3"));
  EXPECT_EQ(resume.in_flight, (std::vector<std::string>{"op-200"}));
  EXPECT_TRUE(resume.failed.empty());
  EXPECT_EQ(*journal->state().CountUsers(), 70);
  const UserState u3 = journal->state().FindUser("u3")->value();
  EXPECT_FALSE(u3.active);
  const UserState u69 = journal->state().FindUser("u69")->value();
  EXPECT_TRUE(u69.active);
  EXPECT_EQ(u69.target_id, "scim-u69");
  EXPECT_EQ(u69.hashes.content, 69u);
  EXPECT_EQ(u69.roles, (std::vector<std::string>{"user"}));
  EXPECT_EQ(*journal->state().GroupMembers("G1"), (std::vector<std::string>{"u7"}));
  SqliteStatement row =
      std::move(journal->db().Prepare("SELECT state, target_id, http_status, error FROM journal "
                                      "WHERE op_id = 'op-64'"))
          .value();
  ASSERT_TRUE(*row.Step());
  EXPECT_EQ(row.ColumnText(0), "done");
  EXPECT_EQ(row.ColumnText(1), "scim-u64");
  EXPECT_EQ(row.ColumnInt64(2), 201);
  EXPECT_TRUE(row.ColumnIsNull(3));
}

TEST_F(JournalTest, DatabaseOfAnotherTargetIsRefused) {
  Open().reset();
  const Status status =
      Journal::Open(path_, "https://other.example/scim", "github-emu", "p", {}).status();
  EXPECT_EQ(status,
            Status(StatusCode::kFailedPrecondition,
                   path_ + ": belongs to target " + kTarget + ", not https://other.example/scim"));
}

TEST_F(JournalTest, OtherSchemaVersionIsRefused) {
  {
    auto journal = Open();
    ASSERT_TRUE(
        journal->db().Exec("UPDATE meta SET value = '1' WHERE key = 'schema_version'").ok());
  }
  EXPECT_EQ(Journal::Open(path_, kTarget, "github-emu", "p", {}).status(),
            Status(StatusCode::kFailedPrecondition, path_ + ": schema version 1, expected 3"));
}

// What sqlite_schema holds: "name: sql" of every table and index, in name order.
std::vector<std::string> SchemaEntries(SqliteDb& db) {
  SqliteStatement select =
      std::move(db.Prepare("SELECT name, coalesce(sql, '') FROM sqlite_schema ORDER BY name"))
          .value();
  std::vector<std::string> entries;
  while (*select.Step()) {
    entries.push_back(std::string(select.ColumnText(0)) + ": " + std::string(select.ColumnText(1)));
  }
  return entries;
}

bool HasEntry(const std::vector<std::string>& entries, std::string_view prefix) {
  return std::any_of(entries.begin(), entries.end(),
                     [&](const std::string& entry) { return entry.starts_with(prefix); });
}

// Writes 40 created users (members of G1), an in-flight mark and a failure under plan-1, then
// rewrites the database as schema version 2.
void WriteVersion2Database(Journal& journal) {
  for (int index = 1; index <= 40; ++index) journal.Record(CreateOutcome(index), kNow);
  journal.MarkInFlight("op-41", "user.create", 1, kNow);
  journal.Record(RefusedUpdateOutcome(42), kNow);
  ASSERT_TRUE(journal.Flush().ok());
  ASSERT_EQ(testing::RewriteAsSchemaVersion2(journal.db()), Status::Ok());
  const std::vector<std::string> entries = SchemaEntries(journal.db());
  ASSERT_TRUE(HasEntry(entries, "journal_by_plan_state: CREATE INDEX"));
  ASSERT_EQ(testing::SchemaVersionOf(journal.db()), "2");
}

TEST_F(JournalTest, SchemaVersion2IsMigratedInPlaceKeepingEveryRow) {
  {
    auto journal = Open();
    WriteVersion2Database(*journal);
  }
  auto journal = Open();
  ASSERT_NE(journal, nullptr);
  EXPECT_EQ(testing::SchemaVersionOf(journal->db()), "3");
  const std::vector<std::string> entries = SchemaEntries(journal->db());
  EXPECT_FALSE(HasEntry(entries, "journal_by_plan_state"));
  EXPECT_FALSE(HasEntry(entries, "journal_v2"));
  EXPECT_FALSE(HasEntry(entries, "users_v2"));
  EXPECT_FALSE(HasEntry(entries, "groups_v2"));
  for (const std::string& entry : entries) {
    if (entry.starts_with("journal: ") || entry.starts_with("users: ") ||
        entry.starts_with("groups: ")) {
      EXPECT_TRUE(entry.ends_with(") WITHOUT ROWID")) << entry;
    }
  }
  // Every row is there, and reads back as it was written.
  const ResumeSet resume = *journal->LoadResume();
  EXPECT_EQ(resume.done.size(), 40u);
  EXPECT_EQ(resume.in_flight, (std::vector<std::string>{"op-41"}));
  EXPECT_EQ(resume.failed, (std::vector<std::string>{"op-42"}));
  EXPECT_EQ(*journal->state().CountUsers(), 40);
  const std::optional<UserState> user = *journal->state().FindUser("u7");
  ASSERT_TRUE(user.has_value());
  EXPECT_EQ(user->target_id, "scim-u7");
  EXPECT_EQ(user->hashes.content, 7u);
  EXPECT_EQ(user->roles, (std::vector<std::string>{"user"}));
  EXPECT_EQ(journal->state().GroupMembers("G1")->size(), 40u);
  // The migrated database takes new outcomes like a new one.
  journal->Record(CreateOutcome(43), kNow);
  ASSERT_TRUE(journal->Flush().ok());
  EXPECT_EQ(*journal->state().CountUsers(), 41);
  journal.reset();
  EXPECT_EQ(Open()->LoadResume()->done.size(), 41u);
}

TEST_F(JournalTest, FailedMigrationLeavesTheVersion2DatabaseWhole) {
  {
    auto journal = Open();
    WriteVersion2Database(*journal);
    // The name the migration renames `users` to is taken: its second rename fails.
    ASSERT_TRUE(journal->db().Exec("CREATE TABLE users_v2(x)").ok());
  }
  const Status status = Journal::Open(path_, kTarget, "github-emu", "plan-1", {}).status();
  EXPECT_EQ(status.message(), path_ +
                                  ": exec: there is already another table or index with this "
                                  "name: users_v2 (migrating schema version 2 to 3)");
  auto db = std::move(SqliteDb::Open(path_)).value();
  EXPECT_EQ(testing::SchemaVersionOf(*db), "2");
  const std::vector<std::string> entries = SchemaEntries(*db);
  EXPECT_TRUE(HasEntry(entries, "journal_by_plan_state: CREATE INDEX"));
  EXPECT_FALSE(HasEntry(entries, "journal_v2"));
  SqliteStatement count = std::move(db->Prepare("SELECT count(*) FROM users")).value();
  ASSERT_TRUE(*count.Step());
  EXPECT_EQ(count.ColumnInt64(0), 40);
}

TEST_F(JournalTest, FailedCommitWritesNothingOfTheGroupAndKeepsItQueued) {
  auto journal = Open();
  journal->Record(CreateOutcome(1), kNow);
  ASSERT_TRUE(journal->Flush().ok());
  SqliteStatement pages = std::move(journal->db().Prepare("PRAGMA page_count")).value();
  ASSERT_TRUE(*pages.Step());
  const int64_t page_count = pages.ColumnInt64(0);
  pages.Reset();
  ASSERT_TRUE(journal->db().Exec("PRAGMA max_page_count = " + std::to_string(page_count)).ok());
  for (int index = 2; index < 200; ++index) {
    OperationOutcome outcome = CreateOutcome(index);
    outcome.error = std::string(2000, 'e');  // grows the file beyond the limit
    journal->Record(std::move(outcome), kNow);
  }
  const Result<std::vector<std::string>> full = journal->Flush();
  EXPECT_EQ(full.status(), IoError(path_ + ": step: database or disk is full"));
  EXPECT_EQ(journal->queued(), 198u);
  EXPECT_EQ(journal->LoadResume()->done.size(), 1u);
  EXPECT_EQ(*journal->state().CountUsers(), 1);
  ASSERT_TRUE(journal->db().Exec("PRAGMA max_page_count = 1000000").ok());
  EXPECT_EQ(journal->Flush()->size(), 198u);
  EXPECT_EQ(*journal->state().CountUsers(), 199);
}

// The child side of the crash test: journals creates of users 0..kOps-1 that are not yet done,
// in groups, and after each committed group writes the acknowledged op ids to `ack_fd`. Never
// returns.
[[noreturn]] void JournalUntilKilled(const std::string& path, int ack_fd, int ops) {
  JournalOptions options;
  options.group_size = 16;
  Result<std::unique_ptr<Journal>> opened =
      Journal::Open(path, kTarget, "github-emu", "p", options);
  if (!opened.ok()) ::_exit(2);
  Journal& journal = **opened;
  const ResumeSet resume = *journal.LoadResume();
  const std::set<std::string> done(resume.done.begin(), resume.done.end());
  for (int index = 0; index < ops; ++index) {
    OperationOutcome outcome = CreateOutcome(index);
    if (done.count(outcome.op_id) != 0) continue;
    journal.Record(std::move(outcome), Clock::now());
    if (!journal.FlushDue(Clock::now())) continue;
    Result<std::vector<std::string>> committed = journal.Flush();
    if (!committed.ok()) ::_exit(3);
    std::string acks;
    for (const std::string& op_id : *committed) acks += op_id + "\n";
    if (::write(ack_fd, acks.data(), acks.size()) != static_cast<ssize_t>(acks.size())) ::_exit(4);
  }
  if (!journal.Flush().ok()) ::_exit(3);
  ::_exit(0);
}

// Reads acknowledged op ids from `fd` until `want` more arrived or the writer is gone.
void ReadAcks(int fd, size_t want, std::set<std::string>* acked, std::string* partial) {
  const size_t target = acked->size() + want;
  char buffer[4096];
  while (acked->size() < target) {
    const ssize_t got = ::read(fd, buffer, sizeof(buffer));
    if (got <= 0) return;
    partial->append(buffer, static_cast<size_t>(got));
    size_t newline;
    while ((newline = partial->find('\n')) != std::string::npos) {
      acked->insert(partial->substr(0, newline));
      partial->erase(0, newline + 1);
    }
  }
}

TEST_F(JournalTest, KillNineMidGroupLosesNothingAcknowledgedAndWritesNothingHalf) {
  constexpr int kOps = 3000;
  std::set<std::string> acked;
  std::mt19937 random(12345);
  int kills = 0;
  for (int round = 0; round < 4; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(fds[0]);
      JournalUntilKilled(path_, fds[1], kOps);
    }
    ::close(fds[1]);
    std::string partial;
    ReadAcks(fds[0], 200, &acked, &partial);
    // Kill at a random moment inside the next groups, not just after an acknowledgement.
    ::usleep(std::uniform_int_distribution<useconds_t>(0, 3000)(random));
    ::kill(child, SIGKILL);
    int wait_status = 0;
    ASSERT_EQ(::waitpid(child, &wait_status, 0), child);
    // Acknowledgements written before the kill are still in the pipe.
    ReadAcks(fds[0], kOps, &acked, &partial);
    ::close(fds[0]);
    if (WIFEXITED(wait_status)) {
      ASSERT_EQ(WEXITSTATUS(wait_status), 0);
    } else {
      EXPECT_EQ(WTERMSIG(wait_status), SIGKILL);
      ++kills;
    }

    auto journal = Open("p");
    ASSERT_NE(journal, nullptr);
    SqliteStatement check = std::move(journal->db().Prepare("PRAGMA integrity_check")).value();
    ASSERT_TRUE(*check.Step());
    EXPECT_EQ(check.ColumnText(0), "ok");
    check.Reset();
    const ResumeSet resume = *journal->LoadResume();
    const std::set<std::string> done(resume.done.begin(), resume.done.end());
    for (const std::string& op_id : acked) ASSERT_EQ(done.count(op_id), 1u) << op_id;
    // Every done row has its user and membership, and no user exists without its row.
    EXPECT_EQ(*journal->state().CountUsers(), static_cast<int64_t>(done.size()));
    EXPECT_EQ(journal->state().GroupMembers("G1")->size(), done.size());
    for (const std::string& op_id : resume.done) {
      const std::string user = "u" + op_id.substr(3);
      ASSERT_TRUE(journal->state().FindUser(user)->has_value()) << user;
    }
    EXPECT_GE(done.size(), acked.size());
  }
  // The child was killed while journalling, not after it had finished.
  EXPECT_GE(kills, 3);
  EXPECT_GT(acked.size(), 600u);
}

}  // namespace
}  // namespace scimflow
