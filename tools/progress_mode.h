// ProgressMode: what the user asked to see while a command runs (`--quiet`, `--verbose`). Kept
// apart from the progress printer so the command-line code can name it without the engine's
// headers.
#ifndef SCIMFLOW_TOOLS_PROGRESS_MODE_H_
#define SCIMFLOW_TOOLS_PROGRESS_MODE_H_

namespace scimflow {

enum class ProgressMode {
  kAuto,     // A redrawn line on a terminal, a line a minute otherwise; the summary at the end.
  kQuiet,    // No progress and no summary; only errors.
  kVerbose,  // As kAuto, but a line every 10 seconds when not on a terminal.
};

}  // namespace scimflow

#endif  // SCIMFLOW_TOOLS_PROGRESS_MODE_H_
