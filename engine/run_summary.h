// RunSummary and Progress: the figures of one `apply` or `sync` run, in the one shape every
// output reads them from — the progress line while the run goes, the summary table at its end,
// the `--report` JSON and the `--metrics` Prometheus text (SPEC §7). The emitter fills them; the
// writers in tools/ render them. Keeping the figures in one struct means the four outputs can
// never disagree about what happened.
//
// Thread-safety: plain values. The emitter owns the live copy and hands out snapshots.
#ifndef SCIMFLOW_ENGINE_RUN_SUMMARY_H_
#define SCIMFLOW_ENGINE_RUN_SUMMARY_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/reconcile.h"

namespace scimflow {

// What happened to the operations of one kind.
struct KindOutcomes {
  uint64_t planned = 0;  // In the plan.
  uint64_t done = 0;     // Applied in this run (adopted creates included).
  uint64_t skipped = 0;  // Already done by an earlier run (`--resume`).
  uint64_t failed = 0;   // Failed for good; the target's error is in `failures`.
};

// One operation that failed for good.
struct OperationFailure {
  std::string op_id;
  std::string kind;  // "user.create", … (docs/operations.md)
  std::string external_id;
  int http_status = 0;  // Of the last attempt; 0 when no answer came.
  std::string error;    // The target's error text or the transport error; never a token.
};

// Figures a run updates as it goes; a Progress is a copy of them taken at one moment.
struct Progress {
  uint64_t operations_total = 0;  // Operations of the plan this run has to do (skipped excluded).
  uint64_t operations_done = 0;   // Done or failed for good.
  uint64_t operations_failed = 0;
  uint64_t requests_sent = 0;  // HTTP requests that left, lookups and retries included.
  uint64_t rate_limited = 0;   // Answers 429 or 403-rate-limit.
  uint64_t retries = 0;        // Requests re-sent after 5xx, timeouts, resets or rate limits.
  std::chrono::nanoseconds elapsed{0};
  // Time the rest takes at the budgets' allowed rates (RateBudget::EstimateDuration), or at the
  // rate observed so far when the target has no budgets. Empty until it can be estimated.
  std::optional<std::chrono::nanoseconds> eta;
  // The budget the scheduler is waiting for right now ("writes", "user-assignments", …); empty
  // when nothing is held back.
  std::string limiting_budget;
  // Per operation kind, what the plan holds and how far it got (planned − skipped is the kind's
  // share of operations_total); all zero when the caller does not break the run down.
  std::array<KindOutcomes, kOperationKindCount> kinds{};
};

// Receives progress while a run goes. Called from the emitter's driver thread, at most a few
// times per second; an implementation must not block.
class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  virtual void Update(const Progress& progress) = 0;
  // Called once when the run ends, before the summary is printed.
  virtual void Finish(const Progress& progress) = 0;
};

// One rate budget as the run used it (SPEC §5), for the report: how much was drawn and how long
// the scheduler held operations back waiting for it.
struct BudgetUse {
  std::string name;  // "user-assignments", "group-member-adds", "requests", "writes".
  std::string rate;  // As configured, e.g. "1000/h".
  uint64_t drawn = 0;
  double waited_seconds = 0;
};

struct RunSummary {
  std::string command;  // "apply" or "sync"
  std::string target;   // The target URL as given (it never holds credentials).
  std::string profile;  // "github-emu", "ghes" or "generic".
  std::string state;    // Path of the state database.
  std::string plan;     // Path of the plan file; empty for sync when none was written.
  // "applied", "partial" (some operations failed), "refused: deprovision", "refused: rejects",
  // "stopped: credentials refused", "stopped: target unreachable", "stopped: state database".
  std::string outcome = "applied";
  bool resumed = false;
  // TLS verification was switched off (loopback only); printed so it is never silent (SPEC §6).
  bool insecure_tls = false;

  std::array<KindOutcomes, kOperationKindCount> kinds{};
  std::vector<OperationFailure> failures;  // In the order they failed.
  uint64_t conflicts = 0;                  // From the plan; never sent.
  uint64_t rejects = 0;                    // Input records refused (sync; the plan's for apply).

  uint64_t requests_sent = 0;  // Every HTTP request, lookups, retries and /Bulk included.
  uint64_t bulk_requests = 0;  // Of those, POST /Bulk.
  uint64_t rate_limited = 0;   // 429 and 403-rate-limit answers.
  uint64_t retries = 0;
  uint64_t lookups = 0;  // GET by externalId after a 409 or a lost create answer.
  uint64_t adopted = 0;  // Creates resolved by adopting the resource the lookup found.
  double wall_seconds = 0;
  // When the run ended, in seconds since the Unix epoch (UTC); 0 lets the renderers take the
  // current time. The report's `finished_at` and scimflow_last_run_timestamp_seconds.
  int64_t finished_unix_seconds = 0;
  std::vector<BudgetUse> budgets;  // In the order the target profile lists them.

  uint64_t Planned() const {
    uint64_t total = 0;
    for (const KindOutcomes& kind : kinds) total += kind.planned;
    return total;
  }
  uint64_t Failed() const {
    uint64_t total = 0;
    for (const KindOutcomes& kind : kinds) total += kind.failed;
    return total;
  }
};

}  // namespace scimflow

#endif  // SCIMFLOW_ENGINE_RUN_SUMMARY_H_
