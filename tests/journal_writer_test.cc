#include "engine/journal_writer.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace scimflow {
namespace {

using std::chrono::milliseconds;

constexpr char kTarget[] = "https://127.0.0.1:8443/scim/v2";

// The writer runs a thread of its own: "Concurrent" puts these tests in the ThreadSanitizer job.
class JournalWriterConcurrentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/scimflow-journal-writer-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    path_ = dir_ + "/state.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Journal> Open(JournalOptions options = {}) {
    Result<std::unique_ptr<Journal>> journal =
        Journal::Open(path_, kTarget, "github-emu", "plan-1", options);
    EXPECT_TRUE(journal.ok()) << journal.status().ToString();
    return journal.ok() ? std::move(journal).value() : nullptr;
  }

  std::string dir_;
  std::string path_;
};

// A group that never fills or ages by itself: commits happen only when asked for.
JournalOptions OnlyOnRequest() {
  JournalOptions options;
  options.group_size = 1'000'000;
  options.group_interval = std::chrono::hours(1);
  return options;
}

OperationOutcome Created(int index) {
  const std::string id = "u" + std::to_string(index);
  OperationOutcome outcome;
  outcome.op_id = "op-" + std::to_string(index);
  outcome.kind = "user.create";
  outcome.target_id = "scim-" + id;
  outcome.http_status = 201;
  outcome.changes.push_back(UpsertUser{UserState{id, "scim-" + id, id, {}, true, {"user"}}});
  return outcome;
}

OperationOutcome Failed(int index) {
  OperationOutcome outcome;
  outcome.op_id = "op-" + std::to_string(index);
  outcome.kind = "user.create";
  outcome.state = OutcomeState::kFailed;
  outcome.http_status = 400;
  outcome.error = "HTTP 400 invalidValue: bad";
  return outcome;
}

TEST_F(JournalWriterConcurrentTest, OutcomesCommitInQueueOrderAndCountOnlyOnceCommitted) {
  auto journal = Open();
  ASSERT_NE(journal, nullptr);
  JournalOptions options;
  options.group_size = 4;
  JournalWriter writer(journal.get(), options, nullptr);
  std::vector<uint64_t> sequences;
  for (int index = 0; index < 10; ++index) {
    sequences.push_back(writer.QueueInFlight("op-" + std::to_string(index), "user.create", 1));
  }
  for (int index = 0; index < 10; ++index) sequences.push_back(writer.QueueOutcome(Created(index)));
  for (size_t position = 0; position < sequences.size(); ++position) {
    EXPECT_EQ(sequences[position], position + 1);
  }
  EXPECT_EQ(writer.queued(), 20u);
  EXPECT_EQ(writer.committed(), 0u);  // Nothing handed over yet.
  ASSERT_TRUE(writer.Sync().ok());
  EXPECT_EQ(writer.committed(), 20u);
  ASSERT_TRUE(writer.Close().ok());

  Result<StateStore*> reader = journal->Reader();
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ(*(*reader)->CountUsers(), 10);
  const ResumeSet resume = *journal->LoadResume();
  EXPECT_EQ(resume.done.size(), 10u);
  EXPECT_TRUE(resume.in_flight.empty());
}

TEST_F(JournalWriterConcurrentTest, AGroupWaitsUntilAskedThenWakesTheDriver) {
  auto journal = Open();
  ASSERT_NE(journal, nullptr);
  std::mutex mutex;
  std::condition_variable woken;
  int commits = 0;
  JournalWriter writer(journal.get(), OnlyOnRequest(), [&] {
    std::lock_guard lock(mutex);
    ++commits;
    woken.notify_all();
  });
  writer.QueueInFlight("op-1", "user.create", 1);
  writer.QueueOutcome(Created(1));
  writer.Handover(JournalWriter::Clock::now());
  // Neither full nor old: the group stays uncommitted, and a reader sees nothing of it.
  std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(writer.committed(), 0u);
  Result<StateStore*> reader = journal->Reader();
  ASSERT_TRUE(reader.ok());
  EXPECT_FALSE((*reader)->FindUser("u1")->has_value());

  writer.CommitSoon();
  {
    std::unique_lock lock(mutex);
    woken.wait(lock, [&] { return commits > 0; });
  }
  EXPECT_EQ(writer.committed(), 2u);
  // The reader connection sees the commit while the writer's connection stays the writer's.
  EXPECT_EQ((*reader)->FindUser("u1")->value().target_id, "scim-u1");
  EXPECT_TRUE(writer.Close().ok());
}

TEST_F(JournalWriterConcurrentTest, TheInFlightMarkAndTheOutcomeInOneGroupLeaveTheOutcome) {
  auto journal = Open();
  ASSERT_NE(journal, nullptr);
  {
    JournalWriter writer(journal.get(), OnlyOnRequest(), nullptr);
    writer.QueueInFlight("op-1", "user.create", 1);
    writer.QueueInFlight("op-2", "user.create", 1);
    writer.QueueInFlight("op-3", "user.create", 1);
    writer.QueueOutcome(Created(1));
    writer.QueueOutcome(Failed(2));
    ASSERT_TRUE(writer.Sync().ok());
    // A mark after the op's outcome does not undo a done row.
    writer.QueueOutcome(Created(3));
    writer.QueueInFlight("op-3", "user.create", 2);
    ASSERT_TRUE(writer.Close().ok());
  }
  const ResumeSet resume = *journal->LoadResume();
  EXPECT_EQ(resume.done, (std::vector<std::string>{"op-1", "op-3"}));
  EXPECT_EQ(resume.failed, (std::vector<std::string>{"op-2"}));
  EXPECT_TRUE(resume.in_flight.empty());
}

