#include "engine/journal_writer.h"

#include <pthread.h>

#include <utility>

namespace scimflow {

JournalWriter::JournalWriter(Journal* journal, JournalOptions options,
                             std::function<void()> on_commit)
    : journal_(journal), options_(options), on_commit_(std::move(on_commit)) {
  thread_ = std::thread([this] { Loop(); });
  pthread_setname_np(thread_.native_handle(), "journal");
}

JournalWriter::~JournalWriter() { (void)Close(); }

uint64_t JournalWriter::QueueInFlight(std::string op_id, std::string kind, uint32_t attempts) {
  Entry& entry = local_.emplace_back();
  entry.in_flight = true;
  entry.outcome.op_id = std::move(op_id);
  entry.outcome.kind = std::move(kind);
  entry.outcome.attempts = attempts;
  return next_sequence_++;
}

uint64_t JournalWriter::QueueOutcome(OperationOutcome outcome) {
  local_.push_back(Entry{false, std::move(outcome), nullptr});
  return next_sequence_++;
}

uint64_t JournalWriter::QueueOutcome(OperationOutcome outcome, CompleteOutcome complete) {
  local_.push_back(Entry{false, std::move(outcome), std::move(complete)});
  return next_sequence_++;
}

void JournalWriter::Handover(Clock::time_point now) {
  if (local_.empty()) return;
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (handed_.empty()) {
      handed_oldest_ = now;
      handed_.swap(local_);
    } else {
      for (Entry& entry : local_) handed_.push_back(std::move(entry));
      local_.clear();
    }
    handed_last_ = next_sequence_ - 1;
    wake = handed_.size() >= options_.group_size;
  }
  // The writer also wakes by itself when the group's interval is over.
  if (wake) wake_.notify_one();
}

void JournalWriter::CommitSoon() {
  {
    std::lock_guard lock(mutex_);
    if (commit_soon_ || handed_.empty()) return;
    commit_soon_ = true;
  }
  wake_.notify_one();
}

Status JournalWriter::status() const {
  std::lock_guard lock(mutex_);
  return error_;
}

Status JournalWriter::changes_status() const {
  if (!changes_failed_.load(std::memory_order_acquire)) return Status::Ok();
  std::lock_guard lock(mutex_);
  return changes_error_;
}

bool JournalWriter::CommitDue(Clock::time_point now) const {
  if (handed_.empty()) return false;
  return closing_ || commit_soon_ || handed_.size() >= options_.group_size ||
         now - handed_oldest_ >= options_.group_interval;
}

void JournalWriter::Loop() {
  std::vector<Entry> group;
  std::unique_lock lock(mutex_);
  while (true) {
    if (!error_.ok()) break;
    if (!CommitDue(Clock::now())) {
      if (closing_) break;  // Closing and nothing left: done.
      if (handed_.empty()) {
        wake_.wait(lock);
      } else {
        wake_.wait_until(lock, handed_oldest_ + options_.group_interval);
      }
      continue;
    }
    group.swap(handed_);
    const uint64_t last = handed_last_;
    commit_soon_ = false;
    lock.unlock();
    const Clock::time_point now = Clock::now();
    Status changes_error;
    for (Entry& entry : group) {
      if (entry.complete) {
        Status completed = entry.complete(&entry.outcome);
        if (!completed.ok() && changes_error.ok()) changes_error = std::move(completed);
      }
      if (entry.in_flight) {
        journal_->MarkInFlight(std::move(entry.outcome.op_id), std::move(entry.outcome.kind),
                               entry.outcome.attempts, now);
      } else {
        journal_->Record(std::move(entry.outcome), now);
      }
    }
    group.clear();
    Result<std::vector<std::string>> flushed = journal_->Flush();
    lock.lock();
    if (!changes_error.ok() && changes_error_.ok()) {
      changes_error_ = std::move(changes_error);
      changes_failed_.store(true, std::memory_order_release);
    }
    if (flushed.ok()) {
      committed_sequence_.store(last, std::memory_order_release);
    } else {
      error_ = flushed.status();
    }
    lock.unlock();
    committed_.notify_all();
    if (on_commit_) on_commit_();
    lock.lock();
  }
  lock.unlock();
  committed_.notify_all();  // A Sync() waiting on a failed writer returns.
}

Status JournalWriter::Sync() {
  Handover(Clock::now());
  const uint64_t target = queued();
  std::unique_lock lock(mutex_);
  if (!handed_.empty()) commit_soon_ = true;
  wake_.notify_one();
  committed_.wait(lock, [&] {
    return !error_.ok() || closing_ ||
           committed_sequence_.load(std::memory_order_acquire) >= target;
  });
  return error_;
}

Status JournalWriter::Close() {
  Handover(Clock::now());
  if (thread_.joinable()) {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  return status();
}

}  // namespace scimflow
