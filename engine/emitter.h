// Emitter: executes a plan against one SCIM target (SPEC §5, §6). It is the driver of `scimflow
// apply` and `scimflow sync`: it takes ready operations from the Scheduler, renders each request
// (base URL + path with the target id substituted, body with its `{"$ref"}` places filled in with
// the ids the referenced creates returned, the profile's headers, `Content-Type:
// application/scim+json`), submits it to the HttpClient, classifies the answer
// (ClassifyHttpResponse), and acts on the RetryPolicy's decision:
//
//   done          → journal the outcome with its state changes
//   pace / retry  → rate-limit hints pause or lower the RateBudget's buckets; the request is sent
//                   again after the wait (429) or the jittered backoff (5xx, timeout, reset)
//   look up       → a create that met a 409 or whose answer was lost is never re-sent blind:
//                   GET /Users (or /Groups) ?filter=externalId eq "…" (value escaped); a found
//                   resource is adopted (and PATCHed `active` when it differs), else re-created
//   fail          → the operation fails with the target's error; its dependents fail naming it;
//                   the rest go on
//   stop          → credentials refused: nothing more is sent, Run() returns kUnauthenticated
//
// Durability: an operation is marked in flight in the journal before its first request; its
// outcome and state changes are recorded after; only when they have committed is it counted as
// done and are its dependents released. The commits run on a JournalWriter's thread, so the driver
// goes on sending while a group is fsynced; it learns which outcomes are durable from the writer.
// A created user's state change (a parse and hashes of the body sent) is worked out on the
// writer's thread too.
// `resume` skips the operations the journal holds as done (counted as skipped) and looks up every
// create that was in flight before sending it again.
//
// Threads: Run() is the driver: it alone calls HttpClient::Poll and the scheduler, and reads the
// state through the journal's Reader(); during Run() the journal's write side belongs to the
// JournalWriter's thread, which Run() starts and stops.
// Ownership: borrows everything passed in; all must outlive Run().
#ifndef SCIMFLOW_ENGINE_EMITTER_H_
#define SCIMFLOW_ENGINE_EMITTER_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/bulk_batch.h"
#include "engine/journal.h"
#include "engine/journal_writer.h"
#include "engine/rate_budget.h"
#include "engine/retry_policy.h"
#include "engine/run_summary.h"
#include "engine/scheduler.h"
#include "engine/status.h"
#include "engine/target_profile.h"
#include "io/http_client.h"
#include "io/http_outcome.h"
#include "io/plan_reader.h"

namespace scimflow {

struct EmitterOptions {
  // The SCIM base URL; plan paths are appended to it. No trailing slash needed.
  std::string target_url;
  const TargetProfile* profile = nullptr;  // REQUIRES: non-null.
  // Requests in flight at once (--concurrency). Default 16: enough to hide loopback and LAN
  // latency; the budgets, not this, pace a rate-limited target.
  uint32_t concurrency = 16;
  bool resume = false;  // --resume: skip done operations, look up in-flight creates.
  RetryOptions retry;
  // Use `POST /Bulk` when the profile supports it and the target's /ServiceProviderConfig
  // advertises it (engine/bulk_emit.cc). False: --no-bulk, every operation is its own request.
  bool bulk = true;
  // How often the ProgressSink is updated. Default 250 ms: smooth on a terminal, negligible cost.
  std::chrono::milliseconds progress_interval{250};
};

class Emitter {
 public:
  using Clock = std::chrono::steady_clock;

  // `progress` may be null. `summary` is filled as the run goes (kinds, failures, requests).
  Emitter(const ReadPlan& plan, EmitterOptions options, HttpClient* client, Journal* journal,
          RateBudget* budget, ProgressSink* progress, RunSummary* summary);
  ~Emitter();

  // Runs the plan to its end. Ok when every operation was tried (some may have failed: see
  // summary->failures). Errors: kUnauthenticated when the target refused the credentials;
  // kUnavailable when the target could not be reached at all (every request so far failed to
  // connect); the journal's errors (kIoError, …) when an outcome could not be made durable.
  Status Run();

