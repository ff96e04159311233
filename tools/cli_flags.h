// What every subcommand's command line shares, so flags, help and errors behave the same in each
// (the habits of git and terraform: `help SUBCOMMAND` equals `SUBCOMMAND --help`, one line per
// error, exit code 1 for anything the caller must fix):
//
//   ExitCode RunExample(int argc, char** argv) {
//     CLI::App app{"Do the example; see docs/example.md.", "scimflow example"};
//     ExampleFlags flags;
//     AddFlags(&app, &flags);
//     AddOutputFlags(&app);
//     if (std::optional<ExitCode> done = ParseFlags(&app, argc, argv)) return *done;
//     std::unique_ptr<ProgressSink> progress = MakeProgressSink(stderr, OutputMode());
//     …
//   }
//
// `--quiet` and `--verbose` may come before the subcommand name (`scimflow --quiet sync …`,
// parsed by tools/scimflow_main.cc) or after it (AddOutputFlags); either way they end up in
// OutputMode(), the one place a subcommand asks.
//
// Thread-safety: SetOutputMode is called while the command line is parsed, before any work;
// everything else only reads.
#ifndef SCIMFLOW_TOOLS_CLI_FLAGS_H_
#define SCIMFLOW_TOOLS_CLI_FLAGS_H_

#include <CLI/CLI.hpp>
#include <optional>

#include "tools/exit_code.h"
#include "tools/progress_mode.h"

namespace scimflow {

// What the user asked for with --quiet / --verbose; kAuto when neither was given.
ProgressMode OutputMode();
void SetOutputMode(ProgressMode mode);

// Adds `-q, --quiet` and `-v, --verbose` to a subcommand; parsing them sets OutputMode(). The two
// exclude each other. Quiet means: no progress and no summary, only errors.
void AddOutputFlags(CLI::App* app);

// Parses `argv` (argv[0] is the subcommand) into `app`. Returns nullopt when the command should
// run; otherwise what it should exit with, having printed:
// - on --help / -h: the help to stdout; kSuccess;
// - on a usage error (unknown flag, missing required flag, bad value): one line on stderr,
//   `NAME: REASON` with NAME the app's name (e.g. `scimflow plan: --out is required`); kUsage.
std::optional<ExitCode> ParseFlags(CLI::App* app, int argc, char** argv);

}  // namespace scimflow

#endif  // SCIMFLOW_TOOLS_CLI_FLAGS_H_
