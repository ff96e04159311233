// What `scimflow apply` and `scimflow sync` tell their user when a run ends (SPEC §7): the
// summary table on stderr, the --report JSON and the --metrics Prometheus text, all three read
// from one RunSummary so they can never disagree. Formats: docs/report-format.md.
//
// This header also brings the progress printer (tools/terminal_progress.h: ProgressMode,
// MakeProgressSink) and WriteFileAtomically (io/atomic_file.h), so a command needs only this
// include for everything it shows:
//
//   std::unique_ptr<ProgressSink> progress = MakeProgressSink(stderr, mode);
//   … run, calling progress->Update(…), then progress->Finish(…) …
//   PrintRunSummary(summary, stderr);
//   std::string json;
//   AppendRunReportJson(summary, &json);
//   SCIMFLOW_RETURN_IF_ERROR(WriteFileAtomically(report_path, json));
//
// Thread-safety: pure functions of their arguments.
#ifndef SCIMFLOW_TOOLS_RUN_REPORT_H_
#define SCIMFLOW_TOOLS_RUN_REPORT_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "engine/run_summary.h"
#include "io/atomic_file.h"
#include "tools/plan_report.h"
#include "tools/terminal_progress.h"

namespace scimflow {

namespace config {
// Failures listed in the summary table; the report lists all of them. Five is what fits on a
// screen above the prompt and is usually enough to see whether they share one cause.
inline constexpr size_t kSummaryFailuresShown = 5;
// A target's error body is cut to this many bytes in the table (never in the report).
inline constexpr size_t kSummaryErrorBytes = 200;
}  // namespace config

// The end-of-run table (docs/report-format.md, "Summary"): a header line naming the command,
// profile and target; a loud warning line first when TLS verification was off; one row per
// operation kind with planned, done, skipped and failed, and a total row; requests, 429s,
// retries, lookups and adoptions; conflicts and rejects; wall time; the outcome; then the first
// config::kSummaryFailuresShown failures with their target error, and how many more there are.
// Written with one fputs, so it is not interleaved with other output of the process.
void PrintRunSummary(const RunSummary& summary, std::FILE* out);

// Appends the --report JSON object (docs/report-format.md, "Run report"), followed by a newline:
// the run's identity and outcome, counts per operation kind, every failure with the target's
// error text, conflicts, rejects, requests, 429s, retries, lookups, adoptions, budgets and wall
// time. Keys are always present, in a fixed order; failures keep the order they failed in.
void AppendRunReportJson(const RunSummary& summary, std::string* out);

// Appends the same figures in the Prometheus text exposition format 0.0.4, for node_exporter's
// textfile collector (docs/report-format.md, "Metrics"): gauges named `scimflow_…` with HELP and
// TYPE lines, labelled by `command` (and `kind`, `outcome` where they apply), ending with
// `scimflow_last_run_timestamp_seconds`. Every metric family appears once, so two runs' files
// can be compared line by line. `promtool check metrics` accepts the output.
void AppendRunMetrics(const RunSummary& summary, std::string* out);

// The same for `scimflow plan --metrics` (command="plan"): operations per kind, member changes,
// conflicts, rejects, deprovisions, and the run's end as above (success: outcome "planned").
void AppendPlanMetrics(const PlanRunSummary& summary, int64_t finished_unix_seconds,
                       std::string* out);

// When the run ended (RunSummary::finished_unix_seconds), or the current time when unset.
int64_t FinishedUnixSeconds(const RunSummary& summary);

}  // namespace scimflow

#endif  // SCIMFLOW_TOOLS_RUN_REPORT_H_