 private:
  enum class Phase : uint8_t { kSend, kLookup, kConverge };
  struct OpState;
  struct Delayed;
  // One POST /Bulk in flight (engine/bulk_emit.cc).
  struct Batch {
    std::vector<BulkItem> items;
    // Per item: the creates of the same batch it names (done there, or it was not applied).
    std::vector<std::vector<uint32_t>> deps_in_batch;
    std::string body;
  };

  struct Uncommitted {
    uint64_t sequence;  // The outcome's JournalWriter sequence number.
    uint32_t index;
    bool succeeded;
  };

  Status Prepare();
  Status Drive();
  void Launch(uint32_t index, Clock::time_point now);
  void Submit(uint32_t index, Clock::time_point now);
  // Before a request of `index` leaves: its in-flight mark (first time) and attempt count.
  void NoteSent(uint32_t index);
  bool NeedsLookup(uint32_t index) const;
  bool Succeeded(uint32_t index) const;
  void Delay(uint32_t index, std::chrono::nanoseconds wait, Clock::time_point now);
  void LaunchDue(Clock::time_point now);
  void FillFromScheduler(Clock::time_point now);
  void Handle(const HttpResponse& response, Clock::time_point now);
  // The answer to one operation: its own request's, or its share of a /Bulk answer (then the
  // batch's rate-limit hints were applied once, and `hints` is false).
  void HandleAnswer(uint32_t index, const HttpResponse& response, Clock::time_point now,
                    bool hints);
  void HandleSend(uint32_t index, const HttpOutcome& outcome, const HttpResponse& response,
                  Clock::time_point now);
  void HandleLookup(uint32_t index, const HttpOutcome& outcome, const HttpResponse& response,
                    Clock::time_point now);
  void ApplyHints(uint32_t index, const HttpOutcome& outcome, const HttpResponse& response,
                  Clock::time_point now);
  void Retry(uint32_t index, const HttpOutcome& outcome, Clock::time_point now);
  void Succeed(uint32_t index, int http_status, Clock::time_point now);
  void FailOp(uint32_t index, int http_status, std::string error, Clock::time_point now);
  Status FlushJournal(bool force, Clock::time_point now);
  void ReportProgress(Clock::time_point now, bool final);

  // /Bulk, in engine/bulk_emit.cc.
  void DiscoverBulk();
  bool FillBatch(Clock::time_point now);
  void SubmitBatch(Batch batch, Clock::time_point now);
  void HandleBatch(const HttpResponse& response, Clock::time_point now);

  std::string Url(uint32_t index) const;
  std::string LookupUrl(uint32_t index) const;
  std::string_view TargetIdOf(uint32_t index) const;

  const ReadPlan& plan_;
  EmitterOptions options_;
  HttpClient* client_;
  Journal* journal_;
  RateBudget* budget_;
  ProgressSink* progress_;
  RunSummary* summary_;
  RetryPolicy retry_;
  Scheduler scheduler_;
  std::vector<OpState> ops_;
  std::vector<Delayed> delayed_;           // A min-heap by due time.
  std::unique_ptr<JournalWriter> writer_;  // Run() only.
  StateStore* reader_ = nullptr;           // The journal's Reader(), for state changes.
  // Outcomes recorded and not yet committed, in record order.
  std::deque<Uncommitted> uncommitted_;
  // Target user id → externalId, for membership state changes; kept only when the plan has
  // member chunks (track_user_ids_).
  std::unordered_map<std::string, std::string> user_by_target_id_;
  bool track_user_ids_ = false;
  size_t in_flight_ = 0;
  Status stop_;
  uint64_t connect_failures_ = 0;
  uint64_t answers_ = 0;
  Clock::time_point start_;
  Clock::time_point last_progress_;
  std::string limiting_budget_;
  // /Bulk: the target's limits once discovered (nullopt: single requests), the batches in flight
  // by tag, and an operation taken from the scheduler that did not fit the last batch.
  std::optional<BulkLimits> bulk_limits_;
  std::unordered_map<uint64_t, Batch> batches_;
  uint64_t next_batch_ = 0;
  uint32_t carried_ = Scheduler::kNone;
};

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_EMITTER_H_