TEST_F(JournalWriterConcurrentTest, CrashBetweenHandoverAndCommitLeavesTheOpInFlightForResume) {
  // The child journals, hands an outcome over and dies before its group commits.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Result<std::unique_ptr<Journal>> opened =
        Journal::Open(path_, kTarget, "github-emu", "plan-1", OnlyOnRequest());
    if (!opened.ok()) ::_exit(2);
    auto* writer = new JournalWriter(opened->get(), OnlyOnRequest(), nullptr);
    writer->QueueInFlight("op-1", "user.create", 1);
    writer->QueueInFlight("op-2", "user.create", 1);
    writer->QueueOutcome(Created(1));
    if (!writer->Sync().ok()) ::_exit(3);
    writer->QueueOutcome(Created(2));
    writer->Handover(JournalWriter::Clock::now());
    ::_exit(writer->committed() == 3 ? 0 : 4);  // Op 2's outcome was handed over, not committed.
  }
  int wait_status = 0;
  ASSERT_EQ(::waitpid(child, &wait_status, 0), child);
  ASSERT_TRUE(WIFEXITED(wait_status));
  ASSERT_EQ(WEXITSTATUS(wait_status), 0);

  auto journal = Open();
  ASSERT_NE(journal, nullptr);
  const ResumeSet resume = *journal->LoadResume();
  EXPECT_EQ(resume.done, (std::vector<std::string>{"op-1"}));
  EXPECT_EQ(resume.in_flight, (std::vector<std::string>{"op-2"}));
  EXPECT_FALSE(journal->state().FindUser("u2")->has_value());
}

TEST_F(JournalWriterConcurrentTest, AFailedCommitStopsTheWriterAndNothingMoreCounts) {
  JournalOptions options = OnlyOnRequest();
  options.busy_timeout = milliseconds(10);
  auto journal = Open(options);
  ASSERT_NE(journal, nullptr);
  // Another process holds the write lock, so the writer's BEGIN IMMEDIATE fails.
  Result<std::unique_ptr<SqliteDb>> other = SqliteDb::Open(path_);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->Begin().ok());

  JournalWriter writer(journal.get(), options, nullptr);
  writer.QueueInFlight("op-1", "user.create", 1);
  writer.QueueOutcome(Created(1));
  const Status synced = writer.Sync();
  EXPECT_EQ(synced, Status(StatusCode::kUnavailable, path_ + ": begin: database is locked"));
  EXPECT_EQ(writer.status(), synced);
  EXPECT_EQ(writer.committed(), 0u);
  // Later entries are not committed either, even once the lock is free.
  (*other)->Rollback();
  writer.QueueOutcome(Created(2));
  EXPECT_EQ(writer.Sync(), synced);
  EXPECT_EQ(writer.Close(), synced);
  EXPECT_EQ(writer.committed(), 0u);
  EXPECT_TRUE(journal->LoadResume()->done.empty());
}

TEST_F(JournalWriterConcurrentTest, StateChangesWorkedOutOnTheWriterThreadCommitWithTheOutcome) {
  auto journal = Open();
  ASSERT_NE(journal, nullptr);
  JournalWriter writer(journal.get(), OnlyOnRequest(), nullptr);
  const std::thread::id driver = std::this_thread::get_id();
  std::atomic<bool> on_driver{false};
  OperationOutcome created = Created(1);
  created.changes.clear();
  writer.QueueOutcome(std::move(created), [&](OperationOutcome* outcome) {
    on_driver = std::this_thread::get_id() == driver;
    outcome->changes.push_back(
        UpsertUser{UserState{"u1", outcome->target_id, "u1", {}, true, {"user"}}});
    return Status::Ok();
  });
  // The second one fails: it is recorded all the same, without changes, and its error kept.
  OperationOutcome broken = Created(2);
  broken.changes.clear();
  writer.QueueOutcome(std::move(broken), [](OperationOutcome*) {
    return InvalidArgument("request body is not a JSON object");
  });
  EXPECT_TRUE(writer.changes_status().ok());
  ASSERT_TRUE(writer.Sync().ok());
  EXPECT_FALSE(on_driver);
  EXPECT_EQ(writer.changes_status().ToString(),
            InvalidArgument("request body is not a JSON object").ToString());
  EXPECT_TRUE(writer.Close().ok());
  Result<StateStore*> reader = journal->Reader();
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->FindUser("u1")->value().target_id, "scim-u1");
  EXPECT_FALSE((*reader)->FindUser("u2")->has_value());
  EXPECT_EQ(journal->LoadResume()->done, (std::vector<std::string>{"op-1", "op-2"}));
}

}  // namespace
}  // namespace scimflow
