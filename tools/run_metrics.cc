// AppendRunMetrics (declared in tools/run_report.h): the run's figures in the Prometheus text
// exposition format 0.0.4 (docs/report-format.md, "Metrics").
//
// Every figure is a gauge: the file describes the last run, it is replaced whole after each run,
// and a counter that restarts at every run would be misread by rate(). Hence no `_total` suffixes
// (promtool's lint reserves them for counters).
#include <fmt/format.h>

#include <chrono>

#include "engine/reconcile.h"
#include "tools/run_report.h"

namespace scimflow {
namespace {

// A label value with the three escapes the format defines: backslash, double quote, newline.
std::string EscapeLabel(std::string_view value) {
  std::string escaped;
  for (char c : value) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '"') {
      escaped += "\\\"";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

class MetricsText {
 public:
  MetricsText(std::string_view command, std::string* out)
      : command_label_(fmt::format("command=\"{}\"", EscapeLabel(command))), out_(out) {}

  // Starts a metric family: its HELP and TYPE lines.
  void Family(std::string_view name, std::string_view help) {
    *out_ += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", name, help, name);
  }
  // One sample labelled with the command and `extra` labels (`name="value"` pairs, escaped).
  template <typename Number>
  void Sample(std::string_view name, Number value, std::string_view extra = "") {
    *out_ += fmt::format("{}{{{}{}{}}} {}\n", name, command_label_, extra.empty() ? "" : ",", extra,
                         value);
  }
  // A family with a single sample.
  template <typename Number>
  void Gauge(std::string_view name, std::string_view help, Number value) {
    Family(name, help);
    Sample(name, value);
  }

 private:
  const std::string command_label_;
  std::string* out_;
};

void AppendOperations(const RunSummary& summary, MetricsText* metrics) {
  metrics->Family("scimflow_operations",
                  "Operations of the last run by kind and outcome (planned, done, skipped, "
                  "failed).");
  for (size_t kind = 0; kind < kOperationKindCount; ++kind) {
    const KindOutcomes& outcomes = summary.kinds[kind];
    const std::string_view name = OperationKindName(static_cast<OperationKind>(kind));
    const std::pair<const char*, uint64_t> values[] = {{"planned", outcomes.planned},
                                                       {"done", outcomes.done},
                                                       {"skipped", outcomes.skipped},
                                                       {"failed", outcomes.failed}};
    for (const auto& [outcome, value] : values) {
      metrics->Sample("scimflow_operations", value,
                      fmt::format("kind=\"{}\",outcome=\"{}\"", name, outcome));
    }
  }
}

void AppendBudgets(const RunSummary& summary, MetricsText* metrics) {
  if (summary.budgets.empty()) return;
  metrics->Family("scimflow_budget_drawn", "Units the last run drew from each rate budget.");
  for (const BudgetUse& budget : summary.budgets) {
    metrics->Sample("scimflow_budget_drawn", budget.drawn,
                    fmt::format("budget=\"{}\"", EscapeLabel(budget.name)));
  }
  metrics->Family("scimflow_budget_waited_seconds",
                  "Time the last run held operations back waiting for each rate budget.");
  for (const BudgetUse& budget : summary.budgets) {
    metrics->Sample("scimflow_budget_waited_seconds", budget.waited_seconds,
                    fmt::format("budget=\"{}\"", EscapeLabel(budget.name)));
  }
}

// The figures every command's metrics end with: wall time, success, outcome, timestamp.
void AppendRunEnd(double wall_seconds, bool success, std::string_view outcome,
                  int64_t finished_unix_seconds, MetricsText* metrics) {
  metrics->Gauge("scimflow_run_duration_seconds", "Wall time of the last run.", wall_seconds);
  metrics->Gauge("scimflow_last_run_success",
                 "1 if the last run did everything it had to, 0 otherwise.", success ? 1 : 0);
  metrics->Family("scimflow_last_run_outcome", "The outcome of the last run, as a label.");
  metrics->Sample("scimflow_last_run_outcome", 1,
                  fmt::format("outcome=\"{}\"", EscapeLabel(outcome)));
  metrics->Gauge("scimflow_last_run_timestamp_seconds",
                 "When the last run ended, in seconds since the Unix epoch.",
                 finished_unix_seconds);
}

}  // namespace

void AppendRunMetrics(const RunSummary& summary, std::string* out) {
  MetricsText metrics(summary.command, out);
  AppendOperations(summary, &metrics);
  metrics.Gauge("scimflow_requests",
                "HTTP requests the last run sent, lookups, retries and bulk requests included.",
                summary.requests_sent);
  metrics.Gauge("scimflow_bulk_requests", "POST /Bulk requests of the last run.",
                summary.bulk_requests);
  metrics.Gauge("scimflow_rate_limited_responses",
                "Answers 429 or 403-rate-limit the last run received.", summary.rate_limited);
  metrics.Gauge("scimflow_retries", "Requests the last run sent again after a failure.",
                summary.retries);
  metrics.Gauge("scimflow_lookups", "Lookups by externalId after a 409 or a lost create answer.",
                summary.lookups);
  metrics.Gauge("scimflow_adopted", "Creates resolved by adopting the resource a lookup found.",
                summary.adopted);
  metrics.Gauge("scimflow_conflicts", "Conflicts of the plan, reported and never sent.",
                summary.conflicts);
  metrics.Gauge("scimflow_rejects", "Input records refused.", summary.rejects);
  AppendBudgets(summary, &metrics);
  metrics.Gauge("scimflow_insecure_tls",
                "1 if the last run had TLS certificate verification switched off.",
                summary.insecure_tls ? 1 : 0);
  AppendRunEnd(summary.wall_seconds, summary.outcome == "applied", summary.outcome,
               FinishedUnixSeconds(summary), &metrics);
}

void AppendPlanMetrics(const PlanRunSummary& summary, int64_t finished_unix_seconds,
                       std::string* out) {
  MetricsText metrics("plan", out);
  if (summary.plan != nullptr) {
    const Plan& plan = *summary.plan;
    metrics.Family("scimflow_plan_operations", "Operations in the last plan, by kind.");
    for (size_t kind = 0; kind < kOperationKindCount; ++kind) {
      metrics.Sample(
          "scimflow_plan_operations", plan.counts[kind],
          fmt::format("kind=\"{}\"", OperationKindName(static_cast<OperationKind>(kind))));
    }
    metrics.Gauge("scimflow_plan_members_added", "Members the last plan adds to groups.",
                  plan.members_added);
    metrics.Gauge("scimflow_plan_members_removed", "Members the last plan removes from groups.",
                  plan.members_removed);
    metrics.Gauge("scimflow_conflicts", "Conflicts of the plan, reported and never sent.",
                  static_cast<uint64_t>(plan.conflicts.size()));
  }
  metrics.Gauge("scimflow_rejects", "Input records refused.",
                static_cast<uint64_t>(summary.rejects.size()));
  metrics.Gauge("scimflow_plan_deprovisions",
                "Deactivations plus group deletions the last plan holds.",
                summary.guard.deprovisions);
  AppendRunEnd(summary.wall_seconds, summary.outcome == "planned", summary.outcome,
               finished_unix_seconds, &metrics);
}

}  // namespace scimflow
