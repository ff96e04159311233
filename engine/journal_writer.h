// JournalWriter: commits a Journal's groups on a thread of its own, so the driver of `scimflow
// apply` never waits for an fsync. The driver queues in-flight marks and outcomes, hands them over
// once per turn of its loop, and learns from committed() which of them are durable; only those may
// it count as done or release dependents of (the journal's contract, engine/journal.h).
//
// Groups: the writer commits what has been handed over when the group is full (`group_size`
// entries), its oldest entry has waited `group_interval`, or the driver asked for it
// (CommitSoon(): nothing else to do but wait for dependencies). While a commit (an fsync) runs,
// further entries queue and go into the next group, so groups grow with the rate of outcomes and
// the fsyncs per second stay bounded by the disk, not by the number of operations.
//
// Order: entries commit in the order they were queued; committed() is a prefix of the sequence
// numbers Queue*() returned. A crash between the hand-over and the commit loses the entries
// handed over: an outcome not committed leaves its operation `in_flight` (or unknown), and
// `--resume` re-checks it, as for any crash before a commit.
//
// Errors: the first failed commit stops the writer; status() returns it from then on, nothing
// more is committed, and committed() stays where it was.
//
// Threads: Queue*(), Handover(), CommitSoon(), committed(), status() and Close() are called by
// one thread, the driver; the writer thread alone touches the Journal's write side from the
// constructor to Close(). `on_commit` runs on the writer thread after every commit and after a
// failure (the emitter passes HttpClient::Wake, so its Poll() returns and releases dependents).
// Ownership: borrows the Journal, which must outlive the writer.
#ifndef SCIMFLOW_ENGINE_JOURNAL_WRITER_H_
#define SCIMFLOW_ENGINE_JOURNAL_WRITER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/journal.h"
#include "engine/status.h"

namespace scimflow {

class JournalWriter {
 public:
  using Clock = Journal::Clock;

  // Starts the writer thread. `options` gives group_size and group_interval (JournalOptions).
  JournalWriter(Journal* journal, JournalOptions options, std::function<void()> on_commit);
  // Close()s when the caller did not.
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  // Queue an entry on the driver's side; returns its sequence number (1, 2, 3, …). It goes to
  // the writer with the next Handover().
  uint64_t QueueInFlight(std::string op_id, std::string kind, uint32_t attempts);
  uint64_t QueueOutcome(OperationOutcome outcome);
  // An outcome whose state changes are worked out on the writer thread, just before it is
  // recorded: `complete` fills in outcome.changes there (the emitter hands over a created user's
  // parse and hashes, which need nothing of the driver's state, so its thread goes on sending).
  // When `complete` fails, the outcome is recorded without changes and the first such error is
  // kept for changes_status(); the writer goes on.
  using CompleteOutcome = std::function<Status(OperationOutcome* outcome)>;
  uint64_t QueueOutcome(OperationOutcome outcome, CompleteOutcome complete);

  // Hands the entries queued since the last call to the writer (one lock, whatever their count).
  void Handover(Clock::time_point now);
  // Asks for a commit of everything handed over, without waiting for the group to fill.
  void CommitSoon();

  // The highest sequence number durable: every entry up to it has committed.
  uint64_t committed() const { return committed_sequence_.load(std::memory_order_acquire); }
  // The highest sequence number queued so far.
  uint64_t queued() const { return next_sequence_ - 1; }
  // Ok, or the first commit's error.
  Status status() const;
  // Ok, or the first error of a CompleteOutcome (the outcome itself was recorded).
  Status changes_status() const;

  // Hands everything queued over, asks for its commit and waits until it committed or a commit
  // failed. Returns status().
  Status Sync();

  // Hands everything over, waits until it committed (or a commit failed) and stops the thread.
  // Returns status(). Idempotent.
  Status Close();

 private:
  struct Entry {
    bool in_flight = false;
    OperationOutcome outcome;
    CompleteOutcome complete;  // run on the writer thread before the outcome is recorded
  };

  void Loop();
  // True when the writer should commit now. REQUIRES: mutex_ held.
  bool CommitDue(Clock::time_point now) const;

  Journal* const journal_;
  const JournalOptions options_;
  const std::function<void()> on_commit_;

  // Driver side.
  std::vector<Entry> local_;
  uint64_t next_sequence_ = 1;

  mutable std::mutex mutex_;
  std::condition_variable wake_;       // the writer waits on it
  std::condition_variable committed_;  // Sync() waits on it
  std::vector<Entry> handed_;          // guarded by mutex_
  uint64_t handed_last_ = 0;           // guarded by mutex_: sequence number of handed_.back()
  Clock::time_point handed_oldest_;    // guarded by mutex_: when handed_ became non-empty
  bool commit_soon_ = false;           // guarded by mutex_
  bool closing_ = false;               // guarded by mutex_
  Status error_;                       // guarded by mutex_
  Status changes_error_;               // guarded by mutex_
  // Set once changes_error_ holds an error: the driver asks on every turn of its loop, and
  // without an error (always, but for a bug) the answer costs no lock.
  std::atomic<bool> changes_failed_{false};
  std::atomic<uint64_t> committed_sequence_{0};
  std::thread thread_;
};

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_JOURNAL_WRITER_H_
