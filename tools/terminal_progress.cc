#include "tools/terminal_progress.h"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cmath>
#include <string_view>

namespace scimflow {
namespace {

using std::chrono::nanoseconds;

constexpr int64_t kMinute = 60;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;

// Erases from the cursor to the end of the line (ECMA-48 EL): a shorter line leaves no tail of
// the longer one before it.
constexpr const char* kClearToEndOfLine = "\x1b[K";

// What the progress line calls each kind, in OperationKind order (the order they are sent):
// shorter than the names of docs/operations.md, which a terminal line has no room for.
constexpr std::string_view kKindLabels[kOperationKindCount] = {
    "deactivations", "role changes",  "updates",         "reactivations", "creates",
    "group creates", "group renames", "member removals", "member adds",   "group deletes",
};

// The operations of the kinds this run has to do, e.g. "creates 1200/96011, member adds 0/2989";
// empty when the caller gave no breakdown.
std::string FormatKinds(const Progress& progress) {
  std::string text;
  for (size_t index = 0; index < kOperationKindCount; ++index) {
    const KindOutcomes& kind = progress.kinds[index];
    const uint64_t to_do = kind.planned - kind.skipped;
    if (to_do == 0) continue;
    if (!text.empty()) text += ", ";
    text += fmt::format("{} {}/{}", kKindLabels[index], kind.done + kind.failed, to_do);
  }
  return text;
}

// The terminal's width in columns, or 0 when `out` is no terminal or does not say.
size_t TerminalColumns(std::FILE* out) {
  winsize size{};
  if (::ioctl(::fileno(out), TIOCGWINSZ, &size) != 0) return 0;
  return size.ws_col;
}

// The line to redraw, fitted into `columns` (0: no limit) with one column to spare, because a
// terminal that wraps at the last column would move the cursor and break the `\r` redraw.
std::string FitProgressLine(const Progress& progress, size_t columns) {
  std::string line = FormatProgressLine(progress);
  if (columns == 0 || line.size() < columns) return line;
  line = FormatProgressLine(progress, KindDetail::kLeftOut);
  if (line.size() >= columns) line.resize(columns - 1);
  return line;
}

// Prints nothing: --quiet.
class QuietSink : public ProgressSink {
 public:
  void Update(const Progress&) override {}
  void Finish(const Progress&) override {}
};

class ProgressPrinter : public ProgressSink {
 public:
  ProgressPrinter(std::FILE* out, ProgressPrinterOptions options) : out_(out), options_(options) {}

  void Update(const Progress& progress) override {
    if (options_.redraw) {
      Draw(progress, /*end_line=*/false);
      return;
    }
    // The first update prints at once, so a log shows the run started and what it has to do.
    if (printed_ && progress.elapsed - last_printed_ < options_.interval) return;
    Draw(progress, /*end_line=*/true);
  }

  void Finish(const Progress& progress) override { Draw(progress, /*end_line=*/true); }

 private:
  void Draw(const Progress& progress, bool end_line) {
    std::string text;
    if (options_.redraw) {
      // Asked at every redraw: a terminal may be resized during a run that lasts days.
      const size_t columns = options_.columns != 0 ? options_.columns : TerminalColumns(out_);
      text = "\r" + FitProgressLine(progress, columns) + kClearToEndOfLine;
      if (end_line) text += '\n';
    } else {
      text = fmt::format("scimflow: {} elapsed, {}\n", FormatHumaneDuration(progress.elapsed),
                         FormatProgressLine(progress));
    }
    std::fputs(text.c_str(), out_);
    std::fflush(out_);
    printed_ = true;
    last_printed_ = progress.elapsed;
  }

  std::FILE* out_;
  const ProgressPrinterOptions options_;
  bool printed_ = false;
  nanoseconds last_printed_{0};
};

}  // namespace

std::unique_ptr<ProgressSink> MakeProgressPrinter(std::FILE* out, ProgressPrinterOptions options) {
  return std::make_unique<ProgressPrinter>(out, options);
}

std::unique_ptr<ProgressSink> MakeProgressSink(std::FILE* out, ProgressMode mode) {
  if (mode == ProgressMode::kQuiet) return std::make_unique<QuietSink>();
  ProgressPrinterOptions options;
  options.redraw = ::isatty(::fileno(out)) == 1;
  if (mode == ProgressMode::kVerbose) options.interval = config::kProgressVerboseInterval;
  return MakeProgressPrinter(out, options);
}

std::string FormatProgressLine(const Progress& progress, KindDetail kind_detail) {
  const double percent =
      progress.operations_total == 0
          ? 100.0
          : 100.0 * static_cast<double>(progress.operations_done) / progress.operations_total;
  const double seconds = std::chrono::duration<double>(progress.elapsed).count();
  const double rate = seconds > 0 ? static_cast<double>(progress.requests_sent) / seconds : 0.0;
  std::string line = fmt::format("{}/{} operations ({:.1f}%)", progress.operations_done,
                                 progress.operations_total, percent);
  if (kind_detail == KindDetail::kShown) {
    const std::string kinds = FormatKinds(progress);
    if (!kinds.empty()) line += " [" + kinds + "]";
  }
  if (progress.operations_failed > 0)
    line += fmt::format(", {} failed", progress.operations_failed);
  line += fmt::format(", {:.1f} requests/s, {} retries, {} 429s", rate, progress.retries,
                      progress.rate_limited);
  if (progress.eta) line += ", ETA " + FormatHumaneDuration(*progress.eta);
  if (!progress.limiting_budget.empty()) {
    line += fmt::format(" (waiting for {})", progress.limiting_budget);
  }
  return line;
}

std::string FormatHumaneDuration(nanoseconds duration) {
  const double exact = std::chrono::duration<double>(duration).count();
  const int64_t seconds = exact <= 0 ? 0 : std::llround(exact);
  if (seconds < kMinute) return fmt::format("{} s", seconds);
  if (seconds < 10 * kMinute) {
    const int64_t rest = seconds % kMinute;
    return rest == 0 ? fmt::format("{} min", seconds / kMinute)
                     : fmt::format("{} min {} s", seconds / kMinute, rest);
  }
  // From ten minutes on, seconds are noise: round to the minute.
  const int64_t minutes = (seconds + kMinute / 2) / kMinute;
  if (minutes < 60) return fmt::format("{} min", minutes);
  if (seconds < 2 * kDay) {
    const int64_t rest = minutes % 60;
    return rest == 0 ? fmt::format("{} h", minutes / 60)
                     : fmt::format("{} h {} min", minutes / 60, rest);
  }
  return fmt::format("about {} days", (seconds + kDay / 2) / kDay);
}

}  // namespace scimflow
