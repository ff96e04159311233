#include "tools/run_report.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>

#include "engine/reconcile.h"
#include "io/json_writer.h"

namespace scimflow {
namespace {

using std::chrono::duration;
using std::chrono::duration_cast;
using std::chrono::nanoseconds;

struct Totals {
  uint64_t planned = 0, done = 0, skipped = 0, failed = 0;
};

Totals SumKinds(const RunSummary& summary) {
  Totals totals;
  for (const KindOutcomes& kind : summary.kinds) {
    totals.planned += kind.planned;
    totals.done += kind.done;
    totals.skipped += kind.skipped;
    totals.failed += kind.failed;
  }
  return totals;
}

std::string_view KindName(size_t kind) {
  return OperationKindName(static_cast<OperationKind>(kind));
}

// `2026-11-29T03:00:00Z`
std::string IsoUtc(int64_t unix_seconds) {
  const std::time_t time = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// A target's error on one table line: newlines and tabs become spaces, long bodies are cut.
std::string OneLine(std::string_view text, size_t max_bytes) {
  std::string line;
  for (char c : text.substr(0, max_bytes)) line += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (text.size() > max_bytes) line += "…";
  return line;
}

std::string FailureLines(const RunSummary& summary) {
  if (summary.failures.empty()) return "";
  std::string text = "  first failures:\n";
  const size_t shown = std::min(summary.failures.size(), config::kSummaryFailuresShown);
  for (size_t index = 0; index < shown; ++index) {
    const OperationFailure& failure = summary.failures[index];
    // The engine's messages already start with the status (`HTTP 400 invalidValue: …`) or name
    // the transport error (`timeout: …`); only a bare error text gets the status put before it.
    const bool says_status = failure.error.starts_with("HTTP ") || failure.http_status == 0;
    const std::string status = says_status ? "" : fmt::format("HTTP {}: ", failure.http_status);
    text += fmt::format("    {} ({}): {}{}\n", failure.op_id, failure.external_id, status,
                        OneLine(failure.error, config::kSummaryErrorBytes));
  }
  if (summary.failures.size() > shown) {
    text += fmt::format("    … and {} more (all of them in --report and the journal)\n",
                        summary.failures.size() - shown);
  }
  return text;
}

}  // namespace

int64_t FinishedUnixSeconds(const RunSummary& summary) {
  if (summary.finished_unix_seconds != 0) return summary.finished_unix_seconds;
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void PrintRunSummary(const RunSummary& summary, std::FILE* out) {
  std::string text;
  if (summary.insecure_tls) {
    text += "WARNING: TLS certificate verification was OFF for this run (--insecure)\n";
  }
  text += fmt::format("scimflow {} ({}) → {}{}\n", summary.command, summary.profile, summary.target,
                      summary.resumed ? ", resumed" : "");
  text += fmt::format("  {:<22} {:>10} {:>10} {:>10} {:>10}\n", "operation", "planned", "done",
                      "skipped", "failed");
  for (size_t kind = 0; kind < kOperationKindCount; ++kind) {
    const KindOutcomes& outcomes = summary.kinds[kind];
    text += fmt::format("  {:<22} {:>10} {:>10} {:>10} {:>10}\n", KindName(kind), outcomes.planned,
                        outcomes.done, outcomes.skipped, outcomes.failed);
  }
  const Totals totals = SumKinds(summary);
  text += fmt::format("  {:<22} {:>10} {:>10} {:>10} {:>10}\n", "total", totals.planned,
                      totals.done, totals.skipped, totals.failed);
  text += fmt::format("  requests: {} ({} bulk), 429s: {}, retries: {}, lookups: {} ({} adopted)\n",
                      summary.requests_sent, summary.bulk_requests, summary.rate_limited,
                      summary.retries, summary.lookups, summary.adopted);
  text += fmt::format("  conflicts: {}, rejects: {}\n", summary.conflicts, summary.rejects);
  const nanoseconds wall = duration_cast<nanoseconds>(duration<double>(summary.wall_seconds));
  text +=
      fmt::format("  wall time: {} ({:.1f} s)\n", FormatHumaneDuration(wall), summary.wall_seconds);
  text += fmt::format("  outcome: {}\n", summary.outcome);
  text += FailureLines(summary);
  std::fputs(text.c_str(), out);
}

namespace {

void WriteKinds(const RunSummary& summary, JsonWriter* json) {
  json->Key("operations").BeginObject();
  for (size_t kind = 0; kind < kOperationKindCount; ++kind) {
    const KindOutcomes& outcomes = summary.kinds[kind];
    json->Key(KindName(kind))
        .BeginObject()
        .Member("planned", outcomes.planned)
        .Member("done", outcomes.done)
        .Member("skipped", outcomes.skipped)
        .Member("failed", outcomes.failed)
        .EndObject();
  }
  json->EndObject();
  const Totals totals = SumKinds(summary);
  json->Key("total")
      .BeginObject()
      .Member("planned", totals.planned)
      .Member("done", totals.done)
      .Member("skipped", totals.skipped)
      .Member("failed", totals.failed)
      .EndObject();
}

void WriteFailures(const RunSummary& summary, JsonWriter* json) {
  json->Key("failures").BeginArray();
  for (const OperationFailure& failure : summary.failures) {
    json->BeginObject()
        .Member("op_id", failure.op_id)
        .Member("kind", failure.kind)
        .Member("external_id", failure.external_id)
        .Member("http_status", failure.http_status)
        .Member("error", failure.error)
        .EndObject();
  }
  json->EndArray();
}

void WriteBudgets(const RunSummary& summary, JsonWriter* json) {
  json->Key("budgets").BeginArray();
  for (const BudgetUse& budget : summary.budgets) {
    json->BeginObject()
        .Member("name", budget.name)
        .Member("rate", budget.rate)
        .Member("drawn", budget.drawn)
        .Key("waited_seconds")
        .Double(budget.waited_seconds)
        .EndObject();
  }
  json->EndArray();
}

}  // namespace

void AppendRunReportJson(const RunSummary& summary, std::string* out) {
  JsonWriter json(out);
  json.BeginObject()
      .Member("command", summary.command)
      .Member("target", summary.target)
      .Member("profile", summary.profile)
      .Member("state", summary.state)
      .Member("plan", summary.plan)
      .Member("outcome", summary.outcome)
      .Member("resumed", summary.resumed)
      .Member("insecure_tls", summary.insecure_tls)
      .Member("finished_at", IsoUtc(FinishedUnixSeconds(summary)));
  WriteKinds(summary, &json);
  WriteFailures(summary, &json);
  json.Member("conflicts", summary.conflicts)
      .Member("rejects", summary.rejects)
      .Member("requests", summary.requests_sent)
      .Member("bulk_requests", summary.bulk_requests)
      .Member("rate_limited", summary.rate_limited)
      .Member("retries", summary.retries)
      .Member("lookups", summary.lookups)
      .Member("adopted", summary.adopted);
  WriteBudgets(summary, &json);
  json.Key("wall_seconds").Double(summary.wall_seconds).EndObject();
  out->push_back('\n');
}

}  // namespace scimflow
