// The progress printer of `apply` and `sync` (SPEC §7): the ProgressSink the engine reports to,
// which alone decides what reaches stderr while a run goes. The engine never prints.
//
// - On a terminal: one line, redrawn in place (`\r`, the line, clear-to-end-of-line), in the
//   manner of rsync's --progress and ninja's status line: operations done/total overall and per
//   kind, requests per second, retries, 429s, the ETA in words and the budget the scheduler
//   waits for. A line wider than the terminal would wrap and break the redraw, so it is fitted
//   to the width: the per-kind part goes first, then the tail is cut. Finish() draws the last
//   state and ends the line, so the summary table starts on a fresh line.
// - Not on a terminal (a log file, journald, cron mail): one full line per interval (a minute by
//   default; the interval is measured on Progress::elapsed, so it follows the run's own clock),
//   the first at the first update, and a last one at Finish().
// - Quiet: nothing. Errors are printed by the command, not by the sink; under --quiet the command
//   leaves out its summary too (tools/cli_flags.h).
//
// Thread-safety: a printer is driven from one thread (the emitter's driver), as ProgressSink
// requires; it writes to its FILE* with one fputs per update.
#ifndef SCIMFLOW_TOOLS_TERMINAL_PROGRESS_H_
#define SCIMFLOW_TOOLS_TERMINAL_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "engine/run_summary.h"
#include "tools/progress_mode.h"

namespace scimflow {

namespace config {
// Not on a terminal, one progress line a minute: enough to see in a log that a days-long run is
// alive and how far it got, without drowning the log (SPEC §7).
inline constexpr std::chrono::seconds kProgressLogInterval{60};
// With --verbose, a line every 10 seconds: for someone tailing the log of a short run.
inline constexpr std::chrono::seconds kProgressVerboseInterval{10};
}  // namespace config

// How a printer writes; MakeProgressSink chooses these from the mode and isatty().
struct ProgressPrinterOptions {
  bool redraw = false;  // A terminal: one line redrawn in place.
  // Not redrawing: the least run time between two lines.
  std::chrono::nanoseconds interval = config::kProgressLogInterval;
  // Redrawing: the width to fit the line into; 0 asks the terminal at each redraw (and does not
  // fit when it does not say).
  size_t columns = 0;
};

// The sink for `mode` writing to `out` (normally stderr): quiet prints nothing; otherwise a
// redrawing printer when `out` is a terminal, a periodic one when it is not. `out` must outlive
// the sink. Never returns null.
std::unique_ptr<ProgressSink> MakeProgressSink(std::FILE* out, ProgressMode mode);

// A printer with explicit options, for tests and for callers that know better than isatty().
std::unique_ptr<ProgressSink> MakeProgressPrinter(std::FILE* out, ProgressPrinterOptions options);

// Whether FormatProgressLine breaks the operations down by kind.
enum class KindDetail : uint8_t { kShown, kLeftOut };

// The text of one progress line, without `\r` or newline, e.g.
//   `1234/100000 operations (1.2%) [creates 1200/96011, group creates 34/1000, member adds
//   0/2989], 10.3 requests/s, 5 retries, 2 429s, ETA 3 h 20 min (waiting for user-assignments)`
// The bracket lists, in the order they are sent (SPEC §5), the kinds this run has to do (done
// or failed / planned − skipped); it is left out when Progress::kinds is all zero. Failed
// operations appear (`, 3 failed`) only when there are some; the ETA only once known; the
// budget only while one holds the run back. Requests per second are averaged over the run.
std::string FormatProgressLine(const Progress& progress,
                               KindDetail kind_detail = KindDetail::kShown);

// A duration in words, as precise as a person needs at that scale, for ETAs and wall times:
//   under a minute "45 s"; under ten minutes "3 min 20 s" (or "3 min"); under an hour "42 min";
//   under two days "3 h 20 min" (or "3 h"); from two days "about 4 days".
// Seconds and minutes are rounded to the nearest; a negative duration reads as "0 s".
std::string FormatHumaneDuration(std::chrono::nanoseconds duration);

}  // namespace scimflow

#endif  // SCIMFLOW_TOOLS_TERMINAL_PROGRESS_H_
